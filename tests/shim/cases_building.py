"""Arithmetic and building tensors: pow, gcd, angle, polar, subtract, cat, pad, fill, factories, amax, nonzero_static, bucketize, resize_ and set_, native_dropout."""
import ctypes
import math

import torch

from checks import Mismatch, aten, case, channels_last, refused, same, seeded
from shim_eager import DTYPE_CODE, RET, f64, i32, i64, ints, opt


# --- arithmetic -----------------------------------------------------------------------------

@case("aoti_torch_cpu_pow_Tensor_Tensor", "aoti_torch_cpu_pow_Tensor_Scalar", "aoti_torch_cpu_pow_Scalar")
def pow_overloads(s):
    x = torch.rand(3, 4) + 0.5
    e = torch.randn(3, 4)
    same(s.call("aoti_torch_cpu_pow_Tensor_Tensor", x, e, RET), torch.pow(x, e))
    z = torch.randn(3, 4, dtype=torch.complex64)
    same(s.call("aoti_torch_cpu_pow_Tensor_Tensor", z, x, RET), torch.pow(z, x))
    same(s.call("aoti_torch_cpu_pow_Tensor_Tensor", z.t(), z.t(), RET), torch.pow(z.t(), z.t()))
    a, b = torch.tensor([2, 3, -2, 1, -1, 5]), torch.tensor([3, 2, 3, -4, -3, -1])
    same(s.call("aoti_torch_cpu_pow_Tensor_Tensor", a, b, RET), torch.pow(a, b))
    same(s.call("aoti_torch_cpu_pow_Tensor_Tensor", a.to(torch.int32), x[0, :1], RET), torch.pow(a.to(torch.int32), x[0, :1]))
    same(s.call("aoti_torch_cpu_pow_Tensor_Scalar", x, f64(2.5), RET), torch.pow(x, 2.5))
    same(s.call("aoti_torch_cpu_pow_Tensor_Scalar", a, f64(3), RET), torch.pow(a, 3))
    same(s.call("aoti_torch_cpu_pow_Tensor_Scalar", a, f64(0.5), RET), torch.pow(a, 0.5))
    same(s.call("aoti_torch_cpu_pow_Tensor_Scalar", z, f64(2), RET), torch.pow(z, 2))
    same(s.call("aoti_torch_cpu_pow_Scalar", f64(2.0), e, RET), torch.pow(2.0, e))
    same(s.call("aoti_torch_cpu_pow_Scalar", f64(3), a.abs(), RET), torch.pow(3, a.abs()))
    same(s.call("aoti_torch_cpu_pow_Scalar", f64(1.5), a.abs(), RET), torch.pow(1.5, a.abs()))
    refused(s, "aoti_torch_cpu_pow_Tensor_Scalar", a, f64(-1), RET)


@case("aoti_torch_cpu_gcd")
def gcd(s):
    a = torch.tensor([12, -18, 0, 7, 0, -5])
    b = torch.tensor([8, 12, 5, 0, 0, -15])
    same(s.call("aoti_torch_cpu_gcd", a, b, RET), torch.gcd(a, b))
    same(s.call("aoti_torch_cpu_gcd", a.view(2, 3), b[:3], RET), torch.gcd(a.view(2, 3), b[:3]))
    refused(s, "aoti_torch_cpu_gcd", torch.rand(3), torch.rand(3), RET)


@case("aoti_torch_cpu_angle", "aoti_torch_cpu_polar")
def angle_polar(s):
    z = torch.randn(4, 3, dtype=torch.complex64).t()
    same(s.call("aoti_torch_cpu_angle", z, RET), torch.angle(z))
    r = torch.tensor([-1.0, 2.0, float("nan"), -0.0, 0.0])
    same(s.call("aoti_torch_cpu_angle", r, RET), torch.angle(r))
    same(s.call("aoti_torch_cpu_angle", torch.tensor([-3, 0, 4]), RET), torch.angle(torch.tensor([-3, 0, 4])))
    m, t = torch.rand(3, 4, dtype=torch.float64), torch.randn(3, 4, dtype=torch.float64)
    same(s.call("aoti_torch_cpu_polar", m, t, RET), torch.polar(m, t))
    m32 = torch.tensor([float("inf"), 1.0, 2.0])
    t32 = torch.tensor([0.0, math.pi / 2, 1.0])
    same(s.call("aoti_torch_cpu_polar", m32, t32, RET), torch.polar(m32, t32))
    refused(s, "aoti_torch_cpu_polar", m, t.float(), RET)


