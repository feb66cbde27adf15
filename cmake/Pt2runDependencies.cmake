# Dependencies come from the distribution (Debian: libopenblas-openmp-dev, zlib1g-dev,
# nlohmann-json3-dev, libgtest-dev, ...) and, for oneDNN 3, from PyPI (below).
find_package(OpenMP REQUIRED COMPONENTS CXX)
find_package(ZLIB REQUIRED)
# SHA-256 for pinning packages (libssl-dev): OpenSSL uses the CPU's SHA extensions.
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(Threads REQUIRED)

# OpenBLAS must be the OpenMP build: the model's own kernels run on libgomp and one
# thread pool avoids oversubscription.
find_path(OPENBLAS_INCLUDE_DIR cblas.h PATH_SUFFIXES openblas-openmp openblas)
find_library(OPENBLAS_LIBRARY NAMES openblas PATH_SUFFIXES openblas-openmp)
if(NOT OPENBLAS_INCLUDE_DIR OR NOT OPENBLAS_LIBRARY)
  message(FATAL_ERROR "OpenBLAS not found: install libopenblas-openmp-dev")
endif()
add_library(pt2run_openblas INTERFACE)
target_include_directories(pt2run_openblas SYSTEM INTERFACE ${OPENBLAS_INCLUDE_DIR})
target_link_libraries(pt2run_openblas INTERFACE ${OPENBLAS_LIBRARY})

# oneDNN 3 runs the convolutions and the float32 and bfloat16 GEMMs: its kernels are generated
# for the CPU at hand (AVX2, AVX-512, AMX) where Debian 12's oneDNN 2.6 and OpenBLAS 0.3.21
# fall back to generic code on current Xeons (docs/performance.md has the measurements). It
# comes from PyPI (onednn-cpu-gomp + onednn-devel-cpu-gomp, the GNU OpenMP build, so one
# thread pool serves it and the model's kernels), installed by scripts/setup.sh into the venv
# whose prefix PT2RUN_DEPS_PREFIX names (by default the prefix of PT2RUN_PYTHON).
if(NOT DEFINED PT2RUN_DEPS_PREFIX AND PT2RUN_PYTHON)
  execute_process(COMMAND ${PT2RUN_PYTHON} -c "import sys; print(sys.prefix)"
                  OUTPUT_VARIABLE _pt2run_prefix OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  set(PT2RUN_DEPS_PREFIX "${_pt2run_prefix}" CACHE PATH "Prefix holding oneDNN 3 (scripts/setup.sh's venv)")
elseif(NOT DEFINED PT2RUN_DEPS_PREFIX AND EXISTS ${PROJECT_SOURCE_DIR}/.venv)
  set(PT2RUN_DEPS_PREFIX "${PROJECT_SOURCE_DIR}/.venv" CACHE PATH "Prefix holding oneDNN 3 (scripts/setup.sh's venv)")
endif()
find_path(DNNL_INCLUDE_DIR oneapi/dnnl/dnnl_version.h HINTS ${PT2RUN_DEPS_PREFIX}/include NO_DEFAULT_PATH)
find_path(DNNL_INCLUDE_DIR oneapi/dnnl/dnnl_version.h)
find_library(DNNL_LIBRARY NAMES libdnnl.so.3 dnnl HINTS ${PT2RUN_DEPS_PREFIX}/lib NO_DEFAULT_PATH)
find_library(DNNL_LIBRARY NAMES libdnnl.so.3 dnnl)
if(NOT DNNL_INCLUDE_DIR OR NOT DNNL_LIBRARY)
  message(FATAL_ERROR "oneDNN 3 not found: run scripts/setup.sh (it installs onednn-cpu-gomp and "
                      "onednn-devel-cpu-gomp from PyPI), or set PT2RUN_DEPS_PREFIX to their prefix")
endif()
file(STRINGS ${DNNL_INCLUDE_DIR}/oneapi/dnnl/dnnl_version.h _dnnl_major REGEX "define DNNL_VERSION_MAJOR")
file(STRINGS ${DNNL_INCLUDE_DIR}/oneapi/dnnl/dnnl_config.h _dnnl_runtime REGEX "define DNNL_CPU_THREADING_RUNTIME")
if(NOT _dnnl_major MATCHES "MAJOR 3$" OR NOT _dnnl_runtime MATCHES "DNNL_RUNTIME_OMP")
  message(FATAL_ERROR "${DNNL_INCLUDE_DIR} holds oneDNN '${_dnnl_major}' with '${_dnnl_runtime}': pt2run needs "
                      "oneDNN 3 built on OpenMP (scripts/setup.sh installs onednn-devel-cpu-gomp)")
endif()
add_library(pt2run_dnnl INTERFACE)
target_include_directories(pt2run_dnnl SYSTEM INTERFACE ${DNNL_INCLUDE_DIR})
target_link_libraries(pt2run_dnnl INTERFACE ${DNNL_LIBRARY})

# SLEEF: AOTInductor's vectorized CPU kernels call Sleef_* math functions, which libtorch
# carries inside. pt2run provides them by linking the distribution's libsleef (libsleef-dev).
find_library(SLEEF_LIBRARY NAMES sleef)
if(NOT SLEEF_LIBRARY)
  message(FATAL_ERROR "SLEEF not found: install libsleef-dev")
endif()

# DLPack (header only) for pt2run::to_dlpack / from_dlpack.
find_path(DLPACK_INCLUDE_DIR dlpack/dlpack.h)
if(NOT DLPACK_INCLUDE_DIR)
  message(FATAL_ERROR "dlpack/dlpack.h not found: install libdlpack-dev (scripts/setup.sh does)")
endif()

# kissfft (BSD-3, header-only template kissfft.hh) for the FFT fallback ops. Debian ships only
# the float library; the template gives double precision without linking it.
find_path(KISSFFT_INCLUDE_DIR kissfft/kissfft.hh)
if(NOT KISSFFT_INCLUDE_DIR)
  message(FATAL_ERROR "kissfft/kissfft.hh not found: install libkissfft-dev (scripts/setup.sh does)")
endif()
