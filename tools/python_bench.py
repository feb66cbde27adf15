#!/usr/bin/env python3
"""pt2run's Python API against torch's aoti_load_package and ONNX Runtime's Python API on the
same small MLP (16 -> 64 -> 32 -> 4, one row), one thread each:

- per call: the median over rounds of the mean time of a Python call, and pt2run's own C++
  run time on the same package and input (`pt2run bench`), so the Python layer's overhead is
  the difference;
- start: a fresh interpreter importing the runtime and loading the model, wall time and peak
  RSS.

Each runtime is measured in its own interpreter: once pt2run has loaded a package, its
aoti_torch_* functions are in the process's global scope, and a package torch's loader opens
later would bind to them (docs/python.md, "torch in the same process").

Usage: python_bench.py PT2RUN_CLI OUT_DIR [--calls N] [--rounds R]
Needs torch, onnx, onnxscript and onnxruntime in this Python, and pt2run importable (the
staged build package on PYTHONPATH, or an installed wheel). Writes OUT_DIR/python_bench.json
and prints a Markdown table.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

PER_CALL = r"""
import statistics, sys, time
kind, path, calls, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
import numpy as np
x = np.zeros((1, 16), np.float32)
if kind in ("pt2run", "pt2run (flat run)"):
    import pt2run
    pt2run.set_num_threads(1)
    m = pt2run.load(path)
    call = (lambda: m(x)) if kind == "pt2run" else (lambda: m.run([x]))
    y = m(x)
elif kind == "torch aoti_load_package":
    import torch
    torch.set_num_threads(1)
    torch.set_grad_enabled(False)
    m = torch._inductor.aoti_load_package(path)
    xt = torch.from_numpy(x)
    call = lambda: m(xt)
    y = m(xt).numpy()
else:
    import onnxruntime as ort
    o = ort.SessionOptions(); o.intra_op_num_threads = 1
    s = ort.InferenceSession(path, o, providers=["CPUExecutionProvider"])
    name = s.get_inputs()[0].name
    call = lambda: s.run(None, {name: x})
    y = call()[0]
for _ in range(200):
    call()
means = []
for _ in range(rounds):
    start = time.perf_counter()
    for _ in range(calls):
        call()
    means.append((time.perf_counter() - start) / calls * 1e6)
print(statistics.median(means), " ".join(f"{v:.8g}" for v in np.asarray(y).ravel()))
"""

START = r"""
import sys, time
start = time.perf_counter()
kind, path = sys.argv[1], sys.argv[2]
import numpy as np
x = np.zeros((1, 16), np.float32)
if kind == "numpy alone":
    pass
elif kind == "pt2run":
    import pt2run
    pt2run.set_num_threads(1)
    m = pt2run.load(path); m(x)
elif kind == "torch":
    import torch
    torch.set_num_threads(1)
    m = torch._inductor.aoti_load_package(path); m(torch.from_numpy(x))
else:
    import onnxruntime as ort
    o = ort.SessionOptions(); o.intra_op_num_threads = 1
    s = ort.InferenceSession(path, o, providers=["CPUExecutionProvider"])
    s.run(None, {s.get_inputs()[0].name: x})
elapsed = time.perf_counter() - start
# VmHWM, not ru_maxrss: the latter keeps the parent's peak across fork and exec.
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0].split()[1]
print(elapsed, int(hwm) / 1024)
"""


def export(out):
    import torch
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(16, 64), torch.nn.ReLU(), torch.nn.Linear(64, 32),
                                torch.nn.ReLU(), torch.nn.Linear(32, 4)).eval()
    x = torch.zeros(1, 16)
    pt2 = os.path.join(out, "mlp.pt2")
    onnx = os.path.join(out, "mlp.onnx")
    with torch.no_grad():
        if not os.path.exists(pt2):
            ep = torch.export.export(model, (x,))
            torch._inductor.aoti_compile_and_package(ep, package_path=pt2)
        if not os.path.exists(onnx):
            torch.onnx.export(model, (x,), onnx, dynamo=True)
    return pt2, onnx


def per_call(fn, calls, rounds):
    for _ in range(200):
        fn()
    means = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        means.append((time.perf_counter() - start) / calls * 1e6)
    return statistics.median(means)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cli")
    ap.add_argument("out")
    ap.add_argument("--calls", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=7)
    ns = ap.parse_args()
    os.makedirs(ns.out, exist_ok=True)
    pt2, onnx = export(ns.out)

    import onnxruntime as ort
    import torch
    cpu = [l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")]
    results = {"machine": f"{cpu[0] if cpu else platform.machine()}, {os.cpu_count()} hardware threads", "python": platform.python_version(),
               "torch": torch.__version__, "onnxruntime": ort.__version__, "calls": ns.calls, "rounds": ns.rounds,
               "us_per_call": {}}
    answers = {}
    for kind, path in (("pt2run", pt2), ("pt2run (flat run)", pt2), ("torch aoti_load_package", pt2),
                       ("onnxruntime", onnx)):
        out = subprocess.run([sys.executable, "-c", PER_CALL, kind, path, str(ns.calls), str(ns.rounds)],
                             capture_output=True, text=True, check=True).stdout.split()
        results["us_per_call"][kind] = float(out[0])
        answers[kind] = [float(v) for v in out[1:]]
    for kind, values in answers.items():  # the same model, the same answer
        assert all(abs(a - b) <= 1e-5 for a, b in zip(values, answers["pt2run"])), kind
    bench = json.loads(subprocess.run([ns.cli, "bench", pt2, "-t", "1", "--iterations", str(ns.calls * 4), "--json"],
                                      capture_output=True, text=True, check=True).stdout)
    results["cpp_run_us"] = bench["latency_ms"]["mean"] * 1000
    results["start"] = {}
    for kind, path in (("numpy alone", ""), ("pt2run", pt2), ("torch", pt2), ("onnxruntime", onnx)):
        runs = [subprocess.run([sys.executable, "-c", START, kind, path], capture_output=True, text=True, check=True)
                .stdout.split() for _ in range(3)]
        results["start"][kind] = {"seconds": statistics.median(float(r[0]) for r in runs),
                                  "peak_rss_mib": statistics.median(float(r[1]) for r in runs)}
    json.dump(results, open(os.path.join(ns.out, "python_bench.json"), "w"), indent=2)

    calls, cpp = results["us_per_call"], results["cpp_run_us"]
    print(f"{results['machine']}, Python {results['python']}, torch {results['torch']}, onnxruntime "
          f"{results['onnxruntime']}; one thread; MLP 16-64-32-4, one row\n")
    print("| runtime | µs per call | above pt2run's C++ run |")
    print("|---|---|---|")
    for k, v in calls.items():
        print(f"| {k} | {v:.2f} | {v - cpp:+.2f} |")
    print(f"| pt2run C++ (`pt2run bench`, mean) | {cpp:.2f} | |")
    print("\n| import + load + first run | seconds | peak RSS MiB |")
    print("|---|---|---|")
    for k, v in results["start"].items():
        print(f"| {k} | {v['seconds']:.3f} | {v['peak_rss_mib']:.0f} |")


if __name__ == "__main__":
    main()
