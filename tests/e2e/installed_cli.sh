#!/usr/bin/env bash
# Usage: installed_cli.sh PT2RUN
# Runs an installed pt2run as a user would, with no LD_LIBRARY_PATH: --version, then inspect
# and run on the corpus mlp when PT2RUN_CORPUS_DIR has one; where the CUDA plugin is installed,
# inspect on a copy of the mlp that says it is a CUDA package (the plugin must load).
set -euo pipefail
cli=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() { env -u LD_LIBRARY_PATH "$cli" "$@"; }
run --version >/dev/null || { echo "FAIL: $cli --version does not start (its libraries?)"; exit 1; }
mlp="${PT2RUN_CORPUS_DIR:-}/mlp"
if [ -n "${PT2RUN_CORPUS_DIR:-}" ] && [ -f "$mlp/model.pt2" ]; then
  run inspect "$mlp/model.pt2" | grep -q "runs here: yes" || { run inspect "$mlp/model.pt2"; echo "FAIL: inspect"; exit 1; }
  run run "$mlp/model.pt2" --inputs "$mlp/case_0/in_0.npy" -o "$work/out.npz" >/dev/null
  [ -s "$work/out.npz" ] || { echo "FAIL: run wrote no outputs"; exit 1; }
  lib=$(dirname "$(dirname "$cli")")/lib
  if [ -e "$lib/libpt2run_cuda.so.0" ] || [ -L "$lib/libpt2run_cuda.so.0" ]; then
    python3 - "$mlp/model.pt2" "$work/cuda.pt2" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as src, zipfile.ZipFile(sys.argv[2], "w") as dst:
    for info in src.infolist():
        data = src.read(info.filename)
        if info.filename.endswith("wrapper_metadata.json"):
            data = data.replace(b'"AOTI_DEVICE_KEY": "cpu"', b'"AOTI_DEVICE_KEY": "cuda"')
        dst.writestr(info, data)
PY
    if run inspect "$work/cuda.pt2" | grep "loading its backend failed"; then
      echo "FAIL: the installed CUDA plugin does not load"; exit 1
    fi
  fi
fi
echo "installed $cli ok"
