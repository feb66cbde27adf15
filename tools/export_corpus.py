#!/usr/bin/env python3
"""Export pt2run's test corpus: small models covering what AOTInductor emits for CPU.

For every model this writes, under OUT/<name>/:
  model.pt2                      torch._inductor.aoti_compile_and_package output
  case_<k>/in_<i>.npy            flat inputs of case k (pytree-flattened like the package)
  case_<k>/out_<j>.npy           eager outputs of case k, flattened
and OUT/manifest.json describing models, cases, dtypes and tolerances. bfloat16 arrays are
stored as their raw uint16 bits (numpy has no bfloat16); the manifest names the real dtype.

Failure fixtures (packages pt2run must refuse with a clear error) are derived from real
exports: see make_failure_fixtures().

Usage: export_corpus.py OUT [--jobs N] [--only NAME,...] [--device cpu|cuda]
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import sys
import zipfile
from concurrent.futures import ProcessPoolExecutor

TOL = {
    "float32": {"rtol": 1e-4, "atol": 1e-4},
    "float16": {"rtol": 1e-2, "atol": 1e-2},
    "bfloat16": {"rtol": 3e-2, "atol": 3e-2},
    "float64": {"rtol": 1e-7, "atol": 1e-7},
}
# torch.testing's float32 default, what PyTorch's AOTInductor suite compares with.
SUITE_FLOAT32 = {"rtol": 1.3e-6, "atol": 1e-5}


_CUSTOM_OP = []


def custom_ops():
    """torch.library custom ops (registered once per process): AOTInductor has no C shim for
    them and routes them through its proxy executor. tests/integration/custom_op_test.cpp
    registers the same two in C++."""
    import torch
    from typing import List, Optional, Tuple
    if not _CUSTOM_OP:
        @torch.library.custom_op("pt2run_test::twice", mutates_args=())
        def twice(x: torch.Tensor) -> torch.Tensor:
            return x * 2

        @twice.register_fake
        def _(x):
            return torch.empty_like(x)

        # Every kind of argument AOTInductor flattens differently: an optional tensor, an int,
        # a float (passed in the node list), an int list, and a defaulted keyword.
        @torch.library.custom_op("pt2run_test::affine", mutates_args=())
        def affine(x: torch.Tensor, bias: Optional[torch.Tensor], n: int, alpha: float,
                   dims: List[int], *, shift: int = 3) -> Tuple[torch.Tensor, torch.Tensor]:
            y = x * alpha * n + shift
            if bias is not None:
                y = y + bias
            return y, x.sum(dims)

        @affine.register_fake
        def _(x, bias, n, alpha, dims, *, shift=3):
            return torch.empty_like(x), x.sum(dims)

        _CUSTOM_OP.extend([twice, affine])
    return _CUSTOM_OP


def build_models():
    """name -> (module factory, list of cases (args, kwargs), dynamic_shapes or None, options)."""
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    from torch.export import Dim

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(16, 64)
            self.fc2 = nn.Linear(64, 32)
            self.fc3 = nn.Linear(32, 4)

        def forward(self, x):
            return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))

    class CNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
            self.bn1 = nn.BatchNorm2d(8)
            self.conv2 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
            self.bn2 = nn.BatchNorm2d(16)
            self.pool = nn.MaxPool2d(2)
            self.head = nn.Linear(16, 10)

        def forward(self, x):
            x = self.pool(F.relu(self.bn1(self.conv1(x))))
            x = F.relu(self.bn2(self.conv2(x)))
            x = F.adaptive_avg_pool2d(x, 1).flatten(1)
            return self.head(x)

    class FusedOps(nn.Module):
        """What freezing makes of each oneDNN fusion torch defines: a convolution with relu, one
        whose result is added to its own input then relu'd (binary), a grouped one with
        hardswish, a transposed one, a linear layer with gelu and one with a residual add."""

        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 16, 3, padding=1)
            self.residual = nn.Conv2d(16, 16, 3, padding=1)
            self.grouped = nn.Conv2d(16, 16, 3, padding=1, groups=4)
            self.up = nn.ConvTranspose2d(16, 8, 2, stride=2)
            self.fc = nn.Linear(8 * 16 * 16, 64)
            self.out = nn.Linear(64, 64)

        def forward(self, x, r):
            y = F.relu(self.conv(x))
            y = F.relu(self.residual(y) + y)
            y = F.hardswish(self.grouped(y))
            y = self.up(y)
            z = F.gelu(self.fc(y.flatten(1)))
            return self.out(z) + r, y

    class WideLinear(nn.Module):
        """Linear layers large enough that pt2run runs them on packed weights."""

        def __init__(self):
            super().__init__()
            self.up = nn.Linear(256, 384)
            self.down = nn.Linear(384, 256, bias=False)

        def forward(self, x):
            return self.down(F.gelu(self.up(x)))

    class TransformerBlock(nn.Module):
        def __init__(self, d=64, heads=4):
            super().__init__()
            self.ln1 = nn.LayerNorm(d)
            self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
            self.ln2 = nn.LayerNorm(d)
            self.ff = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

        def forward(self, x):
            h = self.ln1(x)
            x = x + self.attn(h, h, h, need_weights=False)[0]
            return x + self.ff(self.ln2(x))

    class Attention(nn.Module):
        """Direct SDPA calls: causal, float mask, boolean mask, custom scale."""

        def __init__(self, d=32, heads=2):
            super().__init__()
            self.heads = heads
            self.qkv = nn.Linear(d, 3 * d)
            self.out = nn.Linear(d, d)

        def forward(self, x, mask):
            b, s, d = x.shape
            q, k, v = self.qkv(x).view(b, s, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
            causal = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            masked = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=0.3)
            boolean = F.scaled_dot_product_attention(q, k, v, attn_mask=mask > 0)
            y = (causal + masked + boolean).transpose(1, 2).reshape(b, s, d)
            return self.out(y)

    class NamedInputs(nn.Module):
        # Packaged with its exported program, which keeps the forward's parameter names.
        def __init__(self):
            super().__init__()
            self.proj = nn.Linear(16, 4)

        def forward(self, input_ids, mask, extra):
            return self.proj(input_ids) * mask + extra["bias"]

    class PyTree(nn.Module):
        def __init__(self):
            super().__init__()
            self.wa = nn.Linear(8, 8)
            self.wb = nn.Linear(4, 8)

        def forward(self, inputs):
            a = self.wa(inputs["a"])
            b = self.wb(inputs["b"])
            return a + b, torch.relu(a) * inputs["scale"]

    class EmbeddingMask(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(100, 16)
            self.proj = nn.Linear(16, 8)

        def forward(self, ids, mask):
            e = self.emb(ids) * mask.unsqueeze(-1).to(torch.float32)
            pooled = e.sum(1) / mask.sum(1, keepdim=True).clamp(min=1).to(torch.float32)
            return self.proj(pooled), ids.max(dim=1).values

    class Buffers(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(8, 8)
            self.register_buffer("scale", torch.linspace(0.5, 2.0, 8))
            self.register_buffer("shift", torch.arange(8, dtype=torch.float32) / 10, persistent=False)

        def forward(self, x):
            return self.fc(x) * self.scale + self.shift

    class Convs(nn.Module):
        """conv1d (dilated), depthwise conv2d, grouped + transposed conv2d, conv3d."""

        def __init__(self):
            super().__init__()
            self.c1 = nn.Conv1d(4, 8, 3, dilation=2, padding=2)
            self.dw = nn.Conv2d(8, 8, 3, padding=1, groups=8)
            self.grouped = nn.Conv2d(8, 12, 3, stride=2, groups=4, bias=False)
            self.up = nn.ConvTranspose2d(12, 6, 3, stride=2, padding=1, output_padding=1)
            self.c3 = nn.Conv3d(2, 4, (2, 3, 3), padding=(0, 1, 1))

        def forward(self, seq, img, vol):
            a = self.c1(seq)
            b = self.up(self.grouped(self.dw(img)))
            c = self.c3(vol)
            return a, b, c

    class Matmuls(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.randn(12, 10))
            self.bias = nn.Parameter(torch.randn(5, 10))

        def forward(self, x, a, b, c):
            mm = x @ self.w
            addmm = torch.addmm(self.bias, x, self.w, beta=0.5, alpha=2.0)
            bmm = torch.bmm(a, b)
            baddbmm = torch.baddbmm(c, a, b, beta=0.25, alpha=1.5)
            return mm, addmm, bmm, baddbmm

    class Aliasing(nn.Module):
        def forward(self, x):
            return x, x[:, :2], x * 2

    class SwapNet(nn.Module):
        """Weights meant to be replaced at run time: a parameter stored column-major (its
        layout is part of what the compiled kernels assume), and a buffer."""

        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(8, 32)
            self.fc2 = nn.Linear(32, 4)
            self.fc2.weight = nn.Parameter(self.fc2.weight.detach().t().contiguous().t())
            self.register_buffer("scale", torch.randn(4))

        def forward(self, x):
            return self.fc2(F.relu(self.fc1(x))) * self.scale

    class Folded(nn.Module):
        """Exported with runtime constant folding: w * 2 + 1 and exp(b) are computed from the
        weights by the package's constant graph, not by each run."""

        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.randn(16, 8))
            self.b = nn.Parameter(torch.randn(16) * 0.1)

        def forward(self, x):
            return x @ F.relu(self.w * 2.0 + 1.0).t() + torch.exp(self.b)

    class Int8Bf16(nn.Module):
        """int8 weights with a float scale, and a bfloat16 parameter, in a float32 model."""

        def __init__(self):
            super().__init__()
            self.register_buffer("wq", torch.randint(-127, 128, (16, 8), dtype=torch.int8))
            self.register_buffer("wscale", torch.rand(16) * 0.05 + 0.01)
            self.bias = nn.Parameter(torch.randn(16).to(torch.bfloat16))

        def forward(self, x):
            w = self.wq.to(torch.float32) * self.wscale[:, None]
            return x @ w.t() + self.bias.to(torch.float32)

    class TailOps(nn.Module):
        """Ops AOTInductor leaves to fallbacks on CPU: topk, stable sort, searchsorted, nonzero
        (a data-dependent size), cumprod, histc; plus gather, index_put and interpolation,
        which it generates kernels for."""

        def forward(self, x, idx, sorted_seq):
            values, indices = torch.topk(x, 3, dim=1)
            s, si = torch.sort(x, dim=-1, stable=True)
            positions = torch.searchsorted(sorted_seq, x.contiguous())
            nz = torch.nonzero(x > 0.5)
            y = x.clone()
            y.index_put_((idx[:, 0],), torch.ones(idx.shape[0], x.shape[1], device=x.device), accumulate=True)
            up = F.interpolate(x[None, None], scale_factor=2, mode="bilinear", align_corners=False)
            return (values, indices, s, si, positions, nz, torch.cumprod(x, dim=0), torch.gather(x, 1, idx), y,
                    torch.histc(x, bins=4, min=-2, max=2), up)

    class CudaNumerics(nn.Module):
        """Ops whose CUDA kernels round in their own order, checked at the float32 tolerance of
        PyTorch's AOTInductor suite: index_put summing many duplicates in deterministic mode
        (one element per index, 3 per index, 40 per index), an STFT (r2c), irfft (c2r through
        the proxy executor) and a 2-D complex FFT (c2c); and an int4 weight packed by CUDA's
        _convert_weight_to_int4pack (tinygemm's layout). Exported for CUDA only."""

        def __init__(self):
            super().__init__()
            n, k = 48, 256
            w = torch.randint(0, 256, (n, k // 2), dtype=torch.uint8)
            scales = torch.rand(k // 32, n, 1) * 0.05 + 0.01
            zeros = torch.randn(k // 32, n, 1) * 0.05
            self.register_buffer("qsz", torch.cat([scales, zeros], dim=2).to(torch.bfloat16))
            # The packed layout exists only on CUDA; a CPU instance (never exported) keeps bytes.
            self.register_buffer("w4", torch._convert_weight_to_int4pack(w.cuda(), 4)
                                 if torch.cuda.is_available() else w)

        def forward(self, x, i1, i2, y, rows, v3, v40, sig, a):
            p = torch.ops.aten.index_put(x, (None, None, i1, i2.transpose(0, 1)), y, accumulate=True)
            b = torch.zeros(4, 3, device=x.device).index_put((rows,), v3, accumulate=True)
            c = torch.zeros(4, 40, device=x.device).index_put((rows,), v40, accumulate=True)
            window = torch.hann_window(64, device=x.device)
            spec = torch.stft(sig, n_fft=64, hop_length=16, window=window, return_complex=True)
            z = torch.fft.fft2(torch.complex(sig[:, :96].reshape(2, 8, 12), sig[:, 96:192].reshape(2, 8, 12)))
            return (p, b, c, torch.view_as_real(spec), torch.fft.irfft(spec, n=64, dim=1),
                    torch.view_as_real(z), torch._weight_int4pack_mm(a, self.w4, 32, self.qsz))

    class AttentionEntryPoints(nn.Module):
        """The flash and memory-efficient attention entry points called directly, on [B, L, H,
        E] operands as FlashAttention's own API takes them, in float16: causal flash, efficient
        with an additive bias. Exported for CUDA only."""

        def forward(self, q, k, v, bias):
            flash = torch.ops.aten._flash_attention_forward(q, k, v, None, None, q.shape[1], k.shape[1], 0.0,
                                                            True, False)[0]
            efficient = torch.ops.aten._efficient_attention_forward(q, k, v, bias, None, None, None, None, 0.0, 0,
                                                                    False)[0]
            return flash, efficient

    class CustomOp(nn.Module):
        """Calls custom ops only the exporting process knows (proxy executor)."""

        def forward(self, x, bias):
            twice, affine = custom_ops()
            y, s = affine(twice(x), bias, 2, 0.5, [1])
            z, _ = affine(x, None, 1, -1.0, [0, 1], shift=-2)
            return y + 1, s, z

    class MissingOp(nn.Module):
        """Calls a C shim pt2run refuses by name: a backward op, which no inference graph needs."""

        def forward(self, x):
            return torch.ops.aten._adaptive_avg_pool2d_backward(x, x) + 1

    class SelectionOps(nn.Module):
        """Ops with data-dependent output sizes or order statistics: unique and
        unique_consecutive and bincount (proxy executor), masked_select, repeat_interleave,
        kthvalue, median (proxy), cummax, cummin."""

        def forward(self, x, labels, repeats):
            u, inverse, counts = torch.unique(labels, return_inverse=True, return_counts=True)
            runs = torch.unique_consecutive(labels)
            kth = torch.kthvalue(x, 2, dim=1)
            med = torch.median(x, dim=0)
            return (u, inverse, counts, runs, torch.bincount(labels, minlength=8),
                    torch.masked_select(x, x > 0.3), torch.repeat_interleave(repeats),
                    kth.values, kth.indices, med.values, med.indices,
                    torch.cummax(x, dim=1).values, torch.cummin(x, dim=0).indices)

    class FftOps(nn.Module):
        """rfft and rfft2 (r2c), irfft of odd length (c2r, proxy executor), fft of a complex
        tensor built with torch.complex (proxy) and returned as real pairs (c2c)."""

        def forward(self, x):
            spectrum = torch.fft.rfft(x)
            return (spectrum.abs(), torch.fft.irfft(spectrum, n=x.shape[-1]),
                    torch.view_as_real(torch.fft.fft(torch.complex(x, -x), norm="ortho")),
                    torch.fft.rfft2(x, norm="forward").abs())

    class IndexingOps(nn.Module):
        """Embedding bags (sum with per-sample weights, mean, max), scatter reductions,
        segment_reduce, cdist, linalg.inv (proxy), int8 matmuls, antialiased bilinear
        downsampling (proxy)."""

        def __init__(self):
            super().__init__()
            self.bag_sum = nn.EmbeddingBag(20, 6, mode="sum")
            self.bag_mean = nn.EmbeddingBag(20, 6, mode="mean", padding_idx=0)
            self.bag_max = nn.EmbeddingBag(20, 6, mode="max")
            self.register_buffer("w8", torch.randint(-128, 127, (12, 16), dtype=torch.int8))
            self.register_buffer("scales", torch.rand(12) / 50)

        def forward(self, ids, offsets, psw, x, index, a8, b8):
            return (self.bag_sum(ids, offsets, per_sample_weights=psw), self.bag_mean(ids, offsets),
                    self.bag_max(ids, offsets),
                    x.scatter_add(0, index, x[: index.shape[0]] * 2),
                    x.scatter_reduce(0, index, x[: index.shape[0]], "amax", include_self=False),
                    torch.segment_reduce(x[:, 0], "max", lengths=torch.tensor([2, 0, 3, 3], device=x.device)),
                    torch.cdist(x[:4], x[4:]), torch.linalg.inv(x[:4, :4] + 4 * torch.eye(4, device=x.device)),
                    torch._weight_int8pack_mm(x[:, :16].contiguous(), self.w8, self.scales),
                    torch._int_mm(a8, b8),
                    F.interpolate(x[None, None], size=(3, 5), mode="bilinear", antialias=True))

    class Recurrent(nn.Module):
        """A 2-layer LSTM (batch first) and a bidirectional one (aten::mkldnn_rnn_layer with
        reverse), and a GRU (which AOTInductor decomposes into generated code)."""

        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(8, 12, num_layers=2, batch_first=True)
            self.bilstm = nn.LSTM(8, 6, bidirectional=True)
            self.gru = nn.GRU(8, 10, batch_first=True)

        def forward(self, x, h0, c0):
            out, (h, c) = self.lstm(x, (h0, c0))
            bi, _ = self.bilstm(x.transpose(0, 1))
            g, _ = self.gru(x)
            return out, h, c, bi, g

    class RandomOps(nn.Module):
        """dropout, rand_like and randn draw their seeds with aoti_torch_cpu_randint_low_out;
        expected outputs come from torch running the package after torch.manual_seed."""

        def forward(self, x):
            return (F.dropout(x, 0.5, training=True), x + torch.rand_like(x),
                    torch.randn(3, 5, device=x.device) * x[:3])

    class RandomFallbacks(nn.Module):
        """With fallback_random, Inductor calls torch's random ops instead of compiling its own:
        rand, randn, randint (32- and 64-bit draws), the _like forms, uniform_, normal_,
        bernoulli_, exponential_, in float32, float64, float16, bfloat16 and int64, one tensor
        large enough that each thread of the grid draws more than once. Exported for CUDA only:
        the expected outputs are torch's own run of the package after torch.manual_seed."""

        def forward(self, x):
            d = x.device
            return (torch.rand(5, 7, device=d), torch.randn(4, 6, device=d, dtype=torch.float64),
                    torch.randint(0, 10, (9,), device=d), torch.randint(-2**40, 2**40, (6,), device=d),
                    torch.rand_like(x, dtype=torch.float16), torch.randn_like(x), torch.randint_like(x, 3, 50),
                    torch.empty_like(x).uniform_(-2, 3), torch.empty_like(x).normal_(1, 2),
                    torch.empty_like(x).bernoulli_(0.3), torch.empty_like(x).exponential_(1.5),
                    torch.rand(3000, 400, device=d).sum(dim=1), torch.rand(2, 3, device=d, dtype=torch.bfloat16))

    class Reduction(nn.Module):
        """A whole-tensor reduction: Inductor splits it across threads and keeps the partial
        results in arrays sized by the exporting machine's thread count (tmp_acc0_arr[N]), the
        bound pt2run reads from the kernel source and keeps runs within."""

        def forward(self, x):
            return x.sum(), x.amax()

    g = torch.Generator().manual_seed(0)

    def rnd(*shape, dtype=torch.float32):
        return torch.randn(*shape, generator=g).to(dtype)

    # Swappable models keep every weight as a constant (tiny ones are otherwise inlined into
    # the kernels) and come with a second weight set (see export_one).
    swap = {"weight_sets": True, "configs": {"always_keep_tensor_constants": True}}

    def outside(fmt, **extra):
        configs = {"always_keep_tensor_constants": True, "aot_inductor.package_constants_in_so": False,
                   **extra}
        if fmt:
            configs["aot_inductor.package_constants_on_disk_format"] = fmt
        return {"weight_sets": True, "configs": configs, "weights_outside": fmt or "none"}

    # Inductor's compile cache does not tell these settings apart (it would hand the prepacked
    # model the unpacked one's compile, or the reverse), so they compile afresh.
    frozen = {"freezing": True, "cpp.weight_prepack": False, "force_disable_caches": True}
    prepacked = {"freezing": True, "force_disable_caches": True}

    # torch.export specializes sizes 0 and 1: a dynamic batch starts at 2.
    batch = Dim("batch", min=2, max=64)
    models = {
        "mlp": (MLP, [((rnd(b, 16),), {}) for b in (3, 2, 17)], {"x": {0: batch}}),
        "cnn": (CNN, [((rnd(2, 3, 16, 16),), {})], None),
        # Batches on both sides of the size where packing the weights pays (3+ rows here).
        "linear_wide": (WideLinear, [((rnd(b, 256),), {}) for b in (8, 2, 3, 8)], {"x": {0: batch}}),
        "transformer": (TransformerBlock, [((rnd(2, 16, 64),), {})], None),
        "attention": (Attention, [((rnd(2, 8, 32), rnd(8, 8)), {})], None),
        "pytree": (PyTree, [(({"a": rnd(3, 8), "b": rnd(3, 4), "scale": rnd(3, 8)},), {})], None),
        "named_inputs": (NamedInputs, [((rnd(3, 16), rnd(3, 4), {"bias": rnd(4)}), {})], None,
                         {"with_program": True}),
        "embedding_mask": (EmbeddingMask, [((torch.randint(0, 100, (4, 6), generator=g),
                                              torch.rand(4, 6, generator=g) > 0.3), {})], None),
        "buffers": (Buffers, [((rnd(5, 8),), {})], None),
        "convs": (Convs, [((rnd(2, 4, 20), rnd(1, 8, 9, 9), rnd(1, 2, 3, 6, 6)), {})], None),
        "matmuls": (Matmuls, [((rnd(5, 12), rnd(3, 4, 6), rnd(3, 6, 7), rnd(3, 4, 7)), {})], None),
        "aliasing": (Aliasing, [((rnd(3, 4),), {})], None),
        "transformer_bf16": (lambda: TransformerBlock(32, 2).to(torch.bfloat16),
                             [((rnd(2, 8, 32, dtype=torch.bfloat16),), {})], None),
        "cnn_fp16": (lambda: CNN().to(torch.float16), [((rnd(2, 3, 16, 16, dtype=torch.float16),), {})], None),
        "missing_op": (MissingOp, [((rnd(1, 2, 5, 3),), {})], None),
        "custom_op": (CustomOp, [((rnd(3, 4), rnd(3, 4)), {})], None),
        "selection_ops": (SelectionOps, [((rnd(5, 6), torch.tensor([3, 3, 1, 0, 5, 5, 5, 2, 1]),
                                           torch.tensor([2, 0, 3, 1])), {})], None),
        "fft_ops": (FftOps, [((rnd(3, 9),), {})], None),
        "cuda_numerics": (CudaNumerics, [((rnd(8, 192, 30, 30).abs(), torch.zeros(3, 14, 1, 1, dtype=torch.int64),
                                           torch.ones(14, 3, dtype=torch.int64), rnd(8, 192, 3, 14, 3, 14),
                                           torch.randint(0, 4, (700,), generator=g), rnd(700, 3), rnd(700, 40),
                                           rnd(2, 400), rnd(5, 256, dtype=torch.bfloat16)), {})], None,
                          {"deterministic": True, "float32_tolerance": SUITE_FLOAT32}),
        "indexing_ops": (IndexingOps, [((torch.tensor([1, 2, 4, 5, 0, 3, 2, 9, 7]), torch.tensor([0, 4, 4, 6]),
                                         torch.rand(9, generator=g), rnd(8, 16),
                                         torch.randint(0, 8, (5, 16), generator=g),
                                         torch.randint(-128, 127, (32, 32), dtype=torch.int8, generator=g),
                                         torch.randint(-128, 127, (32, 40), dtype=torch.int8, generator=g)), {})],
                         None),
        "recurrent": (Recurrent, [((rnd(3, 7, 8), rnd(2, 3, 12), rnd(2, 3, 12)), {})], None),
        "random_ops": (RandomOps, [((rnd(4, 5),), {}), ((rnd(4, 5),), {})], None, {"seed": 1234}),
        "attention_entry_points": (AttentionEntryPoints,
                                   [((rnd(2, 64, 4, 32, dtype=torch.float16), rnd(2, 64, 4, 32, dtype=torch.float16),
                                      rnd(2, 64, 4, 32, dtype=torch.float16),
                                      rnd(2, 4, 64, 64, dtype=torch.float16)), {})], None),
        "random_fallbacks": (RandomFallbacks, [((rnd(4, 5),), {}), ((rnd(4, 5),), {})], None,
                             {"seed": 7, "configs": {"fallback_random": True}}),
        "tail_ops": (TailOps, [((rnd(4, 6), torch.randint(0, 4, (4, 2), generator=g),
                                 torch.linspace(-2, 2, 9)), {})], None),
        "reduction": (Reduction, [((rnd(1 << 18),), {})], None),
        "swap": (SwapNet, [((rnd(5, 8),), {})], None, swap),
        "folded": (Folded, [((rnd(3, 8),), {})], None,
                   {"weight_sets": True, "configs": {"aot_inductor.use_runtime_constant_folding": True}}),
        "int8_bf16": (Int8Bf16, [((rnd(4, 8),), {})], None, swap),
        # The same SwapNet with its weights outside the library, in each layout torch offers.
        "weights_none": (SwapNet, [((rnd(5, 8),), {})], None, outside(None)),
        "weights_blob": (SwapNet, [((rnd(5, 8),), {})], None, outside("binary_blob")),
        "weights_pickle": (SwapNet, [((rnd(5, 8),), {})], None, outside("pickle_weights")),
        # Weights appended to the library and memory-mapped by it (the > 2 GB layout, forced).
        "weights_mmap": (SwapNet, [((rnd(5, 8),), {})], None,
                         {**swap, "configs": {**swap["configs"], "aot_inductor.force_mmap_weights": True},
                          "weights_outside": "mmap_self"}),
        # Frozen, as torch recommends for CPU inference, without oneDNN weight prepacking: the
        # weights become constants in the layout the kernels read (channels-last convolution
        # weights), which pt2run packs once.
        "cnn_frozen": (CNN, [((rnd(2, 3, 16, 16),), {})], None, {"configs": frozen}),
        "transformer_frozen": (TransformerBlock, [((rnd(2, 16, 64),), {})], None, {"configs": frozen}),
        # Frozen with torch's default oneDNN weight prepacking: the weights are oneDNN blobs
        # (layout Mkldnn) that torch's fused convolution and linear ops read.
        "cnn_prepacked": (CNN, [((rnd(2, 3, 16, 16),), {})], None, {"configs": prepacked}),
        "fused_prepacked": (FusedOps, [((rnd(2, 3, 8, 8), rnd(2, 64)), {})], None, {"configs": prepacked}),
        "fused_prepacked_bf16": (lambda: FusedOps().to(torch.bfloat16),
                                 [((rnd(2, 3, 8, 8, dtype=torch.bfloat16), rnd(2, 64, dtype=torch.bfloat16)), {})],
                                 None, {"configs": prepacked}),
    }
    return models


def flat(tree):
    import torch.utils._pytree as pytree
    return pytree.tree_leaves(tree)


def dtype_name(t):
    return str(t.dtype).replace("torch.", "")


def save_array(path, t):
    import numpy as np
    import torch
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:
        arr = t.view(torch.int16).numpy().view(np.uint16)
    else:
        arr = t.numpy()
    np.save(path, arr)


def second_weight_set(model):
    """A different value for every weight: fresh random data of the same dtype and shape."""
    import torch
    g = torch.Generator().manual_seed(1)
    result = {}
    for fqn, t in model.state_dict().items():
        if t.dtype == torch.int8:
            result[fqn] = torch.randint(-127, 128, t.shape, generator=g, dtype=torch.int8)
        else:
            result[fqn] = (torch.rand(t.shape, generator=g) * 0.5 + 0.05).to(t.dtype)
    return result


def save_weights(model_dir, set_name, state):
    """weights_<set>/<fqn>.npy, contiguous (the runner must lay them out as the model wants)."""
    d = os.path.join(model_dir, f"weights_{set_name}")
    os.makedirs(d, exist_ok=True)
    for fqn, t in state.items():
        save_array(os.path.join(d, f"{fqn}.npy"), t)


def eager_outputs(model, cases, case_dirs, prefix):
    import torch
    with torch.no_grad():
        for (cargs, ckwargs), case_dir in zip(cases, case_dirs):
            for j, t in enumerate(flat(model(*cargs, **ckwargs))):
                save_array(os.path.join(case_dir, f"{prefix}{j}.npy"), t)


# Models exported for CUDA with --device cuda (on a GPU machine): the CPU corpus's inference
# models, and the fallback families a CUDA graph keeps (sorting, scans, selection, FFTs,
# indexing); weight-API and failure models stay CPU-only.
CUDA_MODELS = ["mlp", "cnn", "transformer", "attention", "pytree", "embedding_mask", "matmuls", "aliasing",
               "transformer_bf16", "cnn_fp16", "convs", "buffers", "selection_ops", "fft_ops", "indexing_ops",
               "tail_ops", "cuda_numerics", "random_fallbacks", "attention_entry_points"]
# Models only a CUDA export has: torch CUDA's own rounding, and random draws the CPU corpus
# covers with models of its own. (random_ops is CPU-only: its reference needs torch's loader,
# which in torch 2.11 crashes loading a CUDA package in the exporting process.)
CUDA_ONLY = {"cuda_numerics", "random_fallbacks", "attention_entry_points"}


def export_device():
    return os.environ.get("PT2RUN_EXPORT_DEVICE", "cpu")


def export_one(name, out_dir):
    import torch
    import torch.utils._pytree as pytree
    torch.manual_seed(0)
    factory, cases, dynamic, *rest = build_models()[name]
    options = rest[0] if rest else {}
    device = export_device()
    if device != "cpu":
        # Exact float32 references: eager convolutions would otherwise use TF32, as pt2run's
        # do by default (the CUDA tests turn it off on both sides).
        torch.backends.cudnn.allow_tf32 = False
    model = factory().eval().to(device)
    if device != "cpu":
        # Inputs move to the device; the files keep host copies (save_array moves them back).
        cases = pytree.tree_map(lambda t: t.to(device) if isinstance(t, torch.Tensor) else t, cases)
    model_dir = os.path.join(out_dir, name)
    os.makedirs(model_dir, exist_ok=True)
    if device != "cpu":
        # A device export records what torch itself cannot do instead of stopping the corpus.
        try:
            return export_model(name, model, cases, dynamic, options, model_dir)
        except Exception as e:  # noqa: BLE001
            return {"name": name, "export_error": f"{type(e).__name__}: {e}".splitlines()[0][:300]}
    return export_model(name, model, cases, dynamic, options, model_dir)


def export_model(name, model, cases, dynamic, options, model_dir):
    import torch
    # Deterministic mode changes what Inductor compiles (index_put with accumulate becomes a
    # fallback) and which kernels eager runs.
    deterministic = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(options.get("deterministic", False))
    try:
        return export_and_record(name, model, cases, dynamic, options, model_dir)
    finally:
        torch.use_deterministic_algorithms(deterministic)


def export_and_record(name, model, cases, dynamic, options, model_dir):
    import torch
    args, kwargs = cases[0]
    with torch.no_grad():
        ep = torch.export.export(model, args, kwargs, dynamic_shapes=dynamic)
        # Most packages keep the default (linked against libtorch, as users export them);
        # one is built the libtorch-free way.
        configs = {"aot_inductor.link_libtorch": name != "buffers", **options.get("configs", {})}
        if options.get("with_program"):
            # The exported program beside the compiled model, in one archive (torch.export's
            # package_pt2): it records the forward's parameter names.
            from torch.export.pt2_archive._package import package_pt2
            files = torch._inductor.aot_compile(ep.module(), args, kwargs,
                                                options={**configs, "aot_inductor.package": True})
            package_pt2(os.path.join(model_dir, "model.pt2"), exported_programs={"model": ep},
                        aoti_files={"model": files})
        else:
            torch._inductor.aoti_compile_and_package(
                ep, package_path=os.path.join(model_dir, "model.pt2"), inductor_configs=configs)
        entry = {"name": name, "cases": []}
        if "weights_outside" in options:
            entry["weights_outside"] = options["weights_outside"]
        packaged = None
        if "seed" in options:
            # Random ops: Inductor's own random kernels draw differently from eager, so the
            # reference is torch running this very package after torch.manual_seed(seed), as a
            # pt2run user would after manual_seed. With fallback_random the package calls
            # torch's random ops in the graph's order, so eager after the same seed is that
            # reference (and torch 2.11's loader crashes loading a CUDA package in the process
            # that exported it).
            entry["seed"] = options["seed"]
            if not options.get("configs", {}).get("fallback_random"):
                packaged = torch._inductor.aoti_load_package(os.path.join(model_dir, "model.pt2"))
        for k, (cargs, ckwargs) in enumerate(cases):
            if "seed" in options:
                torch.manual_seed(options["seed"])
            if packaged is not None:
                outputs = packaged(*cargs, **ckwargs)
            else:
                outputs = model(*cargs, **ckwargs)
            entry["cases"].append(save_case(model_dir, k, flat((cargs, ckwargs)), flat(outputs),
                                            options.get("float32_tolerance")))
    if options.get("weight_sets"):
        # Set a is the exported weights; set b replaces every one. out_b_<j>.npy are the
        # eager outputs with set b loaded.
        state_a = {k: v.clone() for k, v in model.state_dict().items()}
        state_b = second_weight_set(model)
        save_weights(model_dir, "a", state_a)
        save_weights(model_dir, "b", state_b)
        with torch.no_grad():
            for fqn, t in model.state_dict().items():
                t.copy_(state_b[fqn])  # keeps each parameter's layout
        eager_outputs(model, cases, [os.path.join(model_dir, c["dir"]) for c in entry["cases"]], "out_b_")
        entry["weight_sets"] = ["a", "b"]
        entry["constants"] = {fqn: {"dtype": dtype_name(t), "shape": list(t.shape)}
                              for fqn, t in state_a.items()}
    return entry


def rewrite_package(src, dst, edit_metadata=None, edit_library=None):
    """Copy a .pt2, changing the metadata JSON and/or the model library bytes."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if edit_metadata and info.filename.endswith("wrapper_metadata.json"):
                meta = json.loads(data)
                meta.update(edit_metadata)
                data = json.dumps(meta).encode()
            if edit_library and info.filename.endswith(".so"):
                data = edit_library(data)
            zout.writestr(info.filename, data)


def make_failure_fixtures(out_dir):
    base = os.path.join(out_dir, "mlp", "model.pt2")
    fixtures = os.path.join(out_dir, "failures")
    os.makedirs(fixtures, exist_ok=True)
    rewrite_package(base, os.path.join(fixtures, "wrong_isa.pt2"),
                    {"AOTI_CPU_ISA": "AVX512 AVX512_VNNI AMX_TILE AMX_FP16 AVX512_FP16"})
    rewrite_package(base, os.path.join(fixtures, "wrong_machine.pt2"),
                    {"AOTI_MACHINE": "aarch64", "AOTI_PLATFORM": "darwin", "AOTI_CPU_ISA": "NEON"})
    rewrite_package(base, os.path.join(fixtures, "wrong_device.pt2"), {"AOTI_DEVICE_KEY": "xpu"})

    def rename_symbols(data):
        # Same-length renames keep the ELF layout valid: the library now imports two
        # functions no shim provides.
        for old in (b"aoti_torch_cpu_addmm_out\0", b"aoti_torch_get_strides\0"):
            assert old in data, old
            data = data.replace(old, old[:-2] + b"Z\0")
        return data

    rewrite_package(base, os.path.join(fixtures, "renamed_symbols.pt2"), edit_library=rename_symbols)
    # A deflated (not stored) copy: valid zip, exercises the inflate path.
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(
            os.path.join(fixtures, "deflated.pt2"), "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename))


def save_case(model_dir, k, ins, outs, float32_tolerance=None):
    """Writes case_<k>/in_<i>.npy and out_<j>.npy; returns the case's manifest entry, with the
    per-dtype tolerances (float32's overridable: deep models accumulate rounding)."""
    case_dir = os.path.join(model_dir, f"case_{k}")
    os.makedirs(case_dir, exist_ok=True)
    for i, t in enumerate(ins):
        save_array(os.path.join(case_dir, f"in_{i}.npy"), t)
    for j, t in enumerate(outs):
        save_array(os.path.join(case_dir, f"out_{j}.npy"), t)

    def tolerance(t):
        if float32_tolerance and dtype_name(t) == "float32":
            return float32_tolerance
        return TOL.get(dtype_name(t), {"rtol": 0, "atol": 0})

    return {"dir": f"case_{k}",
            "inputs": [{"dtype": dtype_name(t), "shape": list(t.shape)} for t in ins],
            "outputs": [{"dtype": dtype_name(t), "shape": list(t.shape), **tolerance(t)} for t in outs]}


def export_in_parallel(export_fn, names, out, jobs, versions, finish=None):
    """Runs export_fn(name, folder) for every name in `jobs` processes into OUT.partial, writes
    its manifest.json ({**versions, "models": entries}), lets finish(folder) add to it, then
    swaps it in for OUT: a cancelled export never leaves a half-written corpus behind."""
    tmp = out.rstrip("/") + ".partial"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    # A process per model: Inductor keeps state between compiles (its oneDNN fusion patterns
    # are registered once per process, with the weight_prepack setting of the first freezing
    # compile), so a model must not inherit its predecessor's.
    with ProcessPoolExecutor(max_workers=jobs, max_tasks_per_child=1) as pool:
        entries = list(pool.map(export_fn, names, [tmp] * len(names)))
    with open(os.path.join(tmp, "manifest.json"), "w") as f:
        json.dump({**versions, "models": entries}, f, indent=1)
    if finish:
        finish(tmp)
    shutil.rmtree(out, ignore_errors=True)
    os.replace(tmp, out)
    return entries


def corpus_key(script_path):
    import torch
    h = hashlib.sha256()
    with open(script_path, "rb") as f:
        h.update(f.read())
    h.update(torch.__version__.encode())
    return h.hexdigest()[:16]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", help="output folder, or 'key' to print the cache key")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", default="")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"],
                        help="cuda: export CUDA packages of the inference models (needs a GPU)")
    ns = parser.parse_args()
    if ns.out == "key":
        print(corpus_key(os.path.abspath(__file__)))
        return
    os.environ.setdefault("TORCHINDUCTOR_COMPILE_THREADS", "1")
    os.environ["PT2RUN_EXPORT_DEVICE"] = ns.device  # read by the worker processes
    names = [n for n in build_models() if n not in CUDA_ONLY] if ns.device == "cpu" else CUDA_MODELS
    if ns.only:
        names = [n for n in names if n in ns.only.split(",")]
    import torch
    entries = export_in_parallel(export_one, names, ns.out, ns.jobs,
                                 {"torch": torch.__version__, "device": ns.device},
                                 finish=make_failure_fixtures if "mlp" in names and ns.device == "cpu" else None)
    print(f"exported {len(entries)} models to {ns.out}")


if __name__ == "__main__":
    main()
