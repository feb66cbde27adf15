#!/usr/bin/env bash
# Builds pt2run with its CUDA backend and runs every CUDA test on a GPU machine, in one go:
# exports the CUDA corpus (and the CPU exports of the models both have) with the machine's
# torch, runs tests/cuda against them, benchmarks against libtorch's runner on the same
# packages (with and without CUDA graphs, and attention / convolution at realistic sizes),
# then runs the tests again under compute-sanitizer memcheck. Run scripts/fetch_device_deps.sh first (here) and carry
# copy .device-deps beside the checkout; then, on a GPU machine:
#   scripts/cuda_device.sh
# --tests-only exports only the CUDA corpus and runs the tests (no CPU agreement check, no
# benchmarks, no memcheck): a quick check after a small change.
# Logs go to build/cuda-results (and $OUT/cuda-results.tgz when $OUT is set).
set -euo pipefail
cd "$(dirname "$0")/.."
TESTS_ONLY=0
[ "${1:-}" = "--tests-only" ] && TESTS_ONLY=1
RESULTS=$PWD/build/cuda-results
rm -rf "$RESULTS" && mkdir -p "$RESULTS"
# With $OUT set (a folder collected after the run), only a few files go there: the logs go back as one archive.
[ -n "${OUT:-}" ] && trap 'tar czf "$OUT/cuda-results.tgz" -C build cuda-results' EXIT
source scripts/cuda_device_env.sh

echo "== configure and build (CUDA)"
build_pt2run_cuda build/cuda RelWithDebInfo pt2run_cuda_tests pt2run_cli pt2run_cuda

echo "== export the CUDA corpus ($("$PY" -c 'import torch; print(torch.__version__)'))"
# Exports are kept while the machine stays warm and the exporters are unchanged.
STAMP=$(cat tools/export_corpus.py tools/export_cuda_bench_models.py | sha256sum | cut -c1-16)
if [ "$TESTS_ONLY" = 1 ] && [ "$(cat build/cuda-exports.stamp 2>/dev/null)" != "$STAMP" ]; then
  "$PY" tools/export_corpus.py build/cuda-corpus --device cuda --jobs 8 >"$RESULTS/export.log" 2>&1 \
    || { tail -30 "$RESULTS/export.log"; exit 1; }
elif [ "$(cat build/cuda-exports.stamp 2>/dev/null)" != "$STAMP" ]; then
  "$PY" tools/export_corpus.py build/cuda-corpus --device cuda --jobs 8 >"$RESULTS/export.log" 2>&1 \
    || { tail -30 "$RESULTS/export.log"; exit 1; }
  "$PY" tools/export_corpus.py build/cpu-corpus --only mlp,cnn,transformer,attention,convs,matmuls,pytree \
    --jobs 8 >"$RESULTS/export_cpu.log" 2>&1 || { tail -30 "$RESULTS/export_cpu.log"; exit 1; }
  "$PY" tools/export_cuda_bench_models.py build/cuda-bench >"$RESULTS/export_bench.log" 2>&1 \
    || { tail -30 "$RESULTS/export_bench.log"; exit 1; }
  echo "$STAMP" > build/cuda-exports.stamp
else
  echo "(exports unchanged since the last run on this machine)"
fi

echo "== pt2run inspect on a CUDA package (loads the CUDA backend to judge it)"
build/cuda/src/pt2run inspect build/cuda-corpus/mlp/model.pt2 | tee "$RESULTS/inspect_mlp.txt" | tail -2

echo "== CUDA tests"
export PT2RUN_CUDA_CORPUS_DIR=$PWD/build/cuda-corpus
[ -f build/cpu-corpus/manifest.json ] && export PT2RUN_CPU_CORPUS_DIR=$PWD/build/cpu-corpus
status=0
build/cuda/tests/pt2run_cuda_tests 2>&1 | tee "$RESULTS/cuda_tests.log" \
  | grep -E "^\[ +(OK|FAILED|SKIPPED|PASSED) |  [a-z_0-9]+ +(matches|refused|torch|CPU|[0-9]+ graph)|Failure|error" || true
grep -q "FAILED" "$RESULTS/cuda_tests.log" && status=1

