#include "io/npy.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

#include "core/check.h"
#include "io/file_bytes.h"

namespace pt2run::io {
namespace {

struct Descr {
  std::string_view code;  // without the byte-order character
  DType dtype;
};

// numpy type codes (kind + item size) and pt2run's dtypes. V2/V1 are the raw elements numpy
// writes for ml_dtypes' bfloat16 and float8: read as their bits.
constexpr Descr kDescrs[] = {
    {"f4", DType::Float32}, {"f8", DType::Float64}, {"f2", DType::Float16},
    {"i8", DType::Int64},   {"i4", DType::Int32},   {"i2", DType::Int16},   {"i1", DType::Int8},
    {"u8", DType::UInt64},  {"u4", DType::UInt32},  {"u2", DType::UInt16},  {"u1", DType::UInt8},
    {"b1", DType::Bool},    {"c8", DType::Complex64}, {"c16", DType::Complex128},
    {"V2", DType::UInt16},  {"V1", DType::UInt8},
};

// The Python literal numpy writes as the header: {'descr': '<f4', 'fortran_order': False,
// 'shape': (2, 3), }. Parsed by hand (no regex, no recursion): the input is untrusted.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& what) : text_(text), what_(what) {}

  void parse(std::string& descr, bool& fortran, std::vector<int64_t>& shape) {
    bool have_descr = false, have_fortran = false, have_shape = false;
    expect('{');
    while (true) {
      skip_space();
      if (peek() == '}') break;
      const std::string key = string_literal();
      expect(':');
      skip_space();
      if (key == "descr") {
        PT2RUN_CHECK(peek() == '\'' || peek() == '"', InvalidArgument, what_,
                     ": structured (record) dtypes are not supported");
        descr = string_literal();
        have_descr = true;
      } else if (key == "fortran_order") {
        fortran = boolean();
        have_fortran = true;
      } else if (key == "shape") {
        shape = int_tuple();
        have_shape = true;
      } else {
        detail::fail(ErrorCode::InvalidArgument, what_, ": unexpected key '", key, "' in the .npy header");
      }
      skip_space();
      if (peek() == ',') ++pos_;
    }
    PT2RUN_CHECK(have_descr && have_fortran && have_shape, InvalidArgument, what_,
                 ": the .npy header lacks 'descr', 'fortran_order' or 'shape'");
  }

 private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\t')) ++pos_;
  }
  void expect(char c) {
    skip_space();
    PT2RUN_CHECK(peek() == c, InvalidArgument, what_, ": malformed .npy header (expected '", c,
                 "' at byte ", pos_, ")");
    ++pos_;
  }
  std::string string_literal() {
    skip_space();
    const char quote = peek();
    PT2RUN_CHECK(quote == '\'' || quote == '"', InvalidArgument, what_,
                 ": malformed .npy header (expected a string at byte ", pos_, ")");
    const std::size_t end = text_.find(quote, pos_ + 1);
    PT2RUN_CHECK(end != std::string_view::npos, InvalidArgument, what_,
                 ": malformed .npy header (unterminated string)");
    std::string s(text_.substr(pos_ + 1, end - pos_ - 1));
    pos_ = end + 1;
    return s;
  }
  bool boolean() {
    if (text_.substr(pos_, 4) == "True") {
      pos_ += 4;
      return true;
    }
    PT2RUN_CHECK(text_.substr(pos_, 5) == "False", InvalidArgument, what_,
                 ": malformed .npy header ('fortran_order' is not True or False)");
    pos_ += 5;
    return false;
  }
  std::vector<int64_t> int_tuple() {
    expect('(');
    std::vector<int64_t> values;
    while (true) {
      skip_space();
      if (peek() == ')') {
        ++pos_;
        return values;
      }
      PT2RUN_CHECK(peek() != '-', InvalidArgument, what_, ": negative dimension in the .npy shape");
      PT2RUN_CHECK(peek() >= '0' && peek() <= '9', InvalidArgument, what_,
                   ": malformed .npy shape at byte ", pos_);
      int64_t v = 0;
      while (peek() >= '0' && peek() <= '9') {
        PT2RUN_CHECK(v <= (INT64_MAX - 9) / 10, InvalidArgument, what_, ": dimension too large in the .npy shape");
        v = v * 10 + (peek() - '0');
        ++pos_;
      }
      if (peek() == 'L') ++pos_;  // Python 2 longs
      values.push_back(v);
      PT2RUN_CHECK(values.size() <= 64, InvalidArgument, what_, ": too many dimensions in the .npy shape");
      skip_space();
      if (peek() == ',') ++pos_;
    }
  }

  std::string_view text_;
  const std::string& what_;
  std::size_t pos_ = 0;
};

void byteswap(Tensor& t) {
  const std::size_t item = t.element_size();
  if (item == 1) return;
  // Complex numbers swap each of their two halves.
  const std::size_t unit = is_complex(t.dtype()) ? item / 2 : item;
  auto* p = static_cast<unsigned char*>(t.data_ptr());
  for (std::size_t i = 0; i < t.nbytes(); i += unit) std::reverse(p + i, p + i + unit);
}

}  // namespace

