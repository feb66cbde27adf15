"""Scatter, order statistics, histograms and composite ops."""
import ctypes

import torch

from checks import aten, case, refused, same
from shim_eager import RET, f64, i32, i64, ints, opt


# --- scatter --------------------------------------------------------------------------------

@case("aoti_torch_cpu_scatter_src_out", "aoti_torch_cpu_scatter_value_out")
def scatter(s):
    x = torch.randn(4, 5)
    idx = torch.tensor([[0, 1, 2, 3, 0], [3, 2, 1, 0, 1]])
    src = torch.randn(2, 5)
    for dim in (0, 1, -1):
        i = idx if dim == 0 else idx.clamp(max=4)
        out = torch.empty(4, 5)
        s.call("aoti_torch_cpu_scatter_src_out", out, x, i64(dim), i, src)
        same(out, torch.scatter(x, dim, i, src))
        out = torch.empty(4, 5)
        s.call("aoti_torch_cpu_scatter_value_out", out, x, i64(dim), i, f64(-2.5))
        same(out, torch.scatter(x, dim, i, -2.5))
    big = torch.tensor([2**62 + 1, 5, 7])
    out = torch.empty(3, dtype=torch.int64)
    s.call("aoti_torch_cpu_scatter_src_out", out, torch.zeros(3, dtype=torch.int64), i64(0), torch.tensor([2, 0]), big[:2])
    same(out, torch.zeros(3, dtype=torch.int64).scatter(0, torch.tensor([2, 0]), big[:2]))
    refused(s, "aoti_torch_cpu_scatter_src_out", torch.empty(4, 5), x, i64(0), idx + 4, src)
    refused(s, "aoti_torch_cpu_scatter_src_out", torch.empty(4, 5), x, i64(0), idx, src.double())


@case("aoti_torch_cpu_masked_scatter", "aoti_torch_cpu_index_reduce")
def masked_scatter_index_reduce(s):
    x = torch.randn(3, 4).t()
    mask = torch.rand(4, 3) > 0.5
    src = torch.randn(12)
    same(s.call("aoti_torch_cpu_masked_scatter", x, mask, src, RET), x.masked_scatter(mask, src))
    same(s.call("aoti_torch_cpu_masked_scatter", x, mask[0], src, RET), x.masked_scatter(mask[0], src))
    refused(s, "aoti_torch_cpu_masked_scatter", x, torch.ones(4, 3, dtype=torch.bool), src[:5], RET)
    base = torch.randn(5, 3)
    base[2, 1] = float("nan")
    index = torch.tensor([0, 4, 2, 0, 2, 2])
    source = torch.randn(6, 3)
    for reduce in ("prod", "mean", "amax", "amin"):
        for include_self in (0, 1):
            same(s.call("aoti_torch_cpu_index_reduce", base, i64(0), index, source, reduce.encode(), i32(include_self), RET),
                 base.index_reduce(0, index, source, reduce, include_self=bool(include_self)))
    ib = torch.randint(-9, 9, (3, 5), dtype=torch.int32)
    isrc = torch.randint(-9, 9, (3, 4), dtype=torch.int32)
    same(s.call("aoti_torch_cpu_index_reduce", ib, i64(1), torch.tensor([4, 0, 4, 1]), isrc, b"mean", i32(1), RET),
         ib.index_reduce(1, torch.tensor([4, 0, 4, 1]), isrc, "mean"))
    refused(s, "aoti_torch_cpu_index_reduce", base, i64(0), index, source, b"sum", i32(1), RET)
    refused(s, "aoti_torch_cpu_index_reduce", base, i64(0), index + 5, source, b"amax", i32(1), RET)


# --- statistics ----------------------------------------------------------------------------

@case("aoti_torch_cpu_median", "aoti_torch_cpu_nanmedian", "aoti_torch_cpu_mode")
def order_statistics(s):
    x = torch.randn(4, 5).t()
    same(s.call("aoti_torch_cpu_median", x, RET), torch.median(x))
    same(s.call("aoti_torch_cpu_median", torch.tensor([3, 1, 4, 1]), RET), torch.median(torch.tensor([3, 1, 4, 1])))
    n = torch.tensor([1.0, float("nan"), 3.0, 2.0])
    same(s.call("aoti_torch_cpu_median", n, RET), torch.median(n))
    same(s.call("aoti_torch_cpu_nanmedian", n, RET), torch.nanmedian(n))
    same(s.call("aoti_torch_cpu_nanmedian", torch.full((3,), float("nan")), RET), torch.nanmedian(torch.full((3,), float("nan"))))
    same(s.call("aoti_torch_cpu_median", torch.empty(0), RET), torch.median(torch.empty(0)))
    m = torch.tensor([[1, 2, 2, 1, 3], [5, 5, 4, 4, 4]])
    for dim, keep in ((1, 0), (0, 1), (-1, 1)):
        same(s.call("aoti_torch_cpu_mode", m, i64(dim), i32(keep), RET, RET), torch.mode(m, dim, bool(keep)))
    f = torch.tensor([[0.5, float("nan"), 0.5, float("nan")], [2.0, 1.0, 1.0, 2.0]])
    same(s.call("aoti_torch_cpu_mode", f, i64(1), i32(0), RET, RET), torch.mode(f, 1))
    refused(s, "aoti_torch_cpu_mode", torch.empty(2, 0), i64(1), i32(0), RET, RET)


