# Every dependency comes from the distribution (Debian: libopenblas-openmp-dev,
# libdnnl-dev, zlib1g-dev, nlohmann-json3-dev, libgtest-dev).
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

find_path(DNNL_INCLUDE_DIR oneapi/dnnl/dnnl.hpp)
find_library(DNNL_LIBRARY NAMES dnnl)
if(NOT DNNL_INCLUDE_DIR OR NOT DNNL_LIBRARY)
  message(FATAL_ERROR "oneDNN not found: install libdnnl-dev")
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
