"""Calls libpt2run's aoti_torch_* functions from Python through ctypes, with torch tensors as
arguments and results, so that a fallback can be checked against torch's eager op directly.

The library is loaded with RTLD_DEEPBIND: torch's own libraries export the same aoti_torch_*
names, and pt2run's calls into itself must not land in libtorch.
"""
import ctypes
import os

import torch

_DTYPES = [torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64, torch.float16, torch.float32,
           torch.float64, None, torch.complex64, torch.complex128, torch.bool, None, None, None, torch.bfloat16]
DTYPE_CODE = {d: i for i, d in enumerate(_DTYPES) if d is not None}
# c10's codes of the float8 types.
DTYPE_CODE.update({torch.float8_e5m2: 23, torch.float8_e4m3fn: 24, torch.float8_e5m2fnuz: 25, torch.float8_e4m3fnuz: 26})
CODE_DTYPE = {i: d for d, i in DTYPE_CODE.items()}

Handle = ctypes.c_void_p


class Ret:
    """An output slot: the call passes a pointer to a handle and the result comes back as a tensor."""


RET = Ret()


class Keep(Ret):
    """An output slot whose pt2run tensor is handed back as its handle, not copied into torch:
    for results only pt2run reads (a packed weight) that a torch copy would not carry whole.
    Deleted at release()."""


KEEP = Keep()


def i64(v):
    return ctypes.c_int64(v)


def i32(v):
    return ctypes.c_int32(int(v))


def f64(v):
    return ctypes.c_double(v)


def ints(values):
    """An int64 array argument: expands to (pointer, length)."""
    return _Ints(values)


class _Ints:
    def __init__(self, values):
        self.values = list(values)


def opt(value):
    """A pointer to a value (the shim's optional scalar), or a null pointer for None."""
    if value is None:
        return None
    return ctypes.pointer(value)


class ShimError(RuntimeError):
    pass


