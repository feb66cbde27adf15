#include "server/infer_protocol.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include <utility>

namespace pt2run::server {
namespace {

using json = nlohmann::json;

struct DatatypeName {
  DType dtype;
  std::string_view name;
};

constexpr DatatypeName kDatatypes[] = {
    {DType::Bool, "BOOL"},       {DType::UInt8, "UINT8"},    {DType::UInt16, "UINT16"},
    {DType::UInt32, "UINT32"},   {DType::UInt64, "UINT64"},  {DType::Int8, "INT8"},
    {DType::Int16, "INT16"},     {DType::Int32, "INT32"},    {DType::Int64, "INT64"},
    {DType::Float16, "FP16"},    {DType::Float32, "FP32"},   {DType::Float64, "FP64"},
    {DType::BFloat16, "BF16"},
};

[[noreturn]] void bad(const std::string& message) { throw Error(ErrorCode::InvalidArgument, message); }

const json* member(const json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

bool flag(const json& object, const char* key) {
  const json* params = member(object, "parameters");
  if (params == nullptr || !params->is_object()) return false;
  const json* value = member(*params, key);
  return value != nullptr && value->is_boolean() && value->get<bool>();
}

// The leaves of `data` (flat or nested arrays) in row-major order, at most `limit` of them.
void flatten(const json& data, std::vector<const json*>& leaves, std::size_t depth, std::size_t max_depth,
             std::size_t limit, const std::string& input) {
  if (!data.is_array()) {
    if (leaves.size() >= limit) bad("input '" + input + "' has more data elements than its shape holds");
    leaves.push_back(&data);
    return;
  }
  if (depth > max_depth) bad("input '" + input + "' has data nested deeper than its shape");
  for (const json& item : data) flatten(item, leaves, depth + 1, max_depth, limit, input);
}

template <class T>
void store_integers(const std::vector<const json*>& leaves, Tensor& t, const std::string& input) {
  T* out = static_cast<T*>(t.data_ptr());
  for (std::size_t i = 0; i < leaves.size(); ++i) {
    const json& v = *leaves[i];
    bool fits = false;
    if (v.is_number_unsigned()) {
      fits = v.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<T>::max());
      if (fits) out[i] = static_cast<T>(v.get<uint64_t>());
    } else if (v.is_number_integer()) {
      const int64_t x = v.get<int64_t>();
      fits = std::is_signed_v<T> ? x >= static_cast<int64_t>(std::numeric_limits<T>::min()) &&
                                       x <= static_cast<int64_t>(std::numeric_limits<T>::max())
                                 : x >= 0 && static_cast<uint64_t>(x) <= std::numeric_limits<T>::max();
      if (fits) out[i] = static_cast<T>(x);
    } else {
      bad("input '" + input + "' element " + std::to_string(i) + " is " + detail::printable(v.dump(), 40) +
          ", not an integer");
    }
    if (!fits) bad("input '" + input + "' element " + std::to_string(i) + " (" + detail::printable(v.dump(), 40) + ") is out of range");
  }
}

Tensor tensor_from_json(const std::vector<const json*>& leaves, const std::vector<int64_t>& shape, DType dtype,
                        const std::string& input) {
  Tensor t = Tensor::empty(shape, dtype);
  switch (dtype) {
    case DType::Bool: {
      auto* out = static_cast<uint8_t*>(t.data_ptr());
      for (std::size_t i = 0; i < leaves.size(); ++i) {
        if (!leaves[i]->is_boolean()) bad("input '" + input + "' is BOOL but element " + std::to_string(i) + " is not true or false");
        out[i] = leaves[i]->get<bool>() ? 1 : 0;
      }
      return t;
    }
    case DType::UInt8: store_integers<uint8_t>(leaves, t, input); return t;
    case DType::UInt16: store_integers<uint16_t>(leaves, t, input); return t;
    case DType::UInt32: store_integers<uint32_t>(leaves, t, input); return t;
    case DType::UInt64: store_integers<uint64_t>(leaves, t, input); return t;
    case DType::Int8: store_integers<int8_t>(leaves, t, input); return t;
    case DType::Int16: store_integers<int16_t>(leaves, t, input); return t;
    case DType::Int32: store_integers<int32_t>(leaves, t, input); return t;
    case DType::Int64: store_integers<int64_t>(leaves, t, input); return t;
    default: break;
  }
  // Floating point: read as double, then narrow as torch would (FP16/BF16 round to nearest).
  Tensor wide = Tensor::empty(shape, DType::Float64);
  auto* out = static_cast<double*>(wide.data_ptr());
  for (std::size_t i = 0; i < leaves.size(); ++i) {
    if (!leaves[i]->is_number()) bad("input '" + input + "' element " + std::to_string(i) + " is not a number");
    out[i] = leaves[i]->get<double>();
  }
  return dtype == DType::Float64 ? wide : wide.to(dtype);
}

std::vector<int64_t> parse_shape(const json& input, const std::string& name, const RequestLimits& limits,
                                 std::size_t& elements) {
  const json* shape = member(input, "shape");
  if (shape == nullptr || !shape->is_array()) bad("input '" + name + "' has no shape (an array of sizes)");
  if (shape->size() > limits.max_rank)
    bad("input '" + name + "' has " + std::to_string(shape->size()) + " dimensions; at most " +
        std::to_string(limits.max_rank) + " are accepted");
  std::vector<int64_t> sizes;
  elements = 1;
  for (const json& d : *shape) {
    if (!d.is_number_integer() || d.get<int64_t>() < 0) bad("input '" + name + "' has a shape entry that is not a size: " + d.dump());
    const auto size = static_cast<uint64_t>(d.get<int64_t>());
    if (size != 0 && elements > limits.max_elements / size)
      bad("input '" + name + "' has more than " + std::to_string(limits.max_elements) + " elements");
    elements *= static_cast<std::size_t>(size);
    sizes.push_back(static_cast<int64_t>(size));
  }
  return sizes;
}

void append_json_data(const Tensor& t, json& data) {
  const int64_t n = t.numel();
  auto floats = [&](auto* p) {
    for (int64_t i = 0; i < n; ++i) {
      const double v = static_cast<double>(p[i]);
      data.push_back(std::isfinite(v) ? json(v) : json(nullptr));
    }
  };
  switch (t.dtype()) {
    case DType::Bool:
      for (int64_t i = 0; i < n; ++i) data.push_back(static_cast<const uint8_t*>(t.data_ptr())[i] != 0);
      return;
    case DType::UInt8: for (int64_t i = 0; i < n; ++i) data.push_back(t.data<uint8_t>()[i]); return;
    case DType::UInt16: for (int64_t i = 0; i < n; ++i) data.push_back(t.data<uint16_t>()[i]); return;
    case DType::UInt32: for (int64_t i = 0; i < n; ++i) data.push_back(t.data<uint32_t>()[i]); return;
    case DType::UInt64: for (int64_t i = 0; i < n; ++i) data.push_back(t.data<uint64_t>()[i]); return;
    case DType::Int8: for (int64_t i = 0; i < n; ++i) data.push_back(t.data<int8_t>()[i]); return;
    case DType::Int16: for (int64_t i = 0; i < n; ++i) data.push_back(t.data<int16_t>()[i]); return;
    case DType::Int32: for (int64_t i = 0; i < n; ++i) data.push_back(t.data<int32_t>()[i]); return;
    case DType::Int64: for (int64_t i = 0; i < n; ++i) data.push_back(t.data<int64_t>()[i]); return;
    case DType::Float32: floats(t.data<float>()); return;
    case DType::Float64: floats(t.data<double>()); return;
    default: {  // FP16, BF16: exact in float32
      Tensor wide = t.to(DType::Float32);
      floats(wide.data<float>());
      return;
    }
  }
}

}  // namespace

std::string_view datatype_of(DType dtype) noexcept {
  for (const auto& d : kDatatypes)
    if (d.dtype == dtype) return d.name;
  return {};
}

std::optional<DType> dtype_of(std::string_view datatype) noexcept {
  for (const auto& d : kDatatypes)
    if (d.name == datatype) return d.dtype;
  return std::nullopt;
}

InferRequest parse_infer_request(std::string_view body, std::optional<std::size_t> header_length,
                                 const RequestLimits& limits) {
  if (header_length && *header_length > body.size())
    bad("Inference-Header-Content-Length is " + std::to_string(*header_length) + " but the body has " +
        std::to_string(body.size()) + " bytes");
  const std::string_view header = header_length ? body.substr(0, *header_length) : body;
  std::string_view binary = header_length ? body.substr(*header_length) : std::string_view{};
  const json doc = json::parse(header, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) bad("the request is not a JSON object");

  InferRequest request;
  if (const json* id = member(doc, "id")) {
    if (!id->is_string()) bad("the request's id is not a string");
    request.id = id->get<std::string>();
  }
  request.binary_outputs = flag(doc, "binary_data_output");
  if (const json* params = member(doc, "parameters"); params != nullptr && params->is_object())
    if (const json* timeout = member(*params, "timeout")) {
      if (!timeout->is_number_unsigned()) bad("the request's timeout parameter is not a count of microseconds");
      request.timeout_us = timeout->get<uint64_t>();
    }
  const json* inputs = member(doc, "inputs");
  if (inputs == nullptr || !inputs->is_array() || inputs->empty()) bad("the request has no inputs (a non-empty array)");
  if (inputs->size() > limits.max_inputs)
    bad("the request has " + std::to_string(inputs->size()) + " inputs; at most " +
        std::to_string(limits.max_inputs) + " are accepted");
  for (const json& input : *inputs) {
    if (!input.is_object()) bad("an input is not a JSON object");
    const json* name = member(input, "name");
    if (name == nullptr || !name->is_string()) bad("an input has no name");
    const std::string input_name = name->get<std::string>();
    for (const auto& seen : request.inputs)
      if (seen.name == input_name) bad("input '" + input_name + "' is given twice");
    const json* datatype = member(input, "datatype");
    if (datatype == nullptr || !datatype->is_string()) bad("input '" + input_name + "' has no datatype");
    const std::string type_name = datatype->get<std::string>();
    const auto dtype = dtype_of(type_name);
    if (!dtype) {
      if (type_name == "BYTES") throw Error(ErrorCode::NotImplemented, "input '" + input_name + "' is BYTES: pt2run models take numeric tensors only");
      bad("input '" + input_name + "' has datatype '" + detail::printable(type_name, 40) +
          "', which is not a v2 datatype (BOOL, UINT8..UINT64, INT8..INT64, FP16, FP32, FP64, BF16)");
    }
    std::size_t elements = 0;
    const std::vector<int64_t> shape = parse_shape(input, input_name, limits, elements);
    const json* params = member(input, "parameters");
    const json* binary_size = params && params->is_object() ? member(*params, "binary_data_size") : nullptr;
    Tensor tensor;
    if (binary_size != nullptr) {
      if (!header_length) bad("input '" + input_name + "' has binary_data_size but the request has no Inference-Header-Content-Length");
      if (!binary_size->is_number_unsigned()) bad("input '" + input_name + "' has a binary_data_size that is not a size");
      const uint64_t size = binary_size->get<uint64_t>();
      const uint64_t expected = static_cast<uint64_t>(elements) * element_size(*dtype);
      if (size != expected)
        bad("input '" + input_name + "' has binary_data_size " + std::to_string(size) + " but shape and datatype need " +
            std::to_string(expected) + " bytes");
      if (size > binary.size())
        bad("input '" + input_name + "' needs " + std::to_string(size) + " bytes of binary data but only " +
            std::to_string(binary.size()) + " are left in the body");
      tensor = Tensor::empty(shape, *dtype);
      if (size > 0) std::memcpy(tensor.data_ptr(), binary.data(), size);
      binary.remove_prefix(size);
      if (*dtype == DType::Bool) {
        const auto* b = static_cast<const uint8_t*>(tensor.data_ptr());
        for (std::size_t i = 0; i < elements; ++i)
          if (b[i] > 1) bad("input '" + input_name + "' is BOOL but its byte " + std::to_string(i) + " is neither 0 nor 1");
      }
    } else {
      const json* data = member(input, "data");
      if (data == nullptr) bad("input '" + input_name + "' has neither data nor parameters.binary_data_size");
      std::vector<const json*> leaves;
      flatten(*data, leaves, 0, shape.size(), elements, input_name);
      if (leaves.size() != elements)
        bad("input '" + input_name + "' has " + std::to_string(leaves.size()) + " data elements but its shape holds " +
            std::to_string(elements));
      tensor = tensor_from_json(leaves, shape, *dtype, input_name);
    }
    request.inputs.push_back({input_name, std::move(tensor)});
  }
  if (!binary.empty())
    bad("the body has " + std::to_string(binary.size()) + " bytes after the inputs' binary data");
  if (const json* outputs = member(doc, "outputs")) {
    if (!outputs->is_array()) bad("the request's outputs are not an array");
    for (const json& output : *outputs) {
      const json* name = output.is_object() ? member(output, "name") : nullptr;
      if (name == nullptr || !name->is_string()) bad("a requested output has no name");
      const json* params = member(output, "parameters");
      const json* binary_flag = params && params->is_object() ? member(*params, "binary_data") : nullptr;
      const bool binary_out = binary_flag && binary_flag->is_boolean() ? binary_flag->get<bool>() : request.binary_outputs;
      request.outputs.push_back({name->get<std::string>(), binary_out});
    }
  }
  return request;
}

EncodedBody encode_infer_response(const std::string& model_name, const std::string& model_version,
                                  const InferRequest& request, const std::vector<InferOutput>& outputs) {
  std::vector<RequestedOutput> wanted = request.outputs;
  if (wanted.empty())
    for (const auto& o : outputs) wanted.push_back({o.name, request.binary_outputs});
  json doc = {{"model_name", model_name}};
  if (!model_version.empty()) doc["model_version"] = model_version;
  if (!request.id.empty()) doc["id"] = request.id;
  json list = json::array();
  std::string binary;
  for (const RequestedOutput& want : wanted) {
    const InferOutput* found = nullptr;
    for (const auto& o : outputs)
      if (o.name == want.name) found = &o;
    if (found == nullptr) bad("the model has no output '" + want.name + "'");
    const std::string_view datatype = datatype_of(found->tensor.dtype());
    if (datatype.empty())
      throw Error(ErrorCode::NotImplemented, "output '" + want.name + "' is " +
                                                 std::string(dtype_name(found->tensor.dtype())) +
                                                 ", which the v2 protocol has no datatype for");
    Tensor t = found->tensor.device().is_cpu() ? found->tensor : found->tensor.to(Device::cpu());
    t = t.contiguous();
    json entry = {{"name", want.name}, {"datatype", datatype}, {"shape", json::array()}};
    for (int64_t s : t.sizes()) entry["shape"].push_back(s);
    if (want.binary) {
      const std::size_t bytes = t.nbytes();
      entry["parameters"] = {{"binary_data_size", bytes}};
      binary.append(static_cast<const char*>(t.data_ptr()), bytes);
    } else {
      entry["data"] = json::array();
      append_json_data(t, entry["data"]);
    }
    list.push_back(std::move(entry));
  }
  doc["outputs"] = std::move(list);
  // Names come from the package and the request: never let a stray byte make dump() throw.
  EncodedBody result{doc.dump(-1, ' ', false, json::error_handler_t::replace), std::nullopt};
  if (!binary.empty() || std::any_of(wanted.begin(), wanted.end(), [](const auto& w) { return w.binary; })) {
    result.header_length = result.body.size();
    result.body += binary;
  }
  return result;
}

std::string error_body(std::string_view message) noexcept {
  try {
    return json{{"error", message}}.dump(-1, ' ', false, json::error_handler_t::replace);
  } catch (...) {
    return R"({"error":"out of memory while describing an error"})";
  }
}

int http_status(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::InvalidArgument:
    case ErrorCode::ShapeMismatch:
    case ErrorCode::DTypeMismatch:
    case ErrorCode::DeviceMismatch:
      return 400;
    case ErrorCode::NotFound: return 404;
    case ErrorCode::InvalidState: return 503;
    case ErrorCode::Timeout: return 504;
    case ErrorCode::NotImplemented: return 501;
    default: return 500;
  }
}

}  // namespace pt2run::server
