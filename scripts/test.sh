#!/usr/bin/env bash
# Builds pt2run and runs every test: the dev build, then the same tests under
# AddressSanitizer + UndefinedBehaviorSanitizer, then the concurrency and hot-swap tests under
# ThreadSanitizer. --quick skips the sanitizer passes.
set -euo pipefail
cd "$(dirname "$0")/.."
# As root (CI), also the container tools: e2e.image builds and runs the image.
if [ "$(id -u)" -eq 0 ]; then scripts/setup.sh --image; else scripts/setup.sh; fi
source scripts/common.sh
CORPUS=$(corpus)
export PT2RUN_CORPUS_DIR="$CORPUS"
REGRESSIONS=$(regressions)
export PT2RUN_REGRESSIONS_DIR="$REGRESSIONS"
SHIM_HEADERS=$(shim_headers)

# With nvcc here, the CUDA backend is built too (its tests skip without a GPU).
CUBLAS_HEADERS=$(cuda_headers)
# The sanitizer passes leave it out: its tests cannot run here, and nvcc would only add minutes.
# Compiles go through ccache (its cache outside the clone, like the exports'), so a fresh clone
# recompiles only what changed since the last run on this machine. Paths are hashed relative
# to the clone, so clones in different folders share it.
launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
            -DCMAKE_CUDA_COMPILER_LAUNCHER=ccache)
fi
configure() {
  local cuda=AUTO python=OFF
  [ "$1" = dev ] || [ "$1" = werror ] || cuda=OFF
  # The Python package in the dev build (a sanitized libpt2run cannot load into python).
  [ "$1" = dev ] && python=ON
  cmake --preset "$1" -DPT2RUN_TORCH_INCLUDE_DIR="$TORCH_INCLUDE" -DPT2RUN_CORPUS_DIR="$CORPUS" \
    -DPT2RUN_REGRESSIONS_DIR="$REGRESSIONS" -DPT2RUN_SHIM_HEADERS_DIR="$SHIM_HEADERS" \
    -DPT2RUN_PYTHON="$PY" -DPT2RUN_CUBLAS_INCLUDE_DIR="$CUBLAS_HEADERS" -DPT2RUN_CUDA=$cuda -DPT2RUN_BUILD_PYTHON=$python "${launcher[@]}" >/dev/null
}

presets=(dev)
[ "${1:-}" = "--quick" ] || presets+=(asan-ubsan)
for preset in "${presets[@]}"; do
  echo "== $preset"
  configure "$preset"
  cmake --build --preset "$preset"
  ctest --preset "$preset" -j2
  if [ "$preset" = dev ]; then
    # The zoo: every model when its exports are cached (scripts/zoo.sh fills the cache),
    # otherwise a subset that fits CI's time budget.
    ZOO=$(zoo subset)
    case "$ZOO" in
      */zoo-subset-*) echo "== zoo: whole zoo not cached; running the CI subset ($("$PY" tools/zoo_export.py ci-subset)); scripts/zoo.sh runs every model" ;;
      *) echo "== zoo: every model (cached exports)" ;;
    esac
    "$PY" tools/zoo_report.py build/dev/src/pt2run "$ZOO"
  fi
done

# The Python wheel (docs/python.md), tested where torch is not installed.
echo "== wheel (scripts/wheel.sh, then the Python tests in a venv without torch)"
scripts/wheel.sh build/wheels
tests/python/wheel_test.sh "$(ls -t build/wheels/pt2run-*.whl | head -1)"

# The optimized build, CUDA plugin included, with warnings as errors: GCC warns at -O2 about
# what the Debug builds above never show.
echo "== werror (release build, warnings are errors)"
configure werror
cmake --build --preset werror

if [ "${1:-}" != "--quick" ]; then
  echo "== tsan (threads: concurrency, hot swap, the server's scheduler)"
  configure tsan
  cmake --build --preset tsan --target pt2run_integration_tests pt2run_server_tests
  # libgomp, OpenBLAS and oneDNN are not instrumented: one OpenMP thread, and
  # tests/tsan.supp for the locks oneDNN creates where TSan cannot see.
  export OMP_NUM_THREADS=1 TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$ROOT/tests/tsan.supp"
  build/tsan/tests/pt2run_integration_tests --gtest_filter='Concurrency.*:HotSwap.*'
  build/tsan/tests/pt2run_server_tests --gtest_filter='ModelScheduler.*:ServiceBatching.*:ServiceWeights.*:ServiceTimeouts.*:ServiceAdmission.*'
fi
