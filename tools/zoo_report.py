#!/usr/bin/env python3
"""Run every exported zoo model with the pt2run CLI, compare with the eager outputs, and
print a Markdown table of models x status (with the functions each one lacks).

Usage: zoo_report.py PT2RUN_CLI ZOO_DIR [--markdown FILE]
(ZOO_DIR may also be a corpus folder of tools/export_corpus.py: same manifest.)
Exit status: 0 if every exported model matches eager, 1 otherwise.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np


def as_float64(array, dtype):
    """An array as float64; bfloat16 arrives as its bits (uint16, or numpy's raw V2 elements)."""
    if dtype == "bfloat16":
        return (array.view(np.uint16).astype(np.uint32) << 16).view(np.float32).astype(np.float64)
    return array.astype(np.float64)


def run_case(cli, package, case_dir, case, tmp, missing):
    """Runs one case with the CLI: (worst |diff|, problem text or None)."""
    inputs = os.path.join(tmp, "in.npz")
    np.savez(inputs, *[np.load(os.path.join(case_dir, f"in_{i}.npy")) for i in range(len(case["inputs"]))])
    outputs = os.path.join(tmp, "out.npz")
    r = subprocess.run([cli, "run", package, "--inputs", inputs, "-o", outputs], capture_output=True, text=True)
    if r.returncode != 0:
        lines = r.stderr.strip().splitlines() or ["?"]
        error = lines[-2 if len(lines) > 1 else -1].replace("pt2run: error: ", "")
        return 0.0, "fails: " + (("missing: " + ", ".join(missing)) if missing else error[:160])
    got = np.load(outputs)
    worst, mismatch = 0.0, []
    for j, o in enumerate(case["outputs"]):
        want = as_float64(np.load(os.path.join(case_dir, f"out_{j}.npy")), o["dtype"])
        have = as_float64(got[f"arr_{j}"], o["dtype"])
        if have.shape != want.shape:
            mismatch.append(f"output {j} shape {have.shape} vs {want.shape}")
            continue
        diff = float(np.abs(have - want).max()) if want.size else 0.0
        worst = max(worst, diff)
        if not np.allclose(have, want, rtol=o["rtol"], atol=o["atol"]):
            mismatch.append(f"output {j} max |diff| {diff:.3g}")
    return worst, "; ".join(mismatch) or None


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
        worst, problems = 0.0, []
        for case in entry["cases"]:
            diff, problem = run_case(ns.cli, package, os.path.join(ns.zoo, name, case["dir"]), case, tmp, missing)
            worst = max(worst, diff)
            if problem:
                problems.append(f"{case['dir']}: {problem}" if len(entry["cases"]) > 1 else problem)
        cases = f" ({len(entry['cases'])} input shapes)" if len(entry["cases"]) > 1 else ""
        if problems:
            all_ok = False
            status = "fails" if any(p.startswith("fails") or ": fails" in p for p in problems) else "wrong numbers"
            rows.append((name, options, status, "; ".join(problems)[:300]))
        else:
            rows.append((name, options, "matches eager", f"max |diff| {worst:.2g}{cases}"))
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
