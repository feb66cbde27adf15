#!/usr/bin/env bash
# Sets up, builds pt2run, exports a small model with torch and runs it with pt2run, printing
# pt2run's outputs beside torch's.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/common.sh
cmake --preset release -DPT2RUN_BUILD_TESTS=OFF >/dev/null
cmake --build --preset release --target pt2run_cli
"$PY" tools/demo.py --pt2run build/release/src/pt2run --work "$CACHE_DIR/demo"
