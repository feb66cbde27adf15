#!/usr/bin/env bash
# The CPU benchmark on a GPU machine's host CPU (a server Xeon, more cores than the dev
# machine): builds pt2run for the CPU (Release) and the libtorch baseline against the
# machine's torch, exports the benchmark models with that torch (CPU packages, frozen variants
# included; ONNX too where the machine has ONNX Runtime and onnx/onnxscript), and runs tools/benchmark.py at one
# thread and at all cores. Writes build/bench-cpu/report.md (and into $OUT when set). Here,
# first:
#   scripts/fetch_device_deps.sh
# then, on the GPU machine with .device-deps copied beside the checkout:
#   scripts/bench_cpu_device.sh [MODEL,MODEL...]
# and copy its report.md into docs/performance.md's server-CPU section.
set -euo pipefail
cd "$(dirname "$0")/.."
RESULTS=$PWD/build/bench-cpu
rm -rf "$RESULTS" && mkdir -p "$RESULTS"
[ -n "${OUT:-}" ] && trap 'cp "$RESULTS"/report.md "$RESULTS"/results.json "$RESULTS"/*.png "$RESULTS"/*.log "$OUT"/ 2>/dev/null || true' EXIT
source scripts/cuda_device_env.sh
MODELS=${1:-cnn,transformer,resnet50,resnet50_frozen,gpt_decoder,bert_encoder,bert_encoder_frozen}
CORES=$(nproc)
SECONDS=0
echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $CORES CPUs"
echo "== export the benchmark models ($("$PY" -c 'import torch; print(torch.__version__)')), while building"
rm -rf build/bench-cpu-models && mkdir -p build/bench-cpu-models
# One exporter per model, side by side: each compiles its own kernels.
# ONNX Runtime runs too where the machine has it and what torch.onnx needs.
ONNX=0
"$PY" -c "import onnxruntime, onnx, onnxscript" 2>/dev/null && ONNX=1
pids=()
for m in ${MODELS//,/ }; do
  PT2RUN_BENCH_ONNX=$ONNX PT2RUN_BENCH_MODELS="$m" "$PY" tools/export_bench_models.py "build/bench-cpu-models/$m" \
    >"$RESULTS/export_$m.log" 2>&1 &
  pids+=($!)
done
cmake -S . -B build/cpu-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DPT2RUN_CUDA=OFF -DPT2RUN_BUILD_TESTS=OFF \
  -DCMAKE_PREFIX_PATH="$DEPS/usr" -DCMAKE_LIBRARY_PATH="$LIBS/openblas-openmp" -DPT2RUN_DEPS_PREFIX="$ONEDNN_PREFIX" \
  -DCMAKE_CXX_FLAGS="-isystem $DEPS/usr/include/x86_64-linux-gnu" >"$RESULTS/configure.log" 2>&1 \
  || { tail -30 "$RESULTS/configure.log"; exit 1; }
cmake --build build/cpu-release --target pt2run_cli >"$RESULTS/build.log" 2>&1 \
  || { grep -E "error" -A3 "$RESULTS/build.log" | head -40; exit 1; }
build_libtorch_baseline
echo "   built: ${SECONDS}s"
for p in "${pids[@]}"; do wait "$p" || true; done
# The exports, one folder each, as one benchmark folder.
"$PY" - build/bench-cpu-models "$MODELS" <<'PY'
import json, os, sys
root, wanted = sys.argv[1], sys.argv[2].split(",")
manifest = {"models": []}
for m in wanted:
    sub = os.path.join(root, m)
    try:
        entries = json.load(open(os.path.join(sub, "manifest.json")))["models"]
    except OSError:
        print(f"   {m}: not exported (build/bench-cpu/export_{m}.log)")
        continue
    for e in entries:
        if e["name"] == m:
            os.makedirs(os.path.join(root, "all"), exist_ok=True)
            os.replace(os.path.join(sub, m), os.path.join(root, "all", m))
            manifest["models"].append(e)
json.dump(manifest, open(os.path.join(root, "all", "manifest.json"), "w"))
PY
echo "   exported: ${SECONDS}s"
"$PY" tools/benchmark.py --pt2run build/cpu-release/src/pt2run --baseline build/libtorch-baseline/aoti_baseline \
  --models build/bench-cpu-models/all --out "$RESULTS" --threads "1,$CORES" --rounds "${BENCH_ROUNDS:-1}" \
  --cold-runs 3 --budget-s "${BENCH_BUDGET_S:-0.5}" 2>&1 | tee "$RESULTS/bench.log"
echo "   done: ${SECONDS}s"
