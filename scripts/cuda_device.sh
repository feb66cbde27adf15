#!/usr/bin/env bash
# Builds pt2run with its CUDA backend and runs every CUDA test on a GPU machine, in one go:
# exports the CUDA corpus with the machine's torch, runs tests/cuda against it, then again under
# compute-sanitizer memcheck. Run scripts/fetch_device_deps.sh first (here) and carry
# .device-deps; with the device tool:
#   run(command="scripts/cuda_device.sh", carry=[".device-deps"])
# Results go to $OUT (the device tool's output folder) or build/cuda-results.
set -euo pipefail
cd "$(dirname "$0")/.."
RESULTS=${OUT:-$PWD/build/cuda-results}
mkdir -p "$RESULTS"
DEPS=$PWD/build/device-deps
rm -rf "$DEPS" && mkdir -p "$DEPS"
for deb in .device-deps/debs/*.deb; do dpkg -x "$deb" "$DEPS"; done
LIBS=$DEPS/usr/lib/x86_64-linux-gnu
PY=${PYTHON:-python3}
CUBLAS_LIB=$(dirname "$("$PY" - <<'PY'
import glob, os, site
paths = [p for d in site.getsitepackages() for p in glob.glob(os.path.join(d, "nvidia", "**", "libcublas.so.*"), recursive=True)]
print(paths[0] if paths else "/usr/local/cuda/lib64/libcublas.so")
PY
)")
export LD_LIBRARY_PATH=$LIBS:$LIBS/openblas-openmp:$CUBLAS_LIB:${LD_LIBRARY_PATH:-}

echo "== configure and build (CUDA)"
cmake -S . -B build/cuda -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPT2RUN_CUDA=ON \
  -DCMAKE_PREFIX_PATH="$DEPS/usr" -DCMAKE_LIBRARY_PATH="$LIBS/openblas-openmp" \
  -DPT2RUN_CUBLAS_INCLUDE_DIR="$PWD/.device-deps/cuda-headers" >"$RESULTS/configure.log" 2>&1 \
  || { tail -30 "$RESULTS/configure.log"; exit 1; }
cmake --build build/cuda -j "$(nproc)" --target pt2run_cuda_tests pt2run_cli pt2run_cuda >"$RESULTS/build.log" 2>&1 \
  || { grep -E "error" -A3 "$RESULTS/build.log" | head -40; exit 1; }

echo "== export the CUDA corpus ($("$PY" -c 'import torch; print(torch.__version__)'))"
"$PY" tools/export_corpus.py build/cuda-corpus --device cuda --jobs 8 >"$RESULTS/export.log" 2>&1 \
  || { tail -30 "$RESULTS/export.log"; exit 1; }

echo "== pt2run inspect on a CUDA package (loads the CUDA backend to judge it)"
build/cuda/src/pt2run inspect build/cuda-corpus/mlp/model.pt2 | tee "$RESULTS/inspect_mlp.txt" | tail -2

echo "== CUDA tests"
export PT2RUN_CUDA_CORPUS_DIR=$PWD/build/cuda-corpus
status=0
build/cuda/tests/pt2run_cuda_tests 2>&1 | tee "$RESULTS/cuda_tests.log" | grep -E "^\[|  [a-z_0-9]+ +(matches|refused|torch)" || true
grep -q "FAILED" "$RESULTS/cuda_tests.log" && status=1

echo "== pt2run against libtorch's AOTIModelPackageLoader on the same CUDA packages"
TORCH_PREFIX=$("$PY" -c 'import torch; print(torch.utils.cmake_prefix_path)')
if cmake -S bench/libtorch -B build/libtorch-baseline -G Ninja -DCMAKE_BUILD_TYPE=Release \
     -DCMAKE_PREFIX_PATH="$TORCH_PREFIX" >"$RESULTS/baseline_build.log" 2>&1 &&
   cmake --build build/libtorch-baseline >>"$RESULTS/baseline_build.log" 2>&1; then
  for model in mlp matmuls; do
    shapes=$("$PY" -c "import json,sys; m=[e for e in json.load(open('build/cuda-corpus/manifest.json'))['models'] if e['name']=='$model'][0]; print(' '.join('x'.join(map(str, i['shape'])) for i in m['cases'][0]['inputs']))")
    echo "-- $model ($shapes)"
    "$PY" -c "import numpy as np, glob; np.savez('build/$model-in.npz', *[np.load(f) for f in sorted(glob.glob('build/cuda-corpus/$model/case_0/in_*.npy'))])"
    build/cuda/src/pt2run bench "build/cuda-corpus/$model/model.pt2" --inputs "build/$model-in.npz" \
      --iterations 3000 --json | tee -a "$RESULTS/bench.jsonl"
    build/libtorch-baseline/aoti_baseline "build/cuda-corpus/$model/model.pt2" 3000 $shapes | tee -a "$RESULTS/bench.jsonl"
  done
else
  tail -20 "$RESULTS/baseline_build.log"
fi

echo "== compute-sanitizer memcheck"
SANITIZER=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
if [ -x "$SANITIZER" ]; then
  "$SANITIZER" --tool memcheck --leak-check full --error-exitcode 9 \
    build/cuda/tests/pt2run_cuda_tests --gtest_filter='CudaMemory.Copies*:CudaStreams.*:CudaGemm.*:CudaCorpus.ModelsMatch*' \
    >"$RESULTS/memcheck.log" 2>&1 || status=1
  tail -5 "$RESULTS/memcheck.log"
else
  echo "compute-sanitizer not found"
fi
exit $status
