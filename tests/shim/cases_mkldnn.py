"""torch's fused oneDNN ops, which packages exported with freezing call: convolutions and
linear layers with a fused epilogue, on weights torch's oneDNN prepacked (as the package's
Mkldnn-layout constants hold them) and on plain ones."""
import ctypes

import torch

from checks import case, channels_last, refused, same
from shim_eager import RET, ShimError, f64, i64, ints

mk = torch.ops.mkldnn
UNARY = [("none", [], ""), ("relu", [], ""), ("sigmoid", [], ""), ("tanh", [], ""), ("swish", [], ""),
         ("hardswish", [], ""), ("hardsigmoid", [], ""), ("leaky_relu", [0.1], ""), ("hardtanh", [-0.5, 0.7], ""),
         ("gelu", [], "none"), ("gelu", [], "tanh")]


def text(s):
    return ctypes.c_char_p(s.encode())


def opt_text(s):
    """A const char** argument; None for an absent string."""
    return None if s is None else ctypes.pointer(ctypes.c_char_p(s.encode()))


def scalars(values):
    """const double** and its length, as the generated code passes Scalar?[]."""
    ptrs = (ctypes.POINTER(ctypes.c_double) * max(len(values), 1))()
    keep = [ctypes.c_double(v) for v in values]
    for k, v in enumerate(keep):
        ptrs[k] = ctypes.pointer(v)
    scalars.keep = (ptrs, keep)
    return [ptrs, i64(len(values))]


def conv_args(pad, stride, dil, groups):
    return [ints(pad), ints(stride), ints(dil), i64(groups)]