@case("aoti_torch_aten_subtract_Tensor")
def subtract(s):
    a, b = torch.randn(3, 4), torch.randn(4)
    same(s.call("aoti_torch_aten_subtract_Tensor", a, b, f64(2.0), RET), torch.sub(a, b, alpha=2.0))
    ia, ib = torch.tensor([5, 7]), torch.tensor([2, 9], dtype=torch.int32)
    same(s.call("aoti_torch_aten_subtract_Tensor", ia, ib, f64(1.0), RET), torch.sub(ia, ib))
    refused(s, "aoti_torch_aten_subtract_Tensor", torch.tensor([True]), torch.tensor([False]), f64(1.0), RET)


# --- building tensors -----------------------------------------------------------------------

@case("aoti_torch_cpu_cat")
def cat(s):
    def call(tensors, dim):
        handles = (ctypes.c_void_p * len(tensors))(*[s.handle(t).value for t in tensors])
        return s.call("aoti_torch_cpu_cat", handles, i64(len(tensors)), i64(dim), RET)
    a, b = torch.randn(2, 3), torch.randn(4, 3)
    same(call([a, b], 0), torch.cat([a, b], 0))
    same(call([a.t(), b.t()], 1), torch.cat([a.t(), b.t()], 1))
    same(call([a, b.to(torch.float64)], -2), torch.cat([a, b.to(torch.float64)], -2))
    same(call([a, torch.empty(0)], 0), torch.cat([a, torch.empty(0)], 0))
    x = channels_last(torch.randn(2, 3, 4, 5))
    same(call([x, x], 1), torch.cat([x, x], 1))
    y = torch.randn(2, 3, 4, 5)
    same(call([x, y], 1), torch.cat([x, y], 1))
    same(call([torch.tensor([1, 2]), torch.tensor([3], dtype=torch.int8)], 0),
         torch.cat([torch.tensor([1, 2]), torch.tensor([3], dtype=torch.int8)], 0))
    refused(s, "aoti_torch_cpu_cat", (ctypes.c_void_p * 2)(s.handle(a).value, s.handle(torch.randn(2, 4)).value),
            i64(2), i64(0), RET)


@case("aoti_torch_cpu_pad", "aoti_torch_aten_pad")
def pad(s):
    x = torch.randn(2, 3, 4, 5)
    for fn in ("aoti_torch_cpu_pad", "aoti_torch_aten_pad"):
        for mode, p in (("constant", [1, 2]), ("constant", [-1, 2, 0, 3]), ("reflect", [1, 2, 3, 1]),
                        ("replicate", [2, 2, 1, 0]), ("circular", [1, 2, 4, 0])):
            for inp in (x, channels_last(x), x.transpose(2, 3)):
                value = opt(ctypes.c_double(1.5)) if mode == "constant" else None
                want = aten.pad(inp, p, mode, 1.5 if mode == "constant" else None)
                same(s.call(fn, inp, ints(p), mode.encode(), value, RET), want)
    v = torch.randn(1, 2, 3, 4, 5)
    same(s.call("aoti_torch_cpu_pad", v, ints([1, 1, 2, 0, 1, 2]), b"replicate", None, RET),
         aten.pad(v, [1, 1, 2, 0, 1, 2], "replicate"))
    i = torch.arange(6).view(2, 3)
    same(s.call("aoti_torch_cpu_pad", i, ints([1, 1]), b"constant", opt(ctypes.c_double(7)), RET),
         aten.pad(i, [1, 1], "constant", 7))
    refused(s, "aoti_torch_cpu_pad", x, ints([5, 5]), b"reflect", None, RET)
    refused(s, "aoti_torch_cpu_pad", x, ints([1, 1]), b"wrap", None, RET)


