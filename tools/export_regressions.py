#!/usr/bin/env python3
"""Export the conformance regression corpus: one small model per behaviour that PyTorch's own
AOTInductor test suite (tools/conformance.py) found pt2run getting wrong or refusing. Each model
is written here from the behaviour, not copied from the suite, so CI keeps these cases without
PyTorch's test files.

The layout and manifest are the test corpus's (tools/export_corpus.py), in a folder of their
own, keyed by this file, export_corpus.py and torch's version: adding a model re-exports only
these. tests/integration/corpus_test.cpp checks every model against eager (or, for "seed"
models, against torch running the same package after manual_seed).

Usage: export_regressions.py OUT [--jobs N] [--only NAME,...] | key
"""
import argparse
import hashlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_corpus  # noqa: E402


def build_models():
    """name -> (module factory, cases [(args, kwargs)], dynamic_shapes, options). Options are
    export_corpus's (seed, configs) plus "deterministic" (export under
    torch.use_deterministic_algorithms)."""
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    def rnd(*shape, dtype=torch.float32):
        return torch.randn(*shape, dtype=dtype)

    class EmbeddingBagOutputs(nn.Module):
        """All four outputs of aten._embedding_bag, whose contents depend on the mode: sum on
        torch's fast path (empty offset2bag, zero bag_size), sum with a padding index and with
        float64 rows (filled offset2bag), mean (max_indices = bag_size), max with an empty bag
        and include_last_offset."""

        def forward(self, weight, ids, offsets):
            bag = torch.ops.aten._embedding_bag
            return (bag(weight, ids, offsets, False, 0, False, None, False, -1),
                    bag(weight, ids, offsets, False, 0, False, None, False, 2),
                    bag(weight.double(), ids, offsets, False, 0, False, None, False, -1),
                    bag(weight, ids, offsets, False, 1, False, None, False, 4),
                    bag(weight, ids, offsets, False, 2, False, None, True, -1))

    class ComplexOps(nn.Module):
        """Complex tensors, which Inductor's kernels do not cover: view_as_complex, add, mul,
        permute, slice, squeeze through fallbacks, and an STFT (rfft, complex abs)."""

        def forward(self, x, y, signal):
            c, d = torch.view_as_complex(x), torch.view_as_complex(y)
            e = (c + d).permute(1, 0)[1:3].unsqueeze(0).squeeze(0)
            window = torch.hann_window(16)
            spectrum = torch.stft(signal, 16, window=window, return_complex=True)
            return torch.view_as_real(e * 2), torch.view_as_real(c * d), spectrum.abs()

    class FftPrimitives(nn.Module):
        """The FFT primitives as torch.fft lowers them: a 3-d fftn of a real input (the suite's
        test_fft_c2c; its real part near zero is where the suite's tolerance is narrower than
        torch's own float32 error), an inverse c2c with ortho normalization over two of three
        dims, a one-sided rfft and two-dim irfftns (c2r after a c2c), in float32 and float64."""

        def forward(self, x, y):
            spectrum = torch.fft.fftn(x)
            real = torch.view_as_real  # complex outputs compared as real pairs (float32 tolerances)
            return (real(spectrum), spectrum.real, real(torch.fft.ifftn(spectrum, dim=(0, 2), norm="ortho")),
                    real(torch.fft.rfft(y, dim=1)), torch.fft.irfftn(torch.fft.rfftn(y), s=y.shape),
                    torch.fft.irfftn(torch.fft.rfftn(y.double(), dim=(0, 1)), s=y.shape[:2], dim=(0, 1)))

    class Normal(nn.Module):
        """normal_ on tensors of 32 (torch's 16-at-a-time fill), 20 (its redone tail) and 5
        values (one Box-Muller pair per draw, the second kept), float32 and float64."""

        def forward(self, a, b, c):
            return (a.clone().normal_(2.0, 3.0), b.clone().normal_(), c.clone().normal_(-1.0, 0.5),
                    a.double().normal_(0.0, 2.0), c.double().normal_())

    class FallbackRandom(nn.Module):
        """Random ops exported with fallback_random (Inductor calls torch's ops instead of its own
        kernels): rand, randn, their _like forms, randint, uniform_, randperm."""

        def forward(self, x):
            return (torch.rand(3, 5), torch.randn(20), torch.rand_like(x), torch.randn_like(x.double()),
                    torch.randint(0, 10, (7,)), x.clone().uniform_(-2, 3), torch.randperm(9))

    class RandomDraws(nn.Module):
        """More random fallbacks of a fallback_random export: bernoulli_ with a number and with
        a tensor of probabilities, exponential_, and dropout in training mode."""

        def forward(self, x):
            return (x.clone().bernoulli_(0.3), torch.bernoulli(torch.sigmoid(x)), x.clone().exponential_(1.5),
                    F.dropout(x, 0.4, training=True))

    class TailFallbacks(nn.Module):
        """Fallbacks from the long tail of torch's c_shim_cpu.h that real graphs reach: mode,
        median and nanmedian of a whole tensor, bucketize, masked_scatter, index_reduce, polar,
        3-d adaptive pooling and grid sampling, Cholesky factor and solve."""

        def forward(self, x, vol, grid, labels, mask, m):
            values, indices = torch.mode(labels, 1)
            factor = torch.linalg.cholesky(m @ m.mT + torch.eye(3))
            return (values, indices, torch.median(x) + torch.nanmedian(x),
                    torch.bucketize(x, torch.tensor([-1.0, 0.0, 1.0])),
                    x.masked_scatter(mask, torch.arange(24.0).view(4, 6)),
                    x.index_reduce(0, torch.tensor([0, 0, 3, 1]), x * 2, "amax"),
                    torch.polar(x.abs(), x), F.adaptive_avg_pool3d(vol, (2, 3, 2)),
                    F.grid_sample(vol, grid, align_corners=False), torch.cholesky_solve(x[:3, :2], factor))

    class ProfiledLinear(nn.Module):
        """A package built with kernel profiling calls aoti_record_function_start/_end around
        every kernel and fallback."""

        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(8, 8)

        def forward(self, x):
            return self.linear(x).relu()

    class MaskIndexing(nn.Module):
        """Boolean-mask indexing (data-dependent size) and index_put with a None index; under
        deterministic algorithms the puts are aoti_torch_index_put_out calls."""

        def forward(self, x, mask, values):
            y = x.clone()
            y[mask] = 0.0
            z = x.clone()
            z[:, torch.tensor([0, 2])] += values
            w = x.clone()
            w.index_put_((torch.tensor([1, 1, 3]),), values[:3, :1].expand(3, 6), accumulate=True)
            return x[mask], y, z, w, x[:, mask[0]]

    class Float64Convs(nn.Module):
        """Convolutions in float64 (oneDNN has no float64 kernels): plain, strided and padded
        with groups, dilated 1-d, transposed."""

        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 4, 3).double()
            self.grouped = nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2).double()
            self.dilated = nn.Conv1d(3, 2, 3, dilation=2).double()
            self.transposed = nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1).double()

        def forward(self, x, s):
            y = self.conv(x)
            return y, self.grouped(y), self.dilated(s), self.transposed(y)

    class ChannelsLastConv(nn.Module):
        """A convolution whose input is channels-last by its strides, made by a reshape and a
        permute as patch merging does: torch returns a channels-last output, and the model's
        own stride check expects it."""

        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(8, 16, 3, padding=1)

        def forward(self, tokens):
            x = tokens.reshape(2, 6, 6, 8).permute(0, 3, 1, 2)
            return self.conv(x)

    class ZeroElementInputs(nn.Module):
        """Inputs with no elements ([4, 0], [0]): a tensor file must carry them."""

        def forward(self, x, empty, y):
            return x.sum(1) + y, torch.cat([empty, empty]) * 2, x + 1

    class QuantizedLinear(nn.Module):
        """FBGEMM-style quantized linear layers: fp16 weights (with and without a bias) and int8
        weights with quint8 activations; Inductor packs the weights at run time."""

        def __init__(self):
            super().__init__()
            self.w16 = rnd(12, 10)
            self.b16 = rnd(12)
            self.w8 = rnd(6, 12)
            self.b8 = rnd(6)

        def forward(self, x):
            a = torch.ops.quantized.linear_dynamic_fp16_unpacked_weight(x, self.w16, self.b16)
            b = torch.ops.quantized.linear_dynamic_fp16_unpacked_weight(x, self.w16, None)
            c = torch.ops._quantized.wrapped_quantized_linear(
                a, torch.tensor(0.05), torch.tensor(128), self.w8, torch.tensor(0.02), torch.tensor(0), self.b8,
                torch.tensor(0.1), torch.tensor(100), 6)
            return a, b, c

    class AccumulateMany(nn.Module):
        """Deterministic index_put with accumulate, None indices first: 2*3*14*3*14 values onto
        a few places, whose float32 sums are torch's only when added in torch's order."""

        def forward(self, x, i1, i2, y):
            return torch.ops.aten.index_put(x, (None, None, i1, i2.transpose(0, 1)), y, accumulate=True)

    mask = torch.rand(4, 6) > 0.5
    mask[0, 0] = True
    ids = torch.tensor([1, 2, 4, 5, 4, 3, 2, 9])
    return {
        "embedding_bag_outputs": (EmbeddingBagOutputs, [((rnd(10, 3), ids, torch.tensor([0, 4, 4])), {})], None),
        "complex_ops": (ComplexOps, [((rnd(4, 6, 2), rnd(4, 6, 2), rnd(2, 64)), {})], None),
        "normal": (Normal, [((rnd(4, 8), rnd(20), rnd(5)), {}), ((rnd(4, 8), rnd(20), rnd(5)), {})], None,
                   {"seed": 77}),
        "fallback_random": (FallbackRandom, [((rnd(4, 8),), {}), ((rnd(4, 8),), {})], None,
                            {"seed": 5, "configs": {"fallback_random": True}}),
        "random_draws": (RandomDraws, [((rnd(4, 8),), {}), ((rnd(4, 8),), {})], None,
                         {"seed": 7, "configs": {"fallback_random": True}}),
        "tail_fallbacks": (TailFallbacks, [((rnd(4, 6), rnd(1, 2, 4, 5, 6), torch.rand(1, 2, 3, 4, 3) * 2 - 1,
                                             torch.randint(0, 3, (4, 7)), torch.rand(4, 6) > 0.5, rnd(3, 3)), {})],
                           None),
        "profiled_linear": (ProfiledLinear, [((rnd(4, 8),), {})], None,
                            {"configs": {"cpp.enable_kernel_profile": True}}),
        "mask_indexing": (MaskIndexing, [((rnd(4, 6), mask, rnd(4, 2)), {})], None, {"deterministic": True}),
        "float64_convs": (Float64Convs, [((rnd(1, 3, 9, 9, dtype=torch.float64),
                                           rnd(2, 3, 12, dtype=torch.float64)), {})], None),
        "channels_last_conv": (ChannelsLastConv, [((rnd(2, 36, 8),), {})], None),
        "zero_element_inputs": (ZeroElementInputs, [((rnd(4, 0), rnd(0), rnd(4)), {})], None),
        "quantized_linear": (QuantizedLinear, [((rnd(5, 10),), {}), ((rnd(5, 10) * 4,), {})], None,
                             {"configs": {"aot_inductor.use_runtime_constant_folding": True}}),
        "fft_primitives": (FftPrimitives, [((rnd(16, 16, 16), rnd(6, 10, 7)), {})], None),
        "accumulate_many": (AccumulateMany, [((rnd(2, 3, 5, 5), torch.zeros(3, 14, 1, 1, dtype=torch.int64),
                                               torch.ones(14, 3, dtype=torch.int64), rnd(2, 3, 3, 14, 3, 14)), {})],
                            None, {"deterministic": True}),
    }


