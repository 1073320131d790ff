# mt_add_dist_engine_plugin(TARGET SOURCE): a communication engine plugin (libTARGET.so), which
# the core loads at run time (dist/loader.cpp): a MODULE exporting only its entry point
# (plugin.map), written next to libminitensor, where the loader looks for it, and installed
# there (component runtime: in the libminitensor0 .deb). The caller links the engine.
include(GNUInstallDirs)
set(mt_dist_plugin_map ${CMAKE_CURRENT_LIST_DIR}/plugin.map)
function(mt_add_dist_engine_plugin target source)
  add_library(${target} MODULE ${source})
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/core)
  target_link_libraries(${target} PRIVATE mt_warnings)
  target_link_options(${target} PRIVATE -Wl,--version-script=${mt_dist_plugin_map})
  if(NOT MT_SANITIZE)
    target_link_options(${target} PRIVATE -Wl,--no-undefined)
  endif()
  set_target_properties(${target} PROPERTIES
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LINK_DEPENDS ${mt_dist_plugin_map}
    LIBRARY_OUTPUT_DIRECTORY $<TARGET_FILE_DIR:minitensor>)
  install(TARGETS ${target} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime)
endfunction()