@case("aoti_torch_cpu_mkldnn__convolution_pointwise", "aoti_torch_create_tensor_from_blob_v2")
def convolution_pointwise(s):
    torch.manual_seed(1)
    for dt in (torch.float32, torch.bfloat16):
        x = torch.randn(2, 8, 9, 7, dtype=dt)
        for groups, pad, stride, dil in ((1, [1, 1], [1, 1], [1, 1]), (2, [0, 2], [2, 1], [1, 2]), (8, [1, 1], [1, 1], [1, 1])):
            w = torch.randn(16, 8 // groups, 3, 3, dtype=dt)
            b = torch.randn(16, dtype=dt)
            packed = mk._reorder_convolution_weight(w, pad, stride, dil, groups, list(x.shape))
            for attr, sc, alg in UNARY:
                for weight in (packed, w):
                    for inp in ((x, channels_last(x)) if weight is packed else (channels_last(x),)):
                        want = mk._convolution_pointwise(inp, weight, b, pad, stride, dil, groups, attr, sc, alg or None)
                        got = s.call("aoti_torch_cpu_mkldnn__convolution_pointwise", inp, weight, s.opt_handle(b),
                                     *conv_args(pad, stride, dil, groups), text(attr), *scalars(sc), opt_text(alg), RET)
                        same(got, want, f"{dt} groups={groups} {attr}/{alg} packed={weight is packed}")
    x3 = torch.randn(1, 4, 5, 6, 4)
    w3 = torch.randn(6, 4, 2, 3, 2)
    p3 = mk._reorder_convolution_weight(w3, [0, 1, 0], [1, 1, 1], [1, 1, 1], 1, list(x3.shape))
    want = mk._convolution_pointwise(x3, p3, None, [0, 1, 0], [1, 1, 1], [1, 1, 1], 1, "relu", [], None)
    same(s.call("aoti_torch_cpu_mkldnn__convolution_pointwise", x3, p3, None, *conv_args([0, 1, 0], [1, 1, 1], [1, 1, 1], 1),
                text("relu"), *scalars([]), None, RET), want, "3-d")
    # Names torch does not define, and missing scalars, are refused by name.
    w = torch.randn(16, 8, 3, 3)
    for attr, sc, alg in (("relu6", [], ""), ("leaky_relu", [], ""), ("hardtanh", [1.0], ""), ("gelu", [], "exact")):
        refused(s, "aoti_torch_cpu_mkldnn__convolution_pointwise", x, w, None, *conv_args([1, 1], [1, 1], [1, 1], 1),
                text(attr), *scalars(sc), opt_text(alg), RET)


@case("aoti_torch_cpu_mkldnn__convolution_pointwise_binary", "aoti_torch_cpu_mkldnn__convolution_pointwise_binary_")
def convolution_pointwise_binary(s):
    torch.manual_seed(2)
    for dt in (torch.float32, torch.bfloat16):
        x = channels_last(torch.randn(2, 8, 6, 6, dtype=dt))
        w = torch.randn(8, 8, 3, 3, dtype=dt)
        b = torch.randn(8, dtype=dt)
        packed = mk._reorder_convolution_weight(w, [1, 1], [1, 1], [1, 1], 1, list(x.shape))
        other = channels_last(torch.randn(2, 8, 6, 6, dtype=dt))
        args = ([1, 1], [1, 1], [1, 1], 1)
        for weight in (packed, w):
            for binary in ("add", "sub", "mul", "div"):
                for unary in (None, "relu"):
                    for oth in ((other, other.contiguous()) if binary == "add" else (other,)):
                        want = mk._convolution_pointwise(x, oth, weight, b, *args, binary, None, unary, [], None)
                        got = s.call("aoti_torch_cpu_mkldnn__convolution_pointwise_binary", x, oth, weight,
                                     s.opt_handle(b), *conv_args(*args), text(binary), None, opt_text(unary),
                                     *scalars([]), None, RET)
                        same(got, want, f"{dt} {binary}+{unary} packed={weight is packed}")
            # The residual form as the generated code calls it: X is also the operand.
            want = mk._convolution_pointwise(x, x, weight, b, *args, "add", None, "relu", [], None)
            same(s.call("aoti_torch_cpu_mkldnn__convolution_pointwise_binary", x, x, weight, s.opt_handle(b),
                        *conv_args(*args), text("add"), ctypes.pointer(ctypes.c_double(1.0)), opt_text("relu"),
                        *scalars([]), opt_text(""), RET), want, "x + conv(x)")
            # In place: computed into a channels-last target, copied into a contiguous one (float32:
            # torch's own fallback for that has no bf16 add_relu).
            for base in (other, other.contiguous()) if dt == torch.float32 else (other,):
                for unary in (None, "relu"):
                    mine, theirs = base.clone(), base.clone()
                    mk._convolution_pointwise_(theirs, x, weight, b, *args, "add", None, unary, [], None)
                    got = s.call("aoti_torch_cpu_mkldnn__convolution_pointwise_binary_", mine, x, weight,
                                 s.opt_handle(b), *conv_args(*args), text("add"), None, opt_text(unary),
                                 *scalars([]), None, RET)
                    what = f"{dt} in place +{unary} {'contiguous' if base.is_contiguous() else 'channels-last'}"
                    same(mine, theirs, what)
                    same(got, theirs, f"{what}: the result")
                    assert got.stride() == base.stride(), f"{what}: the result is the target"
            # In place onto its own input: x = relu(conv(x) + x), read before it is written.
            mine = x.clone()
            s.call("aoti_torch_cpu_mkldnn__convolution_pointwise_binary_", mine, mine, weight, s.opt_handle(b),
                   *conv_args(*args), text("add"), None, opt_text("relu"), *scalars([]), None, RET)
            same(mine, mk._convolution_pointwise(x, x, weight, b, *args, "add", None, "relu", [], None),
                 f"{dt} in place onto its own input")
        refused(s, "aoti_torch_cpu_mkldnn__convolution_pointwise_binary", x, other, w, None, *conv_args(*args),
                text("pow"), None, None, *scalars([]), None, RET)
        refused(s, "aoti_torch_cpu_mkldnn__convolution_pointwise_binary", x, other, w, None, *conv_args(*args),
                text("add"), ctypes.pointer(ctypes.c_double(2.0)), None, *scalars([]), None, RET)
        refused(s, "aoti_torch_cpu_mkldnn__convolution_pointwise_binary", x, other, w, None, *conv_args(*args),
                text("add"), None, opt_text("tanh"), *scalars([]), None, RET)
        refused(s, "aoti_torch_cpu_mkldnn__convolution_pointwise_binary_", other.clone(), x, w, None,
                *conv_args(*args), text("mul"), None, None, *scalars([]), None, RET)
        refused(s, "aoti_torch_cpu_mkldnn__convolution_pointwise_binary", x, other[:1], w, None, *conv_args(*args),
                text("add"), None, None, *scalars([]), None, RET)


@case("aoti_torch_cpu_mkldnn__convolution_transpose_pointwise")
def convolution_transpose_pointwise(s):
    torch.manual_seed(3)
    for dt in (torch.float32, torch.bfloat16):
        x = torch.randn(2, 8, 5, 6, dtype=dt)
        for groups, pad, out_pad, stride in ((1, [0, 0], [0, 0], [2, 2]), (2, [1, 0], [1, 0], [2, 1])):
            w = torch.randn(8, 6 // groups, 3, 3, dtype=dt)  # [I, O/g, kh, kw]
            b = torch.randn(6, dtype=dt)
            packed = mk._reorder_convolution_transpose_weight(w, pad, out_pad, stride, [1, 1], groups, list(x.shape))
            for attr, sc, alg in (("none", [], ""), ("relu", [], ""), ("gelu", [], "tanh")):
                for weight in (packed, w):
                    want = mk._convolution_transpose_pointwise(x, weight, b, pad, out_pad, stride, [1, 1], groups,
                                                               attr, sc, alg or None)
                    got = s.call("aoti_torch_cpu_mkldnn__convolution_transpose_pointwise", x, weight, s.opt_handle(b),
                                 ints(pad), ints(out_pad), ints(stride), ints([1, 1]), i64(groups), text(attr),
                                 *scalars(sc), opt_text(alg), RET)
                    same(got, want, f"{dt} groups={groups} {attr} packed={weight is packed}")


@case("aoti_torch_cpu__linear_pointwise", "aoti_torch_cpu__linear_pointwise_binary")
def linear_pointwise(s):
    torch.manual_seed(4)
    for dt in (torch.float32, torch.bfloat16):
        w = torch.randn(24, 40, dtype=dt)
        b = torch.randn(24, dtype=dt)
        for x in (torch.randn(5, 40, dtype=dt), torch.randn(2, 3, 40, dtype=dt), torch.randn(7, 40, dtype=dt).t().contiguous().t()):
            packed = mk._reorder_linear_weight(w, x.numel() // 40)
            for weight in (packed, w):
                for attr, sc, alg in UNARY:
                    for bias in (b, None):
                        want = mk._linear_pointwise(x, weight, bias, attr, sc, alg or None)
                        got = s.call("aoti_torch_cpu__linear_pointwise", x, weight, s.opt_handle(bias), text(attr),
                                     *scalars(sc), opt_text(alg), RET)
                        same(got, want, f"{dt} {tuple(x.shape)} {attr}/{alg} packed={weight is packed}")
                other = torch.randn(*x.shape[:-1], 24, dtype=dt)
                for binary in ("add", "sub", "mul"):
                    want = mk._linear_pointwise(x, other, weight, b, binary)
                    got = s.call("aoti_torch_cpu__linear_pointwise_binary", x, other, weight, s.opt_handle(b),
                                 text(binary), RET)
                    same(got, want, f"{dt} {tuple(x.shape)} {binary} packed={weight is packed}")
    # A weight packed for another batch size is re-laid out for this one, not misread.
    x = torch.randn(33, 40)
    packed = mk._reorder_linear_weight(w.float(), 1)
    same(s.call("aoti_torch_cpu__linear_pointwise", x, packed, None, text("none"), *scalars([]), None, RET),
         mk._linear_pointwise(x, packed, None, "none", [], None), "batch 33 on a weight packed for 1")
    refused(s, "aoti_torch_cpu__linear_pointwise", torch.randn(5, 41), w.float(), None, text("none"), *scalars([]), None, RET)
    refused(s, "aoti_torch_cpu__linear_pointwise", torch.randn(5, 40).double(), w.double(), None, text("none"),
            *scalars([]), None, RET)
    refused(s, "aoti_torch_cpu__linear_pointwise_binary", torch.randn(5, 40), torch.randn(5, 23), w.float(), None,
            text("add"), RET)


@case("aoti_torch_cpu__mkl_linear")
def mkl_linear(s):
    # MKL's packed weights are MKL's own format: refused with the export that works.
    w = torch.randn(8, 16)
    try:
        s.call("aoti_torch_cpu__mkl_linear", torch.randn(2, 16), w, w, None, i64(2), RET)
    except ShimError as e:
        if "weight_prepack" not in str(e):
            raise AssertionError(f"mkl_linear's refusal does not give the export that works: {e}")
        return
    raise AssertionError("mkl_linear accepted a weight it cannot read")


@case("aoti_torch_create_tensor_from_blob_v2")
def prepacked_metadata(s):
    """A package's descriptor bytes are hostile: each malformed one is refused with a message."""
    w = torch.randn(16, 3, 3, 3)
    packed = mk._reorder_convolution_weight(w, [1, 1], [1, 1], [1, 1], 1, [2, 3, 8, 8])
    md = bytearray(torch.ops.mkldnn._get_mkldnn_serialized_md(packed).tolist())
    address = torch.ops.mkldnn.data_ptr(packed)
    s._keep.append(packed)
    s.blob_handle(address, [16, 3, 3, 3], torch.float32, md)  # the real one is taken

    def patched(offset, fmt, value):
        b = bytearray(md)
        import struct
        struct.pack_into(fmt, b, offset, value)
        return b

    bad = {"short": md[:-4], "long": md + b"\0", "lead word": patched(0, "<i", 2), "no dims": patched(4, "<i", 0),
           "13 dims": patched(4, "<i", 13), "dims": patched(8, "<q", 15), "dtype": patched(104, "<i", 2),
           "int8": patched(104, "<i", 5), "format kind": patched(312, "<i", 1), "offset0": patched(304, "<q", 8),
           "padded": patched(112, "<q", 64), "block dim": patched(520, "<q", 9), "block size": patched(424, "<q", 0),
           "inner count": patched(416, "<i", 99), "stride": patched(320, "<q", -5)}
    for what, blob in bad.items():
        try:
            s.blob_handle(address, [16, 3, 3, 3], torch.float32, blob)
        except ShimError as e:
            if "prepacked weight" not in str(e) and "oneDNN" not in str(e):
                raise AssertionError(f"{what}: the refusal does not say what is wrong: {e}")
            continue
        raise AssertionError(f"a descriptor with a bad {what} was accepted")
    for shape, dt in (([16, 3, 3], torch.float32), ([16, 3, 3, 3], torch.bfloat16)):
        try:
            s.blob_handle(address, shape, dt, md)
        except ShimError:
            continue
        raise AssertionError(f"a descriptor was accepted for a {dt} constant of {shape}")
    for layout in (1, 7):
        try:
            s.blob_handle(address, [16, 3, 3, 3], torch.float32, md, layout=layout)
        except ShimError:
            continue
        raise AssertionError(f"layout {layout} was accepted")
