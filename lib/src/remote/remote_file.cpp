// RemoteFile (remote.hpp): the two-request validation of a remote file and
// the pinned range reads that follow it.
#include <algorithm>
#include <cstring>
#include <mutex>

#include "core/core_internal.hpp"
#include "remote/transport.hpp"
#include "stguard/remote.hpp"
#include "stguard/validate.hpp"

namespace stguard::remote {

struct RemoteSource::State {
  std::optional<Error> poisoned;  // set only in a failed open's poison value
  std::string display_url;
  RemoteOptions options;
  std::unique_ptr<detail::Connection> connection;
  Header header;
  std::vector<std::uint8_t> prefix;
  detail::ObjectVersion version;
  bool ranges_honoured = false;
  mutable std::mutex lock;  // one request at a time on the connection
  TransferStats stats;      // guarded by lock
};

namespace {

using detail::Clock;

constexpr std::uint64_t kLengthBytes = 8;

// How many leading bytes decide the verdict, given those already held: the
// recognition window when the length prefix fails (NOT_SAFETENSORS_* need
// it), else 8 + N. `file_size` may be a bound (kUnlimited) while unknown.
std::uint64_t bytes_needed(std::span<const std::uint8_t> held, std::uint64_t file_size, const Options& options) {
  const std::uint64_t window = std::min(file_size, stguard::detail::kRecognitionWindowBytes);
  if (held.size() < std::min(file_size, kLengthBytes)) return std::max(window, std::min(file_size, kLengthBytes));
  const auto leading = held.first(static_cast<std::size_t>(std::min<std::uint64_t>(held.size(), window)));
  auto header_length = read_header_length(leading, file_size, options);
  if (!header_length) return window;
  return std::max(window, kLengthBytes + *header_length);
}

// Collects the leading bytes of the file: everything up to 8 + read_ahead
// (all of a first range answer), and past that, of a whole-body answer, only
// as many as the header needs; the transfer is then stopped.
class PrefixCollector final : public detail::BodyConsumer {
 public:
  PrefixCollector(std::vector<std::uint8_t>& bytes, std::uint64_t first_range_end, const Options& options)
      : bytes_(bytes), first_range_end_(first_range_end), options_(options) {}

  bool take(std::uint64_t offset, std::span<const std::uint8_t> chunk, std::optional<std::uint64_t> file_size) override {
    if (offset != received_) throw detail::BodyRefused{};
    // Without a stated size the body runs to the file's end: only the limits bound N meanwhile.
    const std::uint64_t bound = file_size.value_or(kUnlimited);
    std::size_t used = 0;
    while (used < chunk.size() && bytes_.size() == received_ + used) {
      const std::uint64_t keep = std::max(first_range_end_, bytes_needed(bytes_, bound, options_));
      if (bytes_.size() >= keep) break;
      const auto count = static_cast<std::size_t>(std::min<std::uint64_t>(keep - bytes_.size(), chunk.size() - used));
      bytes_.insert(bytes_.end(), chunk.begin() + static_cast<std::ptrdiff_t>(used),
                    chunk.begin() + static_cast<std::ptrdiff_t>(used + count));
      used += count;
    }
    received_ += chunk.size();
    if (!file_size || received_ <= first_range_end_) return true;
    return bytes_.size() < bytes_needed(bytes_, bound, options_);
  }

 private:
  std::vector<std::uint8_t>& bytes_;
  std::uint64_t first_range_end_;
  const Options& options_;
  std::uint64_t received_ = 0;
};

// Copies a range answer into a buffer that holds the file from byte `first`.
class RangeCollector final : public detail::BodyConsumer {
 public:
  RangeCollector(std::span<std::uint8_t> bytes, std::uint64_t first) : bytes_(bytes), first_(first) {}

  bool take(std::uint64_t offset, std::span<const std::uint8_t> chunk, std::optional<std::uint64_t>) override {
    // The parser admits only the range asked for; check again before copying.
    if (offset < first_ || offset - first_ > bytes_.size() || chunk.size() > bytes_.size() - (offset - first_)) {
      throw detail::BodyRefused{};
    }
    if (!chunk.empty()) std::memcpy(bytes_.data() + (offset - first_), chunk.data(), chunk.size());
    return true;
  }

