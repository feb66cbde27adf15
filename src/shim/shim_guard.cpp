#include "shim/shim_guard.h"

namespace pt2run::shim {
namespace {
thread_local std::string t_last_error;
thread_local std::string t_first_error;
}

const std::string& last_error() noexcept { return t_last_error; }
const std::string& first_error() noexcept { return t_first_error; }
void clear_last_error() noexcept {
  t_last_error.clear();
  t_first_error.clear();
}
void set_last_error(std::string message) noexcept {
  try {
    if (t_first_error.empty()) t_first_error = message;
    t_last_error = std::move(message);
  } catch (...) {
    // Out of memory while recording an error: keep the previous message.
  }
}

}  // namespace pt2run::shim
