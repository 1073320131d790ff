# CapiCoverage: fails unless every function that minitensor.h declares with MT_API is called
# somewhere in the C tests. Run as
#   cmake -DHEADER=capi/include/minitensor/minitensor.h -DTEST_DIR=tests/capi -P coverage.cmake
# A declaration is a line starting with "MT_API" that names the function; a call is the name
# followed by "(" outside comments, in a tests/capi/*.c file.
foreach(var HEADER TEST_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "coverage.cmake: pass -D${var}=...")
  endif()
endforeach()

file(STRINGS "${HEADER}" declarations REGEX "^MT_API ")
set(functions "")
foreach(declaration IN LISTS declarations)
  if(declaration MATCHES "(mt_[a-z0-9_]+)[ \t]*\\(")
    list(APPEND functions "${CMAKE_MATCH_1}")
  endif()
endforeach()
list(REMOVE_DUPLICATES functions)
list(LENGTH functions function_count)
if(function_count LESS 50)
  message(FATAL_ERROR "coverage.cmake: found only ${function_count} MT_API functions in "
                      "${HEADER}; has the declaration style changed?")
endif()

# The test sources, without their comments.
file(GLOB sources "${TEST_DIR}/*.c")
set(code "")
foreach(source IN LISTS sources)
  file(READ "${source}" text)
  string(REGEX REPLACE "/\\*([^*]|\\*+[^*/])*\\*+/" " " text "${text}")
  string(REGEX REPLACE "//[^\n]*" " " text "${text}")
  string(APPEND code "\n${text}")
endforeach()

set(missing "")
foreach(function IN LISTS functions)
  if(NOT code MATCHES "[^A-Za-z0-9_]${function}[ \t\n]*\\(")
    list(APPEND missing "${function}")
  endif()
endforeach()

list(LENGTH missing missing_count)
if(missing_count GREATER 0)
  list(JOIN missing "\n  " missing_text)
  message(FATAL_ERROR "${missing_count} of the ${function_count} MT_API functions of ${HEADER} "
                      "are not called by any test in ${TEST_DIR}:\n  ${missing_text}")
endif()
message(STATUS "all ${function_count} MT_API functions are called by the tests in ${TEST_DIR}")
