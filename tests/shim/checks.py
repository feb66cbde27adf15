"""What the eager cases share: the registry, the comparison with torch's output, refusals."""
import ctypes
import warnings

import torch

from shim_eager import ShimError

TOLERANCE = {torch.float16: (1e-3, 1e-3), torch.bfloat16: (1e-2, 1e-2), torch.float32: (1e-5, 1e-6),
             torch.float64: (1e-10, 1e-12), torch.complex64: (1e-5, 1e-6), torch.complex128: (1e-10, 1e-12)}

CASES = {}


def case(*functions):
    """Registers a test of the named shim functions."""
    def register(f):
        CASES[f.__name__] = (functions, f)
        return f
    return register


class Mismatch(AssertionError):
    pass


def same(got, want, what="output", layout=True, tolerance=None):
    """tolerance (rtol, atol) replaces the dtype's, for results whose summation order differs
    between torch builds (a float32 dot product of 64 terms)."""
    if isinstance(want, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(want):
            raise Mismatch(f"{what}: want {len(want)} outputs, got {got!r:.200}")
        for k, (g, w) in enumerate(zip(got, want)):
            same(g, w, f"{what}[{k}]", layout, tolerance)
        return
    if got.dtype != want.dtype:
        raise Mismatch(f"{what}: dtype {got.dtype}, torch {want.dtype}")
    if tuple(got.shape) != tuple(want.shape):
        raise Mismatch(f"{what}: shape {tuple(got.shape)}, torch {tuple(want.shape)}")
    if layout and want.numel() > 1:
        gs = [s for s, n in zip(got.stride(), got.shape) if n > 1]
        ws = [s for s, n in zip(want.stride(), want.shape) if n > 1]
        if gs != ws:
            raise Mismatch(f"{what}: strides {got.stride()}, torch {want.stride()} (shape {tuple(want.shape)})")
    if want.dtype in TOLERANCE:
        rtol, atol = tolerance or TOLERANCE[want.dtype]
        if not torch.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True):
            diff = (got.to(torch.complex128) - want.to(torch.complex128)).abs()
            diff = torch.where(torch.isnan(diff), torch.zeros_like(diff), diff)
            raise Mismatch(f"{what}: values differ by up to {diff.max().item():.3g} (rtol {rtol}, atol {atol})")
    elif not torch.equal(got, want):
        raise Mismatch(f"{what}: values differ\n got {got}\n torch {want}")


def refused(s, name, *args):
    try:
        s.call(name, *args)
    except ShimError:
        return
    raise Mismatch(f"{name} accepted a call it must refuse")


def channels_last(t):
    return t.contiguous(memory_format=torch.channels_last if t.dim() == 4 else torch.channels_last_3d)


aten = torch.ops.aten
warnings.filterwarnings("ignore", message="index_reduce\\(\\) is in beta")
warnings.filterwarnings("ignore", message="torch.triangular_solve is deprecated")
torch.manual_seed(0)


def seeded(s, seed):
    """Seeds pt2run's process generator (pt2run::manual_seed) and torch's alike."""
    s.lib._ZN6pt2run11manual_seedEm(ctypes.c_uint64(seed))
    torch.manual_seed(seed)
