# Applied globally so that tests and the library agree on the runtime. CUDA sources (kernels
# and their launch wrappers) stay uninstrumented: nvcc would split the sanitizer list; CUDA
# targets link with the C++ driver (LINKER_LANGUAGE CXX), which brings the runtime.
if(PT2RUN_SANITIZE)
  foreach(flag -fsanitize=${PT2RUN_SANITIZE} -fno-omit-frame-pointer -g)
    add_compile_options($<$<COMPILE_LANGUAGE:C,CXX>:${flag}>)
  endforeach()
  add_link_options(-fsanitize=${PT2RUN_SANITIZE})
  if(PT2RUN_SANITIZE MATCHES "undefined")
    add_compile_options($<$<COMPILE_LANGUAGE:C,CXX>:-fno-sanitize-recover=undefined>)
  endif()
endif()