@case("aoti_torch_cpu_histogram_bin_ct", "aoti_torch_cpu__histogramdd_from_bin_cts")
def histograms(s):
    def rng(values):
        if values is None:
            return None, i64(0)
        arr = (ctypes.c_double * len(values))(*values)
        s._keep.append(arr)
        return ctypes.pointer(ctypes.cast(arr, ctypes.POINTER(ctypes.c_double))), i64(len(values))
    x = torch.randn(50)
    x[3] = float("nan")
    w = torch.rand(50)
    for bins, r, weight, density in ((5, None, None, 0), (7, [-1.3, 2.7], w, 0), (4, [-2.0, 2.0], None, 1),
                                     (3, None, w, 1)):
        rp, rl = rng(r)
        want = aten.histogram.bin_ct(x if r else x.nan_to_num(), bins, range=r, weight=weight, density=bool(density))
        same(s.call("aoti_torch_cpu_histogram_bin_ct", x if r else x.nan_to_num(), i64(bins), rp, rl,
                    s.opt_handle(weight), i32(density), RET, RET), want)
    one = torch.tensor([1.0, 1.0])
    same(s.call("aoti_torch_cpu_histogram_bin_ct", one, i64(3), None, i64(0), None, i32(0), RET, RET),
         aten.histogram.bin_ct(one, 3))
    same(s.call("aoti_torch_cpu_histogram_bin_ct", torch.empty(0), i64(3), None, i64(0), None, i32(0), RET, RET),
         aten.histogram.bin_ct(torch.empty(0), 3))
    d = torch.randn(40, 2, dtype=torch.float64)
    for bins, r, density in (([3, 4], None, 0), ([2, 5], [-1.0, 1.0, -0.5, 2.0], 1)):
        rp, rl = rng(r)
        same(s.call("aoti_torch_cpu__histogramdd_from_bin_cts", d, ints(bins), rp, rl, None, i32(density), RET),
             aten._histogramdd_from_bin_cts(d, bins, range=r, weight=None, density=bool(density)))
    rp, rl = rng([1.0, 0.0])
    refused(s, "aoti_torch_cpu_histogram_bin_ct", x, i64(3), rp, rl, None, i32(0), RET, RET)
    refused(s, "aoti_torch_cpu_histogram_bin_ct", torch.tensor([1, 2]), i64(3), None, i64(0), None, i32(0), RET, RET)


# --- composites ----------------------------------------------------------------------------

@case("aoti_torch_cpu__pdist_forward", "aoti_torch_cpu__trilinear", "aoti_torch_cpu__fused_rms_norm",
      "aoti_torch_cpu__embedding_bag_forward_only")
def composites(s):
    x = torch.randn(6, 4)
    for p in (0.0, 1.0, 2.0, 3.5, float("inf")):
        same(s.call("aoti_torch_cpu__pdist_forward", x, f64(p), RET), aten._pdist_forward(x, p))
    refused(s, "aoti_torch_cpu__pdist_forward", torch.randn(2, 3, 4), f64(2.0), RET)
    # nn.Bilinear's call: x1 [B, in1], weight [out, in1, in2], x2 [B, in2].
    a, w, b = torch.randn(3, 4), torch.randn(5, 4, 6), torch.randn(3, 6)
    args = ([1, 3], [0], [1, 2], [2, 3])
    same(s.call("aoti_torch_cpu__trilinear", a, w, b, ints(args[0]), ints(args[1]), ints(args[2]), ints(args[3]), i64(1),
                RET), aten._trilinear(a, w, b, *args))
    refused(s, "aoti_torch_cpu__trilinear", a, w.double(), b, ints(args[0]), ints(args[1]), ints(args[2]),
            ints(args[3]), i64(1), RET)
    for dt in (torch.float32, torch.bfloat16, torch.float64):
        t = torch.randn(3, 2, 8, dtype=dt).transpose(0, 1)
        wt = torch.randn(8, dtype=dt)
        for weight, eps in ((None, None), (wt, 1e-5)):
            same(s.call("aoti_torch_cpu__fused_rms_norm", t, ints([8]), s.opt_handle(weight),
                        opt(ctypes.c_double(eps)) if eps else None, RET, RET), aten._fused_rms_norm(t, [8], weight, eps))
    t = torch.randn(2, 3, 4)
    same(s.call("aoti_torch_cpu__fused_rms_norm", t, ints([3, 4]), None, None, RET, RET), aten._fused_rms_norm(t, [3, 4], None, None))
    refused(s, "aoti_torch_cpu__fused_rms_norm", t, ints([5]), None, None, RET, RET)
    weight = torch.randn(10, 3)
    indices, offsets = torch.tensor([1, 2, 4, 5, 4, 3, 2, 9]), torch.tensor([0, 3, 3, 6])
    for mode in (0, 1, 2):
        same(s.call("aoti_torch_cpu__embedding_bag_forward_only", weight, indices, offsets, i32(0), i64(mode), i32(0),
                    None, i32(0), i64(-1), RET, RET, RET, RET),
             aten._embedding_bag_forward_only(weight, indices, offsets, False, mode))
