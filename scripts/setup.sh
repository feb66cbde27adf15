#!/usr/bin/env bash
# Installs what building and testing pt2run needs on Debian 12 (run as root, or with the
# packages already present), and a Python venv with the pinned torch used to export models.
# --image also installs what scripts/image.sh builds and runs the container image with.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake ninja-build pkg-config unzip
          libopenblas-openmp-dev libsleef-dev zlib1g-dev libssl-dev
          nlohmann-json3-dev libcli11-dev libdlpack-dev libkissfft-dev libgtest-dev libgmock-dev
          curl python3-venv ccache)
# The root filesystem from Debian's archive (mmdebstrap), the image from scratch (buildah), a
# runtime to run it (podman; runc for the test on hosts where crun cannot start containers).
[ "${1:-}" = "--image" ] && packages+=(mmdebstrap buildah podman runc)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

# torch is pinned: an unpinned install would pull a multi-GB CUDA build.
TORCH_VERSION=2.13.0
# numpy, safetensors and ml_dtypes (bfloat16 in numpy) check pt2run's tensor files in the tests;
# transformers builds the model zoo (tools/zoo_export.py) from configs; tritonclient is the
# client the server's end-to-end test talks to pt2run serve with (it caps ml_dtypes at 0.5.4);
# expecttest is what torch's test classes import (tools/conformance.py runs PyTorch's suite);
# nanobind builds the Python package (PT2RUN_BUILD_PYTHON), pytest tests it.
PY_PACKAGES=("torch==$TORCH_VERSION" numpy "safetensors==0.8.0" "ml_dtypes==0.5.4" "transformers==5.17.0"
             "tritonclient[http]==2.73.0" "expecttest==0.3.0" "PyYAML==6.0.4"
             "nanobind==3.1.0" "pytest==8.4.2")
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c "import torch, numpy, safetensors, ml_dtypes, transformers, tritonclient.http, expecttest, yaml, nanobind, pytest; assert torch.__version__.startswith('$TORCH_VERSION') and transformers.__version__ == '5.17.0'" 2>/dev/null; then
  echo "setup: creating .venv with torch==$TORCH_VERSION"
  python3 -m venv .venv
  pip_log=$(mktemp)
  if ! .venv/bin/pip install -q --disable-pip-version-check "${PY_PACKAGES[@]}" >"$pip_log" 2>&1; then
    grep -v -i "warning" "$pip_log" >&2
    echo "setup: installing the Python packages failed" >&2
    exit 1
  fi
  rm -f "$pip_log"
  .venv/bin/python -c "import torch; print('setup: torch', torch.__version__)"
fi

# oneDNN 3 (convolutions and GEMMs, CMakeLists finds it in the venv's prefix): the GNU OpenMP
# build, so the model's kernels and oneDNN share one thread pool. PyPI's newer oneDNN wheels
# are built on TBB and SYCL; Debian 12's libdnnl is 2.6.
ONEDNN=("onednn-cpu-gomp==2023.2.0" "onednn-devel-cpu-gomp==2023.2.0")
if [ ! -f .venv/include/oneapi/dnnl/dnnl_version.h ] || ! grep -q "DNNL_VERSION_MINOR 2$" .venv/include/oneapi/dnnl/dnnl_version.h; then
  echo "setup: installing oneDNN 3.2 (${ONEDNN[*]}) into .venv"
  .venv/bin/pip install -q --disable-pip-version-check "${ONEDNN[@]}"
fi
