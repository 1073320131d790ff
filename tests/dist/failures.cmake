# Runs failures.c under the launcher and checks that the job ends, within LIMIT seconds:
#   cmake -DMPIEXEC=mpirun -DRANKS=4 -DPROGRAM=failures -DMODE=sleep|kill -DLIMIT=10
#         -P failures.cmake
# sleep: every rank but the last reports the expected failure ("rank R failed as expected");
# kill: the launcher reports the killed rank.
execute_process(COMMAND ${MPIEXEC} -np ${RANKS} ${PROGRAM} ${MODE} RESULT_VARIABLE result
                OUTPUT_VARIABLE output ERROR_VARIABLE output TIMEOUT ${LIMIT})
message("${output}")
if(result MATCHES "timeout")
  message(FATAL_ERROR "the job did not end within ${LIMIT} s")
endif()
if(result EQUAL 0)
  message(FATAL_ERROR "the job succeeded, although its last rank never entered a collective")
endif()
set(expected "exited on signal 9")
if(MODE STREQUAL "sleep")
  math(EXPR last "${RANKS} - 2")
  set(expected "")
  foreach(rank RANGE ${last})
    list(APPEND expected "rank ${rank} failed as expected")
  endforeach()
endif()
foreach(text IN LISTS expected)
  string(FIND "${output}" "${text}" found)
  if(found EQUAL -1)
    message(FATAL_ERROR "the job's output does not say \"${text}\"")
  endif()
endforeach()
