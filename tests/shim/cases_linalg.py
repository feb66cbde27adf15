"""Linear algebra, grouped / float8 / int4 GEMMs and the QAT fake quantizer."""
import ctypes

import torch

from checks import aten, case, refused, same
from shim_eager import DTYPE_CODE, KEEP, RET, f64, i32, i64, opt


# --- linear algebra -------------------------------------------------------------------------

def spd(batch, n, dtype=torch.float64):
    a = torch.randn(*batch, n, n, dtype=dtype)
    return a @ a.mT + n * torch.eye(n, dtype=dtype)


@case("aoti_torch_cpu_cholesky_solve", "aoti_torch_cpu_cholesky_inverse", "aoti_torch_cpu_triangular_solve")
def cholesky_triangular(s):
    for dtype in (torch.float64, torch.float32):
        a = spd([2], 4, dtype)
        b = torch.randn(2, 4, 3, dtype=dtype)
        for upper in (0, 1):
            f = torch.linalg.cholesky(a, upper=bool(upper))
            same(s.call("aoti_torch_cpu_cholesky_solve", b, f, i32(upper), RET), torch.cholesky_solve(b, f, bool(upper)))
            same(s.call("aoti_torch_cpu_cholesky_solve", b[0], f, i32(upper), RET),
                 torch.cholesky_solve(b[0], f, bool(upper)))
            same(s.call("aoti_torch_cpu_cholesky_inverse", f, i32(upper), RET), torch.cholesky_inverse(f, bool(upper)))
            same(s.call("aoti_torch_cpu_cholesky_inverse", f[1].mT, i32(1 - upper), RET),
                 torch.cholesky_inverse(f[1].mT, not upper))
        t = torch.randn(2, 4, 4, dtype=dtype).triu() + 3 * torch.eye(4, dtype=dtype)
        for upper, trans, unit in ((1, 0, 0), (1, 1, 0), (0, 0, 1), (0, 1, 1)):
            m = t if upper else t.mT
            same(s.call("aoti_torch_cpu_triangular_solve", b, m, i32(upper), i32(trans), i32(unit), RET, RET),
                 tuple(torch.triangular_solve(b, m, bool(upper), bool(trans), bool(unit))))
    singular = torch.tensor([[1.0, 2.0], [0.0, 0.0]], dtype=torch.float64)
    rhs = torch.tensor([[1.0], [1.0]], dtype=torch.float64)
    same(s.call("aoti_torch_cpu_triangular_solve", rhs, singular, i32(1), i32(0), i32(0), RET, RET),
         tuple(torch.triangular_solve(rhs, singular, True)))
    refused(s, "aoti_torch_cpu_cholesky_solve", torch.randn(3, 2), torch.randn(4, 4), i32(0), RET)
    refused(s, "aoti_torch_cpu_cholesky_inverse", torch.zeros(3, 3), i32(0), RET)
    refused(s, "aoti_torch_cpu_cholesky_solve", torch.randn(2, 2, dtype=torch.complex64),
            torch.randn(2, 2, dtype=torch.complex64), i32(0), RET)


@case("aoti_torch_cpu_geqrf", "aoti_torch_cpu_ormqr", "aoti_torch_cpu_lu_unpack")
def qr_lu(s):
    for shape in ((5, 3), (2, 3, 5), (4, 4)):
        a = torch.randn(*shape, dtype=torch.float64)
        got = s.call("aoti_torch_cpu_geqrf", a, RET, RET)
        same(got, tuple(torch.geqrf(a)))
        r, tau = torch.geqrf(a)
        rows = shape[-2]
        for left, trans in ((1, 0), (1, 1), (0, 0), (0, 1)):
            c = torch.randn(*shape[:-2], rows, 3, dtype=torch.float64) if left else \
                torch.randn(*shape[:-2], 3, rows, dtype=torch.float64)
            same(s.call("aoti_torch_cpu_ormqr", r, tau, c, i32(left), i32(trans), RET),
                 torch.ormqr(r, tau, c, bool(left), bool(trans)))
    for shape in ((4, 3), (2, 3, 5), (4, 4)):
        lu, piv = torch.linalg.lu_factor(torch.randn(*shape))
        for data, pivots in ((1, 1), (0, 1), (1, 0)):
            same(s.call("aoti_torch_cpu_lu_unpack", lu, piv, i32(data), i32(pivots), RET, RET, RET),
                 tuple(torch.lu_unpack(lu, piv, bool(data), bool(pivots))))
    lu, piv = torch.linalg.lu_factor(torch.randn(3, 3))
    refused(s, "aoti_torch_cpu_lu_unpack", lu, piv + 5, i32(1), i32(1), RET, RET, RET)
    refused(s, "aoti_torch_cpu_lu_unpack", lu, piv.long(), i32(1), i32(1), RET, RET, RET)


