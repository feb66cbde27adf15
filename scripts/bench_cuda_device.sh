#!/usr/bin/env bash
# The CUDA benchmark in one run on a GPU machine: pt2run (with and without CUDA graphs) against libtorch's
# AOTIModelPackageLoader on the same CUDA packages of the benchmark models (tools/benchmark.py
# --device cuda: cold start, load, first run, p50/p99, throughput at T threads with T instances,
# peak RSS, footprint). Builds pt2run (Release, CUDA) and the libtorch baseline against the
# machine's torch, exports the models for CUDA, and writes build/bench-cuda/report.md with
# latency.png and throughput.png (and into $OUT when set). Here, first:
#   scripts/fetch_device_deps.sh
# then, on a GPU machine with .device-deps copied beside the checkout:
#   scripts/bench_cuda_device.sh
# and copy the report into docs/performance.md with
#   python3 tools/update_performance_doc.py cuda /work/.device/N
# --with-tests also builds the CUDA tests and runs them first against the CUDA corpus (exported
# alongside the benchmark models): a check and the numbers from the same build in one call.
set -euo pipefail
cd "$(dirname "$0")/.."
RESULTS=$PWD/build/bench-cuda
rm -rf "$RESULTS" && mkdir -p "$RESULTS"
# With $OUT set (a folder collected after the run), only a few files go there: the report, its data and plots, the logs as one archive.
[ -n "${OUT:-}" ] && trap 'cp "$RESULTS"/report.md "$RESULTS"/results.json "$RESULTS"/*.png "$OUT"/ 2>/dev/null; tar czf "$OUT/logs.tgz" -C "$RESULTS" $(cd "$RESULTS" && ls *.log) 2>/dev/null || true' EXIT
source scripts/cuda_device_env.sh
WITH_TESTS=0
[ "${1:-}" = "--with-tests" ] && WITH_TESTS=1
SECONDS=0
echo "== build pt2run (CUDA, Release) and the libtorch baseline"
targets="pt2run_cli pt2run_cuda"
[ "$WITH_TESTS" = 1 ] && targets="$targets pt2run_cuda_tests"
build_pt2run_cuda build/cuda-release Release $targets
build_libtorch_baseline
echo "   ${SECONDS}s"
if [ "$WITH_TESTS" = 1 ]; then
  "$PY" tools/export_corpus.py build/cuda-corpus --device cuda --jobs 8 >"$RESULTS/export_corpus.log" 2>&1 &
  corpus_export=$!
fi
echo "== export the benchmark models for CUDA ($("$PY" -c 'import torch; print(torch.__version__)'))"
export_cuda_bench_models
echo "   ${SECONDS}s"
if [ "$WITH_TESTS" = 1 ]; then
  echo "== CUDA tests"
  wait "$corpus_export" || { tail -20 "$RESULTS/export_corpus.log"; exit 1; }
  PT2RUN_CUDA_CORPUS_DIR=$PWD/build/cuda-corpus build/cuda-release/tests/pt2run_cuda_tests >"$RESULTS/cuda_tests.log" 2>&1 \
    || { grep -E "FAILED|Failure" -A5 "$RESULTS/cuda_tests.log" | head -40; exit 1; }
  grep -E "^\[  (PASSED|SKIPPED) " "$RESULTS/cuda_tests.log"
  echo "   ${SECONDS}s"
fi
echo "== benchmark"
# T = 1 and 4 instances on one GPU; one second of timed runs per measure keeps the call short.
"$PY" tools/benchmark.py --device cuda --pt2run build/cuda-release/src/pt2run \
  --baseline build/libtorch-baseline/aoti_baseline --models build/bench-cuda-models --out "$RESULTS" \
  --threads 1,4 --budget-s 1 2>&1 | tee "$RESULTS/benchmark.log"
echo "   ${SECONDS}s"
