# mt_plugin_module(TARGET MAP): what every plugin the core dlopens shares (the CUDA plugins,
# the communication engines): the core's headers (and nothing of its code), every symbol hidden
# but those the version script MAP exports (the entry point), and no undefined symbol left for
# the loading process to supply (except under a sanitizer, whose runtime supplies some).
function(mt_plugin_module target map)
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/core)
  target_link_options(${target} PRIVATE -Wl,--version-script=${map})
  if(NOT MT_SANITIZE)
    target_link_options(${target} PRIVATE -Wl,--no-undefined)
  endif()
  set_target_properties(${target} PROPERTIES
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LINK_DEPENDS ${map})
endfunction()