# --- special GEMMs, sampling ---------------------------------------------------------------

@case("aoti_torch_cpu__grouped_mm", "aoti_torch_cpu__scaled_mm", "aoti_torch_cpu__scaled_mm_out")
def special_gemms(s):
    bf = torch.bfloat16
    offs = torch.tensor([8, 8, 16], dtype=torch.int32)
    a, b = torch.randn(16, 8, dtype=bf), torch.randn(3, 8, 16, dtype=bf)
    same(s.call("aoti_torch_cpu__grouped_mm", a, b, s.opt_handle(offs), None, None, RET), aten._grouped_mm(a, b, offs))
    a3, b3 = torch.randn(3, 8, 16), torch.randn(3, 16, 8)
    same(s.call("aoti_torch_cpu__grouped_mm", a3, b3, None, None, None, RET), aten._grouped_mm(a3, b3))
    offs2 = torch.tensor([16, 32], dtype=torch.int32)
    a2, b2 = torch.randn(8, 32, dtype=bf), torch.randn(32, 16, dtype=bf)
    same(s.call("aoti_torch_cpu__grouped_mm", a2, b2, s.opt_handle(offs2), None, None, RET), aten._grouped_mm(a2, b2, offs2))
    a4, b4 = torch.randn(2, 8, 16, dtype=bf), torch.randn(16, 32, dtype=bf)
    same(s.call("aoti_torch_cpu__grouped_mm", a4, b4, s.opt_handle(offs2), None, None, RET), aten._grouped_mm(a4, b4, offs2))
    refused(s, "aoti_torch_cpu__grouped_mm", a, b, s.opt_handle(torch.tensor([8, 4, 16], dtype=torch.int32)), None,
            None, RET)
    refused(s, "aoti_torch_cpu__grouped_mm", a, b, s.opt_handle(offs), s.opt_handle(torch.randn(3, 16, dtype=bf)),
            None, RET)
    e4 = torch.float8_e4m3fn
    x, w = torch.randn(8, 16).to(e4), torch.randn(16, 4).to(e4)
    code = lambda d: opt(ctypes.c_int32(DTYPE_CODE[d]))
    sa, sb = torch.tensor(0.5), torch.tensor(3.0)
    for out_dtype in (torch.float32, torch.bfloat16):
        same(s.call("aoti_torch_cpu__scaled_mm", x, w, sa, sb, None, None, code(out_dtype), i32(0), RET),
             aten._scaled_mm(x, w, sa, sb, out_dtype=out_dtype))
    bias = torch.randn(4)
    same(s.call("aoti_torch_cpu__scaled_mm", x, w, sa, sb, s.opt_handle(bias), None, code(torch.float32), i32(0), RET),
         aten._scaled_mm(x, w, sa, sb, bias=bias, out_dtype=torch.float32))
    ra, rb = torch.rand(8, 1), torch.rand(1, 4)
    try:
        rowwise = aten._scaled_mm(x, w, ra, rb, out_dtype=torch.float32)
    except RuntimeError:  # torch before 2.13 has per-tensor scales only on the CPU
        rowwise = None
    if rowwise is not None:
        same(s.call("aoti_torch_cpu__scaled_mm", x, w, ra, rb, None, None, code(torch.float32), i32(0), RET), rowwise)
    sr = torch.tensor(4.0)
    same(s.call("aoti_torch_cpu__scaled_mm", x, w, sa, sb, None, s.opt_handle(sr), None, i32(0), RET).float(),
         aten._scaled_mm(x, w, sa, sb, scale_result=sr).float())
    out = torch.empty(8, 4)
    s.call("aoti_torch_cpu__scaled_mm_out", out, x, w, sa, sb, None, None, code(torch.float32), i32(0))
    same(out, aten._scaled_mm(x, w, sa, sb, out_dtype=torch.float32))
    refused(s, "aoti_torch_cpu__scaled_mm", torch.randn(8, 16), w, sa, sb, None, None, None, i32(0), RET)