 private:
  std::span<std::uint8_t> bytes_;
  std::uint64_t first_;
};

Clock::time_point deadline_for(const RemoteOptions& options) {
  return Clock::now() + std::max(options.total_timeout, std::chrono::milliseconds(1));
}

std::uint64_t remaining_budget(const RemoteOptions& options, std::uint64_t used) {
  return options.max_bytes > used ? options.max_bytes - used : 0;
}

// The requests of an open: the first range, then the rest of the header
// when it is longer (see remote.hpp); `validation` bounds N. The bytes are
// not judged here.
Result<std::unique_ptr<RemoteFile::State>> fetch_leading_bytes(const std::string& url, const Options& validation,
                                                               const RemoteOptions& remote) {
  auto state = std::make_unique<RemoteFile::State>();
  state->display_url = redact_url(url);
  state->options = remote;
  auto connection = detail::Connection::create(url, remote);
  if (!connection) return std::move(connection).error();
  state->connection = std::move(connection).value();

  const Clock::time_point deadline = deadline_for(remote);
  const std::uint64_t read_ahead = std::min(remote.read_ahead, kFormatMaxHeaderBytes);
  detail::RangeRequest first;
  first.first = 0;
  first.last = kLengthBytes + read_ahead - 1;
  first.whole_body_allowed = true;
  first.body_budget = remote.max_bytes;
  PrefixCollector collector(state->prefix, first.last + 1, validation);
  auto answer = state->connection->get(first, collector, deadline, state->stats);
  if (!answer) return std::move(answer).error();
  const std::uint64_t file_size = answer->file_size;
  state->version = answer->version;
  state->ranges_honoured = answer->status == 206 || answer->status == 416;

  const std::uint64_t needed = bytes_needed(state->prefix, file_size, validation);
  if (needed > state->prefix.size() && !state->ranges_honoured) {
    // A whole-body answer ends only at the file's end: nothing more to get.
    return make_error(ErrorCode::internal_error, "the whole-body answer ended before the header");
  }
  if (needed > state->prefix.size()) {
    const std::uint64_t have = state->prefix.size();
    if (needed - have > remaining_budget(remote, state->stats.body_bytes)) {
      return make_error(ErrorCode::network_body_too_large,
                        "the header needs " + std::to_string(needed) + " bytes, more than max_bytes (" +
                            std::to_string(remote.max_bytes) + ")");
    }
    // `needed` is 8 + N with N checked against the limits and the file
    // size by read_header_length, so this allocation is bounded.
    state->prefix.resize(static_cast<std::size_t>(needed));
    detail::RangeRequest rest;
    rest.first = have;
    rest.last = needed - 1;
    rest.pin = &state->version;
    rest.body_budget = remaining_budget(remote, state->stats.body_bytes);
    RangeCollector tail(state->prefix, 0);  // the buffer holds the file from byte 0
    auto second = state->connection->get(rest, tail, deadline, state->stats);
    if (!second) return std::move(second).error();
  }
  return state;
}

// fetch_leading_bytes, then the verdict on them.
Result<std::unique_ptr<RemoteFile::State>> open_state(const std::string& url, const Options& validation,
                                                      const RemoteOptions& remote) {
  auto state = fetch_leading_bytes(url, validation, remote);
  if (!state) return std::move(state).error();
  auto header = validate_prefix((*state)->prefix, (*state)->version.size, validation);
  if (!header) return std::move(header).error();
  (*state)->header = std::move(header).value();
  return state;
}

// Whether [offset, offset + length) may be fetched: inside the file, from a
// server that answers ranges, within max_bytes. Checked before a caller
// allocates for the range.
Status check_fetchable(const RemoteFile::State& state, std::uint64_t offset, std::uint64_t length) {
  if (state.poisoned) return *state.poisoned;
  const std::uint64_t size = state.version.size;
  if (offset > size || length > size - offset) {
    return make_error(ErrorCode::invalid_argument,
                      "the range " + std::to_string(offset) + "+" + std::to_string(length) + " lies outside the file",
                      offset);
  }
  if (length == 0) return {};
  if (!state.ranges_honoured) {
    return make_error(ErrorCode::network_range_not_honoured,
                      "the server does not answer range requests, so parts of the file cannot be fetched");
  }
  if (length > state.options.max_bytes) {
    return make_error(ErrorCode::network_body_too_large, "the range is " + std::to_string(length) +
                                                             " bytes, more than max_bytes (" +
                                                             std::to_string(state.options.max_bytes) + ")");
  }
  return {};
}

// The bytes at [offset, offset + out.size()) into `out`, in one range
// request pinned to the validated version.
Status fetch_range(RemoteFile::State& state, std::uint64_t offset, std::span<std::uint8_t> out) {
  if (Status status = check_fetchable(state, offset, out.size()); !status) return status;
  if (out.empty()) return {};
  detail::RangeRequest request;
  request.first = offset;
  request.last = offset + out.size() - 1;
  request.pin = &state.version;
  request.body_budget = state.options.max_bytes;
  RangeCollector collector(out, offset);
  const std::lock_guard<std::mutex> guard(state.lock);
  auto answer = state.connection->get(request, collector, deadline_for(state.options), state.stats);
  if (!answer) return std::move(answer).error();
  return {};
}

}  // namespace

namespace {
// What a moved-from RemoteFile (or a poison value that could not be built) reads from.
RemoteFile::State& state_of(const std::unique_ptr<RemoteFile::State>& state) noexcept {
  static RemoteFile::State empty;
  static const bool poisoned = (empty.poisoned = make_error(ErrorCode::invalid_argument, "the RemoteFile was moved from"), true);
  (void)poisoned;
  return state ? *state : empty;
}
}  // namespace

RemoteSource::RemoteSource(std::unique_ptr<State> state) noexcept : state_(std::move(state)) {}
RemoteSource::RemoteSource(RemoteSource&&) noexcept = default;
RemoteSource& RemoteSource::operator=(RemoteSource&&) noexcept = default;
RemoteSource::~RemoteSource() = default;
RemoteFile::RemoteFile(std::unique_ptr<State> state) noexcept : RemoteSource(std::move(state)) {}
RemoteObject::RemoteObject(std::unique_ptr<State> state) noexcept : RemoteSource(std::move(state)) {}

std::uint64_t RemoteSource::file_size() const noexcept { return state_of(state_).version.size; }
std::span<const std::uint8_t> RemoteSource::prefix() const noexcept { return state_of(state_).prefix; }
const std::string& RemoteSource::display_url() const noexcept { return state_of(state_).display_url; }

TransferStats RemoteSource::stats() const noexcept {
  const std::lock_guard<std::mutex> guard(state_of(state_).lock);
  return state_of(state_).stats;
}

Result<RemoteFile> RemoteFile::open(const std::string& url, const Options& validation,
                                    const RemoteOptions& remote) noexcept {
  return detail::guarded_entry([&]() -> Result<RemoteFile> {
    auto state = open_state(url, validation, remote);
    if (!state) return std::move(state).error();
    return RemoteFile(std::move(state).value());
  });
}

const Header& RemoteFile::header() const noexcept { return state_of(state_).header; }

Result<std::vector<std::uint8_t>> RemoteFile::read(std::uint64_t offset, std::uint64_t length) const noexcept {
  return detail::guarded_entry([&]() -> Result<std::vector<std::uint8_t>> {
    State& state = state_of(state_);
    if (Status status = check_fetchable(state, offset, length); !status) return status.error();
    // Bounded by max_bytes (check_fetchable) before it is allocated.
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(length));
    if (Status status = fetch_range(state, offset, bytes); !status) return status.error();
    return bytes;
  });
}

