"""The fallbacks pt2run had before the long tail: GEMMs, convolution, attention, scans,
sorting and selection, FFT, indexing, views, complex arithmetic, random factories."""
import ctypes

import torch
import torch.testing._internal.common_utils

from checks import aten, case, channels_last, refused, same, seeded
from shim_eager import DTYPE_CODE, RET, f64, i32, i64, ints, opt


def dtype_arg(d):
    return opt(ctypes.c_int32(DTYPE_CODE[d]))


# --- GEMMs ---------------------------------------------------------------------------------

@case("aoti_torch_cpu_mm_out", "aoti_torch_cpu_addmm_out", "aoti_torch_cpu_bmm_out", "aoti_torch_cpu_baddbmm_out",
      "aoti_torch_cpu_addmv", "aoti_torch_cpu_addbmm", "aoti_torch_cpu__addmm_activation")
def gemms(s):
    for dt in (torch.float32, torch.float64, torch.bfloat16):
        a, b = torch.randn(5, 7, dtype=dt), torch.randn(3, 7, dtype=dt).t()
        bias = torch.randn(3, dtype=dt)
        out = torch.empty(5, 3, dtype=dt)
        s.call("aoti_torch_cpu_mm_out", out, a, b)
        same(out, a @ b)
        out = torch.empty(5, 3, dtype=dt)
        s.call("aoti_torch_cpu_addmm_out", out, bias, a.t().contiguous().t(), b, f64(0.5), f64(2.0))
        same(out, torch.addmm(bias, a, b, beta=0.5, alpha=2.0))
        ba, bb = torch.randn(2, 5, 7, dtype=dt), torch.randn(2, 3, 7, dtype=dt).mT
        out = torch.empty(2, 5, 3, dtype=dt)
        s.call("aoti_torch_cpu_bmm_out", out, ba, bb)
        same(out, torch.bmm(ba, bb))
        out = torch.empty(2, 5, 3, dtype=dt)
        s.call("aoti_torch_cpu_baddbmm_out", out, bias, ba, bb, f64(1.0), f64(0.5))
        same(out, torch.baddbmm(bias, ba, bb, alpha=0.5))
        vec = torch.randn(7, dtype=dt)
        v0 = torch.randn(5, dtype=dt)
        same(s.call("aoti_torch_cpu_addmv", v0, a, vec, f64(0.5), f64(2.0), RET), torch.addmv(v0, a, vec, beta=0.5,
                                                                                           alpha=2.0))
        m0 = torch.randn(5, 3, dtype=dt)
        same(s.call("aoti_torch_cpu_addbmm", m0, ba, bb, f64(1.0), f64(1.0), RET), torch.addbmm(m0, ba, bb))
        for gelu in (0, 1):
            same(s.call("aoti_torch_cpu__addmm_activation", bias, a, b, f64(1.0), f64(1.0), i32(gelu), RET),
                 aten._addmm_activation(bias, a, b, use_gelu=bool(gelu)))
    refused(s, "aoti_torch_cpu_mm_out", torch.empty(5, 3), torch.randn(5, 7), torch.randn(6, 3))


@case("aoti_torch_cpu__int_mm_out", "aoti_torch_cpu__weight_int8pack_mm")
def integer_gemms(s):
    a = torch.randint(-128, 127, (32, 64), dtype=torch.int8)
    b = torch.randint(-128, 127, (64, 24), dtype=torch.int8)
    out = torch.empty(32, 24, dtype=torch.int32)
    s.call("aoti_torch_cpu__int_mm_out", out, a, b)
    same(out, torch._int_mm(a, b))
    x = torch.randn(5, 64)
    w = torch.randint(-128, 127, (24, 64), dtype=torch.int8)
    scales = torch.rand(24)
    # torch 2.11's kernel sums in another order than 2.13's: float32 GEMM tolerance.
    same(s.call("aoti_torch_cpu__weight_int8pack_mm", x, w, scales, RET), aten._weight_int8pack_mm(x, w, scales),
         tolerance=(1e-4, 1e-4))
    refused(s, "aoti_torch_cpu__int_mm_out", out, a.float(), b)


