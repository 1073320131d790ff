/*
 * minitensor_java.i: how the C API looks from Java (included by minitensor.i before the header).
 *
 * The generated module class MinitensorNative (and its JNI class) are package-private: the
 * hand-written classes of org.minitensor (Tensor, Mlp, ...) are the public API. Over JNI:
 * - a status other than MT_OK throws org.minitensor.MinitensorException(status,
 *   mt_last_error()); the wrapper still runs its cleanup, so out-parameters are only written
 *   while no exception is pending;
 * - a handle parameter is the hand-written class (Tensor, Generator, ...): null passes NULL, a
 *   closed object throws IllegalStateException before the call, and the call holds a use of
 *   the handle (NativeObject.acquire/release): neither close() on another thread nor the
 *   Cleaner can release it during the call;
 * - an out-parameter is a one-element Java array the call fills (long[] for handles);
 * - (array, length) pairs are one Java array; buffers are a float[] or a double[];
 * - int64_t and uint64_t are Java long.
 */

%javaconst(1);
%pragma(java) moduleclassmodifiers="final class"
%pragma(java) jniclassclassmodifiers="final class"
%pragma(java) jniclasscode=%{
  static {
    NativeLibrary.load();
  }
%}

/* SWIG sees int64_t as C long (minitensor.i), which Java maps to int: keep Java's long, and a
 * long rather than BigInteger for uint64_t (seeds). */
%apply long long { int64_t, uint64_t };

/* DLPack is for Python; Java exchanges memory through copies (mt_from_buffer, mt_to_buffer).
 * The `char** out` typemap copies the library's strings and frees them: Java never sees one. */
%ignore mt_to_dlpack;
%ignore mt_from_dlpack;
%ignore DLManagedTensor;
%ignore mt_string_free;

%{
#include <stdint.h>
#include <stdlib.h>

/* Throws MinitensorException(status, mt_last_error()) unless an exception is pending. */
static void mt_java_throw_status(JNIEnv* jenv, mt_status_t status) {
  jclass type;
  jmethodID constructor;
  jstring message;
  jobject exception;
  if ((*jenv)->ExceptionCheck(jenv)) return;
  type = (*jenv)->FindClass(jenv, "org/minitensor/MinitensorException");
  if (!type) return;
  constructor = (*jenv)->GetMethodID(jenv, type, "<init>", "(ILjava/lang/String;)V");
  message = constructor ? (*jenv)->NewStringUTF(jenv, mt_last_error()) : NULL;
  exception = message ? (*jenv)->NewObject(jenv, type, constructor, (jint)status, message) : NULL;
  if (exception) (*jenv)->Throw(jenv, (jthrowable)exception);
}

/* Throws `class_name`(message) unless an exception is pending. */
static void mt_java_throw(JNIEnv* jenv, const char* class_name, const char* message) {
  jclass type;
  if ((*jenv)->ExceptionCheck(jenv)) return;
  type = (*jenv)->FindClass(jenv, class_name);
  if (type) (*jenv)->ThrowNew(jenv, type, message);
}

/* Whether `array` can take an out-value (one element at least); throws if not. */
static int mt_java_out_array_ok(JNIEnv* jenv, jarray array) {
  if (!array) {
    mt_java_throw(jenv, "java/lang/NullPointerException", "out-parameter array is null");
    return 0;
  }
  if ((*jenv)->GetArrayLength(jenv, array) < 1) {
    mt_java_throw(jenv, "java/lang/IllegalArgumentException", "out-parameter array is empty");
    return 0;
  }
  return 1;
}

/* The elements of a float[] (MT_FLOAT32) or double[] (MT_FLOAT64): their dtype and count in
 * *dtype and *count. NULL, with an exception pending, for null or another type. */
static void* mt_java_elements(JNIEnv* jenv, jobject array, mt_dtype_t* dtype, int64_t* count) {
  jclass floats, doubles;
  if (!array) {
    mt_java_throw(jenv, "java/lang/NullPointerException", "buffer array is null");
    return NULL;
  }
  floats = (*jenv)->FindClass(jenv, "[F");
  doubles = floats ? (*jenv)->FindClass(jenv, "[D") : NULL;
  if (!doubles) return NULL;
  *count = (*jenv)->GetArrayLength(jenv, (jarray)array);
  if ((*jenv)->IsInstanceOf(jenv, array, floats)) {
    *dtype = MT_FLOAT32;
    return (*jenv)->GetFloatArrayElements(jenv, (jfloatArray)array, NULL);
  }
  if ((*jenv)->IsInstanceOf(jenv, array, doubles)) {
    *dtype = MT_FLOAT64;
    return (*jenv)->GetDoubleArrayElements(jenv, (jdoubleArray)array, NULL);
  }
  mt_java_throw(jenv, "java/lang/IllegalArgumentException", "buffer is not a float[] or double[]");
  return NULL;
}

/* Gives back mt_java_elements' elements: mode 0 copies them to the Java array, JNI_ABORT not. */
static void mt_java_release_elements(JNIEnv* jenv, jobject array, void* elements, mt_dtype_t dtype,
                                     jint mode) {
  if (!elements) return;
  if (dtype == MT_FLOAT32)
    (*jenv)->ReleaseFloatArrayElements(jenv, (jfloatArray)array, (jfloat*)elements, mode);
  else
    (*jenv)->ReleaseDoubleArrayElements(jenv, (jdoubleArray)array, (jdouble*)elements, mode);
}
%}