Result<std::vector<std::uint8_t>> RemoteFile::read_tensor(std::string_view name) const noexcept {
  if (state_of(state_).poisoned) return *state_of(state_).poisoned;
  const TensorInfo* tensor = state_of(state_).header.find(name);
  if (tensor == nullptr) {
    return make_error(ErrorCode::tensor_not_found, "no tensor of that name", kNoOffset, std::string(name));
  }
  return read(state_of(state_).header.data_offset() + tensor->begin, tensor->byte_size());
}

Result<RemoteSlice> RemoteFile::read_slice(std::string_view name, std::span<const SliceIndex> spec) const noexcept {
  return detail::guarded_entry([&]() -> Result<RemoteSlice> {
    if (state_of(state_).poisoned) return *state_of(state_).poisoned;
    const TensorInfo* tensor = state_of(state_).header.find(name);
    if (tensor == nullptr) {
      return make_error(ErrorCode::tensor_not_found, "no tensor of that name", kNoOffset, std::string(name));
    }
    auto plan = plan_slice(tensor->dtype, tensor->shape, spec);
    if (!plan) return std::move(plan).error();
    RemoteSlice slice;
    slice.dtype = tensor->dtype;
    slice.shape.assign(plan->shape().begin(), plan->shape().end());
    if (plan->range_count() == 0) return slice;
    // One request for the span from the first selected byte to the last.
    SliceRangeCursor ranges = plan->ranges();
    ByteRange range;
    if (!ranges.next(range)) return slice;
    const std::uint64_t span_first = range.offset;
    ByteRange last = range;
    for (SliceRangeCursor walk = plan->ranges(); walk.next(range);) last = range;
    const std::uint64_t span_length = last.offset + last.length - span_first;
    auto span = read(state_of(state_).header.data_offset() + tensor->begin + span_first, span_length);
    if (!span) return std::move(span).error();
    slice.bytes.reserve(static_cast<std::size_t>(plan->byte_size()));
    ByteCursor cursor(*span);
    for (SliceRangeCursor walk = plan->ranges(); walk.next(range);) {
      ByteCursor at = cursor;
      std::span<const std::uint8_t> bytes;
      if (!at.skip(static_cast<std::size_t>(range.offset - span_first)) ||
          !at.read_bytes(static_cast<std::size_t>(range.length), bytes)) {
        return make_error(ErrorCode::internal_error, "a slice range lies outside the fetched span");
      }
      slice.bytes.insert(slice.bytes.end(), bytes.begin(), bytes.end());
    }
    return slice;
  });
}

