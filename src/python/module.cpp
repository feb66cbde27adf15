// pt2run._core: the C++ API for Python (python/pt2run/ is the Pythonic layer over it).
//
// Tensors cross as DLPack capsules, so numpy, torch and CuPy arrays come in and go out without
// a copy. The GIL is released while a package loads and while a model runs. pt2run::Error
// becomes the Python exception class registered for its code (pt2run.errors).

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/unordered_map.h>
#include <nanobind/stl/vector.h>

#include <dlpack/dlpack.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "pt2run/dlpack.h"
#include "pt2run/pt2run.h"

namespace nb = nanobind;

namespace pt2run::python {
namespace {

constexpr const char* kCapsule = "dltensor";
constexpr const char* kUsedCapsule = "used_dltensor";

// The exception class for each ErrorCode, set by pt2run/errors.py at import.
nb::dict& error_classes() {
  static nb::dict* classes = new nb::dict();  // lives as long as the module: never freed
  return *classes;
}

// A capsule nobody consumed still owns its tensor.
void delete_unused_capsule(PyObject* capsule) {
  if (!PyCapsule_IsValid(capsule, kCapsule)) return;  // consumed (renamed) or not ours
  auto* managed = static_cast<DLManagedTensor*>(PyCapsule_GetPointer(capsule, kCapsule));
  if (managed != nullptr && managed->deleter != nullptr) managed->deleter(managed);
}

// An object's tensor, by the DLPack protocol (its __dlpack__), without a copy.
Tensor tensor_from(nb::handle object, int64_t index) {
  if (!nb::hasattr(object, "__dlpack__"))
    throw Error(ErrorCode::InvalidArgument,
                "input " + std::to_string(index) + " is a " + nb::type_name(object.type()).c_str() +
                    ", which is not an array: pass numpy arrays or DLPack tensors (torch, CuPy)");
  nb::object capsule = object.attr("__dlpack__")();
  if (!PyCapsule_IsValid(capsule.ptr(), kCapsule))
    throw Error(ErrorCode::InvalidArgument,
                "input " + std::to_string(index) + "'s __dlpack__() did not return a DLPack capsule");
  auto* managed = static_cast<DLManagedTensor*>(PyCapsule_GetPointer(capsule.ptr(), kCapsule));
  // From here on the tensor owns it (from_dlpack runs the deleter also when it throws).
  PyCapsule_SetName(capsule.ptr(), kUsedCapsule);
  return from_dlpack(managed);
}

// The numpy element type holding a dtype's values (its bits where numpy lacks the type).
nb::dlpack::dtype numpy_dtype(DType d) {
  using nb::dlpack::dtype_code;
  const auto bits = static_cast<uint8_t>(element_size(d) * 8);
  switch (d) {
    case DType::Bool: return {static_cast<uint8_t>(dtype_code::Bool), 8, 1};
    case DType::Float16: case DType::Float32: case DType::Float64:
      return {static_cast<uint8_t>(dtype_code::Float), bits, 1};
    case DType::Complex64: case DType::Complex128:
      return {static_cast<uint8_t>(dtype_code::Complex), bits, 1};
    case DType::Int8: case DType::Int16: case DType::Int32: case DType::Int64:
      return {static_cast<uint8_t>(dtype_code::Int), bits, 1};
    default:  // unsigned integers, and bfloat16 / float8 / complex32 as their bits
      return {static_cast<uint8_t>(dtype_code::UInt), bits, 1};
  }
}

// `t`'s memory viewed as `dtype`, whose elements have t's width (raw bits from numpy).
Tensor as_bits_of(const Tensor& t, const std::string& dtype) {
  const std::optional<DType> want = dtype_from_name(dtype);
  if (!want || t.dtype() == *want) return t;
  const bool raw = (t.dtype() == DType::UInt16 || t.dtype() == DType::UInt8) && element_size(t.dtype()) == element_size(*want);
  if (!raw) return t;  // the runner's own check names the mismatch
  std::vector<int64_t> sizes(t.sizes().begin(), t.sizes().end()), strides(t.strides().begin(), t.strides().end());
  return Tensor(t.storage(), sizes, strides, t.storage_offset(), *want);
}

// A pt2run tensor as Python sees it: a DLPack producer (numpy.from_dlpack, torch.from_dlpack).
struct PyTensor {
  Tensor tensor;