@case("aoti_torch_cpu__dyn_quant_pack_4bit_weight", "aoti_torch_cpu__dyn_quant_matmul_4bit")
def dynamic_int4(s):
    for k, n, bs in ((64, 16, 64), (64, 16, 32), (128, 8, 64), (96, 5, 32)):
        w = torch.randint(0, 16, (n, k), dtype=torch.uint8)
        packed_w = (w[:, ::2] | (w[:, 1::2] << 4)).contiguous()
        scales = torch.rand(n, k // bs) * 0.1
        want_p = aten._dyn_quant_pack_4bit_weight(packed_w, scales, None, bs, k, n)
        got_p = s.call("aoti_torch_cpu__dyn_quant_pack_4bit_weight", packed_w, scales, None, i64(bs), i64(k), i64(n), RET)
        same(got_p, want_p)
        odd = torch.randn(2, k)
        odd[0, 3], odd[1, 5] = float("inf"), float("nan")
        for x in (torch.randn(3, k), torch.randn(8, k) * 5, torch.rand(1, k), torch.zeros(2, k), odd):
            same(s.call("aoti_torch_cpu__dyn_quant_matmul_4bit", x, want_p, i64(bs), i64(k), i64(n), RET),
                 aten._dyn_quant_matmul_4bit(x, want_p, bs, k, n))
    refused(s, "aoti_torch_cpu__dyn_quant_matmul_4bit", torch.randn(3, 64), torch.randn(100), i64(64), i64(64), i64(16),
            RET)
    refused(s, "aoti_torch_cpu__dyn_quant_matmul_4bit", torch.randn(2, 3, 64), want_p, i64(32), i64(96), i64(5), RET)
    refused(s, "aoti_torch_cpu__dyn_quant_pack_4bit_weight", torch.zeros(16, 32, dtype=torch.uint8), torch.rand(16, 1),
            None, i64(48), i64(64), i64(16), RET)


@case("aoti_torch_cpu_wrapped_fbgemm_pack_gemm_matrix_fp16", "aoti_torch_cpu_wrapped_fbgemm_linear_fp16_weight",
      "aoti_torch_cpu__wrapped_linear_prepack", "aoti_torch_cpu__wrapped_quantized_linear_prepacked")
def quantized_linear(s):
    q = torch.ops._quantized
    for m, k, n in ((10, 10, 10), (1, 64, 7), (33, 17, 5)):
        x, w, b = torch.randn(m, k), torch.randn(n, k), torch.randn(n)
        # fp16 weights: pt2run's pack is its own; the result must be torch's with torch's pack.
        packed = s.call("aoti_torch_cpu_wrapped_fbgemm_pack_gemm_matrix_fp16", w, RET)
        for bias in (b, None):
            same(s.call("aoti_torch_cpu_wrapped_fbgemm_linear_fp16_weight", x, packed, bias, i64(n), RET),
                 q.wrapped_fbgemm_linear_fp16_weight(x, q.wrapped_fbgemm_pack_gemm_matrix_fp16(w), bias, n),
                 tolerance=(1e-5, 1e-5))
        # int8: quint8 activations, qint8 weights, float bias; requantized and dequantized.
        x3 = torch.randn(2, m, k)
        for w_zp, x_zp, y_zp, bias in ((0, 0, 0, b), (3, 128, 100, b), (-5, 7, 60, b * 10)):
            ws, xs, ys = torch.tensor(0.02), torch.tensor(0.05), torch.tensor(0.1)
            wz, xz, yz = torch.tensor(w_zp), torch.tensor(x_zp), torch.tensor(y_zp)
            packed8 = s.call("aoti_torch_cpu__wrapped_linear_prepack", w, ws, wz, bias, KEEP)
            for xx in (x, x3):
                same(s.call("aoti_torch_cpu__wrapped_quantized_linear_prepacked", xx, xs, xz, packed8, ys, yz, i64(n),
                            RET),
                     q.wrapped_quantized_linear(xx, xs, xz, w, ws, wz, bias, ys, yz, n), tolerance=(0, 0))
    # A packed weight from elsewhere (torch's own blob, a plain tensor) is refused, never misread.
    w = torch.randn(4, 8)
    refused(s, "aoti_torch_cpu_wrapped_fbgemm_linear_fp16_weight", torch.randn(2, 8),
            q.wrapped_fbgemm_pack_gemm_matrix_fp16(w), None, i64(4), RET)
    refused(s, "aoti_torch_cpu__wrapped_quantized_linear_prepacked", torch.randn(2, 8), torch.tensor(0.1),
            torch.tensor(0), torch.zeros(100, dtype=torch.uint8), torch.tensor(0.1), torch.tensor(0), i64(4), RET)
    good = s.call("aoti_torch_cpu__wrapped_linear_prepack", w, torch.tensor(0.1), torch.tensor(0), None, KEEP)
    # Its view is the quantized weight, [N, K] int8, as torch's op declares the result.
    same(s.call("aoti_torch_cpu__wrapped_linear_prepack", w, torch.tensor(0.1), torch.tensor(0), None, RET),
         torch.clamp(torch.round(w / 0.1), -128, 127).to(torch.int8))
    # Its bytes alone (a copy of the view) are not the pack.
    refused(s, "aoti_torch_cpu__wrapped_quantized_linear_prepacked", torch.randn(2, 8), torch.tensor(0.1),
            torch.tensor(0), torch.zeros(4, 8, dtype=torch.int8), torch.tensor(0.1), torch.tensor(0), i64(4), RET)
    refused(s, "aoti_torch_cpu__wrapped_quantized_linear_prepacked", torch.randn(2, 9), torch.tensor(0.1),
            torch.tensor(0), good, torch.tensor(0.1), torch.tensor(0), i64(4), RET)
    refused(s, "aoti_torch_cpu__wrapped_quantized_linear_prepacked", torch.randn(2, 8), torch.tensor(0.0),
            torch.tensor(0), good, torch.tensor(0.1), torch.tensor(0), i64(4), RET)
    refused(s, "aoti_torch_cpu__wrapped_linear_prepack", w, torch.tensor(0.1), torch.tensor(300), None, RET)


@case("aoti_torch_cpu__fused_moving_avg_obs_fq_helper", "aoti_torch_cpu__fused_moving_avg_obs_fq_helper_functional")
def fused_observer_fake_quant(s):
    def state(per_row, n=0, seen=False):
        if per_row:
            if n == 0:
                return [torch.empty(0), torch.empty(0), torch.empty(0), torch.empty(0, dtype=torch.int32)]
            return [torch.randn(n) - 2, torch.randn(n) + 2, torch.rand(n), torch.zeros(n, dtype=torch.int32)]
        if seen:
            return [torch.tensor(-1.5), torch.tensor(2.5), torch.tensor([0.1]), torch.tensor([3], dtype=torch.int32)]
        return [torch.tensor(float("inf")), torch.tensor(float("-inf")), torch.tensor([1.0]),
                torch.tensor([0], dtype=torch.int32)]
    on, off = torch.tensor([1]), torch.tensor([0])
    x = torch.randn(4, 6) * 3
    tiny = torch.full((4, 6), 1e-7)
    wild = x.clone()
    wild[0, 0], wild[1, 2], wild[2, 3] = 1e30, -1e30, float("inf")
    for inp in (x, tiny, x.t(), wild):
        for per_row, seen, n in ((False, False, 0), (False, True, 0), (True, False, 0), (True, True, inp.size(0))):
            for qmin, qmax, symmetric in ((0, 255, False), (-128, 127, True), (0, 15, False)):
                for obs, fq in ((on, on), (off, on), (on, off)):
                    args = (obs, fq)
                    consts = (0.01, qmin, qmax, 0, per_row, symmetric)
                    st = state(per_row, n, seen)
                    try:
                        want = aten._fused_moving_avg_obs_fq_helper_functional(inp, *args, *[t.clone() for t in st],
                                                                               *consts)
                    except RuntimeError:  # torch refuses the range an infinite input leaves: so must pt2run
                        refused(s, "aoti_torch_cpu__fused_moving_avg_obs_fq_helper_functional", inp, obs, fq, *st,
                                f64(0.01), i64(qmin), i64(qmax), i64(0), i32(per_row), i32(symmetric),
                                RET, RET, RET, RET, RET, RET)
                        continue
                    got = s.call("aoti_torch_cpu__fused_moving_avg_obs_fq_helper_functional", inp, obs, fq, *st,
                                 f64(0.01), i64(qmin), i64(qmax), i64(0), i32(per_row), i32(symmetric),
                                 RET, RET, RET, RET, RET, RET)
                    # torch leaves a scale and zero point it grows but does not compute uninitialized.
                    keep = 4 if per_row and n == 0 and fq is off else 6
                    same(got[:keep], tuple(want)[:keep], f"functional per_row={per_row} seen={seen} q=({qmin},{qmax})"
                         f" obs/fq={obs.item()}/{fq.item()}", layout=False)
                    # The in-place form updates the state it is given.
                    mine, theirs = state(per_row, n, seen), None
                    theirs = [t.clone() for t in mine]
                    handles = [s.handle(t) for t in mine]
                    ptrs = [ctypes.pointer(h) for h in handles]
                    outs = s.call("aoti_torch_cpu__fused_moving_avg_obs_fq_helper", inp, obs, fq, *handles,
                                  f64(0.01), i64(qmin), i64(qmax), i64(0), i32(per_row), i32(symmetric), RET, RET)
                    want2 = aten._fused_moving_avg_obs_fq_helper(inp, obs, fq, *theirs, *consts)
                    where = f"per_row={per_row} seen={seen} q=({qmin},{qmax}) obs/fq={obs.item()}/{fq.item()}"
                    same(outs, tuple(want2), "in place outputs " + where)
                    same([s.to_torch(h) for h in handles][:keep - 2], theirs[:keep - 2], "in place state " + where,
                         layout=False)
                    del ptrs
    refused(s, "aoti_torch_cpu__fused_moving_avg_obs_fq_helper_functional", x.double(), on, on, *state(False),
            f64(0.01), i64(0), i64(255), i64(0), i32(0), i32(0), RET, RET, RET, RET, RET, RET)
