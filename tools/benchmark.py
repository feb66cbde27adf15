"""pt2run against libtorch's AOTIModelPackageLoader and ONNX Runtime on the same models, in one
run on one machine: cold start (a whole process, exec to first output written, median of
--cold-runs), load, first run, steady-state p50/p99 at one thread, throughput at T threads with
T model instances, peak RSS, and install footprint. Writes OUT/report.md (ratios pt2run / peer)
and OUT/latency.png, OUT/throughput.png. scripts/bench.sh runs it with everything built.

--device cuda (scripts/bench_cuda_device.sh, on the GPU machine): the models' CUDA packages,
pt2run with and without CUDA graphs against libtorch (ONNX Runtime's CUDA build is not there).

Usage: python tools/benchmark.py --pt2run BIN --baseline BIN --models DIR --out DIR [--device cuda]
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


class RuntimeFailed(Exception):
    pass


def failure(cmd, proc):
    """What a failed command said: the end of its stderr (the model's own message comes before
    the runner's exception line)."""
    lines = [line.strip() for line in proc.stderr.splitlines() if line.strip()][-4:] or ["no output"]
    return f"{os.path.basename(cmd[0])} exited with {proc.returncode}: " + " / ".join(lines)[-700:]


def run_json(cmd, env=None):
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0 or "{" not in proc.stdout:
        raise RuntimeFailed(failure(cmd, proc))
    out = proc.stdout
    return json.loads(out[out.index("{"):])


def wall_seconds(cmd, env=None):
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeFailed(failure(cmd, proc))
    return time.perf_counter() - start


def cpu_name():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def machine_name(device):
    if device == "cpu":
        return f"{cpu_name()}, {os.cpu_count()} hardware threads"
    gpu = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"],
                         capture_output=True, text=True).stdout.strip().splitlines()
    return f"{gpu[0] if gpu else 'unknown GPU'} (driver), host {cpu_name()}"


def dir_bytes(paths):
    return sum(os.path.getsize(p) for p in paths if os.path.isfile(p))


def shared_deps(binary):
    """Resolved shared libraries of `binary`, except the C/C++ runtime every program has."""
    system = ("libc.so", "libm.so", "libstdc++", "libgcc_s", "ld-linux", "libpthread", "libdl.so", "librt.so",
              "linux-vdso")
    deps = []
    for line in subprocess.run(["ldd", binary], capture_output=True, text=True).stdout.splitlines():
        parts = line.split("=>")
        if len(parts) == 2 and parts[1].strip().startswith("/"):
            path = parts[1].split("(")[0].strip()
            if not any(s in os.path.basename(path) for s in system):
                deps.append(os.path.realpath(path))
    return deps


class Runtime:
    """How to start a runtime cold (`cold()`: a command line, or None) and to benchmark it
    (`bench(iterations, concurrency)`: its JSON)."""

    def __init__(self, name, cold, bench, max_threads=None):
        self.name, self.cold, self.bench, self.max_threads = name, cold, bench, max_threads


def runtimes(ns, model_dir, entry):
    pkg = os.path.join(model_dir, "model.pt2")
    inputs = os.path.join(model_dir, "inputs.npz")
    out_npz = os.path.join(ns.out, "out.npz")

    def pt2run_bench(*extra):
        return lambda it, c, t=1: run_json([ns.pt2run, "bench", pkg, "--inputs", inputs, "--iterations", str(it),
                                            "--concurrency", str(c), "-t", str(t), "--json", "--raw-latencies",
                                            *extra])

    result = [
        Runtime("pt2run", lambda: [ns.pt2run, "run", pkg, "--inputs", inputs, "-o", out_npz, "-t", "1"],
                pt2run_bench()),
        Runtime("libtorch",
                lambda: [ns.baseline, pkg, "0", "--threads", "1", *entry["inputs"]],
                lambda it, c, t=1: run_json([ns.baseline, pkg, str(it), "--threads", str(t), "--concurrency",
                                             str(c), *entry["inputs"]],
                                            env=dict(os.environ, OMP_NUM_THREADS=str(t)))),
    ]
    if ns.device == "cuda":
        # Same process start as eager pt2run (graphs are captured after the first run): no cold
        # start of its own; one instance, so one thread.
        result.insert(1, Runtime("pt2run graphs", None, pt2run_bench("--cuda-graphs"), max_threads=1))
    onnx = os.path.join(model_dir, "model.onnx")
    if os.path.exists(onnx):
        ort = [sys.executable, os.path.join(HERE, "ort_bench.py"), onnx, inputs]
        result.append(Runtime("onnxruntime", lambda: ort + ["0", "--threads", "1"],
                              lambda it, c, t=1: run_json(ort + [str(it), "--threads", str(t), "--concurrency",
                                                                 str(c)])))
    return result


