// The dtype table of docs/format.md#dtypes, indexed by the reference writer's order.
#include "stguard/dtype.hpp"

#include <array>

namespace stguard {
namespace {

struct DtypeRow {
  std::string_view name;
  unsigned bits;
};

constexpr std::array<DtypeRow, kDtypeCount> kDtypeTable{{
    {"BOOL", 8},        {"F4", 4},           {"F6_E2M3", 6},      {"F6_E3M2", 6},
    {"U8", 8},          {"I8", 8},           {"F8_E5M2", 8},      {"F8_E4M3", 8},
    {"F8_E8M0", 8},     {"F8_E4M3FNUZ", 8},  {"F8_E5M2FNUZ", 8},  {"I16", 16},
    {"U16", 16},        {"F16", 16},         {"BF16", 16},        {"I32", 32},
    {"U32", 32},        {"F32", 32},         {"C64", 64},         {"F64", 64},
    {"I64", 64},        {"U64", 64},
}};

}  // namespace

std::string_view dtype_name(Dtype dtype) noexcept { return kDtypeTable[dtype_order(dtype)].name; }

unsigned dtype_bits(Dtype dtype) noexcept { return kDtypeTable[dtype_order(dtype)].bits; }

unsigned dtype_alignment(Dtype dtype) noexcept {
  const unsigned bits = dtype_bits(dtype);
  return bits < 8 ? 1 : bits / 8;
}

std::optional<Dtype> dtype_from_name(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kDtypeTable.size(); ++i) {
    if (kDtypeTable[i].name == name) return static_cast<Dtype>(i);
  }
  return std::nullopt;
}

std::optional<Dtype> dtype_from_order(unsigned order) noexcept {
  if (order >= kDtypeCount) return std::nullopt;
  return static_cast<Dtype>(order);
}

}  // namespace stguard
