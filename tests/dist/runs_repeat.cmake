# G2: runs repeat bit for bit. Runs data_parallel.c twice under the launcher and requires the
# same parameters hash from both runs:
#   cmake -DMPIEXEC=mpirun -DRANKS=4 -DPROGRAM=data_parallel -P runs_repeat.cmake
foreach(run IN ITEMS 1 2)
  execute_process(COMMAND ${MPIEXEC} -np ${RANKS} ${PROGRAM} ${RANKS} RESULT_VARIABLE result
                  OUTPUT_VARIABLE output ERROR_VARIABLE output)
  message("${output}")
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "run ${run} failed (${result})")
  endif()
  string(REGEX MATCHALL "parameters hash [0-9a-f]+" hash${run} "${output}")
  list(LENGTH hash${run} count)
  if(NOT count EQUAL 1)
    message(FATAL_ERROR "run ${run} printed ${count} parameters hashes, not 1")
  endif()
endforeach()
if(NOT hash1 STREQUAL hash2)
  message(FATAL_ERROR "the runs differ: ${hash1}, then ${hash2}")
endif()
message("both runs: ${hash1}")