# --- convolution and attention ---------------------------------------------------------------

@case("aoti_torch_cpu_convolution")
def convolution(s):
    x = torch.randn(2, 4, 9, 8)
    w = torch.randn(6, 2, 3, 3)
    bias = torch.randn(6)
    for inp in (x, channels_last(x), x[:, :, :, :1], channels_last(x)[:1]):
        for stride, pad, dil, groups in (([1, 1], [1, 1], [1, 1], 2), ([2, 1], [0, 2], [1, 2], 2)):
            for b in (bias, None):
                want = aten.convolution(inp, w, b, stride, pad, dil, False, [0, 0], groups)
                same(s.call("aoti_torch_cpu_convolution", inp, w, s.opt_handle(b), ints(stride), ints(pad), ints(dil),
                            i32(0), ints([0, 0]), i64(groups), RET), want, f"conv {tuple(inp.stride())} {stride}")
    wt = torch.randn(4, 3, 3, 3)
    want = aten.convolution(x, wt, None, [2, 2], [1, 1], [1, 1], True, [1, 0], 1)
    same(s.call("aoti_torch_cpu_convolution", x, wt, None, ints([2, 2]), ints([1, 1]), ints([1, 1]), i32(1),
                ints([1, 0]), i64(1), RET), want)
    x1, w1 = torch.randn(2, 3, 10), torch.randn(5, 3, 4)
    same(s.call("aoti_torch_cpu_convolution", x1, w1, None, ints([1]), ints([2]), ints([1]), i32(0), ints([0]), i64(1),
                RET), aten.convolution(x1, w1, None, [1], [2], [1], False, [0], 1))
    x3, w3 = torch.randn(1, 2, 5, 6, 4), torch.randn(3, 2, 2, 3, 2)
    for inp in (x3, channels_last(x3)):
        same(s.call("aoti_torch_cpu_convolution", inp, w3, None, ints([1, 1, 1]), ints([0, 1, 0]), ints([1, 1, 1]),
                    i32(0), ints([0, 0, 0]), i64(1), RET),
             aten.convolution(inp, w3, None, [1, 1, 1], [0, 1, 0], [1, 1, 1], False, [0, 0, 0], 1))
    refused(s, "aoti_torch_cpu_convolution", x, torch.randn(6, 3, 3, 3), None, ints([1, 1]), ints([0, 0]),
            ints([1, 1]), i32(0), ints([0, 0]), i64(1), RET)


@case("aoti_torch_cpu__scaled_dot_product_flash_attention_for_cpu")
def attention(s):
    q, k, v = torch.randn(2, 3, 5, 8), torch.randn(2, 3, 7, 8), torch.randn(2, 3, 7, 8)
    mask = torch.randn(5, 7)
    for causal, m, scale in ((0, None, None), (1, None, None), (0, mask, 0.3)):
        want = aten._scaled_dot_product_flash_attention_for_cpu(q, k, v, 0.0, bool(causal), attn_mask=m, scale=scale)
        got = s.call("aoti_torch_cpu__scaled_dot_product_flash_attention_for_cpu", q, k, v, f64(0.0), i32(causal),
                     s.opt_handle(m), opt(ctypes.c_double(scale)) if scale else None, RET, RET)
        same(got, tuple(want), f"sdpa causal={causal}")
    # torch's CPU flash kernel wants one head size for Q, K and V.
    for kk, vv in ((k[..., :4], v), (k, v[..., :4])):
        refused(s, "aoti_torch_cpu__scaled_dot_product_flash_attention_for_cpu", q, kk, vv, f64(0.0), i32(0), None,
                None, RET, RET)


# --- scans, sorting, selection -------------------------------------------------------------

@case("aoti_torch_cpu_cumsum", "aoti_torch_cpu_cumprod", "aoti_torch_cpu_logcumsumexp", "aoti_torch_cpu_cummax",
      "aoti_torch_cpu_cummin")