  nb::object dlpack(nb::kwargs) const {
    DLManagedTensor* managed = to_dlpack(tensor);
    PyObject* capsule = PyCapsule_New(managed, kCapsule, delete_unused_capsule);
    if (capsule == nullptr) {
      managed->deleter(managed);
      throw nb::python_error();
    }
    return nb::steal(capsule);
  }
  // A writable numpy array over the tensor's memory (a host tensor; no copy). It keeps the
  // tensor's storage alive. bfloat16 and float8 come as their bits (uint16, uint8).
  nb::object numpy() const {
    if (tensor.device().type != DeviceType::CPU)
      throw Error(ErrorCode::InvalidArgument, "numpy() needs a host tensor: call cpu() first");
    auto* keep = new Tensor(tensor);
    nb::capsule owner(keep, [](void* p) noexcept { delete static_cast<Tensor*>(p); });
    std::vector<size_t> shape(tensor.sizes().begin(), tensor.sizes().end());
    std::vector<int64_t> strides(tensor.strides().begin(), tensor.strides().end());
    nb::ndarray<nb::numpy> array(tensor.data_ptr(), shape.size(), shape.data(), owner, strides.data(),
                                 numpy_dtype(tensor.dtype()));
    return nb::cast(array, nb::rv_policy::reference);
  }
  std::pair<int, int> dlpack_device() const {
    const Device d = tensor.device();
    const bool cuda = d.type == DeviceType::CUDA;
    return {cuda ? kDLCUDA : kDLCPU, cuda ? std::max(0, static_cast<int>(d.index)) : 0};
  }
};

// One loaded model: the package loader plus what inspect read of it.
class Model {
 public:
  Model(const std::string& path, const LoaderOptions& options) {
    nb::gil_scoped_release released;
    loader_ = std::make_unique<AOTIModelPackageLoader>(path, options);
  }

  // raw_as[i], when not empty, is the dtype ("bfloat16", "float8_e4m3fn") whose bits input i
  // holds as unsigned integers of that width: numpy has no such dtypes. With `numpy`, outputs
  // come back as numpy arrays (device outputs copied to the host), else as Tensors; None where
  // the forward returns None.
  nb::list run(const nb::sequence& inputs, const std::vector<std::string>& raw_as, bool numpy) {
    std::vector<Tensor> tensors;
    tensors.reserve(nb::len(inputs));
    int64_t index = 0;
    for (nb::handle input : inputs) {
      Tensor t = tensor_from(input, index);
      if (static_cast<std::size_t>(index) < raw_as.size() && !raw_as[index].empty()) t = as_bits_of(t, raw_as[index]);
      tensors.push_back(std::move(t));
      ++index;
    }
    std::vector<Tensor> outputs;
    {
      nb::gil_scoped_release released;
      outputs = loader_->run(tensors);
      tensors.clear();  // the inputs' deleters (numpy's) take the GIL themselves
      if (numpy)
        for (Tensor& t : outputs)
          if (t.defined() && t.device().type != DeviceType::CPU) t = t.to(Device::cpu());
    }
    nb::list result;
    for (Tensor& t : outputs) {
      if (!t.defined()) result.append(nb::none());
      else if (numpy) result.append(PyTensor{std::move(t)}.numpy());
      else result.append(nb::cast(PyTensor{std::move(t)}));
    }
    return result;
  }

  std::unordered_map<std::string, PyTensor> constants(bool inactive) {
    std::unordered_map<std::string, PyTensor> result;
    for (auto& [fqn, t] : loader_->get_runner()->extract_constants_map(inactive)) result.emplace(fqn, PyTensor{t});
    return result;
  }

  void update_constants(const nb::dict& values, bool inactive, bool check_full) {
    std::unordered_map<std::string, Tensor> map;
    int64_t index = 0;
    for (auto [key, value] : values) map.emplace(nb::cast<std::string>(key), tensor_from(value, index++));
    nb::gil_scoped_release released;
    loader_->load_constants(map, inactive, check_full);
  }

