#!/usr/bin/env python3
"""A bounded load test of `pt2run serve` on loopback, with a hot weight swap in the middle and
a slow client hanging on a connection throughout.

8 clients send the mlp requests of 2 to 8 rows for 6 s (dynamic batching on, 2 instances); at
3 s new weights (a safetensors file keyed by FQN) go to POST /v2/models/mlp/weights. Every
answer must equal torch's output with the old weights or with the new ones (torch's own
AOTInductor runner, given the same weights), none may fail, and every request sent after the
swap answered must see the new weights. A client that sends half a request and stalls must be
cut off by the server's I/O timeout while the others are served. Prints throughput, p50/p99
latency, the answers on each side of the swap and the swap's time.

Usage: serve_load_test.py PT2RUN_CLI  (PT2RUN_CORPUS_DIR must name an exported corpus; exit 77 skips)
"""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import numpy as np

CLI = sys.argv[1]
from e2e_net import start_serve  # noqa: E402
from e2e_corpus import pkg  # noqa: E402 (exits 77 without a corpus)

try:
    import safetensors.numpy
    import torch
except ImportError:
    print("torch and safetensors are not installed (scripts/setup.sh installs them): skipped")
    sys.exit(77)

CLIENTS, SECONDS, SWAP_AT = 8, 6.0, 3.0



def drain_on_sigterm(package, body, want):
    """SIGTERM while requests wait in a batch (a 400 ms batching delay): every one is answered."""
    server, port = start_serve(CLI, "--quiet", "--max-batch-size", "64", "--max-queue-delay-us", "400000",
                               "--model", f"mlp={package}")
    answers = []

    def one():
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.request("POST", "/v2/models/mlp/infer", body, {"Content-Type": "application/json"})
        r = c.getresponse()
        answers.append((r.status, r.read()))

    threads = [threading.Thread(target=one) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.15)
    server.send_signal(signal.SIGTERM)
    for t in threads:
        t.join()
    server.communicate(timeout=20)
    good = [a for a in answers if a[0] == 200 and np.allclose(
        np.array(json.loads(a[1])["outputs"][0]["data"], dtype=np.float32).reshape(want.shape), want,
        rtol=1e-4, atol=1e-4)]
    return len(good) == 4 and server.returncode == 0, f"{[a[0] for a in answers]}, exit {server.returncode}"


