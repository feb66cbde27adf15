#!/usr/bin/env bash
# Usage: install_consumer.sh BUILD_DIR
# Installs pt2run from BUILD_DIR into a private prefix, checks that only include/pt2run/
# headers are installed, builds the README's program against it in a default CMake project
# (readme_consumer.sh) and runs the installed pt2run without LD_LIBRARY_PATH (installed_cli.sh).
set -euo pipefail
build=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
extra=$(cd "$work/prefix/include" && find . -type f | grep -v '^./pt2run/' || true)
[ -z "$extra" ] || { echo "FAIL: installed headers outside include/pt2run: $extra"; exit 1; }
"$here/readme_consumer.sh" "$work/prefix"
"$here/installed_cli.sh" "$work/prefix/bin/pt2run"
echo "install ok"
