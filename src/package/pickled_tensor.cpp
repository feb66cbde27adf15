#include "package/pickled_tensor.h"

#include <cstring>
#include <optional>
#include <vector>

#include "core/check.h"

namespace pt2run::detail {
namespace {

std::optional<DType> storage_dtype(std::string_view type) {
  static const std::pair<std::string_view, DType> kTypes[] = {
      {"FloatStorage", DType::Float32},     {"DoubleStorage", DType::Float64},
      {"HalfStorage", DType::Float16},      {"BFloat16Storage", DType::BFloat16},
      {"LongStorage", DType::Int64},        {"IntStorage", DType::Int32},
      {"ShortStorage", DType::Int16},       {"CharStorage", DType::Int8},
      {"ByteStorage", DType::UInt8},        {"BoolStorage", DType::Bool},
  };
  for (const auto& [name, dtype] : kTypes)
    if (name == type) return dtype;
  return std::nullopt;
}

// A forward-only reader over the opcodes torch.save emits. It keeps no stack: the storage
// record is recognised as the GLOBAL torch.<Type>Storage followed by its key string,
// location string and element count.
class PickleScanner {
 public:
  PickleScanner(std::string_view data, const std::string& what) : data_(data), what_(what) {}

  PickledStorage scan() {
    std::optional<PickledStorage> found;
    std::optional<DType> pending;  // a storage type whose key/location/numel come next
    std::vector<std::string> strings;
    while (true) {
      const unsigned char op = take(1)[0];
      switch (op) {
        case 0x80: take(1); break;                      // PROTO
        case 0x95: take(8); break;                      // FRAME
        case 0x94: case '(': case ')': case '}': case ']': case 't': case 0x85: case 0x86:
        case 0x87: case 'Q': case 'R': case 'b': case 'u': case 's': case 'e': case 'a':
        case 0x88: case 0x89: case 'N': case '0': case '1': case 0x8f: case 0x90: case 0x91:
          break;                                         // no argument
        case 'q': case 'h': take(1); break;              // BINPUT, BINGET
        case 'r': case 'j': take(4); break;              // LONG_BINPUT, LONG_BINGET
        case 'G': take(8); break;                        // BINFLOAT
        case 'c': {                                      // GLOBAL module\nname\n
          std::string module = line(), name = line();
          if (module == "torch" && name.ends_with("Storage")) {
            pending = storage_dtype(name);
            PT2RUN_CHECK(pending.has_value(), InvalidPackage, what_, " holds a torch.", name,
                         ", a storage type pt2run cannot load");
            PT2RUN_CHECK(!found, InvalidPackage, what_,
                         " holds more than one tensor storage; pickle_weights files hold one");
            strings.clear();
          }
          break;
        }
        case 0x93: break;                                // STACK_GLOBAL (names came as strings)
        case 'X': on_string(take_string(u32(take(4))), pending, strings); break;  // BINUNICODE
        case 0x8c: case 'U': on_string(take_string(take(1)[0]), pending, strings); break;
        case 'K': on_int(take(1)[0], pending, strings, found); break;              // BININT1
        case 'M': { auto p = take(2); on_int(p[0] | (p[1] << 8), pending, strings, found); break; }
        case 'J': on_int(u32(take(4)), pending, strings, found); break;            // BININT
        case 0x8a: {                                     // LONG1: n little-endian bytes
          const unsigned char n = take(1)[0];
          PT2RUN_CHECK(n <= 8, InvalidPackage, what_, " has an integer too large for a size");
          const unsigned char* p = take(n);
          uint64_t v = 0;
          for (unsigned i = 0; i < n; ++i) v |= uint64_t{p[i]} << (8 * i);
          on_int(v, pending, strings, found);
          break;
        }
        case '.':                                        // STOP
          PT2RUN_CHECK(found.has_value(), InvalidPackage, what_, " holds no tensor storage");
          return *found;
        default:
          fail(ErrorCode::InvalidPackage, what_, " uses pickle opcode 0x", std::hex, int{op},
               ", which torch.save does not write for a tensor; re-export with "
               "package_constants_on_disk_format=\"binary_blob\"");
      }
    }
  }

 private:
  static uint32_t u32(const unsigned char* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }
  const unsigned char* take(std::size_t n) {
    PT2RUN_CHECK(n <= data_.size() - pos_, InvalidPackage, what_, " is truncated (pickle ends early)");
    const auto* p = reinterpret_cast<const unsigned char*>(data_.data() + pos_);
    pos_ += n;
    return p;
  }
  std::string take_string(std::size_t n) { return std::string(reinterpret_cast<const char*>(take(n)), n); }
  std::string line() {
    std::size_t end = data_.find('\n', pos_);
    PT2RUN_CHECK(end != std::string_view::npos, InvalidPackage, what_, " is truncated (pickle ends early)");
    std::string s(data_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return s;
  }
  static void on_string(std::string s, const std::optional<DType>& pending, std::vector<std::string>& strings) {
    if (pending) strings.push_back(std::move(s));
  }
  void on_int(uint64_t v, std::optional<DType>& pending, std::vector<std::string>& strings,
              std::optional<PickledStorage>& found) {
    if (!pending || strings.size() < 2) return;  // ints before the key are not the record's
    found = PickledStorage{strings[0], *pending, v};
    pending.reset();
  }

  std::string_view data_;
  const std::string& what_;
  std::size_t pos_ = 0;
};

}  // namespace

PickledStorage read_pickled_storage(std::string_view pickle, const std::string& what) {
  return PickleScanner(pickle, what).scan();
}

}  // namespace pt2run::detail
