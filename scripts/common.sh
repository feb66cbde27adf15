# Shared by the scripts: paths of the venv, the torch headers and the corpus cache.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY="$ROOT/.venv/bin/python"
TORCH_INCLUDE=$("$PY" -c "import torch, os; print(os.path.join(os.path.dirname(torch.__file__), 'include'))")
CACHE_DIR=${PT2RUN_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pt2run}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}

# Runs an exporter (tools/NAME.py OUT --jobs 2) once per its cache key; prints the folder.
exported() {
  local script=$1 prefix=$2 what=$3 key dir
  key=$("$PY" "$ROOT/tools/$script" key)
  dir="$CACHE_DIR/$prefix-$key"
  if [ ! -f "$dir/manifest.json" ]; then
    mkdir -p "$CACHE_DIR"
    echo "exporting $what to $dir (once; a few minutes)" >&2
    TORCHINDUCTOR_CACHE_DIR="$CACHE_DIR/inductor" "$PY" "$ROOT/tools/$script" "$dir" --jobs 2 >&2
  fi
  echo "$dir"
}

# The test corpus, once per (export script, torch version).
corpus() { exported export_corpus.py corpus "the test corpus"; }

# The conformance regressions, once per (their script, the corpus script, torch version).
regressions() { exported export_regressions.py regressions "the conformance regressions"; }

# The generated shim headers of every supported torch (2.11-2.14), read out of the wheels on
# PyPI once (tools/shim_coverage.py fetch); prints the folder, or nothing when they cannot be
# fetched (then only the installed torch's headers are checked).
shim_headers() {
  local dir="$CACHE_DIR/shim-headers" v
  for v in 2.11.0 2.12.1 2.13.0 2.14.1; do
    if [ ! -f "$dir/${v%.*}/c_shim_cpu.h" ] || [ ! -f "$dir/${v%.*}/c_shim_cuda.h" ]; then
      "$PY" "$ROOT/tools/shim_coverage.py" fetch "$v" --into "$dir" >&2 ||
        { echo "warning: cannot fetch torch $v's shim headers; checking the installed torch's only" >&2; return 0; }
    fi
  done
  echo "$dir"
}

# Exports the model zoo (tools/zoo_export.py) once per (zoo script, torch, transformers);
# prints its folder. With "subset", exports only the CI subset into its own folder unless the
# whole zoo is already cached (then prints that).
zoo() {
  local key dir only=""
  key=$("$PY" "$ROOT/tools/zoo_export.py" key)
  dir="$CACHE_DIR/zoo-$key"
  if [ "${1:-}" = "subset" ] && [ ! -f "$dir/manifest.json" ]; then
    dir="$CACHE_DIR/zoo-subset-$key"
    only=$("$PY" "$ROOT/tools/zoo_export.py" ci-subset)
  fi
  if [ ! -f "$dir/manifest.json" ]; then
    mkdir -p "$CACHE_DIR"
    echo "exporting the model zoo to $dir (once; ${only:+subset $only; }several minutes)" >&2
    TORCHINDUCTOR_CACHE_DIR="$CACHE_DIR/inductor" "$PY" "$ROOT/tools/zoo_export.py" "$dir" --jobs 2 \
      ${only:+--only "$only"} >&2
  fi
  echo "$dir"
}

# cuBLAS headers for building the CUDA backend when the CUDA toolkit lacks them: extracted once
# from the nvidia-cublas wheel (pinned; only its include folder is kept). Prints the folder, or
# nothing without nvcc.
cuda_headers() {
  local dir="$CACHE_DIR/cuda-headers"
  if { [ ! -f "$dir/cublas_v2.h" ] || [ ! -f "$dir/cudnn.h" ] || [ ! -f "$dir/cufft.h" ] || [ ! -f "$dir/curand_kernel.h" ]; } && command -v nvcc >/dev/null; then
    local tmp
    tmp=$(mktemp -d)
    # Without them the CUDA backend is simply not built: never fail the caller.
    if "$PY" -m pip download -q --no-deps --disable-pip-version-check nvidia-cublas==13.1.1.3 \
         nvidia-cudnn-cu13==9.24.0.43 nvidia-cufft==12.0.0.61 nvidia-curand==10.4.0.35 -d "$tmp" >&2; then
      mkdir -p "$dir"
      "$PY" - "$tmp" "$dir" <<'PY' || true
import glob, os, sys, zipfile
for path in glob.glob(os.path.join(sys.argv[1], "nvidia_cu*.whl")):
    wheel = zipfile.ZipFile(path)
    for name in wheel.namelist():
        if "/include/" in name and name.endswith(".h"):
            with open(os.path.join(sys.argv[2], os.path.basename(name)), "wb") as out:
                out.write(wheel.read(name))
PY
    fi
    rm -rf "$tmp"
  fi
  [ -f "$dir/cublas_v2.h" ] && [ -f "$dir/cudnn.h" ] && [ -f "$dir/cufft.h" ] && [ -f "$dir/curand_kernel.h" ] && echo "$dir"
  return 0
}
