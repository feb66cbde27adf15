#!/usr/bin/env python3
"""tools/conformance.py on a miniature suite of our own (tests/conformance/fixture): each
outcome it reports, from real pt2run runs, and CRASH from a pt2run that dies on a signal.
The runner wants the file names of PyTorch's suite; ours keep names of their own in the
repository (so nobody takes them for PyTorch's) and are laid out under those names per run.

Usage: conformance_test.py PT2RUN SUITE_OPS_LIB"""
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(HERE, "..", "..", "tools", "conformance.py")


# Our miniature's files, and the names the runner looks for.
FIXTURE = {"mini_aot_inductor.py": "test_aot_inductor.py",
           "mini_aot_inductor_utils.py": "test_aot_inductor_utils.py"}


def run(binary, ops, *extra):
    with tempfile.TemporaryDirectory() as tmp:
        suite = os.path.join(tmp, "suite")
        os.makedirs(suite)
        for ours, expected in FIXTURE.items():
            shutil.copy(os.path.join(HERE, "fixture", ours), os.path.join(suite, expected))
        out = os.path.join(tmp, "outcomes.json")
        proc = subprocess.run([sys.executable, RUNNER, suite, "--pt2run", binary,
                               "--custom-ops", ops, "--json", out, *extra], capture_output=True, text=True)
        outcomes = {}
        if os.path.exists(out):
            with open(out) as f:
                outcomes = {c["name"]: c for c in json.load(f)["cases"]}
        return proc, outcomes


def main():
    binary, ops = sys.argv[1], sys.argv[2]
    failures = []

    def expect(cond, what):
        if not cond:
            failures.append(what)

    proc, cases = run(binary, ops)
    print(proc.stdout)
    status = {name: c["status"] for name, c in cases.items()}
    expect(status.get("test_linear_cpu") == "PASS", f"linear: {cases.get('test_linear_cpu')}")
    expect(status.get("test_wrong_reference_cpu") == "WRONG", f"wrong: {cases.get('test_wrong_reference_cpu')}")
    refused = cases.get("test_custom_python_op_cpu", {})
    expect(refused.get("status") == "REFUSED" and "conformance_fixture::double" in refused.get("reason", ""),
           f"custom op: {refused}")
    expect(status.get("test_custom_op_with_twin_cpu") == "PASS", f"twin: {cases.get('test_custom_op_with_twin_cpu')}")
    expect(status.get("test_state_across_calls_cpu") == "PASS", f"state: {cases.get('test_state_across_calls_cpu')}")
    strided = cases.get("test_strided_input_cpu", {})
    expect(strided.get("status") == "SKIP" and "strides" in strided.get("reason", ""), f"strided: {strided}")
    expect(status.get("test_needs_gpu_cpu") == "SKIP", f"gpu: {cases.get('test_needs_gpu_cpu')}")
    expect(status.get("test_compiles_only_cpu") == "SKIP", f"compile only: {cases.get('test_compiles_only_cpu')}")
    expect("conformance: 3/5 match, 1 wrong, 1 refused, 0 crash; 3 skipped" in proc.stdout, "summary line")
    expect(proc.returncode == 1, f"exit status {proc.returncode} with a WRONG case")

    with tempfile.TemporaryDirectory() as tmp:
        crashing = os.path.join(tmp, "pt2run")
        with open(crashing, "w") as f:
            f.write("#!/bin/sh\nkill -SEGV $$\n")
        os.chmod(crashing, stat.S_IRWXU)
        proc, cases = run(crashing, ops, "-k", "test_linear")
        expect(cases.get("test_linear_cpu", {}).get("status") == "CRASH", f"crash: {cases}")
        expect("0/1 match, 0 wrong, 0 refused, 1 crash" in proc.stdout, "crash summary")

    # Shards split the cases, --merge sums them, --resume runs nothing already recorded.
    with tempfile.TemporaryDirectory() as tmp:
        suite = os.path.join(tmp, "suite")
        os.makedirs(suite)
        for ours, expected in FIXTURE.items():
            shutil.copy(os.path.join(HERE, "fixture", ours), os.path.join(suite, expected))
        pick = ["-k", "test_linear", "-k", "test_needs_gpu"]
        shards = []
        for k in (1, 2):
            shards.append(os.path.join(tmp, f"shard{k}.json"))
            subprocess.run([sys.executable, RUNNER, suite, "--pt2run", binary, "--custom-ops", ops, *pick,
                            "--shard", f"{k}/2", "--json", shards[-1]], capture_output=True, text=True)
        merged = subprocess.run([sys.executable, RUNNER, "--merge", *shards], capture_output=True, text=True)
        expect("conformance: 1/1 match, 0 wrong, 0 refused, 0 crash; 1 skipped" in merged.stdout,
               f"merged shards: {merged.stdout} {merged.stderr[-500:]}")
        again = subprocess.run([sys.executable, RUNNER, suite, "--pt2run", binary, "--custom-ops", ops, *pick,
                                "--shard", "1/2", "--json", shards[0], "--resume"], capture_output=True, text=True)
        expect("PASS" not in again.stdout.replace("conformance:", "") and
               "conformance: 1/1 match, 0 wrong, 0 refused, 0 crash; 0 skipped" in again.stdout,
               f"resume: {again.stdout}")

    proc = subprocess.run([sys.executable, RUNNER, HERE, "--pt2run", binary], capture_output=True, text=True)
    expect(proc.returncode == 2 and "lacks test_aot_inductor.py" in proc.stderr, "missing upstream folder")
    proc, _ = run(binary, os.path.join(HERE, "no-such-ops.so"))
    expect(proc.returncode == 2 and "no custom-ops library at" in proc.stderr, "missing custom-ops library")

    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