echo "== the Python package on CUDA packages (tests/python/test_python_cuda.py)"
# nanobind and pytest from the wheels fetch_device_deps.sh gathered; the module is built in the
# same tree (PT2RUN_BUILD_PYTHON), against this machine's Python.
if "$PY" -m pip install -q --no-index --find-links .device-deps/wheels/py nanobind==3.1.0 pytest==8.4.2 \
     >"$RESULTS/python_pip.log" 2>&1 \
   && PT2RUN_CMAKE_ARGS="-DPT2RUN_BUILD_PYTHON=ON -DPT2RUN_PYTHON=$(command -v "$PY")" \
      build_pt2run_cuda build/cuda RelWithDebInfo pt2run_python; then
  PYTHONPATH=$PWD/build/cuda/python "$PY" -m pytest -q -p no:cacheprovider tests/python/test_python_cuda.py \
    2>&1 | tee "$RESULTS/python_cuda.log" | tail -15
  grep -qE "[0-9]+ failed|error" "$RESULTS/python_cuda.log" && status=1
else
  echo "the Python module did not build here: $RESULTS/python_pip.log, $RESULTS/build.log"; status=1
fi
[ "$TESTS_ONLY" = 1 ] && exit $status

echo "== pt2run against libtorch's AOTIModelPackageLoader on the same CUDA packages"
if build_libtorch_baseline; then
  bench() {  # NAME PACKAGE ITERATIONS SHAPE...
    local name=$1 package=$2 iterations=$3
    shift 3
    echo "-- $name ($*)"
    "$PY" -c "import numpy as np, sys; np.savez('build/bench-in.npz', *[np.random.randn(*map(int, s.split('x'))).astype(np.float32) for s in sys.argv[1:]])" "$@"
    for graphs in "" --cuda-graphs; do
      build/cuda/src/pt2run bench "$package" --inputs build/bench-in.npz --iterations "$iterations" $graphs --json \
        | "$PY" -c "import json,sys; j=json.load(sys.stdin); j.update(model='$name', runtime='pt2run${graphs:+ graphs}'); print(json.dumps(j))" \
        | tee -a "$RESULTS/bench.jsonl" | "$PY" -c "import json,sys; j=json.load(sys.stdin); print(f\"{j['runtime']:14} p50 {j['latency_ms']['p50']:.4f} ms  p99 {j['latency_ms']['p99']:.4f} ms {j.get('cuda_graphs', '')}\")"
    done
    build/libtorch-baseline/aoti_baseline "$package" "$iterations" "$@" \
      | "$PY" -c "import json,sys; j=json.load(sys.stdin); j.update(model='$name', runtime='libtorch'); print(json.dumps(j))" \
      | tee -a "$RESULTS/bench.jsonl" | "$PY" -c "import json,sys; j=json.load(sys.stdin); print(f\"{'libtorch':14} p50 {j['p50_ms']:.4f} ms  p99 {j['p99_ms']:.4f} ms\")"
  }
  for model in mlp matmuls transformer cnn; do
    shapes=$("$PY" -c "import json; m=[e for e in json.load(open('build/cuda-corpus/manifest.json'))['models'] if e['name']=='$model'][0]; print(' '.join('x'.join(map(str, i['shape'])) for i in m['cases'][0]['inputs']))")
    bench "$model" "build/cuda-corpus/$model/model.pt2" 3000 $shapes
  done
  for model in sdpa_fp16_causal sdpa_bf16 sdpa_fp32 conv_stack; do
    shapes=$("$PY" -c "import json; print(' '.join('x'.join(map(str, s)) for s in json.load(open('build/cuda-bench/shapes.json'))['$model']))")
    bench "$model" "build/cuda-bench/$model.pt2" 200 $shapes
  done
fi

echo "== compute-sanitizer memcheck"
SANITIZER=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
if [ -x "$SANITIZER" ]; then
  "$SANITIZER" --tool memcheck --leak-check full --error-exitcode 9 \
    build/cuda/tests/pt2run_cuda_tests --gtest_filter='CudaMemory.Copies*:CudaStreams.*:CudaGemm.*:CudaConvolution.*:CudaAttention.*:CudaFft.*:CudaInt4Matmul.*:CudaRandom.*:CudaHostStaged.*:CudaCorpus.Every*:CudaGraphs.EveryModel*' \
    >"$RESULTS/memcheck.log" 2>&1 || status=1
  tail -5 "$RESULTS/memcheck.log"
else
  echo "compute-sanitizer not found"
fi
exit $status
