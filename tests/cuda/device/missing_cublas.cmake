# Puts the fallback check and a copy of the real plugin side by side, with the plugin's
# libcublas dependencies renamed to libraries that do not exist, and runs the check there:
# the core must find the plugin next to itself, fail to load it, name the missing library and
# carry on on the CPU.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
file(COPY ${CHECK} ${PLUGIN} DESTINATION ${WORK_DIR})
get_filename_component(plugin_name ${PLUGIN} NAME)
get_filename_component(check_name ${CHECK} NAME)
set(copy ${WORK_DIR}/${plugin_name})
execute_process(COMMAND ${PATCHELF} --print-needed ${copy} OUTPUT_VARIABLE needed
                COMMAND_ERROR_IS_FATAL ANY)
string(REPLACE "\n" ";" needed "${needed}")
set(renamed 0)
foreach(library IN LISTS needed)
  if(library MATCHES "^libcublas")
    execute_process(COMMAND ${PATCHELF} --replace-needed ${library} missing-${library} ${copy}
                    COMMAND_ERROR_IS_FATAL ANY)
    math(EXPR renamed "${renamed} + 1")
  endif()
endforeach()
if(renamed EQUAL 0)
  message(FATAL_ERROR "the plugin ${PLUGIN} needs no libcublas (NEEDED: ${needed})")
endif()
set(ENV{MINITENSOR_CUDA_PLUGIN} "")
execute_process(COMMAND ${WORK_DIR}/${check_name} missing-libcublas ${copy}
                RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "the fallback check failed where libcublas is missing")
endif()
