#pragma once

// Header-only: the server, which links only the public API, uses it too.
// Text from outside (paths, header values, names inside packages) goes into messages and JSON.
// JSON needs valid UTF-8 and a terminal should not get control bytes, so such text is shown
// through printable() before it is quoted.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pt2run::detail {

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF).
inline bool is_utf8(std::string_view text) noexcept;

// `text` with every byte that is not part of a well-formed UTF-8 character, and every control
// character, written as \xNN; cut after `max_chars` characters (never inside one) with "..."
// appended. The result is valid UTF-8.
inline std::string printable(std::string_view text, std::size_t max_chars = 200);

namespace text_detail {

// Length of the well-formed UTF-8 character at text[i], or 0 if the bytes there are not one.
inline std::size_t utf8_char_length(std::string_view text, std::size_t i) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  uint32_t code = 0, min = 0;
  if ((lead & 0xE0) == 0xC0) length = 2, code = lead & 0x1F, min = 0x80;
  else if ((lead & 0xF0) == 0xE0) length = 3, code = lead & 0x0F, min = 0x800;
  else if ((lead & 0xF8) == 0xF0) length = 4, code = lead & 0x07, min = 0x10000;
  else return 0;
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

}  // namespace text_detail

inline bool is_utf8(std::string_view text) noexcept {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = text_detail::utf8_char_length(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

inline std::string printable(std::string_view text, std::size_t max_chars) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() < max_chars ? text.size() : max_chars);
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++chars) {
    if (chars == max_chars) {
      out += "...";
      break;
    }
    const std::size_t n = text_detail::utf8_char_length(text, i);
    const auto c = static_cast<unsigned char>(text[i]);
    if (n == 0 || (n == 1 && (c < 0x20 || c == 0x7F))) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

}  // namespace pt2run::detail
