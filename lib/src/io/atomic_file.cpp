// AtomicFile: a temporary file beside the target, then fsync, rename and a
// folder fsync. Every path out of this class before the rename removes the
// temporary file, so a failure leaves the folder as it was (atomic_file.hpp).
#include "stguard/atomic_file.hpp"

#include <unistd.h>

#include <new>
#include <utility>

#include "io/writer_io.hpp"

namespace stguard {

Result<AtomicFile> AtomicFile::create(const std::string& target_path, const AtomicWriteOptions& options) noexcept {
  return with_path(create_unnamed(target_path, options), target_path);
}

Result<AtomicFile> AtomicFile::create_unnamed(const std::string& target_path, const AtomicWriteOptions& options) noexcept {
  return detail::without_exceptions([&]() -> Result<AtomicFile> {
    auto target = detail::writer_io::resolve_output_target(target_path);
    if (!target) return std::move(target).error();
    if (target->kind != detail::writer_io::OutputTarget::Kind::replace) {
      return make_error(ErrorCode::io_not_regular_file,
                        target->standard_output
                            ? std::string("AtomicFile cannot replace standard output; use OutputFile to stream to it")
                            : std::string("the output path is a character device or a FIFO: AtomicFile replaces only "
                                          "regular files (OutputFile streams to it)"));
    }
    auto split = detail::writer_io::split_path(target->path);
    if (!split) return std::move(split).error();
    auto dir = detail::writer_io::open_directory(split->directory);
    if (!dir) return std::move(dir).error();
    auto temp = detail::writer_io::create_temp_file(dir->get(), split->name);
    if (!temp) return std::move(temp).error();
    AtomicFile file;
    file.target_path_ = target_path;
    file.target_name_ = std::move(split->name);
    file.temp_name_ = std::move(temp->name);
    file.options_ = options;
    file.dir_fd_ = dir->release();
    file.fd_ = temp->fd.release();
    file.sink_ = FdSink(file.fd_);
    return file;
  });
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : target_path_(std::move(other.target_path_)),
      target_name_(std::move(other.target_name_)),
      temp_name_(std::move(other.temp_name_)),
      dir_fd_(std::exchange(other.dir_fd_, -1)),
      fd_(std::exchange(other.fd_, -1)),
      sink_(other.sink_),
      options_(other.options_),
      committed_(other.committed_) {
  other.temp_name_.clear();
  other.sink_ = FdSink(-1);
}

AtomicFile& AtomicFile::operator=(AtomicFile&& other) noexcept {
  if (this != &other) {
    discard();
    target_path_ = std::move(other.target_path_);
    target_name_ = std::move(other.target_name_);
    temp_name_ = std::move(other.temp_name_);
    dir_fd_ = std::exchange(other.dir_fd_, -1);
    fd_ = std::exchange(other.fd_, -1);
    sink_ = other.sink_;
    options_ = other.options_;
    committed_ = other.committed_;
    other.temp_name_.clear();
    other.sink_ = FdSink(-1);
  }
  return *this;
}

AtomicFile::~AtomicFile() { discard(); }

void AtomicFile::discard() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  sink_ = FdSink(-1);
  if (!committed_) detail::writer_io::remove_quietly(dir_fd_, temp_name_);
  temp_name_.clear();
  if (dir_fd_ >= 0) ::close(dir_fd_);
  dir_fd_ = -1;
}

Status AtomicFile::commit() noexcept {
  if (committed_) return {};
  if (fd_ < 0 || dir_fd_ < 0) {
    return make_error(ErrorCode::invalid_argument, "the temporary file was already discarded");
  }
  UniqueFd file(fd_);
  fd_ = -1;
  sink_ = FdSink(-1);
  if (Status status = detail::writer_io::sync_and_close(file, options_.durable); !status) {
    discard();
    return status;
  }
  if (Status status = detail::writer_io::publish_file(dir_fd_, temp_name_, target_name_, options_.replace_existing); !status) {
    discard();
    return status;
  }
  committed_ = true;
  Status synced = options_.durable ? detail::writer_io::sync_directory(dir_fd_) : Status{};
  discard();  // closes the folder; the temporary name is now the target's
  return synced;
}

Result<OutputFile> OutputFile::open(const std::string& path, const AtomicWriteOptions& options) noexcept {
  return with_path(open_unnamed(path, options), path);
}

Result<OutputFile> OutputFile::open_unnamed(const std::string& path, const AtomicWriteOptions& options) noexcept {
  return detail::without_exceptions([&]() -> Result<OutputFile> {
    auto target = detail::writer_io::resolve_output_target(path);
    if (!target) return std::move(target).error();
    OutputFile output;
    if (target->kind == detail::writer_io::OutputTarget::Kind::replace) {
      auto file = AtomicFile::create(target->path, options);
      if (!file) return std::move(file).error();
      output.file_.emplace(std::move(file).value());
      return output;
    }
    if (!target->standard_output) {
      auto stream = detail::writer_io::open_stream(target->path);
      if (!stream) return std::move(stream).error();
      output.stream_ = std::move(stream).value();
    }
    const int fd = target->standard_output ? STDOUT_FILENO : output.stream_.get();
    if (!options.allow_terminal && ::isatty(fd) == 1) {
      return make_error(ErrorCode::invalid_argument,
                        "refusing to write binary data to a terminal; redirect the output to a file or a pipe");
    }
    output.stream_sink_ = FdSink(fd);
    return output;
  });
}

ByteSink& OutputFile::sink() noexcept { return file_ ? file_->sink() : stream_sink_; }

Status OutputFile::commit() noexcept {
  if (file_) return file_->commit();
  stream_sink_ = FdSink(-1);
  return stream_.valid() ? stream_.close_checked() : Status{};
}

void OutputFile::discard() noexcept {
  if (file_) file_->discard();
  stream_.reset();
  stream_sink_ = FdSink(-1);
}

}  // namespace stguard
