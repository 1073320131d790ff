# mt_add_dist_engine_plugin(TARGET SOURCE): a communication engine plugin (libTARGET.so), which
# the core loads at run time (dist/loader.cpp): a MODULE exporting only its entry point
# (plugin.map), written next to libminitensor, where the loader looks for it, and installed
# there (component runtime: in the libminitensor0 .deb). The caller links the engine.
include(GNUInstallDirs)
include(${PROJECT_SOURCE_DIR}/core/plugin_module.cmake)
set(mt_dist_plugin_map ${CMAKE_CURRENT_LIST_DIR}/plugin.map)
function(mt_add_dist_engine_plugin target source)
  add_library(${target} MODULE ${source})
  mt_plugin_module(${target} ${mt_dist_plugin_map})
  target_link_libraries(${target} PRIVATE mt_warnings)
  set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY $<TARGET_FILE_DIR:minitensor>)
  install(TARGETS ${target} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime)
endfunction()
