# CapiTypedEnums: a lint of minitensor.h's declarations. Every enumeration has a type of its own
# (mt_status_t, mt_dtype_t, mt_map_op_t, ...): the bindings' status typemap is keyed on
# mt_status_t, so a status function declared with a plain int32_t would hand its status back
# as a value, and an enum parameter declared int32_t hides which values it takes. Fails for
#   - a parameter named like an enum kind (op, dtype, type, kind, mode, status, reduction, which,
#     with or without a prefix such as data_ or device_) that is a plain int32_t or int32_t*;
#   - a function returning int32_t that has an out-parameter (`out` or a `**`): results come
#     back through out-parameters only from functions that return a status;
#   - a function returning int32_t whose comment (the one just above it) speaks of a status
#     (MT_OK, MT_ERR_*, "status").
# Run as cmake -DHEADER=capi/include/minitensor/minitensor.h -P typed_enums.cmake. It ends with
# a count per rule, which CapiTypedEnumsCatches checks on the 0.1.0 header (all int32_t).
cmake_minimum_required(VERSION 3.25)
if(NOT DEFINED HEADER)
  message(FATAL_ERROR "typed_enums.cmake: pass -DHEADER=...")
endif()

# Walks the declarations (lines starting with "MT_API ", up to the ";"), each with the comment
# that ends just above it, if any. No list holds them: the header's text has ";" and "[".
file(READ "${HEADER}" rest)
set(bad_parameters 0)
set(bad_outs 0)
set(bad_comments 0)
set(count 0)
while(TRUE)
  string(FIND "${rest}" "\nMT_API " at)
  if(at EQUAL -1)
    break()
  endif()
  string(SUBSTRING "${rest}" 0 ${at} above)
  math(EXPR at "${at} + 8")
  string(SUBSTRING "${rest}" ${at} -1 rest)
  string(FIND "${rest}" ";" stop)
  string(SUBSTRING "${rest}" 0 ${stop} declaration)
  string(SUBSTRING "${rest}" ${stop} -1 rest)
  math(EXPR count "${count} + 1")
  string(STRIP "${above}" above)
  set(doc "")
  if(above MATCHES "\\*/$")
    string(FIND "${above}" "/*" open REVERSE)
    string(SUBSTRING "${above}" ${open} -1 doc)
  endif()
  string(REGEX REPLACE "[ \n]+" " " declaration "${declaration}")
  if(NOT declaration MATCHES "^(.*[ *])(mt_[a-z0-9_]+)\\((.*)\\)$")
    message(FATAL_ERROR "typed_enums.cmake: cannot read the declaration '${declaration}'")
  endif()
  set(returns "${CMAKE_MATCH_1}")
  set(name "${CMAKE_MATCH_2}")
  set(parameters "(${CMAKE_MATCH_3})")
  if(parameters MATCHES
     "[(,] *int32_t[ *]*(([a-z]+_)?(op|dtype|type|kind|mode|status|reduction|which)) *[,)]")
    message(SEND_ERROR "${name}: parameter '${CMAKE_MATCH_1}' is a plain int32_t: give it "
                       "its enum's type (mt_<kind>_t)")
    math(EXPR bad_parameters "${bad_parameters} + 1")
  endif()
  if(returns STREQUAL "int32_t ")
    if(parameters MATCHES "\\*\\*|\\* *out *[,)]")
      message(SEND_ERROR "${name} returns int32_t but has an out-parameter: a function with "
                         "results in out-parameters returns mt_status_t")
      math(EXPR bad_outs "${bad_outs} + 1")
    endif()
    if(doc MATCHES "MT_OK|MT_ERR_|[^a-z_]status[^a-z_]")
      message(SEND_ERROR "${name} returns int32_t but its comment speaks of a status: "
                         "declare it mt_status_t")
      math(EXPR bad_comments "${bad_comments} + 1")
    endif()
  endif()
endwhile()

if(count LESS 50)
  message(FATAL_ERROR "typed_enums.cmake: found only ${count} MT_API declarations in "
                      "${HEADER}; has the declaration style changed?")
endif()
message(STATUS "${count} declarations: ${bad_parameters} enum parameters declared int32_t, "
               "${bad_outs} int32_t returns with out-parameters, ${bad_comments} int32_t "
               "returns documented as a status")