def scans(s):
    x = torch.randn(4, 6).t()
    x[2, 1] = float("nan")
    for dim in (0, 1, -1):
        same(s.call("aoti_torch_cpu_cumsum", x, i64(dim), None, RET), torch.cumsum(x, dim))
        same(s.call("aoti_torch_cpu_cumprod", x, i64(dim), None, RET), torch.cumprod(x, dim))
        same(s.call("aoti_torch_cpu_logcumsumexp", x, i64(dim), RET), torch.logcumsumexp(x, dim))
        same(s.call("aoti_torch_cpu_cummax", x, i64(dim), RET, RET), tuple(torch.cummax(x, dim)))
        same(s.call("aoti_torch_cpu_cummin", x, i64(dim), RET, RET), tuple(torch.cummin(x, dim)))
    i = torch.randint(-5, 5, (3, 4), dtype=torch.int32)
    same(s.call("aoti_torch_cpu_cumsum", i, i64(1), None, RET), torch.cumsum(i, 1))
    same(s.call("aoti_torch_cpu_cumsum", i, i64(1), dtype_arg(torch.float64), RET), torch.cumsum(i, 1,
                                                                                                 dtype=torch.float64))
    refused(s, "aoti_torch_cpu_cumsum", x, i64(2), None, RET)


@case("aoti_torch_cpu_sort", "aoti_torch_cpu_sort_stable", "aoti_torch_cpu_topk", "aoti_torch_cpu_kthvalue")
def sorting(s):
    x = torch.randint(0, 5, (5, 9)).float().t()
    x[3, 2] = float("nan")
    for dim, desc in ((0, 0), (1, 1), (-1, 0)):
        same(s.call("aoti_torch_cpu_sort_stable", x, opt(ctypes.c_int32(1)), i64(dim), i32(desc), RET, RET),
             tuple(torch.sort(x, dim=dim, descending=bool(desc), stable=True)))
    y = torch.randn(6, 7)
    same(s.call("aoti_torch_cpu_sort", y, i64(1), i32(1), RET, RET), tuple(torch.sort(y, 1, True)))
    for k, dim, largest in ((3, 1, 1), (2, 0, 0)):
        same(s.call("aoti_torch_cpu_topk", y, i64(k), i64(dim), i32(largest), i32(1), RET, RET),
             tuple(torch.topk(y, k, dim, bool(largest))))
        same(s.call("aoti_torch_cpu_kthvalue", y, i64(k), i64(dim), i32(largest), RET, RET),
             tuple(torch.kthvalue(y, k, dim, bool(largest))))
    refused(s, "aoti_torch_cpu_topk", y, i64(9), i64(1), i32(1), i32(1), RET, RET)


@case("aoti_torch_cpu_masked_select", "aoti_torch_cpu_nonzero", "aoti_torch_cpu_repeat_interleave_Tensor",
      "aoti_torch_cpu_histc", "aoti_torch_cpu_searchsorted_Tensor", "aoti_torch_cpu_searchsorted_Scalar")
