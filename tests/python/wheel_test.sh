#!/usr/bin/env bash
# Usage: tests/python/wheel_test.sh WHEEL
# Installs WHEEL (scripts/wheel.sh) into a fresh venv that has no torch, with numpy and pytest
# from PyPI only, then runs the Python API tests there on the corpus (PT2RUN_CORPUS_DIR) and
# reports the import-and-load time and memory on the corpus mlp.
set -euo pipefail
wheel=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
: "${PT2RUN_CORPUS_DIR:?PT2RUN_CORPUS_DIR must name the exported corpus}"
venv=$(mktemp -d)
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check "$wheel" "pytest==8.4.2"
if "$venv/bin/python" -c "import torch" 2>/dev/null; then
  echo "FAIL: the wheel's venv has torch"; exit 1
fi
"$venv/bin/python" -m pip list --format=freeze | grep -v '^pip=' | tr '\n' ' '; echo
# The installed package, not the source tree: run from an empty folder.
cd "$venv"
env -u LD_LIBRARY_PATH -u PYTHONPATH "$venv/bin/python" -m pytest -q -p no:cacheprovider "$here/test_python_api.py"
env -u LD_LIBRARY_PATH -u PYTHONPATH "$venv/bin/python" - "$PT2RUN_CORPUS_DIR/mlp/model.pt2" <<'PY'
import sys, time
start = time.perf_counter()
import numpy as np
import pt2run
model = pt2run.load(sys.argv[1])
elapsed = time.perf_counter() - start
y = model(np.zeros((3, 16), np.float32))
rss = int([l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0].split()[1]) / 1024
print(f"wheel: import numpy + pt2run and load the mlp: {elapsed * 1000:.1f} ms, peak RSS {rss:.1f} MiB, "
      f"torch imported: {'torch' in sys.modules}; installed at {pt2run.__file__}")
assert "torch" not in sys.modules and y.shape == (3, 4)
PY
echo "wheel ok"
