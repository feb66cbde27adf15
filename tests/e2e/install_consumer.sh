#!/usr/bin/env bash
# Usage: install_consumer.sh BUILD_DIR
# Installs pt2run from BUILD_DIR into a private prefix, checks that only include/pt2run/
# headers are installed, builds tests/e2e/consumer against it with find_package(pt2run) and
# runs it on a corpus package when one is available.
set -euo pipefail
build=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
extra=$(cd "$work/prefix/include" && find . -type f | grep -v '^./pt2run/' || true)
[ -z "$extra" ] || { echo "FAIL: installed headers outside include/pt2run: $extra"; exit 1; }
cmake -S "$here/consumer" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
if [ -n "${PT2RUN_CORPUS_DIR:-}" ] && [ -f "$PT2RUN_CORPUS_DIR/mlp/model.pt2" ]; then
  out=$("$work/build/app" "$PT2RUN_CORPUS_DIR/mlp/model.pt2")
  echo "$out"
  [ "$out" = "Tensor(float32[3, 4], cpu)" ] || { echo "FAIL: unexpected output"; exit 1; }
fi
echo "install ok"