def selection(s):
    x = torch.randn(4, 5).t()
    mask = x > 0
    same(s.call("aoti_torch_cpu_masked_select", x, mask, RET), torch.masked_select(x, mask))
    same(s.call("aoti_torch_cpu_masked_select", x, mask[0], RET), torch.masked_select(x, mask[0]))
    same(s.call("aoti_torch_cpu_nonzero", x > 0.3, RET), torch.nonzero(x > 0.3))
    reps = torch.tensor([2, 0, 3, 1])
    same(s.call("aoti_torch_cpu_repeat_interleave_Tensor", reps, None, RET), torch.repeat_interleave(reps))
    reps32 = reps.to(torch.int32)  # the result keeps the repeats' dtype
    same(s.call("aoti_torch_cpu_repeat_interleave_Tensor", reps32, opt(i64(6)), RET), torch.repeat_interleave(reps32))
    same(s.call("aoti_torch_cpu_histc", x, i64(6), f64(-1.0), f64(1.0), RET), torch.histc(x, 6, -1.0, 1.0))
    same(s.call("aoti_torch_cpu_histc", x, i64(4), f64(0.0), f64(0.0), RET), torch.histc(x, 4))
    seq = torch.sort(torch.randn(3, 6), dim=1).values
    vals = torch.randn(3, 4)
    for out_int32, right in ((0, 0), (1, 1)):
        same(s.call("aoti_torch_cpu_searchsorted_Tensor", seq, vals, i32(out_int32), i32(right), None, None, RET),
             torch.searchsorted(seq, vals, out_int32=bool(out_int32), right=bool(right)))
    side = ctypes.c_char_p(b"right")
    flat = seq[0]
    same(s.call("aoti_torch_cpu_searchsorted_Scalar", flat, f64(0.1), i32(0), i32(0), ctypes.pointer(side), None, RET),
         torch.searchsorted(flat, 0.1, side="right"))
    unsorted = torch.randn(7)
    sorter = torch.argsort(unsorted)
    same(s.call("aoti_torch_cpu_searchsorted_Tensor", unsorted, vals[0], i32(0), i32(0), None, s.opt_handle(sorter), RET),
         torch.searchsorted(unsorted, vals[0], sorter=sorter))
    refused(s, "aoti_torch_cpu_repeat_interleave_Tensor", torch.tensor([1, -1]), None, RET)


@case("aoti_torch_cpu_scatter_reduce_two_out", "aoti_torch_cpu_segment_reduce", "aoti_torch_cpu__embedding_bag",
      "aoti_torch_cpu__cdist_forward")
def reductions(s):
    x = torch.randn(4, 5)
    idx = torch.tensor([[0, 1, 2, 3, 0], [3, 2, 1, 0, 1]])
    src = torch.randn(2, 5)
    for reduce in ("sum", "prod", "mean", "amax", "amin"):
        for include_self in (0, 1):
            out = torch.empty(4, 5)
            s.call("aoti_torch_cpu_scatter_reduce_two_out", out, x, i64(0), idx, src, reduce.encode(), i32(include_self))
            same(out, x.scatter_reduce(0, idx, src, reduce, include_self=bool(include_self)))
    data = torch.randn(6, 3)
    lengths = torch.tensor([2, 0, 3, 1])
    for reduce in ("sum", "mean", "max", "min", "prod"):
        same(s.call("aoti_torch_cpu_segment_reduce", data, reduce.encode(), s.opt_handle(lengths), None, None, i64(0),
                    i32(0), opt(ctypes.c_double(0.0)), RET),
             aten.segment_reduce(data, reduce, lengths=lengths, initial=0.0))
    weight = torch.randn(10, 3)
    indices, offsets = torch.tensor([1, 2, 4, 5, 4, 3, 2, 9]), torch.tensor([0, 3, 3, 6])
    psw = torch.rand(8)
    for mode, w, last, pad in ((0, None, 0, -1), (1, None, 1, -1), (2, None, 0, 4), (0, psw, 0, -1)):
        same(s.call("aoti_torch_cpu__embedding_bag", weight, indices, offsets, i32(0), i64(mode), i32(0),
                    s.opt_handle(w), i32(last), i64(pad), RET, RET, RET, RET),
             aten._embedding_bag(weight, indices, offsets, False, mode, False, w, bool(last), pad))
    a, b = torch.randn(2, 5, 3), torch.randn(2, 4, 3)
    for p in (0.0, 1.0, 2.0, float("inf")):
        same(s.call("aoti_torch_cpu__cdist_forward", a, b, f64(p), None, RET), aten._cdist_forward(a, b, p, None))
    refused(s, "aoti_torch_cpu__cdist_forward", a, torch.randn(2, 4, 2), f64(2.0), None, RET)


# --- FFT and complex arithmetic ------------------------------------------------------------

