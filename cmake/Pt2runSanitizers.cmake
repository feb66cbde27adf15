# Applied globally so that tests and the library agree on the runtime.
if(PT2RUN_SANITIZE)
  add_compile_options(-fsanitize=${PT2RUN_SANITIZE} -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=${PT2RUN_SANITIZE})
  if(PT2RUN_SANITIZE MATCHES "undefined")
    add_compile_options(-fno-sanitize-recover=undefined)
  endif()
endif()
