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
# (BENCH_ONLY=MODEL,... benchmarks only those of the exported models; the profiles use all.)
# and copy its report.md into docs/performance.md's server-CPU section. Before the benchmark it
# checks, on this CPU, the corpus models that reach the reduced-precision and packed-weight
# kernels against eager (corpus_check.md) and prints which oneDNN kernels ran them; after it,
# where oneDNN's time goes in the ResNet-50s (onednn_profile.py) and what packed weights buy
# (bench with and without --no-packed-weights).
set -euo pipefail
cd "$(dirname "$0")/.."
RESULTS=$PWD/build/bench-cpu
rm -rf "$RESULTS" && mkdir -p "$RESULTS"
[ -n "${OUT:-}" ] && trap 'cp "$RESULTS"/*.md "$RESULTS"/*.txt "$RESULTS"/results.json "$RESULTS"/*.png "$RESULTS"/*.log "$OUT"/ 2>/dev/null || true' EXIT
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
# The corpus models that reach the bf16/fp16, int8, attention, packed-weight and prepacked (frozen) kernels, against eager.
CHECK=transformer_bf16,cnn_fp16,int8_bf16,linear_wide,cnn_frozen,transformer_frozen,cnn_prepacked,fused_prepacked,fused_prepacked_bf16,transformer,attention,matmuls,convs
rm -rf build/bench-cpu-corpus
"$PY" tools/export_corpus.py build/bench-cpu-corpus --only "$CHECK" --jobs 4 >"$RESULTS/export_corpus.log" 2>&1 &
pids+=($!)
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
CLI=build/cpu-release/src/pt2run
echo "== the corpus models with bf16/fp16, int8 and packed weights, against eager, on this CPU"
"$CLI" inspect build/bench-cpu-corpus/linear_wide/model.pt2 | grep -i -E "kernels|gemm|convolution" || true
"$PY" tools/zoo_report.py "$CLI" build/bench-cpu-corpus --markdown "$RESULTS/corpus_check.md" || true
for m in transformer_bf16 cnn_fp16 linear_wide; do
  echo "-- oneDNN kernels that ran $m"
  "$PY" -c "import numpy as np, sys; np.savez(sys.argv[1], np.load(sys.argv[2]))" "$RESULTS/in.npz" \
    "build/bench-cpu-corpus/$m/case_0/in_0.npy"
  "$PY" tools/onednn_profile.py -- "$CLI" run "build/bench-cpu-corpus/$m/model.pt2" --inputs "$RESULTS/in.npz" -t 1 || true
done
"$PY" tools/benchmark.py --pt2run build/cpu-release/src/pt2run --baseline build/libtorch-baseline/aoti_baseline \
  --models build/bench-cpu-models/all --out "$RESULTS" --threads "1,$CORES" --rounds "${BENCH_ROUNDS:-1}" \
  --cold-runs 3 --budget-s "${BENCH_BUDGET_S:-0.5}" --only "${BENCH_ONLY:-}" 2>&1 | tee "$RESULTS/bench.log"
M=build/bench-cpu-models/all
for m in resnet50 resnet50_frozen; do
  [ -d "$M/$m" ] || continue
  echo "== where oneDNN's time goes in $m, per run, at 1 thread"
  "$PY" tools/onednn_profile.py --runs 11 -- "$CLI" bench "$M/$m/model.pt2" --inputs "$M/$m/inputs.npz" \
    --warmup 0 --iterations 10 -t 1 | tee "$RESULTS/profile_$m.txt"
done
for m in resnet50 resnet50_frozen gpt_decoder bert_encoder; do
  [ -d "$M/$m" ] || continue
  for t in 1 "$CORES"; do
    echo "== time in pt2run's functions and in the model's own code: $m, -t $t"
    "$CLI" bench "$M/$m/model.pt2" --inputs "$M/$m/inputs.npz" --iterations 20 -t "$t" --profile | sed -n '/^profile/,$p' \
      | head -12
  done
done | tee "$RESULTS/profile_functions.txt"
echo "== packed weights against the model's own layout (p50 ms)"
for m in gpt_decoder bert_encoder resnet50_frozen; do
  [ -d "$M/$m" ] || continue
  for t in 1 "$CORES"; do
    for flag in "" --no-packed-weights; do
      p50=$("$CLI" bench "$M/$m/model.pt2" --inputs "$M/$m/inputs.npz" --iterations 30 -t "$t" $flag --json \
        | "$PY" -c "import json, sys; print(json.load(sys.stdin)['latency_ms']['p50'])")
      echo "$m -t $t ${flag:-packed}: $p50"
    done
  done
done | tee "$RESULTS/packed_ab.txt"
echo "   done: ${SECONDS}s"