@case("aoti_torch_cpu__fft_r2c", "aoti_torch_cpu__fft_c2c", "aoti_torch_cpu_abs", "aoti_torch_cpu_add_Tensor",
      "aoti_torch_cpu_add_Scalar", "aoti_torch_cpu_mul_Tensor", "aoti_torch_cpu_mul_Scalar")
def fft_complex(s):
    x = torch.randn(3, 10)
    for dims, norm, onesided in (([1], 0, 1), ([0, 1], 2, 0), ([1], 1, 1)):
        same(s.call("aoti_torch_cpu__fft_r2c", x, ints(dims), i64(norm), i32(onesided), RET),
             aten._fft_r2c(x, dims, norm, bool(onesided)))
    z = torch.randn(4, 6, dtype=torch.complex64).t()
    for dims, norm, forward in (([0], 0, 1), ([0, 1], 2, 0)):
        same(s.call("aoti_torch_cpu__fft_c2c", z, ints(dims), i64(norm), i32(forward), RET),
             aten._fft_c2c(z, dims, norm, bool(forward)))
    same(s.call("aoti_torch_cpu_abs", z, RET), torch.abs(z))
    w = torch.randn(6, 4, dtype=torch.complex64)
    same(s.call("aoti_torch_cpu_add_Tensor", z, w, f64(2.0), RET), torch.add(z, w, alpha=2.0))
    same(s.call("aoti_torch_cpu_add_Tensor", z, x[0, :4], f64(1.0), RET), torch.add(z, x[0, :4]))
    same(s.call("aoti_torch_cpu_mul_Tensor", z, w, RET), torch.mul(z, w))
    same(s.call("aoti_torch_cpu_add_Scalar", z, f64(1.5), f64(2.0), RET), torch.add(z, 1.5, alpha=2.0))
    same(s.call("aoti_torch_cpu_mul_Scalar", z, f64(-0.5), RET), torch.mul(z, -0.5))
    i = torch.tensor([1, 2, 3])
    same(s.call("aoti_torch_cpu_mul_Scalar", i, f64(0.5), RET), torch.mul(i, 0.5))
    same(s.call("aoti_torch_cpu_add_Tensor", i, torch.tensor(2.5, dtype=torch.float64), f64(1.0), RET),
         torch.add(i, torch.tensor(2.5, dtype=torch.float64)))
    refused(s, "aoti_torch_cpu_add_Tensor", z, torch.randn(5, 4), f64(1.0), RET)


@case("aoti_torch_cpu__fft_c2c", "aoti_torch_cpu__fft_r2c")
def fft_batches_and_norms(s):
    # The suite's 3-d transform, batch dims that do not collapse into one, every norm, both
    # precisions, a full (two-sided) r2c spectrum: values and torch's output layouts.
    torch.manual_seed(0)
    xc = torch.randn(16, 16, 16).to(torch.complex64)
    same(s.call("aoti_torch_cpu__fft_c2c", xc, ints([0, 1, 2]), i64(0), i32(1), RET),
         aten._fft_c2c(xc, [0, 1, 2], 0, True))
    z = torch.randn(5, 6, 7, 8, dtype=torch.complex128).permute(2, 0, 3, 1)
    for dims, norm, forward in (([1, 3], 1, 0), ([0], 2, 1), ([2, 1, 0], 0, 1)):
        same(s.call("aoti_torch_cpu__fft_c2c", z, ints(dims), i64(norm), i32(forward), RET),
             aten._fft_c2c(z, dims, norm, bool(forward)))
    r = torch.randn(6, 12, 10)[:, ::2]
    for dims, norm, onesided in (([2], 0, 1), ([1, 2], 1, 0), ([0, 2], 2, 1)):
        for t in (r, r.double()):
            same(s.call("aoti_torch_cpu__fft_r2c", t, ints(dims), i64(norm), i32(onesided), RET),
                 aten._fft_r2c(t, dims, norm, bool(onesided)))


# --- views and indexing --------------------------------------------------------------------