class Shim:
    def __init__(self, path):
        # A sanitized libpt2run runs under the sanitizer runtime preloaded, which refuses
        # RTLD_DEEPBIND; torch's own libraries are loaded locally, so the plain local load is
        # safe there too.
        deep = 0 if os.environ.get("PT2RUN_SHIM_EAGER_PLAIN_DLOPEN") else os.RTLD_DEEPBIND
        self.lib = ctypes.CDLL(path, mode=deep | ctypes.RTLD_LOCAL)
        self._keep = []
        self._handles = []

    def handle(self, t):
        """A pt2run tensor viewing a CPU torch tensor's memory (kept alive by this object)."""
        self._keep.append(t)
        h = Handle()
        sizes = (ctypes.c_int64 * max(t.dim(), 1))(*t.shape)
        strides = (ctypes.c_int64 * max(t.dim(), 1))(*t.stride())
        rc = self.lib.aoti_torch_create_tensor_from_blob(
            ctypes.c_void_p(t.data_ptr()), i64(t.dim()), sizes, strides, i64(0), i32(DTYPE_CODE[t.dtype]),
            i32(0), i32(0), ctypes.byref(h))
        if rc != 0:
            raise ShimError("create_tensor_from_blob failed")
        self._handles.append(h)
        return h

    def mkldnn_handle(self, packed):
        """A pt2run tensor over a torch oneDNN-prepacked weight (layout torch._mkldnn), made as a
        package's prepacked constant is: its bytes, its sizes and torch's serialized descriptor."""
        self._keep.append(packed)
        md = bytes(torch.ops.mkldnn._get_mkldnn_serialized_md(packed).tolist())
        return self.blob_handle(torch.ops.mkldnn.data_ptr(packed), packed.shape, packed.dtype, md)

    def blob_handle(self, address, shape, dtype, metadata, layout=3):
        """aoti_torch_create_tensor_from_blob_v2 with a layout and its opaque metadata; raises
        ShimError (with pt2run's message) when pt2run refuses them."""
        h = Handle()
        sizes = (ctypes.c_int64 * max(len(shape), 1))(*shape)
        strides = (ctypes.c_int64 * max(len(shape), 1))(*([1] + [0] * (len(shape) - 1)))
        meta = (ctypes.c_uint8 * max(len(metadata), 1))(*metadata)
        self._keep.append(meta)
        rc = self.lib.aoti_torch_create_tensor_from_blob_v2(
            ctypes.c_void_p(address), i64(len(shape)), sizes, strides, i64(0), i32(DTYPE_CODE[dtype]), i32(0), i32(0),
            ctypes.byref(h), i32(layout), meta, i64(len(metadata)))
        if rc != 0:
            raise ShimError(f"create_tensor_from_blob_v2 returned {rc}: {self.last_error()}")
        self._handles.append(h)
        return h

    def opt_handle(self, t):
        """An optional tensor argument (AtenTensorHandle*): null for None."""
        if t is None:
            return None
        h = self.handle(t)
        self._keep.append(h)
        return ctypes.pointer(h)

    def handle_list(self, tensors):
        """An index list as generated code passes it (const AtenTensorHandle**): a pointer per
        entry, null for None."""
        arr = (ctypes.POINTER(Handle) * max(len(tensors), 1))()
        for k, t in enumerate(tensors):
            if t is not None:
                h = self.handle(t)
                self._keep.append(h)
                arr[k] = ctypes.pointer(h)
        self._keep.append(arr)
        return arr

    def to_torch(self, h):
        """A copy of a pt2run tensor as a torch tensor with the same sizes and strides."""
        lib = self.lib
        dim, dtype, ptr = ctypes.c_int64(), ctypes.c_int32(), ctypes.c_void_p()
        sizes, strides = ctypes.POINTER(ctypes.c_int64)(), ctypes.POINTER(ctypes.c_int64)()
        for rc in (lib.aoti_torch_get_dim(h, ctypes.byref(dim)), lib.aoti_torch_get_dtype(h, ctypes.byref(dtype)),
                   lib.aoti_torch_get_data_ptr(h, ctypes.byref(ptr)),
                   lib.aoti_torch_get_sizes(h, ctypes.byref(sizes)),
                   lib.aoti_torch_get_strides(h, ctypes.byref(strides))):
            if rc != 0:
                raise ShimError("reading a result tensor failed")
        shape = [sizes[i] for i in range(dim.value)]
        stride = [strides[i] for i in range(dim.value)]
        dt = CODE_DTYPE[dtype.value]
        numel = 1
        for s in shape:
            numel *= s
        if numel == 0:
            return torch.empty_strided(shape, stride, dtype=dt)
        span = 1 + sum((s - 1) * st for s, st in zip(shape, stride))
        nbytes = span * torch.empty((), dtype=dt).element_size()
        raw = (ctypes.c_char * nbytes).from_address(ptr.value)
        flat = torch.frombuffer(bytearray(raw), dtype=dt)
        out = torch.empty_strided(shape, stride, dtype=dt)
        out.copy_(flat.as_strided(shape, stride))
        return out

    def call(self, name, *args):
        """Calls a shim function. RET marks output handles; returns the outputs as torch tensors
        (one tensor, a tuple, or None). Raises ShimError when the function returns an error."""
        cargs, rets = [], []
        for a in args:
            if isinstance(a, Ret):
                h = Handle()
                rets.append((h, isinstance(a, Keep)))
                cargs.append(ctypes.byref(h))
            elif isinstance(a, _Ints):
                arr = (ctypes.c_int64 * max(len(a.values), 1))(*a.values)
                self._keep.append(arr)
                cargs += [arr, i64(len(a.values))]
            elif isinstance(a, torch.Tensor):
                cargs.append(self.mkldnn_handle(a) if a.layout == torch._mkldnn else self.handle(a))
            else:
                cargs.append(a)
        fn = getattr(self.lib, name)
        fn.restype = ctypes.c_int32
        rc = fn(*cargs)
        if rc != 0:
            raise ShimError(f"{name} returned {rc}: {self.last_error()}")
        outs = []
        for h, keep in rets:
            if keep:
                self._handles.append(h)
                outs.append(h)
                continue
            outs.append(self.to_torch(h))
            self.lib.aoti_torch_delete_tensor_object(h)
        if not outs:
            return None
        return outs[0] if len(outs) == 1 else tuple(outs)

    def last_error(self):
        """The thread's last shim error message (pt2run::shim::last_error(), a std::string whose
        first two words under libstdc++ are its data pointer and length)."""
        try:
            fn = getattr(self.lib, "_ZN6pt2run4shim10last_errorB5cxx11Ev")
        except AttributeError:
            return "(no message)"
        fn.restype = ctypes.POINTER(ctypes.c_size_t * 2)
        data, size = fn().contents
        return ctypes.string_at(data, size).decode("utf-8", "replace")

    def release(self):
        for h in self._handles:
            self.lib.aoti_torch_delete_tensor_object(h)
        self._handles.clear()
        self._keep.clear()