Result<RemoteObject> RemoteObject::open(const std::string& url, const Options& framing,
                                        const RemoteOptions& remote) noexcept {
  return detail::guarded_entry([&]() -> Result<RemoteObject> {
    auto state = fetch_leading_bytes(url, framing, remote);
    if (!state) return std::move(state).error();
    return RemoteObject(std::move(state).value());
  });
}

Status RemoteObject::read_into(std::uint64_t offset, std::span<std::uint8_t> out) const noexcept {
  return detail::guarded_entry([&]() -> Status {
    RemoteFile::State& state = state_of(state_);
    if (state.poisoned) return *state.poisoned;
    const std::span<const std::uint8_t> held = state.prefix;
    if (offset <= held.size() && out.size() <= held.size() - offset) {
      if (!out.empty()) std::memcpy(out.data(), held.data() + offset, out.size());
      return {};
    }
    return fetch_range(state, offset, out);
  });
}

Result<Header> validate_url(const std::string& url, const Options& validation, const RemoteOptions& remote) noexcept {
  auto file = RemoteFile::open(url, validation, remote);
  if (!file) return std::move(file).error();
  return file->header();
}

}  // namespace stguard::remote

namespace stguard {

namespace {
// The state of a failed open's poison value; null (a moved-from file,
// itself poisoned) when even that cannot be allocated.
std::unique_ptr<remote::RemoteFile::State> poisoned_state(const Error& why) noexcept {
  try {
    auto state = std::make_unique<remote::RemoteFile::State>();
    state->poisoned = why;
    return state;
  } catch (...) {
    return nullptr;
  }
}
}  // namespace

remote::RemoteObject ResultPoison<remote::RemoteObject>::make(const Error& why) noexcept {
  return remote::RemoteObject(poisoned_state(why));
}

remote::RemoteFile ResultPoison<remote::RemoteFile>::make(const Error& why) noexcept {
  return remote::RemoteFile(poisoned_state(why));
}

}  // namespace stguard
