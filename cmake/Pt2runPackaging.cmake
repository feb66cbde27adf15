# Debian packages from any build: `cpack -G DEB` in the build folder (docs/install.md).
# Split as Debian splits a library:
#   libpt2run0       the shared library and the oneDNN it ships beside itself (runtime)
#   libpt2run-dev    headers, CMake package files, the link name (dev)
#   pt2run           the command-line tool and server (cli)
#   libpt2run-cuda0  the CUDA plugin, only when the build has one (cuda)
# Dependencies on Debian's packages are computed by dpkg-shlibdeps from what each file links;
# those between our own packages come from the component graph below.
set(CPACK_PACKAGE_NAME pt2run)
set(CPACK_PACKAGE_VENDOR "pt2run")
set(CPACK_PACKAGE_CONTACT "pt2run maintainers <pt2run@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Run PyTorch AOTInductor .pt2 packages without libtorch")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # NAME_VERSION_ARCH.deb, as Debian names them
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_STRIP_FILES ON)
# dpkg-shlibdeps looks for the libraries our own packages ship (libpt2run.so.0 for the
# command, libdnnl.so.3 for the library: no Debian 12 package has oneDNN 3) in the runtime
# package's staging folder, instead of asking dpkg which installed package provides them.
set(CPACK_PACKAGE_FILE_NAME pt2run-${PROJECT_VERSION})
# Read by cpack itself, once it knows the output folder (cpack -B DIR).
file(WRITE ${CMAKE_BINARY_DIR}/Pt2runCPackOptions.cmake
  "set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS \"\${CPACK_PACKAGE_DIRECTORY}/_CPack_Packages/Linux/DEB/"
  "\${CPACK_PACKAGE_FILE_NAME}/runtime/usr/${CMAKE_INSTALL_LIBDIR}\")\n")
set(CPACK_PROJECT_CONFIG_FILE ${CMAKE_BINARY_DIR}/Pt2runCPackOptions.cmake)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME libpt2run${PROJECT_VERSION_MAJOR})
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
# dpkg-shlibdeps names the virtual libopenblas0, which apt satisfies with the pthread build
# first; pt2run is built on the OpenMP one (one thread pool with oneDNN and the model's
# kernels: a pthread OpenBLAS would start a second pool of its own), so that one is named.
set(CPACK_DEBIAN_RUNTIME_PACKAGE_DEPENDS "libopenblas0-openmp")
set(CPACK_DEBIAN_DEV_PACKAGE_NAME libpt2run-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_CLI_PACKAGE_NAME pt2run)
set(CPACK_DEBIAN_CUDA_PACKAGE_NAME libpt2run-cuda${PROJECT_VERSION_MAJOR})
# The CUDA runtime, cuBLAS and cuDNN come from NVIDIA's packages or wheels, not Debian's, so
# dpkg-shlibdeps cannot name a package for them: the plugin's package depends on libpt2run
# only, and docs/cuda.md says what to install beside it.
set(CPACK_DEBIAN_CUDA_PACKAGE_SHLIBDEPS OFF)

set(CPACK_COMPONENT_RUNTIME_DESCRIPTION "pt2run shared library: runs .pt2 packages from C++")
set(CPACK_COMPONENT_DEV_DESCRIPTION "pt2run headers and CMake package (find_package(pt2run))")
set(CPACK_COMPONENT_CLI_DESCRIPTION "pt2run command: inspect, run, bench and serve .pt2 packages")
set(CPACK_COMPONENT_CUDA_DESCRIPTION "pt2run CUDA plugin: runs CUDA .pt2 packages")
set(CPACK_COMPONENT_DEV_DEPENDS runtime)
set(CPACK_COMPONENT_CLI_DEPENDS runtime)
set(CPACK_COMPONENT_CUDA_DEPENDS runtime)
set(CPACK_COMPONENTS_ALL runtime dev cli)
if(PT2RUN_WITH_CUDA)
  list(APPEND CPACK_COMPONENTS_ALL cuda)
endif()
include(CPack)
