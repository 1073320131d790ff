# The C demo with --distributed under mpirun -np RANKS: rank 0 alone prints the header, the
# progress lines (4 of 20 epochs) and the summary; every rank prints its final loss, and the
# losses are the same bits (17 digits) on every rank and equal rank 0's last progress line.
#   cmake -DMPIEXEC=mpirun -DRANKS=2 -DPROGRAM=build/examples/c/mt_train_c -P distributed.cmake
# mpirun interleaves the ranks' writes at any byte: each rank's stdout goes to a file of its own
# (ranks/1/rank.R/stdout), and rank 0's is checked.
file(REMOVE_RECURSE ranks)
execute_process(COMMAND ${MPIEXEC} -np ${RANKS} --output-filename ranks ${PROGRAM} --distributed
                        --epochs 20 --every 5 --exact --svg distributed_boundary.svg
                        --curves distributed_curves.svg
                RESULT_VARIABLE result OUTPUT_VARIABLE all ERROR_VARIABLE err)
function(fail why)
  message(FATAL_ERROR "mpirun -np ${RANKS} mt_train_c --distributed: ${why}\n"
                      "exit ${result}\nstdout:\n${all}\nstderr:\n${err}")
endfunction()
if(NOT result STREQUAL "0")
  fail("failed")
endif()
file(READ ranks/1/rank.0/stdout out)
string(REGEX MATCHALL "[^\n]*distributed\n" headers "${out}")
string(REGEX MATCHALL "epoch +[0-9]+  loss [0-9.e-]+" progress "${out}")
string(REGEX MATCHALL "done: " summaries "${out}")
list(LENGTH headers header_count)
list(LENGTH progress progress_count)
list(LENGTH summaries summary_count)
if(NOT header_count EQUAL 1 OR NOT progress_count EQUAL 4 OR NOT summary_count EQUAL 1)
  fail("expected 1 header, 4 progress lines and 1 summary (rank 0's), got ${header_count}, "
       "${progress_count} and ${summary_count}")
endif()
list(GET progress 3 last)
string(REGEX REPLACE ".*loss " "" last_loss "${last}")
math(EXPR last_rank "${RANKS} - 1")
foreach(rank RANGE ${last_rank})
  file(READ ranks/1/rank.${rank}/stdout rank_out)
  if(rank GREATER 0 AND rank_out MATCHES "epoch|done:|distributed")
    fail("rank ${rank} printed more than its final loss:\n${rank_out}")
  endif()
  if(NOT rank_out MATCHES "rank ${rank} of ${RANKS}: final loss ([0-9.e-]+)\n")
    fail("no final loss from rank ${rank}")
  endif()
  if(NOT CMAKE_MATCH_1 STREQUAL last_loss)
    fail("rank ${rank}'s final loss ${CMAKE_MATCH_1} is not rank 0's last progress ${last_loss}")
  endif()
endforeach()
message(STATUS "${RANKS} ranks: final loss ${last_loss} on every rank")