@case("aoti_torch_cpu_fill__Scalar", "aoti_torch_aten_fill__Scalar")
def fill(s):
    for fn in ("aoti_torch_cpu_fill__Scalar", "aoti_torch_aten_fill__Scalar"):
        base = torch.zeros(4, 5)
        view = base[:, 1:4]
        s.call(fn, view, f64(2.5))
        want = torch.zeros(4, 5)
        want[:, 1:4] = 2.5
        same(base, want)
        ints_ = torch.zeros(3, dtype=torch.int32)
        s.call(fn, ints_, f64(7))
        same(ints_, torch.full((3,), 7, dtype=torch.int32))


@case("aoti_torch_aten_full", "aoti_torch_aten_new_empty", "aoti_torch_aten_new_zeros", "aoti_torch_cpu__efficientzerotensor")
def factories(s):
    dt = lambda d: opt(ctypes.c_int32(DTYPE_CODE[d]))
    same(s.call("aoti_torch_aten_full", ints([2, 3]), f64(1.5), dt(torch.float64), None, None, i32(0), None, RET),
         torch.full((2, 3), 1.5, dtype=torch.float64))
    same(s.call("aoti_torch_aten_full", ints([4]), f64(3), dt(torch.int64), None, None, i32(0), None, RET),
         torch.full((4,), 3))
    x = torch.randn(2, 2, dtype=torch.float16)
    got = s.call("aoti_torch_aten_new_empty", x, ints([3, 4]), None, None, None, i32(0), None, RET)
    same(torch.zeros_like(got), torch.zeros(3, 4, dtype=torch.float16))
    same(s.call("aoti_torch_aten_new_zeros", x, ints([3, 1]), dt(torch.int32), None, None, i32(0), None, RET),
         x.new_zeros((3, 1), dtype=torch.int32))
    same(s.call("aoti_torch_cpu__efficientzerotensor", ints([2, 5]), dt(torch.float32), None, None, i32(0), None, RET),
         torch.zeros(2, 5))
    refused(s, "aoti_torch_aten_full", ints([-1]), f64(0), None, None, None, i32(0), None, RET)
    refused(s, "aoti_torch_aten_full", ints([2]), f64(0), None, opt(ctypes.c_int32(1)), None, i32(0), None, RET)


@case("aoti_torch_aten_narrow", "aoti_torch_aten_amax")
def narrow_amax(s):
    x = torch.randn(4, 6)
    same(s.call("aoti_torch_aten_narrow", x, i64(1), i64(2), i64(3), RET), x.narrow(1, 2, 3))
    y = torch.randn(3, 4, 5)
    y[1, 2, 3] = float("nan")
    for dims, keep in (([1], 0), ([0, 2], 1), ([], 0), ([-1], 1)):
        same(s.call("aoti_torch_aten_amax", y, ints(dims), i32(keep), RET), torch.amax(y, dims, bool(keep)))
    iy = torch.randint(-50, 50, (3, 4), dtype=torch.int32)
    same(s.call("aoti_torch_aten_amax", iy, ints([0]), i32(0), RET), torch.amax(iy, [0]))
    refused(s, "aoti_torch_aten_amax", torch.empty(0, 3), ints([0]), i32(0), RET)
    refused(s, "aoti_torch_aten_narrow", x, i64(1), i64(5), i64(3), RET)


@case("aoti_torch_cpu_nonzero_static")
def nonzero_static(s):
    x = torch.tensor([[0, 1, 0], [2, 0, 3]]).t()
    for size in (0, 2, 3, 6):
        same(s.call("aoti_torch_cpu_nonzero_static", x, i64(size), i64(-1), RET),
             torch.nonzero_static(x, size=size, fill_value=-1))
    f = torch.tensor([0.0, float("nan"), -0.0, 2.0])
    same(s.call("aoti_torch_cpu_nonzero_static", f, i64(4), i64(9), RET), torch.nonzero_static(f, size=4, fill_value=9))


