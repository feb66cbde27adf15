#!/usr/bin/env bash
# The host side of eager CUDA runs, pt2run's shim against libtorch's, in one run on a GPU machine:
# bench/host_overhead built twice (on pt2run, on libtorch) drives each benchmark model's library
# through its C container interface, so the two differ only in the aoti_torch_* functions.
# Prints a table (host enqueue / GPU / wall time per run, back-to-back time per run, and the host
# cost of the per-run shim calls) and writes build/host-overhead/profile.json (also into $OUT).
# Here, first: scripts/fetch_device_deps.sh; then, on a GPU machine
# with .device-deps copied beside the checkout:
#   scripts/profile_cuda_host_device.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RESULTS=$PWD/build/host-overhead
rm -rf "$RESULTS" && mkdir -p "$RESULTS"
[ -n "${OUT:-}" ] && trap 'cp "$RESULTS"/*.json "$RESULTS"/*.log "$OUT"/ 2>/dev/null || true' EXIT
source scripts/cuda_device_env.sh
SECONDS=0
echo "== build"
PT2RUN_CMAKE_ARGS="-DPT2RUN_BUILD_CLI=OFF -DPT2RUN_BUILD_TESTS=OFF" \
  build_pt2run_cuda build/cuda-profile Release pt2run_host_overhead
build_libtorch_baseline
echo "   ${SECONDS}s"
echo "== export the benchmark models for CUDA"
export_cuda_bench_models
echo "   ${SECONDS}s"
echo "== profile"
# pt2run's loader drops a model library's DT_NEEDED entries for libtorch from its in-memory copy
# (src/model/model_library.cpp); dlopen here needs them to exist, so empty stand-ins serve.
mkdir -p "$RESULTS/no-libtorch"
for lib in libtorch.so libtorch_cpu.so libtorch_cuda.so libc10.so libc10_cuda.so; do
  gcc -shared -o "$RESULTS/no-libtorch/$lib" -x c /dev/null
done
"$PY" - "$RESULTS" build/bench-cuda-models build/cuda-profile/bench/pt2run_host_overhead \
  build/libtorch-baseline/host_overhead <<'PY'
import glob, json, os, statistics, subprocess, sys, zipfile
results, models, pt2run, libtorch = sys.argv[1:]
manifest = json.load(open(os.path.join(models, "manifest.json")))
ROUNDS = 3  # alternating order: GPU clocks and host noise drift between runs of the same code
raw = []
for m in manifest["models"]:
    folder = os.path.join(results, m["name"])
    zipfile.ZipFile(os.path.join(models, m["name"], "model.pt2")).extractall(folder)
    so = glob.glob(os.path.join(folder, "**", "*.so"), recursive=True)[0]
    for r in range(ROUNDS):
        for binary in ((pt2run, libtorch) if r % 2 == 0 else (libtorch, pt2run)):
            env = dict(os.environ)
            if binary == pt2run:
                env["LD_LIBRARY_PATH"] = os.path.join(results, "no-libtorch") + ":" + env.get("LD_LIBRARY_PATH", "")
            done = subprocess.run([binary, so, os.path.dirname(so), "3000", *m["inputs"]],
                                  capture_output=True, text=True, env=env)
            if done.returncode != 0:
                sys.exit(f"{binary} on {m['name']} failed:\n{done.stdout}{done.stderr}")
            raw.append(dict(model=m["name"], **json.loads(done.stdout)))
json.dump(raw, open(os.path.join(results, "profile.json"), "w"), indent=1)
print(f"medians of {ROUNDS} rounds; host/gpu/wall: p50 per run; b2b: per run back to back")
print(f"{'model':12} {'runtime':9} {'host us':>8} {'gpu us':>8} {'wall us':>8} {'b2b us':>8}  shim ns/call")
for m in manifest["models"]:
    for runtime in ("pt2run", "libtorch"):
        rs = [r for r in raw if r["model"] == m["name"] and r["runtime"] == runtime]
        med = lambda f: statistics.median(f(r) for r in rs)
        calls = "  ".join(f"{k.split()[0]} {med(lambda r: r['ns_per_call'][k]):.0f}" for k in rs[0]["ns_per_call"])
        print(f"{m['name']:12} {runtime:9} {med(lambda r: r['host_us_p50']):8.1f} {med(lambda r: r['gpu_us_p50']):8.1f} "
              f"{med(lambda r: r['wall_us_p50']):8.1f} {med(lambda r: r['pipelined_us_per_run']):8.1f}  {calls}")
PY
echo "   ${SECONDS}s"
