# Shared by the scripts: paths of the venv, the torch headers and the corpus cache.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY="$ROOT/.venv/bin/python"
TORCH_INCLUDE=$("$PY" -c "import torch, os; print(os.path.join(os.path.dirname(torch.__file__), 'include'))")
CACHE_DIR=${PT2RUN_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pt2run}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}

# Exports the corpus once per (export script, torch version); prints its folder.
corpus() {
  local key dir
  key=$("$PY" "$ROOT/tools/export_corpus.py" key)
  dir="$CACHE_DIR/corpus-$key"
  if [ ! -f "$dir/manifest.json" ]; then
    mkdir -p "$CACHE_DIR"
    echo "exporting the test corpus to $dir (once; a few minutes)" >&2
    TORCHINDUCTOR_CACHE_DIR="$CACHE_DIR/inductor" "$PY" "$ROOT/tools/export_corpus.py" "$dir" --jobs 2 >&2
  fi
  echo "$dir"
}