Tensor parse_npy(std::span<const std::byte> bytes, const std::string& what) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  PT2RUN_CHECK(bytes.size() >= 10 && std::memcmp(p, "\x93NUMPY", 6) == 0, InvalidArgument, what,
               " is not a .npy array (no \\x93NUMPY magic)");
  const int major = p[6];
  PT2RUN_CHECK(major >= 1 && major <= 3, InvalidArgument, what, ": unsupported .npy format version ",
               major);
  std::size_t header_len = 0, prefix = 0;
  if (major == 1) {
    header_len = p[8] | (p[9] << 8);
    prefix = 10;
  } else {
    PT2RUN_CHECK(bytes.size() >= 12, InvalidArgument, what, ": truncated .npy header");
    header_len = p[8] | (p[9] << 8) | (p[10] << 16) | (std::size_t{p[11]} << 24);
    prefix = 12;
  }
  PT2RUN_CHECK(header_len <= bytes.size() - prefix, InvalidArgument, what,
               ": truncated .npy header (", header_len, " bytes announced, ",
               bytes.size() - prefix, " present)");
  std::string descr;
  bool fortran = false;
  std::vector<int64_t> shape;
  HeaderParser(std::string_view(reinterpret_cast<const char*>(p + prefix), header_len), what)
      .parse(descr, fortran, shape);

  PT2RUN_CHECK(!descr.empty(), InvalidArgument, what, ": empty dtype in the .npy header");
  const char order = descr[0];
  const std::string_view code = (order == '<' || order == '>' || order == '|' || order == '=')
                                    ? std::string_view(descr).substr(1)
                                    : std::string_view(descr);
  std::optional<DType> dtype;
  for (const auto& d : kDescrs)
    if (d.code == code) dtype = d.dtype;
  PT2RUN_CHECK(dtype.has_value(), InvalidArgument, what, " has dtype '", descr,
               "', which pt2run cannot read (numeric, bool and complex arrays are supported)");

  // Check the byte count before allocating: a forged shape must not make us allocate.
  const std::size_t available = bytes.size() - prefix - header_len;
  const std::size_t item = element_size(*dtype);
  // A zero anywhere in the shape means no data, whatever the other dims say.
  const bool no_elements = std::find(shape.begin(), shape.end(), int64_t{0}) != shape.end();
  std::size_t expected = no_elements ? 0 : item;
  for (int64_t d : shape) {
    if (no_elements) break;
    PT2RUN_CHECK(expected <= available / static_cast<std::size_t>(d), InvalidArgument, what,
                 ": its shape needs more data than the file holds (", available, " bytes)");
    expected *= static_cast<std::size_t>(d);
  }
  PT2RUN_CHECK(expected == available, InvalidArgument, what, ": its shape and dtype need ",
               expected, " bytes of data but the file holds ", available);

  std::vector<int64_t> sizes(shape.begin(), shape.end());
  Tensor t = Tensor::empty(sizes, *dtype);
  if (expected > 0) std::memcpy(t.data_ptr(), p + prefix + header_len, expected);
  if (order == '>') byteswap(t);
  if (fortran && t.dim() > 1) {
    // Column-major data: view it with reversed strides, then make it row-major.
    std::vector<int64_t> strides(sizes.size());
    int64_t stride = 1;
    for (std::size_t d = 0; d < sizes.size(); ++d) {
      strides[d] = stride;
      stride *= std::max<int64_t>(sizes[d], 1);
    }
    t = t.as_strided(sizes, strides, 0).contiguous();
  }
  return t;
}

std::string encode_npy(const Tensor& tensor) {
  Tensor t = tensor.contiguous();
  const DType dtype = t.dtype() == DType::BFloat16 ? DType::UInt16 : t.dtype();
  std::string code;
  for (const auto& d : kDescrs)
    if (d.dtype == dtype && d.code[0] != 'V' && code.empty()) code = d.code;
  PT2RUN_CHECK(!code.empty(), NotImplemented, "cannot write ", dtype_name(t.dtype()),
               " to .npy (numpy has no such dtype)");
  const char order = element_size(dtype) == 1 ? '|' : '<';
  std::string shape;
  for (int64_t s : t.sizes()) shape += std::to_string(s) + ", ";
  if (t.dim() > 1) shape.erase(shape.size() - 2);
  else if (t.dim() == 1) shape.pop_back();
  std::string header = "{'descr': '" + std::string(1, order) + code +
                       "', 'fortran_order': False, 'shape': (" + shape + "), }";
  const bool v2 = header.size() + 11 > 0xFFFF;
  const std::size_t prefix = v2 ? 12 : 10;
  while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = v2 ? std::string("\x93NUMPY\x02\x00", 8) : std::string("\x93NUMPY\x01\x00", 8);
  for (std::size_t i = 0; i < (v2 ? 4u : 2u); ++i) out.push_back(static_cast<char>((header.size() >> (8 * i)) & 0xFF));
  out += header;
  out.append(static_cast<const char*>(t.data_ptr()), t.nbytes());
  return out;
}

Tensor read_npy(const std::string& path) {
  FileBytes file = FileBytes::read(path);
  return parse_npy(file.bytes(), "'" + path + "'");
}

void write_npy(const std::string& path, const Tensor& tensor) { write_file(path, encode_npy(tensor)); }

}  // namespace pt2run::io
