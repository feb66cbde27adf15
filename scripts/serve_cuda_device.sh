#!/usr/bin/env bash
# pt2run serve on a CUDA package, in one run on a GPU machine: builds the CLI with CUDA, exports the
# corpus mlp for CUDA, serves it with dynamic batching and checks concurrent JSON requests
# against torch's eager CUDA outputs. Here first scripts/fetch_device_deps.sh, then, on a GPU machine
# with .device-deps copied beside the checkout:
#   scripts/serve_cuda_device.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RESULTS=$PWD/build/serve-cuda
rm -rf "$RESULTS" && mkdir -p "$RESULTS"
source scripts/cuda_device_env.sh
build_pt2run_cuda build/cuda-release Release pt2run_cli pt2run_cuda
"$PY" tools/export_corpus.py build/serve-cuda-corpus --device cuda --only mlp >"$RESULTS/export.log" 2>&1 \
  || { tail -20 "$RESULTS/export.log"; exit 1; }
"$PY" - build/cuda-release/src/pt2run build/serve-cuda-corpus <<'PY'
import json, os, socket, subprocess, sys, threading, time, urllib.request
import numpy as np
cli, corpus = sys.argv[1:]
entry = next(m for m in json.load(open(os.path.join(corpus, "manifest.json")))["models"] if m["name"] == "mlp")
cases = [(np.load(os.path.join(corpus, "mlp", c["dir"], "in_0.npy")), np.load(os.path.join(corpus, "mlp", c["dir"], "out_0.npy")))
         for c in entry["cases"]]
with socket.socket() as s:
    s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
server = subprocess.Popen([cli, "serve", "--host", "127.0.0.1", "--port", str(port), "--quiet", "--instances", "2",
                           "--max-batch-size", "32", "--max-queue-delay-us", "2000",
                           "--model", f"mlp={os.path.join(corpus, 'mlp', 'model.pt2')}"])
url = f"http://127.0.0.1:{port}"
for _ in range(100):
    try:
        urllib.request.urlopen(url + "/v2/health/ready"); break
    except OSError:
        time.sleep(0.1)
bad = []
def client(k):
    for i in range(30):
        x, want = cases[(k + i) % len(cases)]
        body = json.dumps({"inputs": [{"name": "args[0]", "shape": list(x.shape), "datatype": "FP32", "data": x.ravel().tolist()}]})
        out = json.load(urllib.request.urlopen(urllib.request.Request(url + "/v2/models/mlp/infer", body.encode())))["outputs"][0]
        got = np.array(out["data"], dtype=np.float32).reshape(out["shape"])
        if got.shape != want.shape or not np.allclose(got, want, rtol=1e-4, atol=1e-4): bad.append((k, i))
threads = [threading.Thread(target=client, args=(k,)) for k in range(6)]
[t.start() for t in threads]; [t.join() for t in threads]
metrics = urllib.request.urlopen(url + "/metrics").read().decode()
server.terminate(); server.wait(timeout=20)
print("\n".join(l for l in metrics.splitlines() if l.startswith(("pt2run_batch_rows_sum", "pt2run_batch_rows_count", "pt2run_requests_total"))))
print(f"180 CUDA requests, {len(bad)} differ from torch's eager CUDA outputs; serve exit {server.returncode}")
sys.exit(1 if bad or server.returncode else 0)
PY
