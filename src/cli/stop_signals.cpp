#include "cli/stop_signals.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "pt2run/error.h"

namespace pt2run::cli {
namespace {

int stop_pipe_write = -1;  // the handler's end of the pipe

extern "C" void on_stop_signal(int signal_number) {
  const int saved = errno;
  const unsigned char number = static_cast<unsigned char>(signal_number);
  [[maybe_unused]] const ssize_t n = write(stop_pipe_write, &number, 1);  // async-signal-safe
  errno = saved;
}

}  // namespace

StopSignals::StopSignals() {
  if (pipe2(fds_, O_CLOEXEC) != 0) throw Error(ErrorCode::Io, std::string("pipe: ") + std::strerror(errno));
  stop_pipe_write = fds_[1];
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

StopSignals::~StopSignals() {
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  stop_pipe_write = -1;
  ::close(fds_[0]);
  ::close(fds_[1]);
}

int StopSignals::wait() {
  unsigned char number = 0;
  while (::read(fds_[0], &number, 1) < 0 && errno == EINTR) {
  }
  return number;
}

void StopSignals::wake() {
  const unsigned char zero = 0;
  [[maybe_unused]] const ssize_t n = ::write(fds_[1], &zero, 1);
}

}  // namespace pt2run::cli