/* A status: MT_OK returns 0, anything else throws (the cleanup code still runs). */
%typemap(out) mt_status_t {
  if ($1 != MT_OK) mt_java_throw_status(jenv, $1);
  $result = (jint)$1;
}

/* Handles: the hand-written class in Java, the pointer as a long over JNI. */
%define MT_JAVA_HANDLE(CTYPE, JCLASS)
%typemap(jni) CTYPE*, const CTYPE* "jlong"
%typemap(jtype) CTYPE*, const CTYPE* "long"
%typemap(jstype) CTYPE*, const CTYPE* "JCLASS"
/* acquire gives 0 for a closed object instead of throwing, so that `post` gives back every use
 * taken even when a later argument is the closed one; `checked` then throws inside the try. */
%typemap(javain, pre="    long handle$javainput = NativeObject.acquire($javainput);",
    post="      NativeObject.release($javainput, handle$javainput);")
    CTYPE*, const CTYPE* "NativeObject.checked($javainput, handle$javainput)"
%typemap(in) CTYPE*, const CTYPE* { $1 = ($1_ltype)(intptr_t)$input; }
%enddef
MT_JAVA_HANDLE(mt_tensor, Tensor)
MT_JAVA_HANDLE(mt_generator, Generator)
MT_JAVA_HANDLE(mt_linear, Linear)
MT_JAVA_HANDLE(mt_mlp, Mlp)
MT_JAVA_HANDLE(mt_optimizer, Optimizer)
MT_JAVA_HANDLE(mt_communicator, Communicator)
MT_JAVA_HANDLE(mt_sampler, ShardedSampler)
MT_JAVA_HANDLE(mt_data_parallel, DataParallel)
MT_JAVA_HANDLE(mt_graph, Graph)
MT_JAVA_HANDLE(mt_plan, Plan)

