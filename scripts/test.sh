#!/usr/bin/env bash
# Builds pt2run and runs every test: the dev build, then the same tests under
# AddressSanitizer + UndefinedBehaviorSanitizer. --quick skips the sanitizer pass.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/common.sh
CORPUS=$(corpus)
export PT2RUN_CORPUS_DIR="$CORPUS"

presets=(dev)
[ "${1:-}" = "--quick" ] || presets+=(asan-ubsan)
for preset in "${presets[@]}"; do
  echo "== $preset"
  cmake --preset "$preset" -DPT2RUN_TORCH_INCLUDE_DIR="$TORCH_INCLUDE" -DPT2RUN_CORPUS_DIR="$CORPUS" >/dev/null
  cmake --build --preset "$preset"
  ctest --preset "$preset" -j2
done
