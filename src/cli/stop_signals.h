#pragma once

namespace pt2run::cli {

// SIGINT and SIGTERM, for `pt2run serve`: while one exists, their handler writes the signal's
// number to a pipe that wait() reads. A handler rather than sigwait on blocked signals:
// threads a library starts before serve runs (OpenBLAS's pthread pool, at load) do not block
// them, so the kernel may hand the signal to one of those; and as a container's PID 1 a signal
// left at its default action is dropped. One at a time; the destructor restores the defaults.
// Throws Error(Io) if the pipe cannot be made.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // Blocks until a stop signal (returns its number) or wake() (returns 0).
  int wait();
  void wake();

 private:
  int fds_[2] = {-1, -1};
};

}  // namespace pt2run::cli