/* Out-parameters: a one-element Java array, written when the call succeeded. */
%define MT_JAVA_OUT(CTYPE, JNITYPE, JNIARRAY, JAVATYPE, ARRAYKIND)
%typemap(jni) CTYPE* MT_OUT "JNIARRAY"
%typemap(jtype) CTYPE* MT_OUT "JAVATYPE[]"
%typemap(jstype) CTYPE* MT_OUT "JAVATYPE[]"
%typemap(javain) CTYPE* MT_OUT "$javainput"
%typemap(in) CTYPE* MT_OUT (CTYPE temp = 0) {
  if (!mt_java_out_array_ok(jenv, $input)) return $null;
  $1 = &temp;
}
%typemap(argout) CTYPE* MT_OUT {
  if (!JCALL0(ExceptionCheck, jenv)) {
    JNITYPE value = (JNITYPE)temp$argnum;
    JCALL4(Set##ARRAYKIND##ArrayRegion, jenv, $input, 0, 1, &value);
  }
}
%enddef
MT_JAVA_OUT(int32_t, jint, jintArray, int, Int)
MT_JAVA_OUT(int64_t, jlong, jlongArray, long, Long)
MT_JAVA_OUT(double, jdouble, jdoubleArray, double, Double)
MT_JAVA_OUT(mt_tensor*, jlong, jlongArray, long, Long)
MT_JAVA_OUT(mt_generator*, jlong, jlongArray, long, Long)
MT_JAVA_OUT(mt_linear*, jlong, jlongArray, long, Long)
MT_JAVA_OUT(mt_mlp*, jlong, jlongArray, long, Long)
MT_JAVA_OUT(mt_optimizer*, jlong, jlongArray, long, Long)
MT_JAVA_OUT(mt_communicator*, jlong, jlongArray, long, Long)
MT_JAVA_OUT(mt_sampler*, jlong, jlongArray, long, Long)
MT_JAVA_OUT(mt_data_parallel*, jlong, jlongArray, long, Long)
MT_JAVA_OUT(mt_graph*, jlong, jlongArray, long, Long)
MT_JAVA_OUT(mt_plan*, jlong, jlongArray, long, Long)
%apply int32_t* MT_OUT { int32_t* out, int32_t* type, int32_t* index };
%apply int64_t* MT_OUT { int64_t* out, int64_t* in_use, int64_t* cached };
%apply int64_t* MT_OUT {
  int64_t* ops, int64_t* kernels, int64_t* fused_kernels, int64_t* bytes_avoided,
  int64_t* bytes_moved
};
%apply int64_t* MT_OUT { int64_t* entries, int64_t* max_entries, int64_t* hits, int64_t* misses };
%apply double* MT_OUT { double* out };
%apply mt_tensor** MT_OUT { mt_tensor** out, mt_tensor** x, mt_tensor** y };
%apply mt_generator** MT_OUT { mt_generator** out };
%apply mt_linear** MT_OUT { mt_linear** out };
%apply mt_mlp** MT_OUT { mt_mlp** out };
%apply mt_optimizer** MT_OUT { mt_optimizer** out };
%apply mt_communicator** MT_OUT { mt_communicator** out };
%apply mt_sampler** MT_OUT { mt_sampler** out };
%apply mt_data_parallel** MT_OUT { mt_data_parallel** out };
%apply mt_graph** MT_OUT { mt_graph** out };
%apply mt_plan** MT_OUT { mt_plan** out };

/* Text the library allocates: a one-element String[], the C string freed here. */
%typemap(jni) char** out "jobjectArray"
%typemap(jtype) char** out "String[]"
%typemap(jstype) char** out "String[]"
%typemap(javain) char** out "$javainput"
%typemap(in) char** out (char* temp = NULL) {
  if (!mt_java_out_array_ok(jenv, $input)) return $null;
  $1 = &temp;
}
%typemap(argout) char** out {
  if (temp$argnum && !JCALL0(ExceptionCheck, jenv)) {
    jstring text = JCALL1(NewStringUTF, jenv, temp$argnum);
    if (text) JCALL3(SetObjectArrayElement, jenv, $input, 0, text);
  }
  mt_string_free(temp$argnum);
}

/* (values, count) inputs: one long[] (null: NULL and 0). */
%typemap(jni) (const int64_t* MT_VALUES, int32_t MT_COUNT) "jlongArray"
%typemap(jtype) (const int64_t* MT_VALUES, int32_t MT_COUNT) "long[]"
%typemap(jstype) (const int64_t* MT_VALUES, int32_t MT_COUNT) "long[]"
%typemap(javain) (const int64_t* MT_VALUES, int32_t MT_COUNT) "$javainput"
%typemap(in) (const int64_t* MT_VALUES, int32_t MT_COUNT) {
  $1 = NULL;
  $2 = $input ? (int32_t)JCALL1(GetArrayLength, jenv, $input) : 0;
  if ($2 > 0) {
    $1 = (int64_t*)JCALL2(GetLongArrayElements, jenv, $input, NULL);
    if (!$1) return $null;
  }
}
%typemap(freearg) (const int64_t* MT_VALUES, int32_t MT_COUNT) {
  if ($1) JCALL3(ReleaseLongArrayElements, jenv, $input, (jlong*)$1, JNI_ABORT);
}
%apply (const int64_t* MT_VALUES, int32_t MT_COUNT) {
  (const int64_t* shape, int32_t ndim), (const int64_t* index, int32_t ndim),
  (const int64_t* order, int32_t ndim), (const int64_t* dims, int32_t ndims),
  (const int64_t* sizes, int32_t count)
};

/* (out, capacity) outputs (mt_shape, mt_strides): a long[] (of any length) the call fills, as
 * far as MT_MAX_RANK values; written back when the call succeeded. */
%typemap(jni) (int64_t* out, int32_t capacity) "jlongArray"
%typemap(jtype) (int64_t* out, int32_t capacity) "long[]"
%typemap(jstype) (int64_t* out, int32_t capacity) "long[]"
%typemap(javain) (int64_t* out, int32_t capacity) "$javainput"
%typemap(in) (int64_t* out, int32_t capacity) (int64_t values[MT_MAX_RANK] = {0}) {
  if (!$input) {
    mt_java_throw(jenv, "java/lang/NullPointerException", "out-parameter array is null");
    return $null;
  }
  $1 = values;
  $2 = (int32_t)JCALL1(GetArrayLength, jenv, $input);
  if ($2 > MT_MAX_RANK) $2 = MT_MAX_RANK;
}
%typemap(argout) (int64_t* out, int32_t capacity) {
  if (!JCALL0(ExceptionCheck, jenv))
    JCALL4(SetLongArrayRegion, jenv, $input, 0, $2, (jlong*)values$argnum);
}

/* (out, count) outputs (mt_sampler_indices): a long[] of exactly count values, which the call
 * fills; written back when the call succeeded. */
%typemap(jni) (int64_t* out, int64_t count) "jlongArray"
%typemap(jtype) (int64_t* out, int64_t count) "long[]"
%typemap(jstype) (int64_t* out, int64_t count) "long[]"
%typemap(javain) (int64_t* out, int64_t count) "$javainput"
%typemap(in) (int64_t* out, int64_t count) {
  if (!$input) {
    mt_java_throw(jenv, "java/lang/NullPointerException", "out-parameter array is null");
    return $null;
  }
  $2 = (int64_t)JCALL1(GetArrayLength, jenv, $input);
  $1 = (int64_t*)JCALL2(GetLongArrayElements, jenv, $input, NULL);
  if (!$1) return $null;
}
/* freearg writes the values back (or drops them after a failure), not int64_t* out's argout. */
%typemap(argout) (int64_t* out, int64_t count) ""
%typemap(freearg) (int64_t* out, int64_t count) {
  JCALL3(ReleaseLongArrayElements, jenv, $input, (jlong*)$1,
         JCALL0(ExceptionCheck, jenv) ? JNI_ABORT : 0);
}

/* Handle lists (optimizer parameters, a capture's outputs, a plan's inputs): a Tensor[] in Java,
 * a long[] over JNI. */
%typemap(jni) (mt_tensor* const* params, int32_t count) "jlongArray"
%typemap(jtype) (mt_tensor* const* params, int32_t count) "long[]"
%typemap(jstype) (mt_tensor* const* params, int32_t count) "Tensor[]"
%typemap(javain, pre="    long[] handles$javainput = NativeObject.acquireAll($javainput);",
    post="      NativeObject.releaseAll($javainput, handles$javainput);")
    (mt_tensor* const* params, int32_t count)
    "NativeObject.checkedAll($javainput, handles$javainput)"
%typemap(in) (mt_tensor* const* params, int32_t count) (mt_tensor** handles = NULL) {
  $2 = 0;
  if ($input) {
    jlong* values;
    jsize i;
    $2 = ($2_ltype)JCALL1(GetArrayLength, jenv, $input);
    handles = (mt_tensor**)malloc(sizeof(mt_tensor*) * (size_t)($2 > 0 ? $2 : 1));
    values = handles ? JCALL2(GetLongArrayElements, jenv, $input, NULL) : NULL;
    if (!values) {
      free(handles);
      mt_java_throw(jenv, "java/lang/OutOfMemoryError", "no memory for the tensor list");
      return $null;
    }
    for (i = 0; i < $2; ++i)
      handles[i] = (mt_tensor*)(intptr_t)values[i];
    JCALL3(ReleaseLongArrayElements, jenv, $input, values, JNI_ABORT);
  }
  $1 = handles;
}
%typemap(freearg) (mt_tensor* const* params, int32_t count) { free(handles$argnum); }

%apply (mt_tensor* const* params, int32_t count) {
  (mt_tensor* const* outputs, int64_t count), (mt_tensor* const* inputs, int64_t n_inputs)
};

/* A plan run's results: a long[] of exactly n_outputs elements, which receives the new
 * handles (the Java layer wraps them) when the call succeeded. */
%typemap(jni) (mt_tensor** outputs, int64_t n_outputs) "jlongArray"
%typemap(jtype) (mt_tensor** outputs, int64_t n_outputs) "long[]"
%typemap(jstype) (mt_tensor** outputs, int64_t n_outputs) "long[]"
%typemap(javain) (mt_tensor** outputs, int64_t n_outputs) "$javainput"
%typemap(in) (mt_tensor** outputs, int64_t n_outputs) {
  if (!$input) {
    mt_java_throw(jenv, "java/lang/NullPointerException", "out-parameter array is null");
    return $null;
  }
  $2 = (int64_t)JCALL1(GetArrayLength, jenv, $input);
  $1 = (mt_tensor**)calloc((size_t)($2 > 0 ? $2 : 1), sizeof(mt_tensor*));
  if (!$1) {
    mt_java_throw(jenv, "java/lang/OutOfMemoryError", "no memory for the plan's outputs");
    return $null;
  }
}
%typemap(argout) (mt_tensor** outputs, int64_t n_outputs) {
  if (!JCALL0(ExceptionCheck, jenv)) {
    jsize i;
    for (i = 0; i < (jsize)$2; ++i) {
      jlong value = (jlong)(intptr_t)$1[i];
      JCALL4(SetLongArrayRegion, jenv, $input, i, 1, &value);
    }
  }
}
%typemap(freearg) (mt_tensor** outputs, int64_t n_outputs) { free($1); }

/* Buffers (mt_from_buffer's source, mt_to_buffer's destination): a float[] or a double[],
 * whose type gives the dtype and whose length the element count. */
%typemap(jni) (const void* data, mt_dtype_t data_dtype, int64_t count),
              (void* dst, mt_dtype_t dtype, int64_t capacity) "jobject"
%typemap(jtype) (const void* data, mt_dtype_t data_dtype, int64_t count),
                (void* dst, mt_dtype_t dtype, int64_t capacity) "Object"
%typemap(jstype) (const void* data, mt_dtype_t data_dtype, int64_t count),
                 (void* dst, mt_dtype_t dtype, int64_t capacity) "Object"
%typemap(javain) (const void* data, mt_dtype_t data_dtype, int64_t count),
                 (void* dst, mt_dtype_t dtype, int64_t capacity) "$javainput"
%typemap(in) (const void* data, mt_dtype_t data_dtype, int64_t count),
             (void* dst, mt_dtype_t dtype, int64_t capacity) {
  $1 = mt_java_elements(jenv, $input, &$2, &$3);
  if (!$1) return $null;
}
%typemap(freearg) (const void* data, mt_dtype_t data_dtype, int64_t count) {
  mt_java_release_elements(jenv, $input, (void*)$1, $2, JNI_ABORT);
}
%typemap(freearg) (void* dst, mt_dtype_t dtype, int64_t capacity) {
  mt_java_release_elements(jenv, $input, $1, $2, 0);
}
