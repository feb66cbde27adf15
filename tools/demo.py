#!/usr/bin/env python3
"""Export a small model with torch, run it with the pt2run CLI, and show both outputs."""
import argparse
import os
import subprocess

import numpy as np
import torch


class TinyNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.fc = torch.nn.Linear(8, 4)

    def forward(self, x):
        h = torch.relu(self.conv(x)).mean(dim=(2, 3))
        return torch.softmax(self.fc(h), dim=-1)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pt2run", required=True, help="path of the pt2run executable")
    parser.add_argument("--work", required=True, help="folder for the package and tensors")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    torch.manual_seed(0)
    model = TinyNet().eval()
    x = torch.randn(2, 3, 8, 8)
    package = os.path.join(args.work, "tinynet.pt2")
    if not os.path.exists(package):
        print("exporting TinyNet with torch", torch.__version__, "(about a minute) ...", flush=True)
        with torch.no_grad():
            ep = torch.export.export(model, (x,))
            torch._inductor.aoti_compile_and_package(ep, package_path=package)
    inputs = os.path.join(args.work, "inputs.npz")
    np.savez(inputs, x.numpy())  # arr_0: the model's first input
    outputs = os.path.join(args.work, "outputs.npz")

    def pt2run(*cli_args):
        print("$ pt2run " + " ".join(cli_args), flush=True)
        result = subprocess.run([args.pt2run, *cli_args], check=True, capture_output=True, text=True)
        print(result.stdout)

    pt2run("inspect", package)
    pt2run("run", package, "--inputs", inputs, "-o", outputs)
    ours = np.load(outputs)["arr_0"]
    with torch.no_grad():
        theirs = model(x).numpy()
    print(f"{'pt2run':>12} {'torch':>12}")
    for a, b in zip(ours.ravel(), theirs.ravel()):
        print(f"{a:12.6f} {b:12.6f}")
    print(f"max |difference| = {np.abs(ours - theirs).max():.3g}\n")
    pt2run("bench", package, "--iterations", "200")


if __name__ == "__main__":
    main()