@case("aoti_torch_cpu_narrow", "aoti_torch_cpu_permute", "aoti_torch_cpu_reshape", "aoti_torch_cpu_slice_Tensor",
      "aoti_torch_cpu_squeeze_dim", "aoti_torch_cpu_view_as_complex", "aoti_torch_cpu_view_as_real",
      "aoti_torch_cpu_view_dtype")
def views(s):
    x = torch.randn(4, 1, 6)
    same(s.call("aoti_torch_cpu_narrow", x, i64(2), i64(1), i64(3), RET), x.narrow(2, 1, 3))
    same(s.call("aoti_torch_cpu_permute", x, ints([2, 0, 1]), RET), x.permute(2, 0, 1))
    same(s.call("aoti_torch_cpu_reshape", x, ints([2, -1]), RET), x.reshape(2, -1))
    t = x.transpose(0, 2)
    same(s.call("aoti_torch_cpu_reshape", t, ints([6, 4]), RET), t.reshape(6, 4))
    start, end = ctypes.c_int64(1), ctypes.c_int64(5)
    same(s.call("aoti_torch_cpu_slice_Tensor", x, i64(2), ctypes.pointer(start), ctypes.pointer(end), i64(2), RET),
         x[:, :, 1:5:2])
    same(s.call("aoti_torch_cpu_slice_Tensor", x, i64(0), None, None, i64(3), RET), x[::3])
    same(s.call("aoti_torch_cpu_squeeze_dim", x, i64(1), RET), x.squeeze(1))
    same(s.call("aoti_torch_cpu_squeeze_dim", x, i64(0), RET), x.squeeze(0))
    pairs = torch.randn(3, 4, 2)
    same(s.call("aoti_torch_cpu_view_as_complex", pairs, RET), torch.view_as_complex(pairs))
    z = torch.randn(3, 4, dtype=torch.complex128)
    same(s.call("aoti_torch_cpu_view_as_real", z, RET), torch.view_as_real(z))
    same(s.call("aoti_torch_cpu_view_dtype", x, i32(DTYPE_CODE[torch.int32]), RET), x.view(torch.int32))
    same(s.call("aoti_torch_cpu_view_dtype", z, i32(DTYPE_CODE[torch.float64]), RET), z.view(torch.float64))
    refused(s, "aoti_torch_cpu_view_as_complex", torch.randn(3, 3), RET)
    refused(s, "aoti_torch_cpu_reshape", x, ints([5, -1]), RET)


@case("aoti_torch_cpu_index_Tensor", "aoti_torch_cpu_index_put")
def indexing(s):
    x = torch.randn(5, 6, 4)
    rows, cols = torch.tensor([0, 4, 2]), torch.tensor([[1], [5]])
    mask = torch.rand(5, 6) > 0.5
    for idx in ([rows], [None, cols], [rows, None, torch.tensor([3, 0, 1])], [mask]):
        want = x[tuple(slice(None) if i is None else i for i in idx)]
        same(s.call("aoti_torch_cpu_index_Tensor", x, s.handle_list(idx), i64(len(idx)), RET), want)
    vals = torch.randn(3, 6, 4)
    for accumulate in (0, 1):
        dup = torch.tensor([1, 1, 3])
        same(s.call("aoti_torch_cpu_index_put", x, s.handle_list([dup]), i64(1), vals, i32(accumulate), RET),
             torch.index_put(x, (dup,), vals, accumulate=bool(accumulate)))
    # Many values onto few places: the sums are torch's only when each add rounds to the tensor's
    # type in the values' order, as torch's kernel adds (summing wider differs by more than the
    # dtype's tolerance; PyTorch's test_index_put_with_none_index caught it).
    with torch.testing._internal.common_utils.DeterministicGuard(True):
        for dt in (torch.float32, torch.float16, torch.bfloat16):
            base = torch.rand(2, 3, 5, 5).to(dt)
            i1, i2 = torch.zeros(3, 14, 1, 1, dtype=torch.int64), torch.ones(14, 3, dtype=torch.int64).t()
            many = torch.randn(2, 3, 3, 14, 3, 14).to(dt)
            idx = [None, None, i1, i2]
            same(s.call("aoti_torch_cpu_index_put", base, s.handle_list(idx), i64(4), many, i32(1), RET),
                 torch.ops.aten.index_put(base, idx, many, True), tolerance=(0, 0))
    refused(s, "aoti_torch_cpu_index_put", torch.zeros(4).to(torch.float8_e4m3fn), s.handle_list([dup]), i64(1),
            torch.zeros(3).to(torch.float8_e4m3fn), i32(1), RET)
    refused(s, "aoti_torch_cpu_index_Tensor", x, s.handle_list([torch.tensor([7])]), i64(1), RET)


