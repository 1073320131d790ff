/*
 * minitensor.i: the one SWIG interface over minitensor.h, for Python, Java and C#.
 *
 * SWIG wraps the C functions as they are; what differs per language (how a handle, an array,
 * an out-parameter and a failed status look there) lives in that language's typemap file,
 * included below before the header. The hand-written layer of each language (bindings/<lang>/)
 * builds the idiomatic API (Tensor classes, operators, exceptions) over these raw functions.
 *
 * Every language file defines `%typemap(out) mt_status_t`: a status. MT_OK returns normally;
 * any other status raises the language's exception with mt_last_error(), which the failed call
 * has just set on this thread. Functions that return a value (an int32_t count or flag, an
 * enum kind such as mt_diagnostics_mode_t) keep the plain integer typemap, as do parameters of
 * an enum kind: SWIG resolves the typedefs to int32_t.
 */
%module minitensor_native

%{
#include <minitensor/minitensor.h>
%}

/* int64_t is `long` on the LP64 systems minitensor builds on, and SWIG's stdint.i must agree:
 * else the wrappers cast int64_t pointers to long long*. Java and C# map a C long to 32 bits
 * (as on Windows), so their typemap files map int64_t as long long. */
#ifndef SWIGWORDSIZE64
#define SWIGWORDSIZE64
#endif
%include <stdint.i>

#if defined(SWIGPYTHON)
%include "python/minitensor_python.i"
#elif defined(SWIGJAVA)
%include "java/minitensor_java.i"
#elif defined(SWIGCSHARP)
%include "csharp/minitensor_csharp.i"
#else
#error "minitensor.i: bindings exist for Python, Java and C# only"
#endif

/* A tensor over foreign memory with a C callback cannot be expressed in the target languages;
 * they exchange memory through DLPack (Python) or copies (mt_from_buffer, mt_to_buffer). */
%ignore mt_from_blob;
%ignore mt_deleter;
/* Traced functions take a C callback; each language keeps its function itself (Python's
 * mt.compile, Compiled in Java and C#). */
%rename("$ignore", regextarget=1) "^mt_function_";
%ignore mt_function;

%include "minitensor/version.h"
%include "minitensor/minitensor.h"
