// FindingSink: where rule passes put their findings, with the per-rule cap
// (AuditOptions::max_findings_per_rule) applied in one place so that a file
// with a million odd names costs a bounded report.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "stguard/audit.hpp"

namespace stguard::audit::detail {

class FindingSink {
 public:
  explicit FindingSink(std::uint32_t max_per_rule) noexcept : max_per_rule_(max_per_rule) {}

  // Adds a finding with the rule's default severity.
  void add(Rule rule, std::string message, std::string evidence = {}, std::uint64_t offset = kNoOffset,
           std::string tensor = {}) {
    add_with_severity(rule, rule_info(rule).severity, std::move(message), std::move(evidence), offset,
                      std::move(tensor));
  }
  void add_with_severity(Rule rule, Severity severity, std::string message, std::string evidence = {},
                         std::uint64_t offset = kNoOffset, std::string tensor = {}) {
    Finding finding;
    finding.rule = rule;
    finding.severity = severity;
    finding.message = std::move(message);
    finding.evidence = std::move(evidence);
    finding.offset = offset;
    finding.tensor = std::move(tensor);
    add(std::move(finding));
  }
  void add(Finding finding) {
    auto& count = per_rule_[static_cast<std::size_t>(finding.rule)];
    if (count >= max_per_rule_) {
      ++suppressed_;
      return;
    }
    ++count;
    findings_.push_back(std::move(finding));
  }
  // True when another finding of `rule` would be suppressed (lets a pass skip
  // building messages nobody will see; it still counts them).
  [[nodiscard]] bool full(Rule rule) const noexcept {
    return per_rule_[static_cast<std::size_t>(rule)] >= max_per_rule_;
  }
  void count_suppressed(std::uint64_t count = 1) noexcept { suppressed_ += count; }

  [[nodiscard]] std::vector<Finding> take_findings() noexcept { return std::move(findings_); }
  [[nodiscard]] std::uint64_t suppressed() const noexcept { return suppressed_; }

 private:
  std::uint32_t max_per_rule_;
  std::array<std::uint32_t, kRuleCount> per_rule_{};
  std::vector<Finding> findings_;
  std::uint64_t suppressed_ = 0;
};

}  // namespace stguard::audit::detail
