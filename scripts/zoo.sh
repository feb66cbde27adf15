#!/usr/bin/env bash
# Exports the whole model zoo (cached; about 10 minutes on 2 cores the first time), builds the
# release CLI and checks every model against eager torch. Writes the table docs/models.md shows
# to build/zoo.md. After this, scripts/test.sh runs the whole zoo instead of its CI subset.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/common.sh
ZOO=$(zoo)
cmake --preset release >/dev/null
cmake --build --preset release --target pt2run_cli
"$PY" tools/zoo_report.py build/release/src/pt2run "$ZOO" --markdown build/zoo.md
echo "table: build/zoo.md"
