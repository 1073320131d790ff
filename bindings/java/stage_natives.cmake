# Stages the native libraries the jar carries (see src/org/minitensor/NativeBundle.java) into
# OUT/org/minitensor/native/PLATFORM/, debug info stripped, in load order:
#   the TBB that LIBRARY needs, from the system (as auditwheel vendors libraries into wheels:
#   the jar then runs where TBB is not installed), LIBRARY (libminitensor.so.0), PLUGINS when
#   given (the CUDA, MPI and NCCL plugins, ":"-separated: extracted beside LIBRARY, which opens them
#   itself; not loaded) and JNI (libminitensor_java.so);
# with libraries.txt listing them, and OUT/org/minitensor/native/platforms.txt naming PLATFORM.
# cmake -DOUT=dir -DPLATFORM=linux-x86_64 -DLIBRARY=... -DJNI=... [-DPLUGINS=a.so:b.so]
#       -DOBJCOPY=objcopy -P stage_natives.cmake
foreach(variable OUT PLATFORM LIBRARY JNI OBJCOPY)
  if(NOT ${variable})
    message(FATAL_ERROR "stage_natives.cmake: -D${variable}= is missing")
  endif()
endforeach()
file(REMOVE_RECURSE ${OUT})
set(folder ${OUT}/org/minitensor/native/${PLATFORM})
file(MAKE_DIRECTORY ${folder})
file(WRITE ${OUT}/org/minitensor/native/platforms.txt "${PLATFORM}\n")

file(GET_RUNTIME_DEPENDENCIES LIBRARIES ${LIBRARY}
  RESOLVED_DEPENDENCIES_VAR vendored UNRESOLVED_DEPENDENCIES_VAR unresolved
  PRE_INCLUDE_REGEXES "^libtbb" PRE_EXCLUDE_REGEXES ".*")
if(unresolved OR NOT vendored)
  message(FATAL_ERROR "stage_natives.cmake: cannot find the TBB that ${LIBRARY} needs "
                      "(found '${vendored}', not found '${unresolved}')")
endif()

set(index "")
# stage(load|extract path): a stripped copy of path under its own name, listed in the index.
macro(stage action path)
  get_filename_component(name ${path} NAME)
  execute_process(COMMAND ${OBJCOPY} --strip-debug ${path} ${folder}/${name}
                  COMMAND_ERROR_IS_FATAL ANY)
  string(APPEND index "${action} ${name}\n")
endmacro()
foreach(dependency IN LISTS vendored)
  stage(load ${dependency})
endforeach()
stage(load ${LIBRARY})
string(REPLACE ":" ";" plugins "${PLUGINS}")
foreach(plugin IN LISTS plugins)
  stage(extract ${plugin})
endforeach()
stage(load ${JNI})
file(WRITE ${folder}/libraries.txt "${index}")
