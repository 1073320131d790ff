# Runs a training demo, COMMAND (a list), with --device cuda where CUDA is unavailable (the
# test points MINITENSOR_CUDA_PLUGIN at a file that does not exist): it must exit 1 with one
# line on stderr, "PROGRAM: CUDA is unavailable: <the library's reason>", and print nothing else.
#   cmake -DPROGRAM=mt_train_c -DCOMMAND=build/examples/c/mt_train_c -P device_unavailable.cmake
execute_process(COMMAND ${COMMAND} --device cuda --epochs 1
                RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT result STREQUAL "1" OR NOT out STREQUAL ""
   OR NOT err MATCHES "^${PROGRAM}: CUDA is unavailable: [^\n]*MINITENSOR_CUDA_PLUGIN[^\n]*\n$")
  message(FATAL_ERROR "${COMMAND} --device cuda: exit ${result}, expected 1 and the line "
                      "'${PROGRAM}: CUDA is unavailable: <reason>'\n"
                      "stdout:\n${out}\nstderr:\n${err}")
endif()
message(STATUS "${PROGRAM} --device cuda: exit 1, ${err}")
