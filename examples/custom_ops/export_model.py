#!/usr/bin/env python3
"""Exports a model that calls a custom op defined with torch.library, for pt2run's custom-op
example (docs/custom_ops.md). Writes OUT/model.pt2, OUT/inputs.npz and OUT/expected.npz (eager
outputs, from the op's Python implementation).

Usage: export_model.py OUT"""
import os
import sys

import numpy as np
import torch


@torch.library.custom_op("mylib::scaled_softplus", mutates_args=())
def scaled_softplus(x: torch.Tensor, beta: float, scale: torch.Tensor) -> torch.Tensor:
    return torch.nn.functional.softplus(x, beta=beta) * scale


@scaled_softplus.register_fake
def _(x, beta, scale):
    return torch.empty_like(x)


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(16, 8)
        self.scale = torch.nn.Parameter(torch.rand(8) + 0.5)

    def forward(self, x):
        return scaled_softplus(self.linear(x), 2.0, self.scale).sum(dim=1)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    model = Model().eval()
    x = torch.randn(4, 16)
    with torch.no_grad():
        ep = torch.export.export(model, (x,))
        torch._inductor.aoti_compile_and_package(ep, package_path=os.path.join(out, "model.pt2"))
        np.savez(os.path.join(out, "inputs.npz"), x.numpy())
        np.savez(os.path.join(out, "expected.npz"), model(x).numpy())
    print("custom op schema:", torch.ops.mylib.scaled_softplus.default._schema)


if __name__ == "__main__":
    main()
