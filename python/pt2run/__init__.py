"""pt2run: run PyTorch AOTInductor .pt2 packages from Python, without torch.

    import numpy as np, pt2run
    model = pt2run.load("model.pt2")
    y = model(np.ones((3, 16), np.float32))      # called as the exported forward is

Inputs are numpy arrays or any DLPack producer (torch tensors, CuPy arrays), taken without a
copy. Outputs are numpy arrays in the forward's output structure. Importing pt2run never
imports torch; numpy is its only dependency. docs/python.md has the whole API.
"""
import json
from dataclasses import dataclass, field

import numpy as np

_ndarray = np.ndarray

from . import _core, _pytree
from .errors import Error  # noqa: F401  (pt2run.Error and pt2run.errors.<Code>)

__version__ = _core.__version__
__all__ = ["load", "inspect", "Model", "TensorSpec", "Error", "set_num_threads", "manual_seed"]


@dataclass(frozen=True)
class TensorSpec:
    """One input or output as the package records it. `shape` holds None for a dynamic
    dimension (its range is in `dynamic`: dim index -> (min, max or None)); `dtype` is a
    numpy dtype name ("bfloat16" has no numpy dtype and stays a string), None when the package
    does not record it. `aliases`: every name the input can be passed by."""

    name: str
    dtype: "str | None"
    shape: "tuple | None"
    graph_name: str = ""
    parameter_name: str = ""
    aliases: tuple = ()
    dynamic: dict = field(default_factory=dict)


def _spec(entry):
    shape, dynamic = None, {}
    if entry.get("shape") is not None:
        dims = []
        for i, d in enumerate(entry["shape"]):
            if isinstance(d, dict):
                dims.append(None)
                dynamic[i] = (d["min"], d["max"])
            else:
                dims.append(d)
        shape = tuple(dims)
    return TensorSpec(entry["name"], entry["dtype"], shape, entry.get("graph_name", ""),
                      entry.get("parameter_name", ""), tuple(entry.get("aliases", ())), dynamic)


def inspect(path, model_name="model"):
    """What `pt2run inspect --json` shows: inputs, outputs, constants, the functions the model
    needs, and whether it runs here (`runs_here`, `reasons`). Loads no model code."""
    return json.loads(_core.inspect_json(str(path), model_name))


def set_num_threads(n):
    """Threads each run uses (for every model in this process); 0 or less: the default."""
    _core.set_num_threads(int(n))


def manual_seed(seed):
    """Seed the random ops as torch.manual_seed does."""
    _core.manual_seed(int(seed))


def _as_input(value, spec, index):
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "V" or value.dtype.name in _NO_NUMPY_DTYPE:
            value = value.view(np.uint16 if value.dtype.itemsize == 2 else np.uint8)  # ml_dtypes' bits
        if not value.flags.writeable:
            value = np.array(value)  # DLPack 0.x cannot mark a read-only array
        return value
    if hasattr(value, "__dlpack__"):
        return value
    if isinstance(value, (bool, int, float, list, tuple, np.generic)):
        dtype = spec.dtype if spec is not None and spec.dtype in np.sctypeDict else None
        return np.asarray(value, dtype=dtype)
    raise TypeError(f"input {index} is a {type(value).__name__}: pass a numpy array or a DLPack tensor")


