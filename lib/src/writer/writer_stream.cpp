// Streaming output: FdSink (descriptor writes), StreamWriter (the order and
// byte-count discipline of a stream), and write_file, the one loop that
// turns a validated plan into bytes for every destination: memory, a
// descriptor, a temporary file, a shard.
#include <algorithm>
#include <new>
#include <string>

#include "io/writer_io.hpp"
#include "stguard/escape.hpp"
#include "stguard/file_validate.hpp"
#include "stguard/stream_writer.hpp"
#include "writer/writer_internal.hpp"

namespace stguard {
namespace {

// Bytes of one in-memory tensor handed to the sink per call: bounds how long
// SIGPIPE/SIGXFSZ stay blocked and lets a slow consumer see steady progress.
constexpr std::size_t kMemoryChunkBytes = std::size_t{8} << 20;

// What a producer writes into: forwards to the stream, which checks the count.
class ProducerSink final : public ByteSink {
 public:
  explicit ProducerSink(StreamWriter& stream) noexcept : stream_(stream) {}
  Status write(std::span<const std::uint8_t> bytes) noexcept override { return stream_.write(bytes); }

 private:
  StreamWriter& stream_;
};

Status run_producer(StreamWriter& stream, const TensorProducer& producer, const std::string& name) noexcept {
  // The producer is the caller's code: what it throws is its failure (an
  // allocation failure stays OUT_OF_MEMORY), reported below with its tensor.
  Status result;
  bool threw = false;
  try {
    ProducerSink sink(stream);
    result = producer(sink);
  } catch (const std::bad_alloc&) {
    result = out_of_memory_error();
  } catch (...) {
    threw = true;
  }
  return detail::without_exceptions([&]() -> Status {
    if (threw) result = make_error(ErrorCode::producer_failed, "the producer threw an exception");
    // A failure downstream (disk full, closed pipe, too many bytes) is the
    // real cause even if the producer only relayed it.
    if (stream.failed()) return stream.error();
    if (!result) {
      const Error& cause = result.error();
      if (cause.code == ErrorCode::producer_failed && !cause.tensor.empty()) return result;
      std::string message = "the producer of tensor " + quote_for_display(name) + " failed";
      if (cause.code != ErrorCode::producer_failed) message += ": [" + std::string(error_code_name(cause.code)) + "]";
      if (!cause.message.empty()) message += (cause.code == ErrorCode::producer_failed ? ": " : " ") + cause.message;
      return make_error(ErrorCode::producer_failed, std::move(message), kNoOffset, name);
    }
    if (stream.remaining_in_tensor() != 0) {
      return make_error(ErrorCode::stream_wrong_byte_count,
                        "the producer of tensor " + quote_for_display(name) + " stopped " +
                            std::to_string(stream.remaining_in_tensor()) + " bytes short",
                        kNoOffset, name);
    }
    return {};
  });
}

// STREAM_WRONG_BYTE_COUNT for a tensor left with `remaining` of its `size`
// bytes unwritten; `context` says what cut it short.
Error short_tensor_error(const std::string& name, std::uint64_t size, std::uint64_t remaining, std::uint64_t written,
                         const std::string& context) {
  return make_error(ErrorCode::stream_wrong_byte_count,
                    "tensor " + quote_for_display(name) + " received " + std::to_string(size - remaining) + " of its " +
                        std::to_string(size) + " bytes" + context,
                    written, name);
}

}  // namespace

Status FdSink::write(std::span<const std::uint8_t> bytes) noexcept {
  Status status = detail::writer_io::write_all(fd_, bytes, written_);
  if (status) written_ += bytes.size();
  return status;
}

StreamWriter ResultPoison<StreamWriter>::make(const Error& why) noexcept {
  // Never written to: the sticky error is returned before any sink call.
  class RefusingSink final : public ByteSink {
   public:
    Status write(std::span<const std::uint8_t>) noexcept override {
      return Error{ErrorCode::invalid_argument, kNoOffset, {}, {}};
    }
  };
  static RefusingSink refusing;
  StreamWriter writer(refusing, SerializedHeader{});
  try {
    writer.error_ = why;
  } catch (...) {
    writer.error_ = Error{why.code, why.offset, {}, {}};
  }
  return writer;
}

StreamWriter::StreamWriter(ByteSink& sink, SerializedHeader header) noexcept
    : sink_(&sink), header_(std::move(header.header)), layout_(std::move(header.layout)) {}

Status StreamWriter::fail(Error error) noexcept {
  if (!error_) error_ = std::move(error);
  return *error_;
}

Status StreamWriter::write_header(std::span<const std::uint8_t> prefix) noexcept {
  Status status = sink_->write(prefix);
  if (!status) return fail(status.error());
  written_ += prefix.size();
  return {};
}

Result<StreamWriter> StreamWriter::begin(ByteSink& sink, const HeaderSpec& spec, const WriterOptions& options) noexcept {
  auto header = serialize_header(spec, options);
  if (!header) return std::move(header).error();
  return detail::StreamWriterAccess::start(sink, spec, std::move(header).value());
}

std::optional<std::string_view> StreamWriter::expected_tensor() const noexcept {
  if (current_ && remaining_ > 0) return std::string_view(slots_[*current_].name);
  if (next_ < slots_.size()) return std::string_view(slots_[next_].name);
  return std::nullopt;
}

Status StreamWriter::begin_tensor(std::string_view name) noexcept {
  if (error_) return *error_;
  try {
    if (current_ && remaining_ > 0) {
      const Slot& open = slots_[*current_];
      return fail(short_tensor_error(open.name, open.size, remaining_, written_,
                                     " before " + quote_for_display(name) + " began"));
    }
    current_.reset();
    // Only tensors of zero bytes may be passed over: they own no bytes.
    for (std::size_t i = next_; i < slots_.size(); ++i) {
      if (slots_[i].name == name) {
        current_ = i;
        next_ = i + 1;
        remaining_ = slots_[i].size;
        return {};
      }
      if (slots_[i].size != 0) break;
    }
    if (header_.find(name) == nullptr) {
      return fail(make_error(ErrorCode::tensor_not_found, "no tensor named " + quote_for_display(name) + " in this stream",
                             written_, std::string(name)));
    }
    const auto expected = expected_tensor();
    return fail(make_error(ErrorCode::stream_out_of_order,
                           "tensor " + quote_for_display(name) + " began out of layout order" +
                               (expected ? "; the stream expects " + quote_for_display(*expected) : std::string("; it was already written")),
                           written_, std::string(name)));
  } catch (...) {
    return fail(detail::error_for_current_exception());
  }
}

Status StreamWriter::write(std::span<const std::uint8_t> bytes) noexcept {
  if (error_) return *error_;
  if (bytes.empty()) return {};
  try {
    if (!current_) {
      const auto expected = expected_tensor();
      return fail(make_error(ErrorCode::stream_out_of_order,
                             "tensor bytes written before begin_tensor" +
                                 (expected ? " (the stream expects " + quote_for_display(*expected) + ")" : std::string()),
                             written_));
    }
    const Slot& slot = slots_[*current_];
    if (bytes.size() > remaining_) {
      return fail(make_error(ErrorCode::stream_wrong_byte_count,
                             "tensor " + quote_for_display(slot.name) + " is " + std::to_string(slot.size) + " bytes; a chunk of " +
                                 std::to_string(bytes.size()) + " bytes exceeds the " + std::to_string(remaining_) +
                                 " it has left",
                             written_, slot.name));
    }
  } catch (...) {
    return fail(detail::error_for_current_exception());
  }
  Status status = sink_->write(bytes);
  if (!status) return fail(status.error());
  remaining_ -= bytes.size();
  written_ += bytes.size();
  return {};
}

Status StreamWriter::finish() noexcept {
  if (error_) return *error_;
  try {
    if (current_ && remaining_ > 0) {
      const Slot& open = slots_[*current_];
      return fail(short_tensor_error(open.name, open.size, remaining_, written_, ""));
    }
    for (std::size_t i = next_; i < slots_.size(); ++i) {
      if (slots_[i].size != 0) {
        return fail(make_error(ErrorCode::stream_wrong_byte_count,
                               "tensor " + quote_for_display(slots_[i].name) + " received none of its " +
                                   std::to_string(slots_[i].size) + " bytes",
                               written_, slots_[i].name));
      }
    }
  } catch (...) {
    return fail(detail::error_for_current_exception());
  }
  next_ = slots_.size();
  current_.reset();
  return {};
}

namespace detail {

Result<StreamWriter> StreamWriterAccess::start(ByteSink& sink, const HeaderSpec& spec,
                                               SerializedHeader header) noexcept {
  return without_exceptions([&]() -> Result<StreamWriter> {
    std::vector<StreamWriter::Slot> slots;
    slots.reserve(header.layout.size());
    for (const std::size_t index : header.layout) {
      slots.push_back(StreamWriter::Slot{spec.tensors[index].name, header.byte_sizes[index]});
    }
    std::vector<std::uint8_t> prefix = std::move(header.bytes);
    StreamWriter stream(sink, std::move(header));
    stream.slots_ = std::move(slots);
    if (Status status = stream.write_header(prefix); !status) return status.error();
    return stream;
  });
}

Status write_file(ByteSink& sink, const HeaderSpec& spec, SerializedHeader header,
                  std::span<const TensorSource> sources) noexcept {
  auto started = StreamWriterAccess::start(sink, spec, std::move(header));
  if (!started) return std::move(started).error();
  StreamWriter& stream = started.value();
  for (const std::size_t index : stream.layout()) {
    const std::string& name = spec.tensors[index].name;
    if (Status status = stream.begin_tensor(name); !status) return status;
    const TensorSource& source = sources[index];
    if (source.producer != nullptr) {
      if (Status status = run_producer(stream, *source.producer, name); !status) return status;
      continue;
    }
    std::span<const std::uint8_t> rest = source.bytes;
    while (!rest.empty()) {
      const std::size_t take = std::min(rest.size(), kMemoryChunkBytes);
      if (Status status = stream.write(rest.first(take)); !status) return status;
      rest = rest.subspan(take);
    }
  }
  return stream.finish();
}

Status verify_written_file(int fd, const Header& planned) noexcept {
  const auto reread = validate_fd(fd, Options::strict());
  return without_exceptions([&]() -> Status {
    if (!reread) {
      const Error& error = reread.error();
      if (error.error_class() == ErrorClass::io || error.error_class() == ErrorClass::internal) return error;
      return make_error(ErrorCode::internal_error,
                        "the written file fails strict validation: [" + std::string(error_code_name(error.code)) +
                            "] " + error.message,
                        error.offset, error.tensor);
    }
    const Header& written = reread.value();
    if (written.header_length() != planned.header_length() || written.file_size() != planned.file_size() ||
        written.tensor_count() != planned.tensor_count()) {
      return make_error(ErrorCode::io_write_failed, "the written file does not hold what was written to it");
    }
    return {};
  });
}

}  // namespace detail
}  // namespace stguard
