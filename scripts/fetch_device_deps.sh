#!/usr/bin/env bash
# Gathers what scripts/cuda_device.sh needs on the GPU machine that it cannot install there (no
# apt, no network): the Debian packages pt2run builds against that the machine lacks, the
# oneDNN 3 wheels, the conformance runner's Python wheels and cuBLAS's headers. Writes .device-deps/ (git-ignored), which the GPU machine needs beside the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
mkdir -p .device-deps/debs
(cd .device-deps/debs && apt-get download libsleef3 libsleef-dev libkissfft-dev \
  libdlpack-dev libopenblas0-openmp libopenblas-openmp-dev libssl-dev libssl3 \
  >/dev/null)
# oneDNN 3 comes from PyPI, as scripts/setup.sh installs it (the GNU OpenMP build).
rm -rf .device-deps/wheels && mkdir -p .device-deps/wheels
"$PY" -m pip download -q --no-deps --disable-pip-version-check -d .device-deps/wheels \
  onednn-cpu-gomp==2023.2.0 onednn-devel-cpu-gomp==2023.2.0
# What tools/conformance.py needs beyond torch and numpy (scripts/conformance_cuda_device.sh).
mkdir -p .device-deps/wheels/py
"$PY" -m pip download -q --no-deps --disable-pip-version-check -d .device-deps/wheels/py \
  expecttest==0.3.0 safetensors==0.8.0
# The Python package's build and tests (scripts/cuda_device.sh builds pt2run._core there).
"$PY" -m pip download -q --no-deps --disable-pip-version-check -d .device-deps/wheels/py \
  nanobind==3.1.0 pytest==8.4.2 pluggy==1.7.0 iniconfig==2.3.1 packaging==26.4 pygments==2.21.0
rm -rf .device-deps/cuda-headers
cp -r "$(cuda_headers)" .device-deps/cuda-headers
du -sh .device-deps