  void fold(bool inactive) {
    nb::gil_scoped_release released;
    loader_->get_runner()->run_const_fold(inactive);
  }
  void swap() {
    nb::gil_scoped_release released;
    loader_->get_runner()->swap_constant_buffer();
  }
  std::vector<std::string> call_spec() { return loader_->get_call_spec(); }
  std::string device() { return loader_->get_runner()->device_str(); }

 private:
  std::unique_ptr<AOTIModelPackageLoader> loader_;
};

}  // namespace
}  // namespace pt2run::python

NB_MODULE(_core, m) {
  using namespace pt2run;
  using namespace pt2run::python;
  m.doc() = "pt2run's C++ API; use the pt2run package";
  m.attr("__version__") = PT2RUN_VERSION_STRING;

  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const Error& e) {
      nb::dict& classes = error_classes();
      const std::string_view name = error_code_name(e.code());
      nb::str code(name.data(), name.size());
      PyObject* type = classes.contains(code) ? classes[code].ptr() : PyExc_RuntimeError;
      PyErr_SetString(type, e.message().c_str());
    }
  });
  m.def("_set_error_classes", [](nb::dict classes) { error_classes() = std::move(classes); });
  m.def("_error_codes", [] {
    std::vector<std::string> names;
    for (ErrorCode c : {ErrorCode::InvalidArgument, ErrorCode::ShapeMismatch, ErrorCode::DTypeMismatch,
                        ErrorCode::DeviceMismatch, ErrorCode::NotFound, ErrorCode::InvalidState, ErrorCode::OutOfMemory,
                        ErrorCode::Io, ErrorCode::Timeout, ErrorCode::InvalidPackage, ErrorCode::UnsupportedPackage,
                        ErrorCode::MissingSymbol, ErrorCode::ModelFailure, ErrorCode::NotImplemented,
                        ErrorCode::Internal})
      names.emplace_back(error_code_name(c));
    return names;
  });

  nb::class_<PyTensor>(m, "Tensor", "A pt2run tensor; numpy.from_dlpack, torch.from_dlpack and CuPy take it")
      .def("__dlpack__", &PyTensor::dlpack)
      .def("__dlpack_device__", &PyTensor::dlpack_device)
      .def("numpy", &PyTensor::numpy)
      .def_prop_ro("shape", [](const PyTensor& t) {
        return std::vector<int64_t>(t.tensor.sizes().begin(), t.tensor.sizes().end());
      })
      .def_prop_ro("dtype", [](const PyTensor& t) { return std::string(dtype_name(t.tensor.dtype())); })
      .def_prop_ro("device", [](const PyTensor& t) { return t.tensor.device().str(); })
      .def("cpu", [](const PyTensor& t) {
        nb::gil_scoped_release released;
        return PyTensor{t.tensor.to(Device::cpu())};
      });

  nb::class_<Model>(m, "Model")
      .def(nb::init<const std::string&, const LoaderOptions&>())
      .def("run", &Model::run)
      .def("constants", &Model::constants)
      .def("update_constants", &Model::update_constants)
      .def("fold", &Model::fold)
      .def("swap", &Model::swap)
      .def("call_spec", &Model::call_spec)
      .def("device", &Model::device);

  nb::class_<LoaderOptions>(m, "LoaderOptions")
      .def(nb::init<>())
      .def_rw("model_name", &LoaderOptions::model_name)
      .def_rw("num_runners", &LoaderOptions::num_runners)
      .def_rw("device_index", &LoaderOptions::device_index)
      .def_rw("expect_sha256", &LoaderOptions::expect_sha256);

  m.def("inspect_json", [](const std::string& path, const std::string& model) {
    ModelInfo info;
    {
      nb::gil_scoped_release released;
      info = inspect_model(path, model);
    }
    return model_info_json(info, -1);
  });
  m.def("read_tensors", [](const std::string& path) {
    NamedTensors tensors;
    {
      nb::gil_scoped_release released;
      tensors = read_tensors(path);
    }
    std::vector<std::pair<std::string, PyTensor>> result;
    for (auto& [name, t] : tensors) result.emplace_back(name, PyTensor{std::move(t)});
    return result;
  });
  m.def("set_num_threads", &set_num_threads);
  m.def("get_num_threads", &get_num_threads);
  m.def("manual_seed", &manual_seed);
}
