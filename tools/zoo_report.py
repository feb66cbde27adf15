#!/usr/bin/env python3
"""Run every exported zoo model with the pt2run CLI, compare with the eager outputs, and
print a Markdown table of models x status (with the functions each one lacks).

Usage: zoo_report.py PT2RUN_CLI ZOO_DIR [--markdown FILE]
Exit status: 0 if every exported model matches eager, 1 otherwise.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cli")
    parser.add_argument("zoo")
    parser.add_argument("--markdown", help="also write the table to this file")
    ns = parser.parse_args()
    manifest = json.load(open(os.path.join(ns.zoo, "manifest.json")))
    rows, all_ok = [], True
    tmp = tempfile.mkdtemp(prefix="pt2run-zoo-")
    for entry in manifest["models"]:
        name = entry["name"]
        options = ", ".join(f"{k}={v}" for k, v in entry.get("options", {}).items()) or "default"
        if "export_error" in entry:
            rows.append((name, options, "torch cannot export", entry["export_error"][:120]))
            continue
        package = os.path.join(ns.zoo, name, "model.pt2")
        info = json.loads(subprocess.run([ns.cli, "inspect", package, "--json"], capture_output=True,
                                         text=True).stdout or "{}")
        missing = [s["symbol"] for s in info.get("imports", []) if not s["supported"]]
        case = entry["cases"][0]
        case_dir = os.path.join(ns.zoo, name, case["dir"])
        inputs = os.path.join(tmp, f"{name}_in.npz")
        np.savez(inputs, *[np.load(os.path.join(case_dir, f"in_{i}.npy")) for i in range(len(case["inputs"]))])
        outputs = os.path.join(tmp, f"{name}_out.npz")
        r = subprocess.run([ns.cli, "run", package, "--inputs", inputs, "-o", outputs], capture_output=True, text=True)
        if r.returncode != 0:
            all_ok = False
            error = (r.stderr.strip().splitlines() or ["?"])[-2 if len(r.stderr.strip().splitlines()) > 1 else -1]
            detail = ("missing: " + ", ".join(missing)) if missing else error.replace("pt2run: error: ", "")[:160]
            rows.append((name, options, "fails", detail))
            continue
        got = np.load(outputs)
        worst, mismatch = 0.0, []
        for j, o in enumerate(case["outputs"]):
            want = np.load(os.path.join(case_dir, f"out_{j}.npy")).astype(np.float64)
            have = got[f"arr_{j}"].astype(np.float64)
            if have.shape != want.shape:
                mismatch.append(f"output {j} shape {have.shape} vs {want.shape}")
                continue
            diff = float(np.abs(have - want).max()) if want.size else 0.0
            worst = max(worst, diff)
            if not np.allclose(have, want, rtol=o["rtol"], atol=o["atol"]):
                mismatch.append(f"output {j} max |diff| {diff:.3g}")
        if mismatch:
            all_ok = False
            rows.append((name, options, "wrong numbers", "; ".join(mismatch)))
        else:
            rows.append((name, options, "matches eager", f"max |diff| {worst:.2g}"))
    table = ["| model | export options | status | detail |", "|---|---|---|---|"]
    table += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    text = "\n".join(table)
    print(text)
    if ns.markdown:
        with open(ns.markdown, "w") as f:
            f.write(text + "\n")
    sys.exit(0 if all_ok else 1)


if __name__ == "__main__":
    main()
