#include "package/model_source.h"

#include <cctype>
#include <cstdlib>
#include <unordered_map>

namespace pt2run::detail {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::optional<int64_t> to_int(std::string_view s) {
  s = trim(s);
  while (!s.empty() && (s.back() == 'L' || s.back() == 'l')) s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  std::string text(s);
  char* end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (end == text.c_str() || *end) return std::nullopt;
  return v;
}

// "{16, 8}" -> items ("16", "8"); "{s77, 16L, }" -> ("s77", "16L").
std::vector<std::string> brace_items(std::string_view text) {
  std::vector<std::string> items;
  auto open = text.find('{'), close = text.rfind('}');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return items;
  std::string_view body = text.substr(open + 1, close - open - 1);
  while (!body.empty()) {
    auto comma = body.find(',');
    std::string_view item = trim(body.substr(0, comma));
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    body.remove_prefix(comma + 1);
  }
  return items;
}

std::optional<std::vector<int64_t>> int_list(std::string_view text) {
  std::vector<int64_t> values;
  for (const auto& item : brace_items(text)) {
    auto v = to_int(item);
    if (!v) return std::nullopt;
    values.push_back(*v);
  }
  return values;
}

std::string quoted(std::string_view value) {
  value = trim(value);
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
    return std::string(value.substr(1, value.size() - 2));
  return "";
}

// "cached_torch_dtype_float32" / "aoti_torch_dtype_float32()" -> "float32".
std::string dtype_after(std::string_view text, std::string_view marker) {
  auto at = text.find(marker);
  if (at == std::string_view::npos) return "";
  std::string_view rest = text.substr(at + marker.size());
  std::size_t n = 0;
  while (n < rest.size() && (std::isalnum(static_cast<unsigned char>(rest[n])) || rest[n] == '_')) ++n;
  return std::string(rest.substr(0, n));
}

// Splits "lhs = rhs;" lines; calls visit(lhs, rhs, line) for each.
template <class Visit>
void for_each_assignment(std::string_view text, Visit&& visit) {
  while (!text.empty()) {
    auto end = text.find('\n');
    std::string_view line = trim(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (auto comment = line.find(";  //"); comment != std::string_view::npos) line = line.substr(0, comment + 1);
    auto eq = line.find(" = ");
    if (eq == std::string_view::npos || line.empty() || line.back() != ';') continue;
    visit(trim(line.substr(0, eq)), trim(line.substr(eq + 3, line.size() - eq - 4)), line);
  }
}

// "constants_info_[3].shape" -> (3, "shape").
bool indexed_field(std::string_view lhs, std::string_view prefix, std::size_t& index, std::string_view& field) {
  if (!lhs.starts_with(prefix)) return false;
  auto close = lhs.find("].", prefix.size());
  if (close == std::string_view::npos) return false;
  auto i = to_int(lhs.substr(prefix.size(), close - prefix.size()));
  if (!i || *i < 0 || *i > 1'000'000) return false;
  index = static_cast<std::size_t>(*i);
  field = lhs.substr(close + 2);
  return true;
}

template <class T>
T& at(std::vector<T>& v, std::size_t i) {
  if (v.size() <= i) v.resize(i + 1);
  return v[i];
}

// Dtype, sizes and ranges an input's generated check_input_<i> asserts.
void parse_input_checks(std::string_view text, SourceTensor& input) {
  const std::string& n = input.name;
  if (n.empty()) return;
  input.dtype = dtype_after(text, "int32_t " + n + "_expected_dtype = aoti_torch_dtype_");
  const std::string device_marker = "int32_t " + n + "_expected_device_type = ";
  if (auto at_device = text.find(device_marker); at_device != std::string_view::npos) {
    std::string_view rest = text.substr(at_device + device_marker.size());
    if (auto v = to_int(rest.substr(0, rest.find(';'))); v && *v >= 0 && *v < 64) input.device_type = static_cast<int32_t>(*v);
  }
  std::vector<SourceDim> dims;
  bool seen = false;
  const std::string size_ref = n + "_size[", stride_ref = n + "_stride[";
  for (std::size_t at_pos = text.find("if ("); at_pos != std::string_view::npos;
       at_pos = text.find("if (", at_pos + 1)) {
    auto close = text.find(") {", at_pos);
    if (close == std::string_view::npos) break;
    std::string_view cond = text.substr(at_pos + 4, close - at_pos - 4);
    auto ref = cond.find(size_ref);
    bool is_stride = false;
    if (ref == std::string_view::npos) {
      ref = cond.find(stride_ref);
      is_stride = true;
    }
    if (ref == std::string_view::npos) continue;
    auto index_end = cond.find(']', ref);
    auto d = to_int(cond.substr(ref + (is_stride ? stride_ref : size_ref).size(),
                                index_end - ref - (is_stride ? stride_ref : size_ref).size()));
    if (!d || *d < 0 || *d > 64) continue;
    seen = true;
    SourceDim& dim = at(dims, static_cast<std::size_t>(*d));
    if (is_stride) continue;
    if (auto ne = cond.find(" != "); ne != std::string_view::npos && ne < ref) {
      dim.size = to_int(cond.substr(0, ne));
    } else if (auto lt = cond.find(" < "); lt != std::string_view::npos && lt > ref) {
      if (auto v = to_int(cond.substr(lt + 3))) dim.min = *v;
    } else if (auto gt = cond.find(" > "); gt != std::string_view::npos && gt > ref) {
      dim.max = to_int(cond.substr(gt + 3));
    }
  }
  if (seen || !input.dtype.empty()) input.dims = std::move(dims);
}

// run_impl's body: where outputs are assigned and symbols bound.
std::string_view run_impl_body(std::string_view text) {
  auto start = text.find("AOTInductorModel::run_impl(");
  if (start == std::string_view::npos) return {};
  auto end = text.find("\n}\n", start);
  return text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

}  // namespace

std::map<std::string, ConstantLayout> ModelSource::layouts() const {
  std::map<std::string, ConstantLayout> result;
  for (const auto& c : constants)
    if (!c.name.empty() && c.has_layout) result[c.name] = {c.shape, c.stride};
  return result;
}

ModelSource parse_model_source(std::string_view text) {
  ModelSource source;
  std::vector<char> has_shape, has_stride;
  for_each_assignment(text, [&](std::string_view lhs, std::string_view rhs, std::string_view) {
    std::size_t i = 0;
    std::string_view field;
    if (indexed_field(lhs, "constants_info_[", i, field)) {
      SourceConstant& c = at(source.constants, i);
      if (field == "name") c.name = quoted(rhs);
      else if (field == "original_fqn") c.fqn = quoted(rhs);
      else if (field == "dtype") c.dtype = dtype_after(rhs, "cached_torch_dtype_");
      else if (field == "data_size") c.data_size = static_cast<uint64_t>(to_int(rhs).value_or(0));
      else if (field == "from_folded") c.from_folded = rhs == "true";
      else if (field == "type") c.type = dtype_after(rhs, "ConstantType::");
      else if (field == "shape") {
        if (auto v = int_list(rhs)) c.shape = *v, at(has_shape, i) = true;
      } else if (field == "stride") {
        if (auto v = int_list(rhs)) c.stride = *v, at(has_stride, i) = true;
      }
    } else if (indexed_field(lhs, "inputs_info_[", i, field) && field == "name") {
      at(source.inputs, i).name = quoted(rhs);
    } else if (indexed_field(lhs, "outputs_info_[", i, field) && field == "name") {
      at(source.outputs, i).name = quoted(rhs);
    } else if (lhs == "in_spec_" || lhs == "out_spec_") {
      std::string_view spec = rhs;
      if (spec.starts_with("R\"(") && spec.ends_with(")\"")) spec = spec.substr(3, spec.size() - 5);
      (lhs == "in_spec_" ? source.in_spec : source.out_spec) = std::string(spec);
    }
  });
  for (std::size_t i = 0; i < source.constants.size(); ++i) {
    SourceConstant& c = source.constants[i];
    c.has_layout = i < has_shape.size() && has_shape[i] && i < has_stride.size() && has_stride[i] &&
                   c.shape.size() == c.stride.size();
  }
  for (auto& input : source.inputs) parse_input_checks(text, input);

  // Outputs: output_handles[i] = X.release(); follow "auto X = std::move(Y);" to the buffer's
  // aoti_torch_empty_strided(ndim, sizes, strides, dtype, ...), or to an input.
  std::string_view body = run_impl_body(text);
  std::unordered_map<std::string, std::string> moved_from, dtype_of, sizes_of, symbol_of;
  std::unordered_map<std::string, std::vector<std::string>> arrays;
  std::unordered_map<std::string, std::pair<std::string, std::string>> views;  // var -> (base, sizes array)
  std::vector<std::string> output_source;
  for_each_assignment(body, [&](std::string_view lhs, std::string_view rhs, std::string_view) {
    if (lhs.starts_with("output_handles[") && rhs.ends_with(".release()")) {
      auto close = lhs.find(']');
      if (auto idx = to_int(lhs.substr(15, close - 15)); idx && *idx >= 0 && *idx < 100000)
        at(output_source, static_cast<std::size_t>(*idx)) = std::string(rhs.substr(0, rhs.size() - 10));
    } else if (lhs.starts_with("auto ") && rhs.find("reinterpret_tensor_wrapper(") != std::string_view::npos) {
      // auto var_1 = wrap_with_raii_handle_if_needed(reinterpret_tensor_wrapper(buf13, 3, int_array_15, ...));
      auto args = rhs.substr(rhs.find("reinterpret_tensor_wrapper(") + 27);
      std::string braced = "{";
      braced.append(args.substr(0, args.find(')'))).append("}");
      auto items = brace_items(braced);
      if (items.size() >= 3) views[std::string(trim(lhs.substr(5)))] = {items[0], items[2]};
    } else if (lhs.starts_with("auto ") && rhs.starts_with("std::move(") && rhs.ends_with(")")) {
      moved_from[std::string(trim(lhs.substr(5)))] = std::string(rhs.substr(10, rhs.size() - 11));
    } else if (lhs.find("int_array_") != std::string_view::npos && lhs.ends_with("[]")) {
      auto name_at = lhs.find("int_array_");
      arrays[std::string(lhs.substr(name_at, lhs.size() - name_at - 2))] = brace_items(rhs);
    } else if (lhs.starts_with("int64_t s") && rhs.find("_size[") != std::string_view::npos) {
      symbol_of[std::string(rhs)] = std::string(lhs.substr(8));
    }
  });
  // Buffers: AOTI_TORCH_ERROR_CODE_CHECK(aoti_torch_empty_strided(2, int_array_0, int_array_1,
  // cached_torch_dtype_float32, cached_torch_device_type_cpu, this->device_idx_, &buf0_handle));
  constexpr std::string_view kAlloc = "aoti_torch_empty_strided(";
  for (auto at_pos = body.find(kAlloc); at_pos != std::string_view::npos; at_pos = body.find(kAlloc, at_pos + 1)) {
    auto end = body.find(';', at_pos);
    std::string_view call = body.substr(at_pos, end - at_pos);
    auto handle = call.rfind("&");
    auto handle_end = call.find("_handle", handle);
    if (handle == std::string_view::npos || handle_end == std::string_view::npos) continue;
    const std::string buffer(call.substr(handle + 1, handle_end - handle - 1));
    auto first_comma = call.find(", ");
    auto second_comma = call.find(", ", first_comma + 2);
    if (first_comma == std::string_view::npos || second_comma == std::string_view::npos) continue;
    sizes_of[buffer] = std::string(call.substr(first_comma + 2, second_comma - first_comma - 2));
    dtype_of[buffer] = dtype_after(call, "cached_torch_dtype_");
  }
  std::unordered_map<std::string, const SourceTensor*> input_by_name;
  for (const auto& in : source.inputs) input_by_name[in.name] = &in;
  auto dims_of_array = [&](const std::string& array_name) -> std::optional<std::vector<SourceDim>> {
    auto array = arrays.find(array_name);
    if (array == arrays.end()) return std::nullopt;
    std::vector<SourceDim> dims;
    for (const auto& item : array->second) {
      SourceDim dim;
      if (auto v = to_int(item)) dim.size = *v;
      else dim.symbol = item;
      dims.push_back(dim);
    }
    return dims;
  };
  // Follows moves (not past an input) to the tensor that was allocated or passed in.
  auto resolve = [&](std::string name) {
    for (int hops = 0; hops < 64 && !input_by_name.contains(name) && moved_from.contains(name); ++hops)
      name = moved_from[name];
    return name;
  };
  for (std::size_t i = 0; i < output_source.size() && i < source.outputs.size(); ++i) {
    SourceTensor& out = source.outputs[i];
    std::string name = resolve(output_source[i]);
    std::optional<std::vector<SourceDim>> view_dims;
    if (auto view = views.find(name); view != views.end()) {
      view_dims = dims_of_array(view->second.second);
      name = resolve(view->second.first);
    }
    if (auto in = input_by_name.find(name); in != input_by_name.end()) {
      out.dtype = in->second->dtype;
      out.dims = view_dims ? view_dims : in->second->dims;
    } else if (sizes_of.contains(name)) {
      out.dtype = dtype_of[name];
      out.dims = view_dims ? view_dims : dims_of_array(sizes_of[name]);
    }
  }
  // Name the inputs' dynamic dimensions with the symbols run_impl binds to them.
  for (auto& in : source.inputs) {
    if (!in.dims) continue;
    for (std::size_t d = 0; d < in.dims->size(); ++d) {
      auto it = symbol_of.find(in.name + "_size[" + std::to_string(d) + "]");
      if (it != symbol_of.end() && !(*in.dims)[d].size) (*in.dims)[d].symbol = it->second;
    }
  }
  return source;
}

}  // namespace pt2run::detail