def export_one(name, out_dir):
    import torch
    torch.manual_seed(0)
    factory, cases, dynamic, *rest = build_models()[name]
    options = rest[0] if rest else {}
    model = factory().eval()
    model_dir = os.path.join(out_dir, name)
    os.makedirs(model_dir, exist_ok=True)
    torch.use_deterministic_algorithms(bool(options.get("deterministic")))
    try:
        return export_corpus.export_model(name, model, cases, dynamic, options, model_dir)
    finally:
        torch.use_deterministic_algorithms(False)


def regressions_key():
    import torch
    h = hashlib.sha256()
    here = os.path.dirname(os.path.abspath(__file__))
    for script in ("export_regressions.py", "export_corpus.py"):
        with open(os.path.join(here, script), "rb") as f:
            h.update(f.read())
    h.update(torch.__version__.encode())
    return h.hexdigest()[:16]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", help="output folder, or 'key' to print the cache key")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", default="")
    ns = parser.parse_args()
    if ns.out == "key":
        print(regressions_key())
        return
    os.environ.setdefault("TORCHINDUCTOR_COMPILE_THREADS", "1")
    names = list(build_models())
    if ns.only:
        names = [n for n in names if n in ns.only.split(",")]
    import torch
    entries = export_corpus.export_in_parallel(export_one, names, ns.out, ns.jobs,
                                               {"torch": torch.__version__, "device": "cpu"})
    print(f"exported {len(entries)} regression models to {ns.out}")


if __name__ == "__main__":
    main()
