# The CUDA backend (libpt2run_cuda): built when nvcc and the cuBLAS, cuDNN, cuFFT and cuRAND
# headers are found (PT2RUN_CUDA=AUTO, the default), required with ON, skipped with OFF. It
# needs no GPU to build; cuBLAS, cuDNN and cuFFT are loaded at run time and cuRAND's device API
# is headers only, so only headers are needed here (scripts/common.sh's cuda_headers extracts
# them from the nvidia-cublas, nvidia-cudnn-cu13, nvidia-cufft and nvidia-curand wheels when
# the toolkit lacks them).
set(PT2RUN_CUDA AUTO CACHE STRING "Build the CUDA backend: AUTO, ON or OFF")
set(PT2RUN_CUBLAS_INCLUDE_DIR "" CACHE PATH "folder with cublas_v2.h, cudnn.h, cufft.h and curand_kernel.h if the CUDA toolkit lacks them")
set(PT2RUN_WITH_CUDA OFF)
if(NOT PT2RUN_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  check_language(CUDA)
  find_package(CUDAToolkit QUIET)
  find_path(PT2RUN_CUBLAS_HEADER_DIR cublas_v2.h
    HINTS ${PT2RUN_CUBLAS_INCLUDE_DIR} ${CUDAToolkit_INCLUDE_DIRS} "$ENV{HOME}/.cache/pt2run/cuda-headers")
  find_path(PT2RUN_CUDNN_HEADER_DIR cudnn.h
    HINTS ${PT2RUN_CUBLAS_INCLUDE_DIR} ${CUDAToolkit_INCLUDE_DIRS} "$ENV{HOME}/.cache/pt2run/cuda-headers")
  find_path(PT2RUN_CUFFT_HEADER_DIR cufft.h
    HINTS ${PT2RUN_CUBLAS_INCLUDE_DIR} ${CUDAToolkit_INCLUDE_DIRS} "$ENV{HOME}/.cache/pt2run/cuda-headers")
  find_path(PT2RUN_CURAND_HEADER_DIR curand_kernel.h
    HINTS ${PT2RUN_CUBLAS_INCLUDE_DIR} ${CUDAToolkit_INCLUDE_DIRS} "$ENV{HOME}/.cache/pt2run/cuda-headers")
  if(CMAKE_CUDA_COMPILER AND CUDAToolkit_FOUND AND PT2RUN_CUBLAS_HEADER_DIR AND PT2RUN_CUDNN_HEADER_DIR
     AND PT2RUN_CUFFT_HEADER_DIR AND PT2RUN_CURAND_HEADER_DIR)
    set(PT2RUN_WITH_CUDA ON)
    enable_language(CUDA)
    message(STATUS "pt2run: building the CUDA backend (nvcc ${CMAKE_CUDA_COMPILER_VERSION}, cuBLAS headers in ${PT2RUN_CUBLAS_HEADER_DIR}, cuDNN headers in ${PT2RUN_CUDNN_HEADER_DIR}, cuFFT headers in ${PT2RUN_CUFFT_HEADER_DIR}, cuRAND headers in ${PT2RUN_CURAND_HEADER_DIR})")
  elseif(PT2RUN_CUDA STREQUAL "ON")
    message(FATAL_ERROR "PT2RUN_CUDA=ON but nvcc, the CUDA toolkit, cublas_v2.h, cudnn.h, cufft.h or curand_kernel.h is missing "
                        "(set PT2RUN_CUBLAS_INCLUDE_DIR, or run scripts/setup.sh)")
  else()
    message(STATUS "pt2run: no CUDA toolkit or cuBLAS/cuDNN/cuFFT/cuRAND headers; building without the CUDA backend")
  endif()
endif()