class Model:
    """A loaded package (pt2run.load). Calls are thread-safe; `num_runners` of them run at once.
    """

    def __init__(self, path, model_name="model", num_runners=1, device=None, expect_sha256=None):
        options = _core.LoaderOptions()
        options.model_name = model_name
        options.num_runners = int(num_runners)
        if device is not None:
            kind, _, index = str(device).partition(":")
            if kind not in ("cpu", "cuda") or (index and not index.isdigit()):
                raise errors.InvalidArgument(f"device {device!r}: use 'cpu', 'cuda' or 'cuda:N'")
            options.device_index = int(index) if index else -1
        if expect_sha256:
            options.expect_sha256 = expect_sha256
        path = str(path)
        info = inspect(path, model_name)
        self._core = _core.Model(path, options)
        if device is not None and kind != self._core.device().partition(":")[0]:
            raise errors.UnsupportedPackage(
                f"the package runs on '{self._core.device()}', not '{device}': AOTInductor compiles a "
                "model for one device; export it again for that device")
        self.path = path
        self.device = self._core.device()
        self.inputs = [_spec(e) for e in info["inputs"]]
        self.outputs = [_spec(e) for e in info["outputs"]]
        in_spec, out_spec = self._core.call_spec()
        self._in_spec = _pytree.parse(in_spec)
        self._out_spec = _pytree.parse(out_spec)
        # bfloat16 and float8 inputs may come as their bits (uint16/uint8, or ml_dtypes arrays).
        self._raw = [s.dtype if s.dtype in _NO_NUMPY_DTYPE else "" for s in self.inputs]
        # Precomputed shapes of the call: a forward of plain tensor arguments, a single output.
        spec = self._in_spec
        plain = (spec is not None and spec.type == "builtins.tuple" and len(spec.children) == 2
                 and spec.children[0].type == "builtins.tuple"
                 and all(c.type is _pytree.LEAF for c in spec.children[0].children)
                 and not spec.children[1].children)
        self._positional_leaves = len(spec.children[0].children) if plain else None
        self._out_leaf = self._out_spec is not None and self._out_spec.type is _pytree.LEAF

    # -- running -----------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        """Run as the exported forward: positional and keyword arguments, nested as exported;
        returns the forward's output structure of numpy arrays."""
        if self._positional_leaves is not None and not kwargs and len(args) == self._positional_leaves:
            flat = args  # the common case: a forward of plain tensor arguments
        elif self._in_spec is None:
            raise errors.NotImplemented("the package records no call spec: use Model.run(flat_inputs)")
        else:
            flat = []
            if self._in_spec.type == "builtins.tuple" and len(self._in_spec.children) == 2:
                _pytree.flatten(tuple(args), self._in_spec.children[0], "args", flat)
                _pytree.flatten(dict(kwargs), self._in_spec.children[1], "kwargs", flat)
            else:
                _pytree.flatten((tuple(args), dict(kwargs)), self._in_spec, "", flat)
        outputs = self.run(flat)
        if self._out_leaf:
            return outputs[0]
        return _pytree.unflatten(outputs, self._out_spec) if self._out_spec is not None else outputs

    def run(self, inputs, as_dlpack=False):
        """Run on the flat inputs (pytree order, as `inputs` lists them); returns the flat
        outputs as numpy arrays, or with as_dlpack=True as pt2run tensors that
        torch.from_dlpack / cupy.from_dlpack / numpy.from_dlpack take without a copy (device
        outputs stay on the device)."""
        if len(inputs) != len(self.inputs):
            raise errors.InvalidArgument(f"the model takes {len(self.inputs)} input(s) "
                                         f"({', '.join(s.name for s in self.inputs)}), got {len(inputs)}")
        prepared = [v if type(v) is _ndarray and v.flags.writeable and v.dtype.kind != "V"
                    else _as_input(v, self.inputs[i], i) for i, v in enumerate(inputs)]
        return self._core.run(prepared, self._raw, not as_dlpack)

    # -- weights -----------------------------------------------------------------------------
    def constants(self, inactive=False):
        """FQN -> numpy array of the active weights (or the inactive buffer's)."""
        return {fqn: _to_numpy(t) for fqn, t in self._core.constants(bool(inactive)).items()}

    def update_constants(self, values, inactive=True, check_full=True):
        """New weights by FQN, from a dict of arrays (numpy or DLPack) or a .safetensors file.
        inactive=True writes the inactive buffer, to be folded and swapped in while runs go on."""
        if isinstance(values, (str, bytes)) or hasattr(values, "__fspath__"):
            values = _read_safetensors(values)
        self._core.update_constants({k: _as_input(v, None, k) for k, v in values.items()},
                                    bool(inactive), bool(check_full))

    def fold(self, inactive=True):
        """Run constant folding on a buffer (packages exported with runtime constant folding)."""
        self._core.fold(bool(inactive))

    def swap(self):
        """Make the inactive buffer the active one; runs after this see the new weights."""
        self._core.swap()

    def __repr__(self):
        names = ", ".join(s.name for s in self.inputs)
        return f"pt2run.Model({self.path!r}, device={self.device!r}, inputs=[{names}])"


def load(path, model_name="model", num_runners=1, device=None, threads=None, expect_sha256=None):
    """Load a .pt2 package: pt2run's answer to torch._inductor.aoti_load_package.
    num_runners: calls that can run at once; device: "cpu", "cuda" or "cuda:N" (must match the
    package); threads: threads per run for every model in the process (pt2run.set_num_threads);
    expect_sha256: refuse any other file. Raises a pt2run.Error subclass naming what is wrong."""
    if threads is not None:
        set_num_threads(threads)
    return Model(path, model_name, num_runners, device, expect_sha256)


_NO_NUMPY_DTYPE = ("bfloat16", "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz")


def _to_numpy(tensor):
    """A numpy array viewing the tensor (host tensors are not copied). numpy has no bfloat16 or
    float8: those come as their bits, uint16 or uint8 (x.view(ml_dtypes.bfloat16) reads them)."""
    if tensor.device != "cpu":
        tensor = tensor.cpu()
    return tensor.numpy()


def _read_safetensors(path):
    return dict(_core.read_tensors(str(path)))


from . import errors  # noqa: E402  (after _core: it registers the exception classes)