# --- windows and random factories ----------------------------------------------------------

@case("aoti_torch_cpu_hann_window")
def hann_window(s):
    for n, dt in ((1, torch.float32), (8, torch.float64), (11, None)):
        same(s.call("aoti_torch_cpu_hann_window", i64(n), dtype_arg(dt) if dt else None, None, None, i32(0), None, RET),
             torch.hann_window(n, dtype=dt))
    refused(s, "aoti_torch_cpu_hann_window", i64(4), dtype_arg(torch.int64), None, None, i32(0), None, RET)


@case("aoti_torch_cpu_rand", "aoti_torch_cpu_randn", "aoti_torch_cpu_rand_like", "aoti_torch_cpu_randn_like",
      "aoti_torch_cpu_randint_low", "aoti_torch_cpu_randint_low_out", "aoti_torch_cpu_randperm",
      "aoti_torch_cpu_uniform", "aoti_torch_cpu_normal_functional")
def random_factories(s):
    like = torch.empty(3, 7, dtype=torch.float64).t()
    checks = [
        (lambda: s.call("aoti_torch_cpu_rand", ints([5, 17]), None, None, None, i32(0), None, RET),
         lambda: torch.rand(5, 17)),
        (lambda: s.call("aoti_torch_cpu_randn", ints([33]), dtype_arg(torch.float64), None, None, i32(0), None, RET),
         lambda: torch.randn(33, dtype=torch.float64)),
        (lambda: s.call("aoti_torch_cpu_rand_like", like, None, None, None, i32(0), None, None, RET),
         lambda: torch.rand_like(like)),
        (lambda: s.call("aoti_torch_cpu_randn_like", like, None, None, None, i32(0), None, None, RET),
         lambda: torch.randn_like(like)),
        (lambda: s.call("aoti_torch_cpu_randint_low", i64(-4), i64(9), ints([20]), None, None, None, i32(0), None, RET),
         lambda: torch.randint(-4, 9, (20,))),
        (lambda: s.call("aoti_torch_cpu_randperm", i64(12), None, None, None, i32(0), None, RET),
         lambda: torch.randperm(12)),
        (lambda: s.call("aoti_torch_cpu_uniform", like, f64(-2.0), f64(3.0), None, RET),
         lambda: like.clone().uniform_(-2.0, 3.0)),
        (lambda: s.call("aoti_torch_cpu_normal_functional", like, f64(1.0), f64(0.5), None, RET),
         lambda: like.clone().normal_(1.0, 0.5)),
    ]
    for k, (mine, theirs) in enumerate(checks):
        seeded(s, 100 + k)
        got = mine()
        torch.manual_seed(100 + k)
        same(got, theirs(), f"random factory {k}")
    out = torch.empty(4, 6, dtype=torch.int64)
    seeded(s, 3)
    s.call("aoti_torch_cpu_randint_low_out", out, i64(0), i64(1 << 40), ints([4, 6]))
    torch.manual_seed(3)
    same(out, torch.randint(0, 1 << 40, (4, 6)))
    refused(s, "aoti_torch_cpu_randint_low_out", out, i64(0), i64(5), ints([4, 5]))
    refused(s, "aoti_torch_cpu_randperm", i64(-1), None, None, None, i32(0), None, RET)
