#!/usr/bin/env bash
# The hostile-input checks on a GPU machine's host CPU (more cores, another CPU than the dev
# machine's), without CUDA: builds pt2run for the CPU, exports the corpus models the checks
# derive from with the machine's torch, then runs the hostile-input corpus, the server's
# hostile-client and soak tests, the runner's failure and input tests, a package exported on a
# 2-core machine at the default thread count (one per core here: its kernels allow 2), the HTTP
# service fuzzer, and the integrity benchmark (CRC-32 and SHA-256 per load).
# Run scripts/fetch_device_deps.sh first and copy .device-deps beside the checkout; put a
# 2-core export of the corpus `reduction` model and its input in .device-deps/reduction-2core/
# (model.pt2, in_0.npy, out_0.npy, out_1.npy) to check it. Logs: build/hostile-results.
set -euo pipefail
cd "$(dirname "$0")/.."
RESULTS=$PWD/build/hostile-results
rm -rf "$RESULTS" && mkdir -p "$RESULTS"
[ -n "${OUT:-}" ] && trap 'tar czf "$OUT/hostile-results.tgz" -C build hostile-results' EXIT
source scripts/cuda_device_env.sh
echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"

echo "== build (CPU, Release)"
cmake -S . -B build/cpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DPT2RUN_CUDA=OFF -DPT2RUN_PYTHON="$PY" \
  -DCMAKE_PREFIX_PATH="$DEPS/usr" -DCMAKE_LIBRARY_PATH="$LIBS/openblas-openmp" -DPT2RUN_DEPS_PREFIX="$ONEDNN_PREFIX" \
  -DCMAKE_CXX_FLAGS="-isystem $DEPS/usr/include/x86_64-linux-gnu" >"$RESULTS/configure.log" 2>&1 \
  || { tail -30 "$RESULTS/configure.log"; exit 1; }
cmake --build build/cpu -j "$(nproc)" --target pt2run_cli pt2run_integration_tests pt2run_server_tests \
  fuzz_http_service pt2run_integrity_bench >"$RESULTS/build.log" 2>&1 \
  || { grep -E "error" -A3 "$RESULTS/build.log" | head -40; exit 1; }

echo "== export ($("$PY" -c 'import torch; print(torch.__version__)'))"
"$PY" tools/export_corpus.py build/cpu-hostile-corpus --only mlp,cnn,pytree,missing_op,custom_op,reduction,weights_blob,weights_pickle,weights_mmap \
  --jobs 8 >"$RESULTS/export.log" 2>&1 || { tail -30 "$RESULTS/export.log"; exit 1; }
export PT2RUN_CORPUS_DIR=$PWD/build/cpu-hostile-corpus
CLI=build/cpu/src/pt2run
status=0
step() {  # NAME COMMAND...: runs it, keeps its output, shows its last lines
  local name=$1
  shift
  echo "== $name"
  if "$@" >"$RESULTS/$name.log" 2>&1; then tail -4 "$RESULTS/$name.log"; else
    echo "FAILED:"; tail -30 "$RESULTS/$name.log"; status=1; fi
}
step integration build/cpu/tests/pt2run_integration_tests --gtest_filter='Corpus.EveryModelMatchesEager:PackageFailure.*:InputFailure.*'
step server build/cpu/tests/pt2run_server_tests
step hostile_corpus "$PY" tests/hostile/hostile_corpus_test.py "$CLI"
step serve_hostile "$PY" tests/e2e/serve_hostile_test.py "$CLI"
step serve_soak "$PY" tests/e2e/serve_soak_test.py "$CLI"
step fuzz_http_service build/cpu/tests/fuzz_http_service 20

echo "== thread bound"
"$CLI" inspect build/cpu-hostile-corpus/reduction/model.pt2 | grep "^threads" || status=1
"$CLI" run build/cpu-hostile-corpus/reduction/model.pt2 -t $(( $(nproc) * 2 )) \
  --inputs build/cpu-hostile-corpus/reduction/case_0/in_0.npy 2>&1 | tail -3 || status=1
if [ -f .device-deps/reduction-2core/model.pt2 ]; then
  echo "-- exported on 2 cores, run at the default threads:"
  "$CLI" inspect .device-deps/reduction-2core/model.pt2 | grep "^threads"
  "$CLI" run .device-deps/reduction-2core/model.pt2 --inputs .device-deps/reduction-2core/in_0.npy \
    -o "$RESULTS/reduction-2core.npz" 2>&1 | tail -3 || status=1
  "$PY" -c "
import numpy as np, sys
got = np.load('$RESULTS/reduction-2core.npz')
ok = all(np.allclose(got[f'arr_{j}'], np.load(f'.device-deps/reduction-2core/out_{j}.npy'), rtol=1e-4, atol=1e-4) for j in range(2))
print('2-core export at the default threads equals torch:', ok); sys.exit(0 if ok else 1)" || status=1
fi

echo "== integrity checks' cost"
build/cpu/bench/pt2run_integrity_bench 1024 | tee "$RESULTS/integrity.json"
OMP_NUM_THREADS=1 taskset -c 0 build/cpu/bench/pt2run_integrity_bench 1024 | tee "$RESULTS/integrity_1core.json"
exit $status
