#!/usr/bin/env python3
"""A bounded soak of `pt2run serve` on loopback: 1,000 load/unload cycles through the
repository API, then 10,000 requests, good and bad mixed, from 4 clients with a hot weight swap
every 500. Resident memory, open descriptors and threads of the server are read from /proc
after a warm-up and at the end of each phase, and must stay within the bounds below; every
answer must have the status its request calls for.

Usage: serve_soak_test.py PT2RUN_CLI [CYCLES REQUESTS]  (PT2RUN_CORPUS_DIR must name an exported
corpus; exit 77 skips)
"""
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading

import numpy as np

CLI = sys.argv[1]
CYCLES = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
REQUESTS = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
from e2e_net import start_serve, stop_serve  # noqa: E402
from e2e_corpus import pkg  # noqa: E402 (exits 77 without a corpus)

try:
    import safetensors.numpy
except ImportError:
    print("safetensors is not installed (scripts/setup.sh installs it): skipped")
    sys.exit(77)

# Growth allowed between the warm-up reading and the end of a phase.
RSS_BOUND_MIB = {"cycles": 24, "requests": 24}
FD_BOUND, THREAD_BOUND = 2, 0
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def usage(pid):
    with open(f"/proc/{pid}/status") as f:
        fields = dict(line.split(":", 1) for line in f if ":" in line)
    return {"rss_mib": int(fields["VmRSS"].split()[0]) / 1024, "threads": int(fields["Threads"]),
            "fds": len(os.listdir(f"/proc/{pid}/fd"))}


# Under AddressSanitizer freed memory waits in a quarantine (256 MiB) before reuse, so resident
# memory says nothing there; LeakSanitizer checks the server's memory when it exits instead.
SANITIZED = "ASAN_OPTIONS" in os.environ


def within(before, after, phase):
    grew = {k: after[k] - before[k] for k in before}
    check(SANITIZED or grew["rss_mib"] <= RSS_BOUND_MIB[phase],
          f"{phase}: RSS grew {grew['rss_mib']:.1f} MiB ({before} -> {after})")
    check(grew["fds"] <= FD_BOUND, f"{phase}: {grew['fds']} more descriptors ({before} -> {after})")
    check(grew["threads"] <= THREAD_BOUND, f"{phase}: {grew['threads']} more threads ({before} -> {after})")
    return grew


def request(conn, method, path, body=b"", headers=None):
    conn.request(method, path, body, headers or {})
    r = conn.getresponse()
    return r.status, r.read()


def cycles(port, n):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for i in range(n):
        for action in ("load", "unload"):
            status, body = request(conn, "POST", f"/v2/repository/models/spare/{action}")
            if status != 200:
                failures.append(f"cycle {i}: {action} answered {status}: {body[:200]!r}")
                return


def mixed(port, n, new_weights, old_weights):
    good = json.dumps({"inputs": [{"name": "args[0]", "shape": [3, 16], "datatype": "FP32",
                                   "data": [0.25] * 48}]}).encode()
    bad = [("POST", "/v2/models/mlp/infer", b"{not json", 400),
           ("POST", "/v2/models/%FF/infer", good, 400),
           ("POST", "/v2/models/nosuch/infer", good, 404),
           ("POST", "/v2/models/mlp/infer", json.dumps({"inputs": [{"name": "args[0]", "shape": [3, 15],
                                                           "datatype": "FP32", "data": [0] * 45}]}).encode(), 400),
           ("POST", "/v2/models/mlp/weights", b"\x08" + b"\0" * 7 + b"{}", 400),
           ("GET", "/v2/models/mlp", b"", 200), ("GET", "/metrics", b"", 200)]
    counts = {"good": 0, "bad": 0, "swaps": 0}
    lock = threading.Lock()
    next_index = [0]

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                i = next_index[0]
                next_index[0] += 1
            if i >= n:
                return
            if i % 500 == 250:
                weights = new_weights if (i // 500) % 2 == 0 else old_weights
                status, body = request(conn, "POST", "/v2/models/mlp/weights", safetensors.numpy.save(weights))
                kind, expected = "swaps", 200
            elif i % 3 == 0:
                method, path, body, expected = bad[(i // 3) % len(bad)]
                status, body = request(conn, method, path, body)
                kind = "bad"
            else:
                status, body = request(conn, "POST", "/v2/models/mlp/infer", good)
                kind, expected = "good", 200
            if status != expected:
                with lock:
                    failures.append(f"request {i} ({kind}): {status}, expected {expected}: {body[:200]!r}")
            with lock:
                counts[kind] += 1

    threads = [threading.Thread(target=client) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counts


def main():
    repo = tempfile.mkdtemp(prefix="pt2run-soak-")
    shutil.copy(pkg("mlp"), os.path.join(repo, "spare.pt2"))
    server, port = start_serve(CLI, "--model", f"mlp={pkg('mlp')}", "--repository", repo, "--quiet",
                               "--http-workers", "4")
    try:
        rng = np.random.default_rng(0)
        info = json.loads(subprocess.run([CLI, "inspect", pkg("mlp"), "--json"], capture_output=True,
                                         text=True, check=True).stdout)
        shapes = {c["fqn"]: c["shape"] for c in info["constants"] if not c["folded"]}
        new_weights = {k: rng.standard_normal(s).astype(np.float32) for k, s in shapes.items()}
        old_weights = {k: rng.standard_normal(s).astype(np.float32) for k, s in shapes.items()}
        cycles(port, 20)  # warm-up: allocators, OpenMP and the libraries settle
        mixed(port, 200, new_weights, old_weights)
        warm = usage(server.pid)
        cycles(port, CYCLES)
        after_cycles = usage(server.pid)
        grew_cycles = within(warm, after_cycles, "cycles")
        counts = mixed(port, REQUESTS, new_weights, old_weights)
        after_requests = usage(server.pid)
        grew_requests = within(after_cycles, after_requests, "requests")
        check(server.poll() is None, "the server exited")
        print(json.dumps({"cycles": CYCLES, "requests": counts, "warm": warm, "after_cycles": after_cycles,
                          "after_requests": after_requests, "growth_cycles": grew_cycles,
                          "growth_requests": grew_requests}, indent=1))
    finally:
        out = stop_serve(server, timeout=60)
        shutil.rmtree(repo, ignore_errors=True)
    check(server.returncode == 0, f"pt2run serve exited {server.returncode}:\n{out[-2000:]}")
    if failures:
        print("\n".join(failures[:30]))
        sys.exit(1)
    print("serve soak test: ok")


main()