def main():
    package = pkg("mlp")
    info = json.loads(subprocess.run([CLI, "inspect", "--json", package], capture_output=True, text=True,
                                     check=True).stdout)
    rng = np.random.default_rng(7)
    new_weights = {c["fqn"]: rng.standard_normal(c["shape"]).astype(np.float32) * 0.3 for c in info["constants"]}
    inputs = [rng.standard_normal((rows, 16)).astype(np.float32) for rows in (2, 3, 4, 5, 6, 7, 8, 3)]
    # References from torch's own runner of the same package: the old weights, then the new.
    with torch.no_grad():
        model = torch._inductor.aoti_load_package(package)
        old = [model(torch.from_numpy(x)).numpy() for x in inputs]
        model.load_constants({k: torch.from_numpy(v) for k, v in new_weights.items()}, check_full_update=True)
        new = [model(torch.from_numpy(x)).numpy() for x in inputs]
    bodies = [json.dumps({"inputs": [{"name": "args[0]", "shape": list(x.shape), "datatype": "FP32",
                                      "data": x.ravel().tolist()}]}) for x in inputs]

    server, port = start_serve(CLI, "--quiet", "--instances", "2", "--http-workers", "16", "--max-batch-size", "32",
                               "--max-queue-delay-us", "1000", "--io-timeout-s", "2", "--model", f"mlp={package}")
    failures = []
    results, lock = [], threading.Lock()  # (sent, latency_s, status, side)
    start = time.monotonic()
    swap = {}

    def client(k):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = k
        while time.monotonic() - start < SECONDS:
            j = i % len(inputs)
            i += 1
            sent = time.monotonic()
            try:
                conn.request("POST", "/v2/models/mlp/infer", bodies[j], {"Content-Type": "application/json"})
                r = conn.getresponse()
                body = r.read()
                status = r.status
            except OSError as e:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                with lock:
                    results.append((sent, time.monotonic() - sent, f"transport: {e}", None))
                continue
            side = None
            if status == 200:
                out = json.loads(body)["outputs"][0]
                y = np.array(out["data"], dtype=np.float32).reshape(out["shape"])
                if y.shape == old[j].shape and np.allclose(y, old[j], rtol=1e-4, atol=1e-4):
                    side = "old"
                elif y.shape == new[j].shape and np.allclose(y, new[j], rtol=1e-4, atol=1e-4):
                    side = "new"
                else:
                    side = "neither"
            with lock:
                results.append((sent, time.monotonic() - sent, status, side))

    def swapper():
        time.sleep(SWAP_AT)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        t0 = time.monotonic()
        conn.request("POST", "/v2/models/mlp/weights", safetensors.numpy.save(new_weights),
                     {"Content-Type": "application/octet-stream"})
        r = conn.getresponse()
        swap.update(status=r.status, body=r.read().decode(), ms=(time.monotonic() - t0) * 1000,
                    done=time.monotonic())

    def slow_client():
        # Half a request, then nothing: the server must close the connection after its I/O
        # timeout (2 s here) instead of holding a worker.
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"POST /v2/models/mlp/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"inp")
        s.settimeout(10)
        t0 = time.monotonic()
        try:
            data = s.recv(4096)
            swap["slow_client"] = (time.monotonic() - t0, data[:40])
        except socket.timeout:
            swap["slow_client"] = (None, b"")
        s.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    threads += [threading.Thread(target=swapper), threading.Thread(target=slow_client)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - start

    metrics = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    metrics.request("GET", "/metrics")
    metrics_text = metrics.getresponse().read().decode()
    server.send_signal(signal.SIGTERM)
    try:
        server.communicate(timeout=20)
        if server.returncode != 0:
            failures.append(f"serve exit code {server.returncode}")
    except subprocess.TimeoutExpired:
        server.kill()
        failures.append("serve did not stop on SIGTERM")

    ok = [r for r in results if r[2] == 200]
    errors = [r for r in results if r[2] != 200]
    latencies = sorted(r[1] for r in ok)
    sides = {s: sum(1 for r in ok if r[3] == s) for s in ("old", "new", "neither")}
    stale = [r for r in ok if "done" in swap and r[0] > swap["done"] and r[3] != "new"]
    batches = [line for line in metrics_text.splitlines() if line.startswith("pt2run_batch_rows_")]
    report = {
        "requests": len(results), "errors": len(errors), "throughput_per_s": round(len(ok) / wall, 1),
        "p50_ms": round(1000 * latencies[len(latencies) // 2], 2) if latencies else None,
        "p99_ms": round(1000 * latencies[int(0.99 * (len(latencies) - 1))], 2) if latencies else None,
        "answers": sides, "swap_ms": round(swap.get("ms", 0), 1),
        "slow_client_cut_after_s": swap.get("slow_client", (None,))[0],
        "batch_metrics": [b for b in batches if "_sum" in b or "_count" in b],
    }
    print(json.dumps(report, indent=1))
    if errors:
        failures.append(f"{len(errors)} failed requests, e.g. {errors[:3]}")
    if swap.get("status") != 200:
        failures.append(f"the swap failed: {swap}")
    if sides["neither"]:
        failures.append(f"{sides['neither']} answers match neither the old nor the new weights")
    if not sides["old"] or not sides["new"]:
        failures.append(f"expected answers on both sides of the swap: {sides}")
    if stale:
        failures.append(f"{len(stale)} requests sent after the swap answered saw the old weights")
    drained, how = drain_on_sigterm(package, bodies[0], old[0])  # a fresh server: the old weights
    report_drain = f"SIGTERM with 4 requests waiting in a batch: {how}"
    print(report_drain)
    if not drained:
        failures.append(report_drain)
    cut = swap.get("slow_client", (None,))[0]
    if cut is None or cut > 6:
        failures.append(f"the slow client was not cut off by the 2 s I/O timeout: {swap.get('slow_client')}")
    if failures:
        print("\n".join(failures))
        sys.exit(1)
    print("serve load test: ok")


if __name__ == "__main__":
    main()
