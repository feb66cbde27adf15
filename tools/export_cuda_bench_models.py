"""Exports the CUDA benchmark models: fused attention and convolutions at realistic sizes, so
`pt2run bench` against libtorch's runner on the same package compares our attention kernel
and cuDNN path with torch's (scripts/cuda_device.sh). Inputs are float32 (the libtorch
baseline feeds float32); the half-precision models cast inside.

Usage: python tools/export_cuda_bench_models.py OUT   (writes OUT/NAME.pt2 and OUT/shapes.json)
"""
import json
import os
import sys

import torch
import torch.nn.functional as F


class Attention(torch.nn.Module):
    def __init__(self, dtype, causal):
        super().__init__()
        self.dtype, self.causal = dtype, causal

    def forward(self, q, k, v):
        q, k, v = (t.to(self.dtype) for t in (q, k, v))
        return F.scaled_dot_product_attention(q, k, v, is_causal=self.causal).float()


class ConvStack(torch.nn.Module):
    """Four 3x3 convolutions with ReLU: a ResNet stage's worth of cuDNN work."""

    def __init__(self, channels=64):
        super().__init__()
        self.convs = torch.nn.ModuleList(torch.nn.Conv2d(channels, channels, 3, padding=1) for _ in range(4))

    def forward(self, x):
        for conv in self.convs:
            x = torch.relu(conv(x))
        return x


def models():
    qkv = [[4, 16, 1024, 64]] * 3
    return {
        "sdpa_fp16_causal": (Attention(torch.float16, True), qkv),
        "sdpa_bf16": (Attention(torch.bfloat16, False), qkv),
        "sdpa_fp32": (Attention(torch.float32, False), [[4, 8, 512, 64]] * 3),
        "conv_stack": (ConvStack(), [[8, 64, 56, 56]]),
    }


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    shapes = {}
    for name, (model, input_shapes) in models().items():
        model = model.eval().cuda()
        args = tuple(torch.randn(s, device="cuda") for s in input_shapes)
        with torch.no_grad():
            ep = torch.export.export(model, args)
            torch._inductor.aoti_compile_and_package(ep, package_path=os.path.join(out, f"{name}.pt2"))
        shapes[name] = input_shapes
        print("exported", name, flush=True)
    with open(os.path.join(out, "shapes.json"), "w") as f:
        json.dump(shapes, f)


if __name__ == "__main__":
    main()
