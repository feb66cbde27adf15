#!/usr/bin/env bash
# Usage: cli_run.sh PT2RUN_CLI — runs the CLI on corpus packages (exit 77 = skipped).
set -euo pipefail
cli=$1
corpus=${PT2RUN_CORPUS_DIR:-}
[ -n "$corpus" ] && [ -f "$corpus/manifest.json" ] || { echo "no corpus: skipped"; exit 77; }
out=$("$cli" run "$corpus/mlp/model.pt2" -i "$corpus/mlp/case_0/in_0.npy")
echo "$out"
grep -q 'float32\[3, 4\]' <<<"$out" || { echo "FAIL: unexpected output"; exit 1; }
set +e
err=$("$cli" run "$corpus/missing_op/model.pt2" -i "$corpus/missing_op/case_0/in_0.npy" 2>&1)
rc=$?
set -e
echo "$err"
[ $rc -eq 2 ] || { echo "FAIL: expected exit code 2, got $rc"; exit 1; }
grep -q 'aoti_torch_cpu_cummax' <<<"$err" || { echo "FAIL: missing op not named"; exit 1; }
echo "cli ok"
