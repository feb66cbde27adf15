#!/usr/bin/env bash
# Runs the GPU test class of PyTorch's AOTInductor suite against pt2run's CUDA build
# (tools/conformance.py --device cuda), in parallel shards. Run scripts/fetch_device_deps.sh
# first (here) and copy .device-deps and the suite's files beside the checkout; then, on a GPU
# machine:
#   scripts/conformance_cuda_device.sh [UPSTREAM] [SHARDS] [BUDGET_SECONDS]
# UPSTREAM defaults to .upstream/d49eeac (docs/testing.md). With a budget, the shards stop in
# time to report; run it again on the same machine and they resume where they stopped.
# Outcomes go to build/conformance-cuda (cuda.json merged; and to $OUT when it is set).
set -euo pipefail
cd "$(dirname "$0")/.."
START=$SECONDS
UPSTREAM=${1:-.upstream/d49eeac}
SHARDS=${2:-12}
BUDGET=${3:-0}
RESULTS=$PWD/build/conformance-cuda
mkdir -p "$RESULTS"
source scripts/cuda_device_env.sh
# The runner's Python needs (torch's test classes import expecttest; tensor files go through
# safetensors), from the wheels fetch_device_deps.sh carried.
if ! "$PY" -c "import expecttest, safetensors" 2>/dev/null; then
  "$PY" -m pip install -q --no-index --no-deps --target build/conformance-py .device-deps/wheels/py/*.whl
  export PYTHONPATH=$PWD/build/conformance-py${PYTHONPATH:+:$PYTHONPATH}
fi

echo "== build (CUDA)"
build_pt2run_cuda build/cuda Release pt2run_cli pt2run_cuda pt2run_conformance_ops

limit=0
if [ "$BUDGET" -gt 0 ]; then
  limit=$((BUDGET - (SECONDS - START) - 40))
  [ "$limit" -gt 30 ] || { echo "no time left to run the suite after the build"; exit 1; }
fi
echo "== the suite's GPU class in $SHARDS shards$([ "$limit" -gt 0 ] && echo " (stopping after $limit s)")"
for k in $(seq 1 "$SHARDS"); do
  timeout "$limit" "$PY" tools/conformance.py "$UPSTREAM" --device cuda --pt2run build/cuda/src/pt2run \
    --shard "$k/$SHARDS" --json "$RESULTS/shard$k.json" --resume >"$RESULTS/shard$k.log" 2>&1 &
done
wait || true
"$PY" tools/conformance.py --merge "$RESULTS"/shard*.json --json "$RESULTS/cuda.json" || true
grep -h -E "^(WRONG|REFUSED|CRASH) " "$RESULTS"/shard*.log | cut -c1-400 || true
if [ -n "${OUT:-}" ]; then cp "$RESULTS"/cuda.json "$OUT"/; tar czf "$OUT/shard-logs.tgz" -C "$RESULTS" .; fi
