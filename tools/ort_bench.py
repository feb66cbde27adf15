"""ONNX Runtime peer of `pt2run bench`: one ONNX model, timed the same way (session creation as
load, one first run, 10 warm-up runs, then ITERATIONS runs from CONCURRENCY threads on one
session, which ONNX Runtime runs concurrently). Prints one JSON object. ITERATIONS 0 measures a
cold start: create, run once, exit. Peak RSS includes the Python interpreter and numpy.

Usage: python tools/ort_bench.py MODEL.onnx INPUTS.npz ITERATIONS [--threads T] [--concurrency C]
"""
import argparse
import json
import threading
import time


def peak_rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("inputs")
    parser.add_argument("iterations", type=int)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--concurrency", type=int, default=1)
    ns = parser.parse_args()
    import numpy as np
    import onnxruntime as ort

    arrays = np.load(ns.inputs)
    values = [arrays[f"arr_{i}"] for i in range(len(arrays.files))]
    options = ort.SessionOptions()
    if ns.threads:
        options.intra_op_num_threads = ns.threads
        options.inter_op_num_threads = 1
    start = time.perf_counter()
    session = ort.InferenceSession(ns.model, options, providers=["CPUExecutionProvider"])
    load_ms = (time.perf_counter() - start) * 1000
    feeds = {i.name: v for i, v in zip(session.get_inputs(), values)}
    start = time.perf_counter()
    session.run(None, feeds)
    first_ms = (time.perf_counter() - start) * 1000
    latencies, wall_ms = [], 0.0
    if ns.iterations > 0:
        for _ in range(10):
            session.run(None, feeds)
        lock, counter = threading.Lock(), [0]

        def worker():
            mine = []
            while True:
                with lock:
                    if counter[0] >= ns.iterations:
                        break
                    counter[0] += 1
                t0 = time.perf_counter()
                session.run(None, feeds)
                mine.append((time.perf_counter() - t0) * 1000)
            with lock:
                latencies.extend(mine)

        bench_start = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(ns.concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall_ms = (time.perf_counter() - bench_start) * 1000
    latencies.sort()

    def pct(p):
        return latencies[int(p * (len(latencies) - 1))] if latencies else 0.0

    print(json.dumps({"runtime": f"onnxruntime {ort.__version__}", "load_ms": load_ms, "first_run_ms": first_ms,
                      "p50_ms": pct(0.5), "p99_ms": pct(0.99), "min_ms": pct(0.0), "concurrency": ns.concurrency,
                      "throughput_per_s": len(latencies) / (wall_ms / 1000) if wall_ms else 0.0,
                      "peak_rss_mib": peak_rss_mib(), "latencies_ms": latencies}))


if __name__ == "__main__":
    main()
