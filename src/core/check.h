#pragma once

#include <sstream>
#include <string>
#include <utility>

#include "pt2run/error.h"

namespace pt2run::detail {

template <class... Args>
std::string str_cat(Args&&... args) {
  std::ostringstream out;
  (out << ... << std::forward<Args>(args));
  return out.str();
}

template <class... Args>
[[noreturn]] void fail(ErrorCode code, Args&&... args) {
  throw Error(code, str_cat(std::forward<Args>(args)...));
}

}  // namespace pt2run::detail

// Input validation: throws pt2run::Error(code, message) when cond is false. The message
// should name the problem and, where there is one, the fix.
#define PT2RUN_CHECK(cond, code, ...)                                \
  do {                                                               \
    if (!(cond)) ::pt2run::detail::fail(::pt2run::ErrorCode::code, __VA_ARGS__); \
  } while (0)
