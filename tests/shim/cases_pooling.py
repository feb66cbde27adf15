"""Pooling and sampling: max / avg / adaptive / fractional pooling, unpooling, 3-d grid sampling."""
import ctypes

import torch

from checks import aten, case, channels_last, refused, same
from shim_eager import RET, i32, i64, ints, opt


# --- pooling --------------------------------------------------------------------------------

def pool_inputs():
    x = torch.randn(2, 3, 7, 9)
    x[0, 1, 2, 3] = float("nan")
    return [x, channels_last(x), torch.randn(3, 8, 6), x.to(torch.float64)]


@case("aoti_torch_cpu_max_pool2d_with_indices", "aoti_torch_cpu_max_pool3d_with_indices")
def max_pool(s):
    for x in pool_inputs():
        for k, st, p, d, ceil in (([3, 3], [2, 2], [1, 1], [1, 1], 0), ([2, 3], [], [0, 1], [2, 1], 1), ([3], [1], [0], [1], 0)):
            want = aten.max_pool2d_with_indices(x, k, st, p, d, bool(ceil))
            same(s.call("aoti_torch_cpu_max_pool2d_with_indices", x, ints(k), ints(st), ints(p), ints(d), i32(ceil),
                        RET, RET), want)
    v = torch.randn(2, 2, 5, 6, 7)
    for x in (v, channels_last(v)):
        want = aten.max_pool3d_with_indices(x, [2, 3, 2], [2, 2, 1], [1, 1, 0], [1, 1, 2], True)
        same(s.call("aoti_torch_cpu_max_pool3d_with_indices", x, ints([2, 3, 2]), ints([2, 2, 1]), ints([1, 1, 0]),
                    ints([1, 1, 2]), i32(1), RET, RET), want)
    refused(s, "aoti_torch_cpu_max_pool2d_with_indices", pool_inputs()[0], ints([2, 2]), ints([2, 2]), ints([2, 2]),
            ints([1, 1]), i32(0), RET, RET)


@case("aoti_torch_cpu_avg_pool2d", "aoti_torch_cpu_avg_pool3d")
def avg_pool(s):
    for x in pool_inputs():
        for k, st, p, ceil, cip, div in (([3, 3], [2, 2], [1, 1], 0, 1, None), ([2, 3], [], [1, 1], 1, 0, None),
                                         ([3, 2], [2, 1], [0, 1], 1, 1, 5)):
            want = aten.avg_pool2d(x, k, st, p, bool(ceil), bool(cip), div)
            same(s.call("aoti_torch_cpu_avg_pool2d", x, ints(k), ints(st), ints(p), i32(ceil), i32(cip),
                        opt(ctypes.c_int64(div)) if div else None, RET), want)
    v = torch.randn(2, 2, 5, 6, 7)
    for x in (v, channels_last(v)):
        want = aten.avg_pool3d(x, [2, 3, 2], [2, 2, 1], [1, 1, 0], True, False, None)
        same(s.call("aoti_torch_cpu_avg_pool3d", x, ints([2, 3, 2]), ints([2, 2, 1]), ints([1, 1, 0]), i32(1), i32(0),
                    None, RET), want)
    refused(s, "aoti_torch_cpu_avg_pool2d", torch.arange(16).view(1, 1, 4, 4), ints([2]), ints([]), ints([0]), i32(0),
            i32(1), None, RET)


@case("aoti_torch_cpu__adaptive_avg_pool2d", "aoti_torch_cpu__adaptive_avg_pool3d",
      "aoti_torch_cpu_adaptive_max_pool2d", "aoti_torch_cpu_adaptive_max_pool3d")
