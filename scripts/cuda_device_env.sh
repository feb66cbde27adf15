# Sourced by the scripts that run on the GPU machine (cuda_device.sh, bench_cuda_device.sh):
# unpacks the Debian packages scripts/fetch_device_deps.sh gathered (carried as .device-deps),
# puts them, cuBLAS and cuDNN (as torch's wheels installed them) on the library path, and
# defines the builds both need. Expects RESULTS (a folder for logs) and runs from the root.
DEPS=$PWD/build/device-deps
rm -rf "$DEPS" && mkdir -p "$DEPS"
for deb in .device-deps/debs/*.deb; do dpkg -x "$deb" "$DEPS"; done
LIBS=$DEPS/usr/lib/x86_64-linux-gnu
PY=${PYTHON:-python3}
nvidia_lib() {
  dirname "$("$PY" - "$1" <<'PY'
import glob, os, site, sys
paths = [p for d in site.getsitepackages() for p in glob.glob(os.path.join(d, "nvidia", "**", sys.argv[1]), recursive=True)]
print(paths[0] if paths else "/usr/local/cuda/lib64/" + sys.argv[1])
PY
)"
}
export LD_LIBRARY_PATH=$LIBS:$LIBS/openblas-openmp:$(nvidia_lib "libcublas.so.*"):$(nvidia_lib "libcudnn.so.9"):${LD_LIBRARY_PATH:-}

# build_pt2run_cuda DIR BUILD_TYPE TARGET...: pt2run with its CUDA backend.
build_pt2run_cuda() {
  local dir=$1 type=$2
  shift 2
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" -DPT2RUN_CUDA=ON \
    -DCMAKE_PREFIX_PATH="$DEPS/usr" -DCMAKE_LIBRARY_PATH="$LIBS/openblas-openmp" \
    -DPT2RUN_CUBLAS_INCLUDE_DIR="$PWD/.device-deps/cuda-headers" >"$RESULTS/configure.log" 2>&1 \
    || { tail -30 "$RESULTS/configure.log"; return 1; }
  cmake --build "$dir" -j "$(nproc)" --target "$@" >"$RESULTS/build.log" 2>&1 \
    || { grep -E "error" -A3 "$RESULTS/build.log" | head -40; return 1; }
}

# build_libtorch_baseline: bench/libtorch against the machine's torch, in build/libtorch-baseline.
build_libtorch_baseline() {
  local prefix
  prefix=$("$PY" -c 'import torch; print(torch.utils.cmake_prefix_path)')
  cmake -S bench/libtorch -B build/libtorch-baseline -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$prefix" >"$RESULTS/baseline_build.log" 2>&1 &&
    cmake --build build/libtorch-baseline >>"$RESULTS/baseline_build.log" 2>&1 \
    || { tail -20 "$RESULTS/baseline_build.log"; return 1; }
}
