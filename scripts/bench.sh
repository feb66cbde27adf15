#!/usr/bin/env bash
# The CPU benchmark in one command: pt2run against libtorch's AOTIModelPackageLoader and ONNX
# Runtime on the same models (tools/benchmark.py says what is measured). Builds pt2run
# (release) and the libtorch baseline (bench/libtorch), installs the pinned peers into the
# venv, exports the models once (cached by the exporters' hash and the torch version), and
# writes build/bench/report.md with latency.png and throughput.png. --update-docs copies them
# into docs/performance.md and docs/img/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/common.sh
"$PY" -m pip install -q --disable-pip-version-check onnx==1.23.2 onnxscript==0.7.2 onnxruntime==1.32.0 \
  matplotlib==3.10.9
cmake --preset release -DPT2RUN_BUILD_TESTS=OFF -DPT2RUN_CUDA=OFF >/dev/null
cmake --build --preset release --target pt2run_cli
TORCH_PREFIX=$("$PY" -c 'import torch; print(torch.utils.cmake_prefix_path)')
cmake -S bench/libtorch -B build/libtorch-baseline -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$TORCH_PREFIX" >/dev/null
cmake --build build/libtorch-baseline
MODELS="$CACHE_DIR/bench-$("$PY" tools/export_bench_models.py key)"
if [ ! -f "$MODELS/manifest.json" ]; then
  echo "== exporting the benchmark models to $MODELS (a few minutes, once)"
  "$PY" tools/export_bench_models.py "$MODELS"
fi
"$PY" tools/benchmark.py --pt2run build/release/src/pt2run --baseline build/libtorch-baseline/aoti_baseline \
  --models "$MODELS" --out build/bench
if [ "${1:-}" = "--update-docs" ]; then
  "$PY" tools/update_performance_doc.py cpu build/bench
fi