def adaptive_pool(s):
    for x in pool_inputs():
        for out in ([3, 4], [1, 1], [7, 9], [5, 2]):
            same(s.call("aoti_torch_cpu__adaptive_avg_pool2d", x, ints(out), RET), aten._adaptive_avg_pool2d(x, out))
            same(s.call("aoti_torch_cpu_adaptive_max_pool2d", x, ints(out), RET, RET), aten.adaptive_max_pool2d(x, out))
    v = torch.randn(2, 2, 5, 6, 7)
    for x in (v, channels_last(v)):
        same(s.call("aoti_torch_cpu__adaptive_avg_pool3d", x, ints([2, 4, 3]), RET), aten._adaptive_avg_pool3d(x, [2, 4, 3]))
        same(s.call("aoti_torch_cpu_adaptive_max_pool3d", x, ints([3, 4, 5]), RET, RET),
             aten.adaptive_max_pool3d(x, [3, 4, 5]))
    refused(s, "aoti_torch_cpu__adaptive_avg_pool2d", v, ints([2, 2]), RET)


@case("aoti_torch_cpu_fractional_max_pool2d", "aoti_torch_cpu_fractional_max_pool3d")
def fractional_pool(s):
    for x in pool_inputs()[:2] + [pool_inputs()[3]]:
        samples = torch.rand(2, 3, 2, dtype=x.dtype)
        want = aten.fractional_max_pool2d(x, [2, 3], [4, 5], samples)
        same(s.call("aoti_torch_cpu_fractional_max_pool2d", x, ints([2, 3]), ints([4, 5]), samples, RET, RET), want)
    v = torch.randn(2, 2, 6, 7, 8)
    samples = torch.rand(2, 2, 3)
    same(s.call("aoti_torch_cpu_fractional_max_pool3d", v, ints([2, 2, 3]), ints([3, 4, 4]), samples, RET, RET),
         aten.fractional_max_pool3d(v, [2, 2, 3], [3, 4, 4], samples))
    refused(s, "aoti_torch_cpu_fractional_max_pool2d", pool_inputs()[0], ints([2, 3]), ints([7, 9]),
            torch.rand(2, 3, 2), RET, RET)


@case("aoti_torch_cpu_max_unpool2d", "aoti_torch_cpu_max_unpool3d")
def max_unpool(s):
    x = torch.randn(2, 3, 8, 6)
    for inp in (x, channels_last(x)):
        vals, idx = aten.max_pool2d_with_indices(inp, [2, 2], [2, 2])
        same(s.call("aoti_torch_cpu_max_unpool2d", vals, idx, ints([8, 6]), RET), aten.max_unpool2d(vals, idx, [8, 6]))
    v = torch.randn(1, 2, 4, 6, 6)
    vals, idx = aten.max_pool3d_with_indices(v, [2, 2, 2], [2, 2, 2])
    same(s.call("aoti_torch_cpu_max_unpool3d", vals, idx, ints([4, 6, 6]), ints([2, 2, 2]), ints([0, 0, 0]), RET),
         aten.max_unpool3d(vals, idx, [4, 6, 6], [2, 2, 2], [0, 0, 0]))
    vals, idx = aten.max_pool2d_with_indices(x, [2, 2], [2, 2])
    refused(s, "aoti_torch_cpu_max_unpool2d", vals, idx, ints([2, 2]), RET)


@case("aoti_torch_cpu_grid_sampler_3d")
def grid_sampler_3d(s):
    x = torch.randn(2, 3, 4, 5, 6)
    grid = torch.rand(2, 3, 4, 2, 3) * 2.4 - 1.2
    grid[0, 0, 0, 0] = torch.tensor([0.5, 0.25, -0.5])  # a point on the sample lattice
    for mode in (0, 1):
        for padding in (0, 1, 2):
            for align in (0, 1):
                same(s.call("aoti_torch_cpu_grid_sampler_3d", x, grid, i64(mode), i64(padding), i32(align), RET),
                     aten.grid_sampler_3d(x, grid, mode, padding, bool(align)))
    refused(s, "aoti_torch_cpu_grid_sampler_3d", x, grid, i64(2), i64(0), i32(0), RET)
    refused(s, "aoti_torch_cpu_grid_sampler_3d", x, grid[..., :2], i64(0), i64(0), i32(0), RET)
