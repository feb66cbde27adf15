# Sourced by the scripts that run on the GPU machine (cuda_device.sh, bench_cuda_device.sh):
# unpacks the Debian packages and oneDNN wheels scripts/fetch_device_deps.sh gathered (carried
# as .device-deps), puts them, cuBLAS, cuDNN and cuFFT (as torch's wheels installed them) on the
# library path, and defines the builds both need. Expects RESULTS (a folder for logs) and runs from the root.
DEPS=$PWD/build/device-deps
rm -rf "$DEPS" && mkdir -p "$DEPS"
for deb in .device-deps/debs/*.deb; do dpkg -x "$deb" "$DEPS"; done
LIBS=$DEPS/usr/lib/x86_64-linux-gnu
# Their pkg-config files name /usr as the prefix; point them at where they were unpacked.
sed -i -E "s#^(prefix|includedir|libdir)=/usr#\1=$DEPS/usr#" "$LIBS"/pkgconfig/*.pc
export PKG_CONFIG_PATH=$LIBS/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
PY=${PYTHON:-python3}
# oneDNN 3 from its wheels (what pip would install into a venv's prefix), for -DPT2RUN_DEPS_PREFIX.
ONEDNN_PREFIX=$DEPS/onednn
"$PY" - .device-deps/wheels "$ONEDNN_PREFIX" <<'PY'
import glob, os, sys, zipfile
for path in glob.glob(os.path.join(sys.argv[1], "onednn*.whl")):
    wheel = zipfile.ZipFile(path)
    for name in wheel.namelist():
        if ".data/data/" in name and not name.endswith("/"):
            target = os.path.join(sys.argv[2], name.split(".data/data/", 1)[1])
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as out:
                out.write(wheel.read(name))
PY
nvidia_lib() {
  dirname "$("$PY" - "$1" <<'PY'
import glob, os, site, sys
paths = [p for d in site.getsitepackages() for p in glob.glob(os.path.join(d, "nvidia", "**", sys.argv[1]), recursive=True)]
print(paths[0] if paths else "/usr/local/cuda/lib64/" + sys.argv[1])
PY
)"
}
export LD_LIBRARY_PATH=$LIBS:$LIBS/openblas-openmp:$ONEDNN_PREFIX/lib:$(nvidia_lib "libcublas.so.*"):$(nvidia_lib "libcudnn.so.9"):$(nvidia_lib "libcufft.so.12"):${LD_LIBRARY_PATH:-}

# build_pt2run_cuda DIR BUILD_TYPE TARGET...: pt2run with its CUDA backend (more CMake options
# in PT2RUN_CMAKE_ARGS).
build_pt2run_cuda() {
  local dir=$1 type=$2
  shift 2
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" -DPT2RUN_CUDA=ON \
    -DCMAKE_PREFIX_PATH="$DEPS/usr" -DCMAKE_LIBRARY_PATH="$LIBS/openblas-openmp" -DPT2RUN_DEPS_PREFIX="$ONEDNN_PREFIX" \
    -DCMAKE_CXX_FLAGS="-isystem $DEPS/usr/include/x86_64-linux-gnu" \
    -DPT2RUN_CUBLAS_INCLUDE_DIR="$PWD/.device-deps/cuda-headers" ${PT2RUN_CMAKE_ARGS:-} >"$RESULTS/configure.log" 2>&1 \
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

# export_cuda_bench_models: the benchmark models exported for CUDA into build/bench-cuda-models,
# kept while the machine stays warm and the exporters are unchanged.
export_cuda_bench_models() {
  local stamp
  stamp=$(cat tools/export_bench_models.py tools/export_corpus.py | sha256sum | cut -c1-16)
  [ "$(cat build/bench-cuda-models/stamp 2>/dev/null)" = "$stamp" ] && return 0
  "$PY" tools/export_bench_models.py build/bench-cuda-models --device cuda >"$RESULTS/export.log" 2>&1 \
    || { tail -30 "$RESULTS/export.log"; return 1; }
  echo "$stamp" > build/bench-cuda-models/stamp
}