def normalize(j):
    """pt2run bench's JSON and the peers' in one shape."""
    if "latency_ms" in j:
        return {"load_ms": j["load_ms"], "first_run_ms": j["first_run_ms"], "p50_ms": j["latency_ms"]["p50"],
                "p99_ms": j["latency_ms"]["p99"], "throughput_per_s": j["throughput_per_s"],
                "peak_rss_mib": j["peak_rss_mib"], "latencies_ms": j.get("latencies_ms", [])}
    return j


def measure_model(ns, rts, thread_counts, all_cores):
    """Every runtime's measures on one model. Steady-state and throughput phases run in
    --rounds rounds, the runtimes alternating within each, and the median round counts: on a
    shared machine, speed drifts by tens of percent from one second to the next, and a phase
    that caught a slow spell should not decide a ratio."""
    results, failures, plan = {}, [], {}
    for rt in rts:
        try:
            first = normalize(rt.bench(20, 1))
            iterations = max(20, min(5000, int(ns.budget_s * 1000 / max(first["p50_ms"], 1e-3))))
            cold = sorted(wall_seconds(rt.cold()) * 1000 for _ in range(ns.cold_runs)) if rt.cold else None
            # Throughput phases last about --budget-s (a run-count cap made a 12 us model's phase
            # 60 ms, short enough for thread start-up to show); T instances get T times the runs,
            # so each is past its first runs for most of the phase.
            runs = max(20, min(200_000, int(ns.budget_s * 1000 / max(first["p50_ms"], 1e-3))))
            plan[rt.name] = (iterations, runs, cold, [], {t: [] for t in thread_counts
                                                          if rt.max_threads is None or t <= rt.max_threads}, [])
        except RuntimeFailed as e:  # reported; the other runtimes and models still run
            failures.append(f"{rt.name}: {e}")
    for _ in range(ns.rounds):
        for rt in rts:
            if rt.name not in plan:
                continue
            iterations, runs, _, steady, throughput, wide = plan[rt.name]
            try:
                steady.append(normalize(rt.bench(iterations, 1)))
                if all_cores > 1 and rt.max_threads is None:
                    # One request on all cores: T intra-op threads, one instance.
                    wide.append(normalize(rt.bench(iterations, 1, all_cores))["p50_ms"])
                for t, values in throughput.items():
                    values.append(normalize(rt.bench(runs * t, t))["throughput_per_s"])
            except RuntimeFailed as e:
                failures.append(f"{rt.name}: {e}")
                del plan[rt.name]
    for name, (iterations, _, cold, steady, throughput, wide) in plan.items():
        middle = sorted(steady, key=lambda r: r["p50_ms"])[len(steady) // 2]
        results[name] = {**middle, "cold_start_ms": statistics.median(cold) if cold else None,
                         "p50_all_ms": statistics.median(wide) if wide else None,
                         "iterations": iterations, "rounds": len(steady),
                         "throughput": {t: statistics.median(v) for t, v in throughput.items()}}
    return results, failures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pt2run", required=True)
    parser.add_argument("--baseline", required=True)
    parser.add_argument("--models", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--cold-runs", type=int, default=10)
    parser.add_argument("--threads", default=f"1,{os.cpu_count()}")
    parser.add_argument("--budget-s", type=float, default=1.0, help="seconds of timed runs per phase")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of the timed phases (median)")
    parser.add_argument("--only", default="", help="comma-separated model names (default: every model)")
    ns = parser.parse_args()
    os.makedirs(ns.out, exist_ok=True)
    manifest = json.load(open(os.path.join(ns.models, "manifest.json")))
    thread_counts = sorted({int(t) for t in ns.threads.split(",")})
    results = {}
    only = set(ns.only.split(",")) - {""}
    for entry in manifest["models"]:
        name = entry["name"]
        if only and name not in only:
            continue
        model_dir = os.path.join(ns.models, name)
        results[name] = {"parameters": entry["parameters"], "onnx_error": entry.get("onnx_error")}
        measured, failures = measure_model(ns, runtimes(ns, model_dir, entry), thread_counts, max(thread_counts))
        results[name].update(measured)
        if failures:
            results[name]["failures"] = failures
        for failure in failures:
            print(f"{name:12} FAILED {failure}", flush=True)
        for rt_name, r in measured.items():
            print(f"{name:12} {rt_name:14} cold {r['cold_start_ms'] or 0:8.1f} ms  p50 {r['p50_ms']:.4f} ms  "
                  f"rss {r['peak_rss_mib']:.0f} MiB", flush=True)
    footprint = footprints(ns)
    json.dump({"results": results, "footprint": footprint}, open(os.path.join(ns.out, "results.json"), "w"), indent=1)
    write_report(ns, manifest, results, footprint, thread_counts)
    plot(ns, results, thread_counts)


def footprints(ns):
    import torch

    lib = os.path.join(os.path.dirname(os.path.realpath(ns.pt2run)), "libpt2run.so")
    libs = [lib]
    if ns.device == "cuda":
        libs.append(os.path.join(os.path.dirname(lib), "libpt2run_cuda.so"))
    # The CUDA runtime, cuBLAS and cuDNN (torch's nvidia-* wheels) serve both runtimes alike.
    shared_with_torch = ("libcuda.so", "libcudart", "libcublas", "libcudnn", "libnvrtc", "libnvJitLink")
    ours = []
    for path in [os.path.realpath(p) for p in libs] + [d for p in libs for d in shared_deps(p)]:
        if path not in ours and not any(n in os.path.basename(path) for n in shared_with_torch):
            ours.append(path)
    torch_lib = os.path.join(os.path.dirname(torch.__file__), "lib")
    result = {
        "pt2run": dir_bytes(ours),
        "pt2run_files": [os.path.basename(p) for p in ours],
        "libtorch": dir_bytes(os.path.join(torch_lib, f) for f in os.listdir(torch_lib)),
    }
    try:
        import onnxruntime
    except ImportError:
        return result
    ort_capi = os.path.join(os.path.dirname(onnxruntime.__file__), "capi")
    result["onnxruntime"] = dir_bytes(os.path.join(ort_capi, f) for f in os.listdir(ort_capi) if ".so" in f)
    return result


def ratio(a, b):
    return f"{a / b:.2f}" if b else "–"


def columns(device):
    """The runtimes a report shows, and the (numerator, denominator) ratios it gives."""
    if device == "cuda":
        return (["pt2run", "pt2run graphs", "libtorch"],
                [("pt2run", "libtorch"), ("pt2run graphs", "libtorch")])
    return (["pt2run", "libtorch", "onnxruntime"], [("pt2run", "libtorch"), ("pt2run", "onnxruntime")])


def write_report(ns, manifest, results, footprint, thread_counts):
    import torch

    if ns.device == "cuda":
        setting = (f"torch {torch.__version__} (libtorch's AOTIModelPackageLoader), pt2run from this tree, the "
                   f"same CUDA packages; 'pt2run graphs' replays CUDA graphs (one instance: T=1 only). Throughput "
                   f"with T threads over T model instances (pt2run gives each run a stream of the runner's; libtorch's "
                   f"runs go on the thread's current stream, the default one). ONNX Runtime's CUDA build is not "
                   f"measured: it cannot be brought to this machine (docs/performance.md).")
    else:
        try:
            import onnxruntime
        except ImportError:  # a machine without it: pt2run against libtorch only
            onnxruntime = type("absent", (), {"__version__": "not installed here"})

        setting = (f"torch {torch.__version__} (libtorch's AOTIModelPackageLoader), onnxruntime "
                   f"{onnxruntime.__version__} (CPU provider, Python API), pt2run from this tree. Latency at one "
                   f"intra-op thread, and for one request on all {max(thread_counts)} threads; throughput with T "
                   f"threads over T model instances (one session for ONNX Runtime). NAME_frozen: the package "
                   f"exported with freezing (ONNX Runtime runs the same ONNX file).")
    names, ratios = columns(ns.device)
    lines = [f"Machine: {machine_name(ns.device)}; {setting} Latency and throughput: the median of {ns.rounds} "
             f"rounds with the runtimes alternating; cold start: the median of {ns.cold_runs} processes. Ratios are "
             f"runtime / peer: below 1 is better for time and memory, above 1 for throughput.", ""]
    head = "| model | measure | " + " | ".join(names) + " | " + " | ".join(f"{a} / {b}" for a, b in ratios) + " |"
    lines += [head, "|---" * (2 + len(names) + len(ratios)) + "|"]
    measures = [("cold start ms", "cold_start_ms"), ("load ms", "load_ms"), ("first run ms", "first_run_ms"),
                ("p50 ms", "p50_ms"), ("p99 ms", "p99_ms"),
                (f"p50 ms, {max(thread_counts)} threads", "p50_all_ms"), ("peak RSS MiB", "peak_rss_mib")]
    fmt = (lambda v: "–" if v is None else (f"{v:.4f}" if v < 1 else f"{v:.1f}"))
    for name, r in results.items():
        for label, key in measures + [(f"runs/s T={t}", t) for t in thread_counts]:
            def value(rt):
                if rt not in r:
                    return None
                return r[rt]["throughput"].get(key) if isinstance(key, int) else r[rt][key]
            cells = [fmt(value(rt)) for rt in names]
            cells += [ratio(value(a), value(b)) if value(a) is not None and value(b) else "–" for a, b in ratios]
            lines.append(f"| {name} ({r['parameters'] / 1e6:.1f}M) | {label} | " + " | ".join(cells) + " |")
    mib = 1 << 20
    peers = f"libtorch {footprint['libtorch'] / mib:.0f} MiB (torch/lib)"
    if "onnxruntime" in footprint:
        peers += f"; onnxruntime {footprint['onnxruntime'] / mib:.0f} MiB (capi)"
    shared = " The CUDA runtime, cuBLAS and cuDNN both need are not counted." if ns.device == "cuda" else ""
    lines += ["", f"Install footprint: pt2run {footprint['pt2run'] / mib:.0f} MiB "
              f"({', '.join(footprint['pt2run_files'])}); {peers}. Ratio pt2run / libtorch "
              f"{footprint['pt2run'] / footprint['libtorch']:.3f}.{shared}"]
    failures = [f"{n}, {f}" for n, r in results.items() for f in r.get("failures", [])]
    if failures:
        lines += ["", "Failed: " + "; ".join(failures)]
    errors = [f"{n}: {r['onnx_error']}" for n, r in results.items() if r.get("onnx_error")]
    if errors and ns.device == "cpu":
        lines += ["", "Not exported to ONNX: " + "; ".join(errors)]
    lines += ["", "![latency](latency.png)", "", "![throughput](throughput.png)"]
    with open(os.path.join(ns.out, "report.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


def plot(ns, results, thread_counts):
    try:
        import matplotlib
    except ImportError:  # a machine without it still gets its report
        return

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runtimes_shown = columns(ns.device)[0]
    names = list(results)
    fig, axes = plt.subplots(1, len(names), figsize=(4 * len(names), 3.2), squeeze=False)
    axes = axes[0]
    for ax, name in zip(axes, names):
        for rt in runtimes_shown:
            lat = sorted(results[name].get(rt, {}).get("latencies_ms", []))
            if lat:
                ax.plot(lat, [i / len(lat) for i in range(len(lat))], label=rt)
        ax.set_xscale("log")
        ax.set_title(name)
        ax.set_xlabel("latency ms (1 thread)")
    axes[0].set_ylabel("fraction of runs")
    axes[0].legend()
    fig.tight_layout()
    fig.savefig(os.path.join(ns.out, "latency.png"), dpi=90)
    fig, axes = plt.subplots(1, len(names), figsize=(4 * len(names), 3.2), squeeze=False)
    axes = axes[0]
    for ax, name in zip(axes, names):
        for rt in runtimes_shown:
            points = results[name].get(rt, {}).get("throughput", {})
            if points:
                ts = sorted(points)
                ax.plot(ts, [points[t] for t in ts], marker="o", label=rt)
        ax.set_title(name)
        ax.set_xlabel("threads (= model instances)")
        ax.set_xticks(thread_counts)
    axes[0].set_ylabel("runs / s")
    axes[0].legend()
    fig.tight_layout()
    fig.savefig(os.path.join(ns.out, "throughput.png"), dpi=90)


if __name__ == "__main__":
    main()
