#!/usr/bin/env python3
"""DLPack round trip between pt2run and numpy, zero-copy both ways, deleters honoured.

Usage: dlpack_test.py HELPER.so
"""
import ctypes
import gc
import os
import sys
import tempfile

import numpy as np

helper = ctypes.CDLL(sys.argv[1])
helper.pt2run_test_export_npy.restype = ctypes.c_void_p
helper.pt2run_test_export_npy.argtypes = [ctypes.c_char_p]
helper.pt2run_test_import_to_npy.restype = ctypes.c_int
helper.pt2run_test_import_to_npy.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
helper.pt2run_test_data.restype = ctypes.c_void_p
helper.pt2run_test_data.argtypes = [ctypes.c_void_p]

api = ctypes.pythonapi
api.PyCapsule_New.restype = ctypes.py_object
api.PyCapsule_New.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
api.PyCapsule_GetPointer.restype = ctypes.c_void_p
api.PyCapsule_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
api.PyCapsule_SetName.restype = ctypes.c_int
api.PyCapsule_SetName.argtypes = [ctypes.py_object, ctypes.c_char_p]

tmp = tempfile.mkdtemp(prefix="pt2run-dlpack-")
failures = []


class Exported:
    """What numpy.from_dlpack wants: an object with __dlpack__ and __dlpack_device__."""

    def __init__(self, managed):
        self.capsule = api.PyCapsule_New(managed, b"dltensor", None)

    def __dlpack__(self, **kwargs):
        return self.capsule

    def __dlpack_device__(self):
        return (1, 0)  # kDLCPU


# pt2run -> numpy, for several dtypes and a 0-d array.
for dtype, shape in [(np.float32, (3, 4)), (np.float64, (5,)), (np.int64, (2, 3, 2)), (np.int8, (7,)),
                     (np.uint8, (4, 4)), (np.bool_, (6,)), (np.float16, (2, 2)), (np.int32, ())]:
    src = (np.random.default_rng(0).standard_normal(shape) * 10).astype(dtype)
    path = os.path.join(tmp, "src.npy")
    np.save(path, src)
    managed = helper.pt2run_test_export_npy(path.encode())
    if not managed:
        failures.append(f"export {dtype}: failed")
        continue
    data = helper.pt2run_test_data(managed)
    arr = np.from_dlpack(Exported(managed))
    if not (arr.dtype == src.dtype and arr.shape == src.shape and np.array_equal(arr, src)):
        failures.append(f"pt2run -> numpy {dtype}{shape}: got {arr.dtype}{arr.shape}")
    if arr.size and arr.ctypes.data != data:
        failures.append(f"pt2run -> numpy {dtype}: copied (numpy data at {arr.ctypes.data:#x}, pt2run's at {data:#x})")
    del arr
    gc.collect()

# numpy -> pt2run: a strided view (every other column) and a contiguous array.
base = np.arange(24, dtype=np.float32).reshape(4, 6)
for view in [base[:, ::2], base, base.astype(np.int16)]:
    before = sys.getrefcount(view)
    capsule = view.__dlpack__()
    managed = api.PyCapsule_GetPointer(capsule, b"dltensor")
    api.PyCapsule_SetName(capsule, b"used_dltensor")  # pt2run owns it now
    out = os.path.join(tmp, "out.npy")
    if helper.pt2run_test_import_to_npy(managed, out.encode()) != 0:
        failures.append(f"import {view.dtype}: failed")
        continue
    del capsule
    gc.collect()
    got = np.load(out)
    if not np.array_equal(got, view):
        failures.append(f"numpy -> pt2run {view.dtype} strides {view.strides}: values differ")
    # The deleter ran exactly once: numpy's reference to the array was released.
    if sys.getrefcount(view) != before:
        failures.append(f"numpy -> pt2run: the DLPack deleter did not release the array "
                        f"(refcount {before} -> {sys.getrefcount(view)})")

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("dlpack ok")
