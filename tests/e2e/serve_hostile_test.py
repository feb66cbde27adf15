#!/usr/bin/env python3
"""`pt2run serve` under hostile clients, on loopback: bytes that are not UTF-8 wherever a
request carries text, clients that trickle a request a byte at a time, idle connections past
the connection limit, an over-limit body, and every worker busy. The server must answer each
bad request with its status and a JSON error, keep health probes answered within a bound while
the attack lasts, cut tricklers at the request deadline however slowly they keep sending, and
stay up to the end.

Usage: serve_hostile_test.py PT2RUN_CLI  (PT2RUN_CORPUS_DIR must name an exported corpus; exit 77 skips)
"""
import http.client
import json
import os
import shutil
import socket
import sys
import tempfile
import threading
import time

CLI = sys.argv[1]
from e2e_net import start_serve, stop_serve  # noqa: E402
from e2e_corpus import CORPUS, pkg  # noqa: E402 (exits 77 without a corpus)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "hostile"))
from hostile_corpus import generate  # noqa: E402

IO_TIMEOUT_S, MAX_CONNECTIONS, WORKERS = 3, 32, 2
PROBE_BOUND_S = 0.5
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def raw(port, data, timeout=5.0):
    """Sends raw bytes, returns (status, body) of the answer, or (None, b'') if closed unanswered."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        received = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                received += chunk
                head, _, body = received.partition(b"\r\n\r\n")
                if b"\r\n\r\n" in received:
                    length = [int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
                    if length and len(body) >= length[0]:
                        break
        except socket.timeout:
            pass
    if not received.startswith(b"HTTP/1.1 "):
        return None, b""
    head, _, body = received.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


def probe(port):
    """Seconds /v2/health/ready takes on a new connection, or None if it fails."""
    start = time.monotonic()
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request("GET", "/v2/health/ready")
        ok = c.getresponse().status == 200
        c.close()
        return time.monotonic() - start if ok else None
    except OSError:
        return None


def post(path, body, extra=b""):
    return (b"POST " + path + b" HTTP/1.1\r\nHost: x\r\nContent-Length: " + str(len(body)).encode() + b"\r\n" + extra +
            b"\r\n" + body)


def mlp_body(rows=2):
    return json.dumps({"inputs": [{"name": "args[0]", "shape": [rows, 16], "datatype": "FP32",
                                   "data": [0.5] * (rows * 16)}]}).encode()


def test_text_that_is_not_utf8(port):
    good = mlp_body()
    for request in [b"GET /v2/models/%FF HTTP/1.1\r\n\r\n", post(b"/v2/models/%FF/infer", good),
                    post(b"/v2/models/%ff/weights", b"x"), post(b"/v2/repository/models/%FF/load", b""),
                    b"GET /v2/models/\xff\xfe/ready HTTP/1.1\r\n\r\n",
                    post(b"/v2/models/mlp/infer", good, b"Inference-Header-Content-Length: \xff\r\n"),
                    post(b"/v2/models/mlp/infer", json.dumps({"inputs": [{"name": "args[0]", "shape": [2, 16],
                         "datatype": "A" * 39 + "\u20ac", "data": []}]}).encode()),
                    post(b"/v2/models/mlp/infer", json.dumps({"inputs": [{"name": "args[0]", "shape": [2, 16],
                         "datatype": "INT64", "data": ["\u00e9" * 40]}]}).encode())]:
        status, body = raw(port, request)
        check(status == 400, f"{request[:50]!r}: status {status}")
        try:
            check("error" in json.loads(body), f"{request[:50]!r}: body {body[:100]!r}")
        except ValueError:
            failures.append(f"{request[:50]!r}: the error body is not JSON: {body[:100]!r}")
    check(probe(port) is not None, "the server died on a request that was not UTF-8")


def test_over_limit_body_is_refused_at_once(port):
    start = time.monotonic()
    status, body = raw(port, b"POST /v2/models/mlp/infer HTTP/1.1\r\nContent-Length: 999999999999\r\n\r\n")
    took = time.monotonic() - start
    check(status == 413 and took < PROBE_BOUND_S, f"over-limit Content-Length: status {status} after {took:.2f} s")
    start = time.monotonic()
    status, _ = raw(port, b"POST /v2/models/mlp/infer HTTP/1.1\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n",
                    timeout=1.0)
    check(status == 100, f"Expect: 100-continue answered {status}")


def test_tricklers_do_not_starve_probes(port):
    """16 connections each sending a header line every 0.4 s (which resets any per-read timer)
    for longer than the request deadline; probes meanwhile."""
    stop = threading.Event()
    cut_after = []

    def trickle():
        s = socket.create_connection(("127.0.0.1", port))
        start = time.monotonic()
        try:
            s.sendall(b"POST /v2/models/mlp/infer HTTP/1.1\r\n")
            while not stop.is_set():
                s.sendall(b"X-Slow: 1\r\n")
                time.sleep(0.4)
        except OSError:
            pass
        cut_after.append(time.monotonic() - start)
        s.close()

    threads = [threading.Thread(target=trickle) for _ in range(16)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    probes = [probe(port) for _ in range(20)]
    time.sleep(IO_TIMEOUT_S + 1.5)
    stop.set()
    for t in threads:
        t.join()
    worst = max(p if p is not None else 99 for p in probes)
    check(worst < PROBE_BOUND_S, f"probes under 16 tricklers: worst {worst:.3f} s")
    check(all(c < IO_TIMEOUT_S + 1.5 for c in cut_after),
          f"tricklers cut at the request deadline ({IO_TIMEOUT_S} s): cut after {sorted(cut_after)[-3:]}")
    return worst


def test_idle_connections_make_room(port):
    idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(MAX_CONNECTIONS + 16)]
    time.sleep(0.2)
    took = probe(port)
    for s in idle:
        s.close()
    check(took is not None and took < PROBE_BOUND_S, f"probe with {len(idle)} idle connections: {took}")
    return took


def test_busy_workers_leave_probes_answered(port):
    """Infer requests wait in a batch (the server's queue delay) holding both workers."""
    results = []

    def infer():
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("POST", "/v2/models/mlp/infer", mlp_body(), {"Content-Type": "application/json"})
        results.append(c.getresponse().status)

    threads = [threading.Thread(target=infer) for _ in range(WORKERS + 2)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    took = [probe(port) for _ in range(5)]
    for t in threads:
        t.join()
    worst = max(p if p is not None else 99 for p in took)
    check(worst < PROBE_BOUND_S, f"probes with every worker busy: worst {worst:.3f} s")
    check(results == [200] * len(threads), f"the held requests were answered: {results}")
    return worst


def test_hostile_packages_through_the_repository(port, repo):
    """Malformed packages loaded by name through the repository API: each a JSON error, the
    server up (a library whose segment ran past its end used to take it down with SIGBUS)."""
    names = [n for n in os.listdir(repo) if n.endswith(".pt2")]
    for name in names:
        status, body = raw(port, post(b"/v2/repository/models/" + name[:-4].encode() + b"/load", b""))
        check(status in (400, 404, 500, 501) and b"error" in body, f"loading {name}: {status} {body[:200]!r}")
    check(probe(port) is not None, "the server died loading a hostile package")
    return len(names)


def test_buffered_bytes_are_bounded():
    """Clients each sending most of a body at the limit: past the server's bound on bytes held
    at once, the next is refused (503) instead of every connection holding a whole body."""
    server, port = start_serve(CLI, "--model", f"mlp={pkg('mlp')}", "--quiet", "--max-body-mib", "1",
                               "--max-buffered-mib", "2")
    try:
        held, statuses = [], []
        for _ in range(4):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(b"POST /v2/models/mlp/infer HTTP/1.1\r\nContent-Length: 1000000\r\n\r\n" + b"x" * 900000)
            held.append(s)
            time.sleep(0.2)
        for s in held:
            s.settimeout(0.5)
            try:
                data = s.recv(4096)
                statuses.append(int(data.split(b" ")[1]) if data.startswith(b"HTTP/1.1 ") else None)
            except (socket.timeout, OSError):
                statuses.append("waiting")
            s.close()
        check(statuses[:2] == ["waiting", "waiting"] and 503 in statuses[2:],
              f"bodies past --max-buffered-mib: {statuses}")
        check(probe(port) is not None, "the server died holding large bodies")
    finally:
        stop_serve(server)


def hostile_repository():
    repo = tempfile.mkdtemp(prefix="pt2run-hostile-repo-")
    wanted = ("elf_segment_past_eof", "elf_truncated_last_segment", "elf_machine_aarch64", "stub_library_no_container",
              "appended_extra_page", "duplicate_metadata", "name_library_climbs", "metadata_not_utf8", "blob_short",
              "pickle_storage_short")
    for name, kind, data, suffix, _ in generate(CORPUS):
        if name in wanted or name.startswith("crc_") and name.endswith("_0"):
            with open(os.path.join(repo, name.replace(".", "_") + ".pt2"), "wb") as f:
                f.write(data)
    return repo


def main():
    test_buffered_bytes_are_bounded()
    repo = hostile_repository()
    server, port = start_serve(CLI, "--model", f"mlp={pkg('mlp')}", "--http-workers", str(WORKERS), "--quiet",
                               "--repository", repo,
                               "--io-timeout-s", str(IO_TIMEOUT_S), "--max-connections", str(MAX_CONNECTIONS),
                               "--max-batch-size", "64", "--max-queue-delay-us", "1500000")
    try:
        test_text_that_is_not_utf8(port)
        test_over_limit_body_is_refused_at_once(port)
        trickle = test_tricklers_do_not_starve_probes(port)
        idle = test_idle_connections_make_room(port)
        busy = test_busy_workers_leave_probes_answered(port)
        loaded = test_hostile_packages_through_the_repository(port, repo)
        check(server.poll() is None, "the server exited")
        print(f"worst probe: {trickle * 1000:.1f} ms under tricklers, {idle * 1000:.1f} ms past the connection "
              f"limit, {busy * 1000:.1f} ms with every worker busy; {loaded} hostile packages refused by the "
              "repository API")
    finally:
        out = stop_serve(server)
        shutil.rmtree(repo, ignore_errors=True)
    check(server.returncode == 0, f"pt2run serve exited {server.returncode}:\n{out[-2000:]}")
    if failures:
        print("\n".join(failures))
        sys.exit(1)
    print("serve hostile test: ok")


main()