@case("aoti_torch_cpu_bucketize_Tensor")
def bucketize(s):
    b = torch.tensor([1.0, 3.0, 5.0, 7.0])
    x = torch.tensor([[0.0, 1.0, 4.0], [5.0, 7.0, 9.0]])
    for out_int32 in (0, 1):
        for right in (0, 1):
            same(s.call("aoti_torch_cpu_bucketize_Tensor", x, b, i32(out_int32), i32(right), RET),
                 torch.bucketize(x, b, out_int32=bool(out_int32), right=bool(right)))
    refused(s, "aoti_torch_cpu_bucketize_Tensor", x, b.view(2, 2), i32(0), i32(0), RET)


@case("aoti_torch_cpu_resize_", "aoti_torch_cpu_resize_as_", "aoti_torch_cpu_set__source_Tensor")
def resize_set(s):
    x = torch.arange(6, dtype=torch.float32)
    h = s.handle(x)
    if s.lib.aoti_torch_cpu_resize_(h, (ctypes.c_int64 * 2)(2, 2), i64(2), None) != 0:
        raise Mismatch("resize_ to fewer elements failed")
    same(s.to_torch(h), torch.arange(4, dtype=torch.float32).view(2, 2))
    if s.lib.aoti_torch_cpu_resize_(h, (ctypes.c_int64 * 2)(3, 4), i64(2), None) != 0:
        raise Mismatch("resize_ to more elements failed")
    got = s.to_torch(h)
    same(got.flatten()[:6], torch.arange(6, dtype=torch.float32))
    same(torch.zeros_like(got), torch.zeros(3, 4))
    like = torch.empty(2, 3, 4, 5)
    if s.lib.aoti_torch_cpu_resize_as_(h, s.handle(like), opt(ctypes.c_int32(2))) != 0:
        raise Mismatch("resize_as_ failed")
    if s.to_torch(h).stride() != like.contiguous(memory_format=torch.channels_last).stride():
        raise Mismatch("resize_as_ with channels_last did not give channels-last strides")
    src = torch.randn(3, 2)
    if s.lib.aoti_torch_cpu_set__source_Tensor(h, s.handle(src.t())) != 0:
        raise Mismatch("set_ failed")
    same(s.to_torch(h), src.t())
    if s.lib.aoti_torch_cpu_resize_(h, (ctypes.c_int64 * 1)(-2), i64(1), None) == 0:
        raise Mismatch("resize_ accepted a negative size")
    if s.lib.aoti_torch_cpu_set__source_Tensor(h, s.handle(torch.zeros(2, dtype=torch.int64))) == 0:
        raise Mismatch("set_ accepted a source of another dtype")


@case("aoti_torch_cpu_native_dropout")
def native_dropout(s):
    x = torch.randn(3, 4).t()
    want = aten.native_dropout(x, 0.5, False)
    same(s.call("aoti_torch_cpu_native_dropout", x, f64(0.5), opt(ctypes.c_int32(0)), RET, RET), want)
    for p, train in ((0.0, 1), (0.3, 1), (1.0, 1), (0.25, None)):
        for inp in (x, x.double(), x.to(torch.bfloat16)):
            seeded(s, 4)
            got = s.call("aoti_torch_cpu_native_dropout", inp, f64(p), opt(ctypes.c_int32(train)) if train is not None
                         else None, RET, RET)
            torch.manual_seed(4)
            same(got, aten.native_dropout(inp, p, True if train is None else bool(train)))
    empty = torch.empty(0, 3)
    same(s.call("aoti_torch_cpu_native_dropout", empty, f64(0.5), None, RET, RET), aten.native_dropout(empty, 0.5, True))
    refused(s, "aoti_torch_cpu_native_dropout", x, f64(1.5), None, RET, RET)
