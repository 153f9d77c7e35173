// Tool runner for CLI tests: fork/exec with stdout/stderr to temporary files
// and stdin from a pipe fed by a writer thread (or from a file).
#include "support/run_tool.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>

namespace stguard::test {
namespace {

std::string slurp_fd(int fd) {
  std::string out;
  char buffer[65536];
  ::lseek(fd, 0, SEEK_SET);
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got <= 0) break;
    out.append(buffer, static_cast<std::size_t>(got));
  }
  return out;
}

int temp_fd() {
  char name[] = "/tmp/stguard-tool-out-XXXXXX";
  const int fd = ::mkstemp(name);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  ::unlink(name);
  return fd;
}

ToolResult run(const std::string& tool, const std::vector<std::string>& args, int stdin_fd, int stdin_close_in_parent,
               const std::string* feed) {
  const int out_fd = temp_fd();
  const int err_fd = temp_fd();
  const std::string path = tool_path(tool);
  std::vector<char*> argv = exec_argv(path, args);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::dup2(stdin_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    if (stdin_close_in_parent >= 0) ::close(stdin_close_in_parent);
    ::execv(path.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(stdin_fd);
  std::thread writer;
  if (feed != nullptr) {
    writer = std::thread([fd = stdin_close_in_parent, feed] {
      std::size_t done = 0;
      while (done < feed->size()) {
        const ssize_t wrote = ::write(fd, feed->data() + done, feed->size() - done);
        if (wrote <= 0) break;  // the tool may stop reading early (EPIPE)
        done += static_cast<std::size_t>(wrote);
      }
      ::close(fd);
    });
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (writer.joinable()) writer.join();
  ToolResult result;
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = slurp_fd(out_fd);
  result.err = slurp_fd(err_fd);
  ::close(out_fd);
  ::close(err_fd);
  return result;
}

}  // namespace

std::string tool_path(const std::string& tool) { return std::string(STGUARD_BIN_DIR) + "/" + tool; }

std::vector<char*> exec_argv(const std::string& path, const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(path.c_str()));
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  return argv;
}

ToolResult run_tool(const std::string& tool, const std::vector<std::string>& args, const std::string& stdin_data) {
  ::signal(SIGPIPE, SIG_IGN);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  return run(tool, args, pipe_fds[0], pipe_fds[1], &stdin_data);
}

ToolResult run_tool_with_stdin_file(const std::string& tool, const std::vector<std::string>& args,
                                    const std::string& stdin_path) {
  const int fd = ::open(stdin_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot open " + stdin_path);
  return run(tool, args, fd, -1, nullptr);
}

}  // namespace stguard::test
