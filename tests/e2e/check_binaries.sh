#!/usr/bin/env bash
# Usage: check_binaries.sh LIBPT2RUN PT2RUN_CLI
# Fails if any binary we build depends on libtorch/libc10, or if libpt2run exports C symbols
# other than the aoti_torch_* shim, its aoti_record_function_* profiling hooks (and pt2run_model_atexit, which model libraries' thread_local
# destructors are registered through: src/model/thread_exit.h; and p2rmal, their malloc:
# src/model/model_malloc.h).
set -euo pipefail
status=0
for bin in "$@"; do
  if ldd "$bin" | grep -E 'libtorch|libc10'; then
    echo "FAIL: $bin depends on libtorch"; status=1
  fi
done
lib=$1
# Exported, defined, unmangled (C) symbols must all be the shim.
others=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep -v '^_Z' | grep -v -E '^(aoti_torch_|aoti_record_function_(start|end)$|pt2run_model_atexit$|p2rmal$)' || true)
if [ -n "$others" ]; then
  echo "FAIL: libpt2run exports C symbols outside the shim:"; echo "$others"; status=1
fi
# Mangled exports must be pt2run's own API.
foreign=$(nm -D --defined-only -C "$lib" | awk '$2 != "U"' | cut -d' ' -f3- |
          grep -v -E '^(pt2run::|typeinfo (name )?for pt2run::|vtable for pt2run::)' |
          grep -v -E '^(aoti_torch_|aoti_record_function_(start|end)$|pt2run_model_atexit$|p2rmal$)' || true)
if [ -n "$foreign" ]; then
  echo "FAIL: libpt2run exports C++ symbols outside namespace pt2run:"; echo "$foreign" | head; status=1
fi
count=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep -c '^aoti_torch_')
echo "libpt2run exports $count aoti_torch_* functions"
[ "$count" -ge 100 ] || { echo "FAIL: expected at least 100 shim functions"; status=1; }
exit $status
