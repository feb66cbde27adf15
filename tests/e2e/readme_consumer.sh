#!/usr/bin/env bash
# Usage: readme_consumer.sh [PREFIX]
# Builds the README's "Use it from C++" program and CMake project exactly as the README shows
# them, in a default CMake project (no C++ standard, flags or paths set by hand; PREFIX, when
# given, is where find_package looks, as a user's CMAKE_PREFIX_PATH would say), then runs it
# without LD_LIBRARY_PATH on the corpus mlp when PT2RUN_CORPUS_DIR has one.
set -euo pipefail
prefix=${1:-}
readme="$(cd "$(dirname "$0")/../.." && pwd)/README.md"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The first ```cpp and ```cmake blocks after the section's heading.
awk -v dir="$work" '
  /^## Use it from C\+\+/ { in_section = 1; next }
  in_section && /^## / { in_section = 0 }
  in_section && /^```cpp$/ && !cpp_done { out = dir "/main.cpp"; next }
  in_section && /^```cmake$/ && !cmake_done { out = dir "/CMakeLists.txt"; next }
  out != "" && /^```$/ { if (out ~ /cpp$/) cpp_done = 1; else cmake_done = 1; out = ""; next }
  out != "" { print > out }
' "$readme"
for f in main.cpp CMakeLists.txt; do
  [ -s "$work/$f" ] || { echo "FAIL: README.md has no $f block under 'Use it from C++'"; exit 1; }
done
args=()
[ -z "$prefix" ] || args=(-DCMAKE_PREFIX_PATH="$prefix")
env -u CXXFLAGS -u LD_LIBRARY_PATH cmake -S "$work" -B "$work/build" "${args[@]}" >"$work/configure.log" 2>&1 ||
  { cat "$work/configure.log"; echo "FAIL: the README's CMake project does not configure"; exit 1; }
cmake --build "$work/build" >"$work/build.log" 2>&1 ||
  { cat "$work/build.log"; echo "FAIL: the README's program does not build"; exit 1; }
if [ -n "${PT2RUN_CORPUS_DIR:-}" ] && [ -f "$PT2RUN_CORPUS_DIR/mlp/model.pt2" ]; then
  out=$(env -u LD_LIBRARY_PATH "$work/build/app" "$PT2RUN_CORPUS_DIR/mlp/model.pt2")
  echo "README program: $out"
  case "$out" in
    "Tensor(float32[3, 4], cpu) "*) ;;
    *) echo "FAIL: unexpected output"; exit 1 ;;
  esac
fi
echo "README consumer ok"
