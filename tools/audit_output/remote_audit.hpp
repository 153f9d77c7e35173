// st-audit URL: the audit of a file behind an http:// or https:// URL. The
// remote layer fetches the leading bytes (the requests st-validate URL makes)
// and serves every later read the audit makes (signatures at the file's end,
// tensor data for --values and digests) by range requests pinned to the
// version first seen (at most 1 MiB each; a read under 64 KiB fetches the
// 64 KiB block around it, and the last 16 blocks are kept for later reads); the audit library only sees a RangeReader, so it never
// links libcurl. Built without libcurl, a URL is INVALID_ARGUMENT.
#pragma once

#include <string>

#include "common/remote_operand.hpp"
#include "stguard/audit.hpp"

namespace stguard::cli {

// The report audit_path gives for the same bytes, its path the redacted URL.
// An error when the file cannot be fetched (NETWORK_*, exit 2) or the URL or
// flags are unusable (INVALID_ARGUMENT).
[[nodiscard]] Result<audit::AuditReport> audit_url_operand(const std::string& url, const audit::AuditOptions& options,
                                                           const RemoteFlags& flags);

}  // namespace stguard::cli
