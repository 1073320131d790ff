/*
 * minitensor_python.i: how minitensor.h looks from Python (included by ../minitensor.i before
 * the header). The package `minitensor` (minitensor/*.py) builds the idiomatic API over this.
 *
 * - A failed status raises an exception whose message is mt_last_error(): a subclass of both
 *   minitensor.Error and the builtin type of the status (ValueError, IndexError, TypeError,
 *   MemoryError, RuntimeError: PyTorch's for the device errors), with the status in its
 *   `status` attribute.
 * - Handles are PyCapsules named after their type ("mt_tensor", "mt_mlp", ...) that release
 *   their reference when collected; mt_close_handle releases one early, after which passing
 *   it raises instead of touching freed memory. None passes NULL. The mt_*_release functions
 *   and mt_retain are therefore not wrapped. A handle closed (from another thread) while a
 *   call uses it is released when that call returns.
 * - Integers take anything with __index__ but bools, reals anything with __float__, flags any
 *   truth value; a wrong type or an integer out of range raises naming the C parameter (see
 *   "Scalar arguments"), never with SWIG's own text.
 * - Out-parameters become return values (several make a list); input arrays are an integer or
 *   a sequence of integers; buffers are objects with the buffer protocol holding float32 ('f')
 *   or float64 ('d').
 * - DLPack: mt_to_dlpack returns a "dltensor" capsule, mt_from_dlpack consumes one (renaming
 *   it "used_dltensor" on success only), as the Python array API's DLPack protocol says.
 */

%{
#include <dlpack/dlpack.h>
%}

/* ------------------------------------------------------------------------------------------
 * Exceptions
 * ---------------------------------------------------------------------------------------- */

%{
/* Indexed by status; [0] is the base class minitensor.Error. */
#define MT_PY_LAST_STATUS MT_ERR_CAPTURE
static PyObject* mt_py_errors[MT_PY_LAST_STATUS + 1];

static PyObject* mt_py_error_type(mt_status_t status) {
  return status > MT_OK && status <= MT_PY_LAST_STATUS ? mt_py_errors[status]
                                                       : mt_py_errors[MT_ERR_INTERNAL];
}

/* Sets the Python error for a failed status: its type, `message`, and .status. */
static void mt_py_raise(mt_status_t status, const char* message) {
  PyObject* type = mt_py_error_type(status);
  PyObject* error = PyObject_CallFunction(type, "s", message);
  PyObject* code = PyLong_FromLong(status);
  if (error && code && PyObject_SetAttrString(error, "status", code) == 0)
    PyErr_SetObject(type, error);
  Py_XDECREF(code);
  Py_XDECREF(error);
}

/* Creates minitensor.<name>, a subclass of Error and `builtin` documented by `doc`, into the
 * module dict. */
static int mt_py_add_error(PyObject* dict, mt_status_t status, const char* name, PyObject* builtin,
                           const char* doc) {
  char qualified[64];
  PyObject* bases = status == MT_OK ? NULL : PyTuple_Pack(2, mt_py_errors[MT_OK], builtin);
  PyOS_snprintf(qualified, sizeof qualified, "minitensor.%s", name);
  mt_py_errors[status] = PyErr_NewExceptionWithDoc(qualified, doc, bases ? bases : builtin, NULL);
  Py_XDECREF(bases);
  return mt_py_errors[status] ? PyDict_SetItemString(dict, name, mt_py_errors[status]) : -1;
}
%}

%init %{
  /* The docstrings say what each status means (minitensor.h). */
  if (mt_py_add_error(d, MT_OK, "Error", PyExc_Exception,
                      "A failed call: the library's message; .status is the C status.") ||
      mt_py_add_error(d, MT_ERR_INVALID_ARGUMENT, "InvalidArgumentError", PyExc_ValueError,
                      "A bad value: a closed handle, a negative size, an unknown name.") ||
      mt_py_add_error(d, MT_ERR_SHAPE_MISMATCH, "ShapeMismatchError", PyExc_ValueError,
                      "Shapes that do not broadcast, view, multiply or fit a buffer.") ||
      mt_py_add_error(d, MT_ERR_INDEX_OUT_OF_RANGE, "IndexOutOfRangeError", PyExc_IndexError,
                      "A dim or an index outside its range.") ||
      mt_py_add_error(d, MT_ERR_DTYPE_MISMATCH, "DtypeMismatchError", PyExc_TypeError,
                      "A dtype the call does not accept.") ||
      mt_py_add_error(d, MT_ERR_OVERFLOW, "SizeOverflowError", PyExc_ValueError,
                      "A size computation that does not fit in 64 bits.") ||
      mt_py_add_error(d, MT_ERR_OUT_OF_MEMORY, "OutOfMemoryError", PyExc_MemoryError,
                      "An allocation that failed.") ||
      mt_py_add_error(d, MT_ERR_UNSUPPORTED, "UnsupportedError", PyExc_ValueError,
                      "Valid input that this build or backend cannot handle.") ||
      mt_py_add_error(d, MT_ERR_INTERNAL, "InternalError", PyExc_RuntimeError,
                      "A bug in minitensor.") ||
      mt_py_add_error(d, MT_ERR_DEVICE_MISMATCH, "DeviceMismatchError", PyExc_RuntimeError,
                      "Tensors of one call on different devices.") ||
      mt_py_add_error(d, MT_ERR_DEVICE_UNAVAILABLE, "DeviceUnavailableError", PyExc_RuntimeError,
                      "A device that cannot be used here (mt.cuda.unavailable_reason() says why).") ||
      mt_py_add_error(d, MT_ERR_COLLECTIVE_FAILED, "CollectiveFailedError", PyExc_RuntimeError,
                      "A collective that failed or timed out; the communicator is then broken.") ||
      mt_py_add_error(d, MT_ERR_COLLECTIVE_MISMATCH, "CollectiveMismatchError", PyExc_RuntimeError,
                      "Ranks that called different collectives (or other shapes or dtypes).") ||
      mt_py_add_error(d, MT_ERR_CAPTURE, "CaptureError", PyExc_RuntimeError,
                      "What a capture does not allow: a value read, a nested capture, releasing "
                      "a placeholder, a call outside a capture."))
    return NULL;
%}

/* A status: MT_OK returns None (or the out-parameters), anything else raises. */
%typemap(out) mt_status_t {
  if ($1 != MT_OK) {
    mt_py_raise($1, mt_last_error());
    SWIG_fail;
  }
  $result = SWIG_Py_Void();
}

/* ------------------------------------------------------------------------------------------
 * Handles
 * ---------------------------------------------------------------------------------------- */

%{
/* A handle capsule's context holds its state: 2 per call using the handle now (calls run
 * without the GIL), plus MT_PY_CLOSED once closed. Only read and written with the GIL. */
#define MT_PY_CLOSED 1
static intptr_t mt_py_state(PyObject* capsule) { return (intptr_t)PyCapsule_GetContext(capsule); }
static void mt_py_set_state(PyObject* capsule, intptr_t state) {
  PyCapsule_SetContext(capsule, (void*)state);
}

static void mt_py_release_tensor(void* h) { mt_release((mt_tensor*)h); }
static void mt_py_release_generator(void* h) { mt_generator_release((mt_generator*)h); }
static void mt_py_release_linear(void* h) { mt_linear_release((mt_linear*)h); }
static void mt_py_release_mlp(void* h) { mt_mlp_release((mt_mlp*)h); }
static void mt_py_release_optimizer(void* h) { mt_optimizer_release((mt_optimizer*)h); }
static void mt_py_release_communicator(void* h) {
  mt_communicator_release((mt_communicator*)h);
}
static void mt_py_release_sampler(void* h) { mt_sampler_release((mt_sampler*)h); }
static void mt_py_release_data_parallel(void* h) {
  mt_data_parallel_release((mt_data_parallel*)h);
}
static void mt_py_release_graph(void* h) { mt_graph_release((mt_graph*)h); }
static void mt_py_release_plan(void* h) { mt_plan_release((mt_plan*)h); }

typedef struct mt_py_kind {
  const char* name; /* the capsule name: the C type */
  void (*release)(void*);
} mt_py_kind;

static const mt_py_kind mt_py_kinds[] = {
    {"mt_tensor", mt_py_release_tensor},   {"mt_generator", mt_py_release_generator},
    {"mt_linear", mt_py_release_linear},   {"mt_mlp", mt_py_release_mlp},
    {"mt_optimizer", mt_py_release_optimizer},
    {"mt_communicator", mt_py_release_communicator},
    {"mt_sampler", mt_py_release_sampler},
    {"mt_data_parallel", mt_py_release_data_parallel},
    {"mt_graph", mt_py_release_graph},     {"mt_plan", mt_py_release_plan}};

static const mt_py_kind* mt_py_kind_named(const char* name) {
  size_t i;
  for (i = 0; name && i < sizeof mt_py_kinds / sizeof mt_py_kinds[0]; ++i)
    if (strcmp(name, mt_py_kinds[i].name) == 0) return &mt_py_kinds[i];
  return NULL;
}

/* The kind of a handle capsule, or NULL for any other object. */
static const mt_py_kind* mt_py_kind_of(PyObject* object) {
  return PyCapsule_CheckExact(object) ? mt_py_kind_named(PyCapsule_GetName(object)) : NULL;
}

static void mt_py_release_capsule(PyObject* capsule) {
  const mt_py_kind* kind = mt_py_kind_of(capsule);
  if (kind) kind->release(PyCapsule_GetPointer(capsule, kind->name));
}

/* A new capsule owning `handle` (which it releases when collected); None for NULL. When the
 * capsule cannot be made, the handle is released and NULL returned. */
static PyObject* mt_py_wrap_handle(void* handle, const char* name) {
  PyObject* capsule;
  if (!handle) return SWIG_Py_Void();
  capsule = PyCapsule_New(handle, name, mt_py_release_capsule);
  if (!capsule) mt_py_kind_named(name)->release(handle);
  return capsule;
}

/* *handle = the handle in `object` (a capsule named `name`, or None for NULL). Returns 0 after
 * raising for anything else, and for a closed handle. */
static int mt_py_unwrap_handle(PyObject* object, const char* name, const char* function,
                               void** handle) {
  if (object == Py_None) {
    *handle = NULL;
    return 1;
  }
  if (!PyCapsule_IsValid(object, name)) {
    PyErr_Format(PyExc_TypeError, "%s: expected a %s handle or None, got %R", function, name,
                 object);
    return 0;
  }
  if (mt_py_state(object) & MT_PY_CLOSED) {
    PyErr_Format(mt_py_errors[MT_ERR_INVALID_ARGUMENT], "%s: the %s was closed", function,
                 name);
    return 0;
  }
  *handle = PyCapsule_GetPointer(object, name);
  if (!*handle) return 0;
  mt_py_set_state(object, mt_py_state(object) + 2); /* in use until mt_py_unuse_handle */
  return 1;
}

/* Releases the handle of a closed capsule now, once. */
static void mt_py_release_closed(PyObject* capsule) {
  mt_py_release_capsule(capsule);
  PyCapsule_SetDestructor(capsule, NULL);
  mt_py_set_state(capsule, MT_PY_CLOSED);
}

/* Ends a use that mt_py_unwrap_handle began (None: nothing); the last use of a closed handle
 * releases it. */
static void mt_py_unuse_handle(PyObject* object) {
  intptr_t state;
  if (object == Py_None) return;
  state = mt_py_state(object) - 2;
  mt_py_set_state(object, state);
  if (state == MT_PY_CLOSED) mt_py_release_closed(object);
}
%}

%define MT_PY_HANDLE(TYPE)
%typemap(in) const TYPE* (PyObject* used = NULL) {
  if (!mt_py_unwrap_handle($input, #TYPE, "$symname", (void**)&$1)) SWIG_fail;
  used = $input;
}
%typemap(freearg) const TYPE* {
  if (used$argnum) mt_py_unuse_handle(used$argnum);
}
%apply const TYPE* { TYPE* }; /* one typemap per pattern: SWIG then declares `used` */
%typemap(in, numinputs=0) TYPE** out (TYPE* handle = NULL) { $1 = &handle; }
%typemap(argout) TYPE** out {
  PyObject* wrapped = mt_py_wrap_handle(*$1, #TYPE);
  if (!wrapped) SWIG_fail;
  $result = SWIG_Python_AppendOutput($result, wrapped);
}
%enddef

MT_PY_HANDLE(mt_tensor)
MT_PY_HANDLE(mt_generator)
MT_PY_HANDLE(mt_linear)
MT_PY_HANDLE(mt_mlp)
MT_PY_HANDLE(mt_optimizer)
MT_PY_HANDLE(mt_communicator)
MT_PY_HANDLE(mt_sampler)
MT_PY_HANDLE(mt_data_parallel)
MT_PY_HANDLE(mt_graph)
MT_PY_HANDLE(mt_plan)
/* mt_dataset's two tensors. */
%apply mt_tensor** out { mt_tensor** x, mt_tensor** y };

/* Releases are the capsules' job (and mt_close_handle's); a second reference makes no sense. */
%ignore mt_retain;
%ignore mt_release;
%ignore mt_generator_release;
%ignore mt_linear_release;
%ignore mt_mlp_release;
%ignore mt_optimizer_release;
%ignore mt_communicator_release;
%ignore mt_sampler_release;
%ignore mt_data_parallel_release;
%ignore mt_graph_release;
%ignore mt_plan_release;

%nothread mt_close_handle;
%exception mt_close_handle {
  $action
  if (PyErr_Occurred()) SWIG_fail;
}
%inline %{
/* Releases the handle now (or when the calls using it return); later uses raise. Closing
 * twice, or None, does nothing. */
void mt_close_handle(PyObject* handle) {
  intptr_t state;
  if (handle == Py_None) return;
  if (!mt_py_kind_of(handle)) {
    PyErr_Format(PyExc_TypeError, "mt_close_handle: %R is not a minitensor handle", handle);
    return;
  }
  state = mt_py_state(handle);
  if (state & MT_PY_CLOSED) return;
  if (state == 0)
    mt_py_release_closed(handle);
  else
    mt_py_set_state(handle, state | MT_PY_CLOSED);
}

/* 1 when mt_close_handle closed the handle (None is not closed). */
int mt_handle_closed(PyObject* handle) {
  return handle != Py_None && mt_py_kind_of(handle) && (mt_py_state(handle) & MT_PY_CLOSED);
}
%}

/* ------------------------------------------------------------------------------------------
 * Scalar arguments: integers, reals, flags and strings
 *
 * Where the C API takes an integer, anything with __index__ is accepted (int, numpy's integer
 * scalars, 0-d integer arrays, user classes), as operator.index does, but not a bool (numpy's
 * indexing reads True as a mask, and torch refuses bools as ints); where it takes a double,
 * anything with __float__ or __index__ (float, int, numbers.Real, numpy's floats, 0-d arrays).
 * Flags (keepdim, bias, ...) take any object's truth value; strings a str. A wrong type raises
 * TypeError and an integer outside the C type OverflowError, naming the C function and
 * parameter: "mt_select: argument 'dim' must be an integer, not float". SWIG's own messages
 * ("in method 'mt_select', argument 2 of type 'int64_t'") never reach the user.
 * ---------------------------------------------------------------------------------------- */

%{
/* An argument, as the messages name it. */
typedef struct mt_py_arg {
  const char* function;  /* "mt_select" */
  const char* parameter; /* "dim" */
  Py_ssize_t item;       /* the position in an array argument ("shape" item 1), or -1 */
} mt_py_arg;

/* Raises `type` with "<function>: argument '<parameter>'[ item <i>] <what>"; returns 0. */
static int mt_py_arg_error(PyObject* type, const mt_py_arg* arg, const char* what_format, ...) {
  PyObject* what;
  va_list values;
  va_start(values, what_format);
  what = PyUnicode_FromFormatV(what_format, values);
  va_end(values);
  if (!what) return 0;
  if (arg->item < 0)
    PyErr_Format(type, "%s: argument '%s' %U", arg->function, arg->parameter, what);
  else
    PyErr_Format(type, "%s: argument '%s' item %zd %U", arg->function, arg->parameter,
                 arg->item, what);
  Py_DECREF(what);
  return 0;
}

static int mt_py_wrong_type(const mt_py_arg* arg, const char* expected, PyObject* value) {
  return mt_py_arg_error(PyExc_TypeError, arg, "must be %s, not %s", expected,
                         Py_TYPE(value)->tp_name);
}

/* OverflowError: `value` is outside `range` ("[0, 255] (uint8)"). */
static int mt_py_out_of_range(const mt_py_arg* arg, PyObject* value, const char* range) {
  PyObject* text = PyObject_Str(value); /* fails past sys.get_int_max_str_digits() */
  if (!text) {
    PyErr_Clear();
    text = PyUnicode_FromString("an int too long to print");
  }
  if (text) mt_py_arg_error(PyExc_OverflowError, arg, "must be in %s, not %U", range, text);
  Py_XDECREF(text);
  return 0;
}

/* numpy's bool scalar, which is no bool subclass; its __index__ is deprecated. */
static int mt_py_is_numpy_bool(PyObject* value) {
  return strncmp(Py_TYPE(value)->tp_name, "numpy.bool", 10) == 0;
}

/* `value` as a new int reference when it is an integer by the rule above; else NULL with a
 * TypeError naming `arg` (it replaces the TypeError of an __index__ that refuses, as numpy's
 * for an array of several elements; any other error of __index__ stays). */
static PyObject* mt_py_integer(PyObject* value, const mt_py_arg* arg) {
  if (PyLong_CheckExact(value)) {
    Py_INCREF(value);
    return value;
  }
  if (!PyBool_Check(value) && !mt_py_is_numpy_bool(value)) {
    PyObject* index = PyNumber_Index(value);
    if (index || !PyErr_ExceptionMatches(PyExc_TypeError)) return index;
    PyErr_Clear();
  }
  mt_py_wrong_type(arg, "an integer", value);
  return NULL;
}

/* *out = `value` as an integer of `bits` (32 or 64) bits. Returns 0 after raising. */
static int mt_py_as_int(PyObject* value, const mt_py_arg* arg, int bits, int64_t* out) {
  const long long max = bits == 32 ? INT32_MAX : INT64_MAX, min = -max - 1;
  int overflow = 0;
  long long result;
  PyObject* index = mt_py_integer(value, arg);
  if (!index) return 0;
  result = PyLong_AsLongLongAndOverflow(index, &overflow);
  if (overflow || result < min || result > max) {
    char range[64];
    PyOS_snprintf(range, sizeof range, "[%lld, %lld] (int%d)", min, max, bits);
    mt_py_out_of_range(arg, index, range);
  } else {
    *out = result;
  }
  Py_DECREF(index);
  return !PyErr_Occurred();
}

static int mt_py_as_uint64(PyObject* value, const mt_py_arg* arg, uint64_t* out) {
  PyObject* index = mt_py_integer(value, arg);
  if (!index) return 0;
  *out = PyLong_AsUnsignedLongLong(index); /* OverflowError for a negative int too */
  if (*out == (uint64_t)-1 && PyErr_Occurred() && PyErr_ExceptionMatches(PyExc_OverflowError)) {
    PyErr_Clear();
    mt_py_out_of_range(arg, index, "[0, 18446744073709551615] (uint64)");
  }
  Py_DECREF(index);
  return !PyErr_Occurred();
}

static int mt_py_as_double(PyObject* value, const mt_py_arg* arg, double* out) {
  PyNumberMethods* number = Py_TYPE(value)->tp_as_number;
  if (!number || (!number->nb_float && !number->nb_index))
    return mt_py_wrong_type(arg, "a real number", value);
  *out = PyFloat_AsDouble(value);
  if (*out == -1.0 && PyErr_Occurred()) {
    if (PyErr_ExceptionMatches(PyExc_OverflowError)) { /* an int beyond float64 */
      PyErr_Clear();
      return mt_py_out_of_range(arg, value, "the float64 range (magnitude < 1.8e308)");
    }
    if (PyErr_ExceptionMatches(PyExc_TypeError)) { /* numpy's array of several elements */
      PyErr_Clear();
      return mt_py_wrong_type(arg, "a real number", value);
    }
    return 0;
  }
  return 1;
}

/* A flag: the truth value of `value` (bool(x)), 0 or 1. */
static int mt_py_as_flag(PyObject* value, const mt_py_arg* arg, int32_t* out) {
  int truth = PyObject_IsTrue(value);
  if (truth < 0) { /* an ambiguous truth value, as a numpy array's */
    if (!PyErr_ExceptionMatches(PyExc_TypeError) && !PyErr_ExceptionMatches(PyExc_ValueError))
      return 0;
    PyErr_Clear();
    return mt_py_wrong_type(arg, "a bool", value);
  }
  *out = truth;
  return 1;
}

/* *out = the UTF-8 text of the str `value`, which lives as long as `value`. */
static int mt_py_as_string(PyObject* value, const mt_py_arg* arg, const char** out) {
  Py_ssize_t size;
  if (!PyUnicode_Check(value)) return mt_py_wrong_type(arg, "a str", value);
  *out = PyUnicode_AsUTF8AndSize(value, &size);
  if (!*out) return 0;
  if (strlen(*out) != (size_t)size)
    return mt_py_arg_error(PyExc_ValueError, arg, "must not contain a null character");
  return 1;
}
%}

/* The argument being converted: "$symname" is the C function, "$1_name" the parameter. */
#define MT_PY_ARG {"$symname", "$1_name", -1}

%typemap(in) int64_t {
  const mt_py_arg arg = MT_PY_ARG;
  if (!mt_py_as_int($input, &arg, 64, &$1)) SWIG_fail;
}
%typemap(in) int32_t (int64_t value = 0) {
  const mt_py_arg arg = MT_PY_ARG;
  if (!mt_py_as_int($input, &arg, 32, &value)) SWIG_fail;
  $1 = (int32_t)value;
}
%typemap(in) uint64_t {
  const mt_py_arg arg = MT_PY_ARG;
  if (!mt_py_as_uint64($input, &arg, &$1)) SWIG_fail;
}
%typemap(in) double {
  const mt_py_arg arg = MT_PY_ARG;
  if (!mt_py_as_double($input, &arg, &$1)) SWIG_fail;
}
%typemap(in) int32_t keepdim, int32_t bias, int32_t requires_grad, int32_t retain_graph,
             int32_t enabled, int32_t nesterov, int32_t no_sync {
  const mt_py_arg arg = MT_PY_ARG;
  if (!mt_py_as_flag($input, &arg, &$1)) SWIG_fail;
}
%typemap(in) const char* {
  const mt_py_arg arg = MT_PY_ARG;
  if (!mt_py_as_string($input, &arg, (const char**)&$1)) SWIG_fail; /* SWIG drops the const */
}
%typemap(freearg) const char* ""

%nothread mt_py_index;
%inline %{
/* `value` as an int where the package means an integer (a tensor index, a device number):
 * the typemaps' rule and message, naming `function` and `parameter`. */
PyObject* mt_py_index(PyObject* value, const char* function, const char* parameter) {
  const mt_py_arg arg = {function, parameter, -1};
  return mt_py_integer(value, &arg);
}
%}

/* ------------------------------------------------------------------------------------------
 * Out-parameters and input arrays
 * ---------------------------------------------------------------------------------------- */

%include <typemaps.i>
%apply int32_t* OUTPUT { int32_t* out, int32_t* type, int32_t* index };
%apply int64_t* OUTPUT { int64_t* out, int64_t* in_use, int64_t* cached };
/* mt_plan_stats: a list of its five numbers. */
%apply int64_t* OUTPUT { int64_t* ops, int64_t* kernels, int64_t* fused_kernels,
                         int64_t* bytes_avoided, int64_t* bytes_moved };
/* mt_plan_cache_stats: a list of its four numbers. */
%apply int64_t* OUTPUT { int64_t* entries, int64_t* max_entries, int64_t* hits,
                         int64_t* misses };
%apply double* OUTPUT { double* out };

/* mt_shape, mt_strides: the tensor's ndim values as a tuple. */
%typemap(in, numinputs=0) (int64_t* out, int32_t capacity) (int64_t values[MT_MAX_RANK]) {
  $1 = values;
  $2 = MT_MAX_RANK;
}
%typemap(argout) (int64_t* out, int32_t capacity) {
  int32_t ndim = 0, d;
  PyObject* tuple;
  mt_ndim(arg1, &ndim); /* arg1, the tensor, was just queried successfully */
  tuple = PyTuple_New(ndim);
  if (!tuple) SWIG_fail;
  for (d = 0; d < ndim; ++d)
    PyTuple_SET_ITEM(tuple, d, PyLong_FromLongLong($1[d]));
  $result = SWIG_Python_AppendOutput($result, tuple);
}

/* mt_sampler_indices: `count` indices (the package passes mt_sampler_local_batch), returned as
 * a list of ints. */
%typemap(in) (int64_t* out, int64_t count) {
  const mt_py_arg arg = {"$symname", "count", -1};
  if (!mt_py_as_int($input, &arg, 64, &$2)) SWIG_fail;
  $1 = (int64_t*)PyMem_Malloc(sizeof(int64_t) * (size_t)($2 > 0 ? $2 : 1));
  if (!$1) {
    PyErr_NoMemory();
    SWIG_fail;
  }
}
%typemap(argout) (int64_t* out, int64_t count) {
  PyObject* list = PyList_New($2);
  int64_t i;
  if (!list) SWIG_fail;
  for (i = 0; i < $2; ++i)
    PyList_SET_ITEM(list, i, PyLong_FromLongLong($1[i]));
  $result = SWIG_Python_AppendOutput($result, list);
}
%typemap(freearg) (int64_t* out, int64_t count) { PyMem_Free($1); }

%{
/* *values = a new array of the integers in `input`, a sequence of them or a single one (f(3)
 * as f((3,)), which lets the package pass its f(*shape) arguments as they come). Returns 0
 * after raising (for None too: the library's NULL arrays are spelt ()). */
static int mt_py_int64_array(PyObject* input, const mt_py_arg* arg, int64_t** values,
                             int32_t* count) {
  mt_py_arg item = *arg;
  PyObject* items = NULL;
  Py_ssize_t n;
  *values = NULL;
  *count = 0;
  if (PyIndex_Check(input)) {
    PyObject* index = mt_py_integer(input, arg);
    if (index) {
      items = PyTuple_Pack(1, index);
      Py_DECREF(index);
      if (!items) return 0;
    } else if (PyErr_ExceptionMatches(PyExc_TypeError)) {
      PyErr_Clear(); /* not an integer: maybe a sequence (a 1-d numpy array) */
    } else {
      return 0;
    }
  }
  if (!items && !(items = PySequence_Fast(input, ""))) {
    PyErr_Clear();
    return mt_py_wrong_type(arg, "an integer or a sequence of integers", input);
  }
  n = PySequence_Fast_GET_SIZE(items);
  if (n > INT32_MAX) {
    mt_py_arg_error(PyExc_ValueError, arg, "has %zd values: too many", n);
  } else if (n > 0 && (*values = (int64_t*)PyMem_Malloc(sizeof(int64_t) * (size_t)n)) == NULL) {
    PyErr_NoMemory();
  }
  for (item.item = 0; !PyErr_Occurred() && item.item < n; ++item.item)
    mt_py_as_int(PySequence_Fast_GET_ITEM(items, item.item), &item, 64, &(*values)[item.item]);
  Py_DECREF(items);
  *count = (int32_t)n;
  return !PyErr_Occurred();
}
%}

/* (shape, ndim), (index, ndim), (order, ndim), (dims, ndims), (sizes, count): an integer or a
 * sequence of integers. */
%typemap(in) (const int64_t* shape, int32_t ndim), (const int64_t* index, int32_t ndim),
             (const int64_t* order, int32_t ndim), (const int64_t* dims, int32_t ndims),
             (const int64_t* sizes, int32_t count) {
  const mt_py_arg arg = MT_PY_ARG;
  if (!mt_py_int64_array($input, &arg, (int64_t**)&$1, &$2)) SWIG_fail;
}
%typemap(freearg) (const int64_t* shape, int32_t ndim), (const int64_t* index, int32_t ndim),
                  (const int64_t* order, int32_t ndim), (const int64_t* dims, int32_t ndims),
                  (const int64_t* sizes, int32_t count) {
  PyMem_Free((void*)$1);
}

/* Lists of tensors (the optimizers' and DDP's parameters, a capture's outputs, a plan's
 * inputs): a sequence of tensor handles, in use until the call returns. */
%typemap(in) (mt_tensor* const* params, int32_t count) (PyObject* items = NULL,
                                                         Py_ssize_t used = 0) {
  Py_ssize_t n;
  items = PySequence_Fast($input, "$symname: expected a sequence of tensors");
  if (!items) SWIG_fail;
  n = PySequence_Fast_GET_SIZE(items);
  if (sizeof($2) < sizeof(int64_t) && n > INT32_MAX) {
    PyErr_Format(PyExc_ValueError, "$symname: %zd tensors are too many", n);
    SWIG_fail;
  }
  $1 = (mt_tensor**)PyMem_Calloc((size_t)n + 1, sizeof(mt_tensor*));
  $2 = ($2_ltype)n;
  if (!$1) {
    PyErr_NoMemory();
    SWIG_fail;
  }
  for (; used < n; ++used)
    if (!mt_py_unwrap_handle(PySequence_Fast_GET_ITEM(items, used), "mt_tensor", "$symname",
                             (void**)&$1[used]))
      SWIG_fail;
}
%typemap(freearg) (mt_tensor* const* params, int32_t count) {
  Py_ssize_t i;
  for (i = 0; i < used$argnum; ++i)
    mt_py_unuse_handle(PySequence_Fast_GET_ITEM(items$argnum, i));
  Py_XDECREF(items$argnum);
  PyMem_Free($1);
}
/* (one typemap per pattern, as above: SWIG then declares `items` and `used` for each) */
%apply (mt_tensor* const* params, int32_t count) {
  (mt_tensor* const* outputs, int64_t count), (mt_tensor* const* inputs, int64_t n_inputs)
};

/* mt_plan_run's results: as many as the plan has (mt_plan_output_count), returned as a tuple
 * of tensor handles. Sized in the check typemap, which runs once the plan (arg1) is converted;
 * numinputs=0 typemaps run before any argument is. */
%typemap(in, numinputs=0) (mt_tensor** outputs, int64_t n_outputs) {
  $1 = NULL;
  $2 = 0;
}
%typemap(check) (mt_tensor** outputs, int64_t n_outputs) {
  const int64_t count = mt_plan_output_count(arg1); /* -1 for a bad plan: the call says why */
  $2 = count < 0 ? 0 : count;
  $1 = (mt_tensor**)PyMem_Calloc((size_t)$2 + 1, sizeof(mt_tensor*));
  if (!$1) {
    PyErr_NoMemory();
    SWIG_fail;
  }
}
%typemap(argout) (mt_tensor** outputs, int64_t n_outputs) {
  /* Every handle ends up owned by the tuple, or released when the tuple cannot be made. */
  PyObject* tuple = PyTuple_New((Py_ssize_t)$2);
  int complete = tuple != NULL;
  int64_t i;
  for (i = 0; i < $2; ++i) {
    PyObject* wrapped = NULL;
    if (tuple) wrapped = mt_py_wrap_handle($1[i], "mt_tensor"); /* releases it on failure */
    else mt_release($1[i]);
    if (wrapped) PyTuple_SET_ITEM(tuple, (Py_ssize_t)i, wrapped);
    else complete = 0;
  }
  if (!complete) {
    Py_XDECREF(tuple);
    SWIG_fail;
  }
  $result = SWIG_Python_AppendOutput($result, tuple);
}
%typemap(freearg) (mt_tensor** outputs, int64_t n_outputs) { PyMem_Free($1); }

/* Library-allocated text (mt_to_string, mt_take_diagnostics) becomes a str, which the typemap
 * frees: mt_string_free has nothing to do in Python (wrapped, it would free SWIG's copy of a
 * str, then SWIG would free it again). */
%ignore mt_string_free;
%typemap(in, numinputs=0) char** out (char* text = NULL) { $1 = &text; }
%typemap(argout) char** out {
  PyObject* string = PyUnicode_FromString(*$1);
  mt_string_free(*$1);
  if (!string) SWIG_fail;
  $result = SWIG_Python_AppendOutput($result, string);
}

/* ------------------------------------------------------------------------------------------
 * Buffers (mt_from_buffer, mt_to_buffer): any object with the buffer protocol holding
 * C-contiguous float32 or float64 values; its format gives the dtype and its length the count.
 * ---------------------------------------------------------------------------------------- */

%{
/* Gets `object`'s buffer and its dtype. Returns 0 after raising for anything unusable. */
static int mt_py_get_buffer(PyObject* object, int writable, const char* function,
                            Py_buffer* view, mt_dtype_t* dtype) {
  const int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
  const char* format;
  if (PyObject_GetBuffer(object, view, flags) != 0) return 0;
  format = view->format ? view->format : "B";
  if (*format == '@' || *format == '=' || *format == '<') ++format; /* native, little-endian */
  if (strcmp(format, "f") == 0 && view->itemsize == 4) {
    *dtype = MT_FLOAT32;
  } else if (strcmp(format, "d") == 0 && view->itemsize == 8) {
    *dtype = MT_FLOAT64;
  } else {
    PyErr_Format(PyExc_TypeError, "%s: a buffer of format '%s' is neither float32 ('f') nor "
                 "float64 ('d')", function, view->format ? view->format : "B");
    PyBuffer_Release(view);
    return 0;
  }
  return 1;
}
%}

%typemap(in) (const void* data, mt_dtype_t data_dtype, int64_t count) (Py_buffer view = {0}) {
  if (!mt_py_get_buffer($input, 0, "$symname", &view, &$2)) SWIG_fail;
  $1 = view.buf;
  $3 = (int64_t)(view.len / view.itemsize);
}
%typemap(freearg) (const void* data, mt_dtype_t data_dtype, int64_t count) {
  if (view$argnum.obj) PyBuffer_Release(&view$argnum);
}
%typemap(in) (void* dst, mt_dtype_t dtype, int64_t capacity) (Py_buffer view = {0}) {
  if (!mt_py_get_buffer($input, 1, "$symname", &view, &$2)) SWIG_fail;
  $1 = view.buf;
  $3 = (int64_t)(view.len / view.itemsize);
}
%typemap(freearg) (void* dst, mt_dtype_t dtype, int64_t capacity) {
  if (view$argnum.obj) PyBuffer_Release(&view$argnum);
}

/* ------------------------------------------------------------------------------------------
 * DLPack capsules
 * ---------------------------------------------------------------------------------------- */

%{
/* The destructor of a "dltensor" capsule that no consumer took (the DLPack protocol). */
static void mt_py_dltensor_capsule_free(PyObject* capsule) {
  PyObject *type, *value, *traceback;
  DLManagedTensor* managed;
  if (PyCapsule_IsValid(capsule, "used_dltensor")) return;
  PyErr_Fetch(&type, &value, &traceback); /* an exception may be in flight */
  managed = (DLManagedTensor*)PyCapsule_GetPointer(capsule, "dltensor");
  if (managed && managed->deleter)
    managed->deleter(managed);
  else if (!managed)
    PyErr_WriteUnraisable(capsule);
  PyErr_Restore(type, value, traceback);
}

/* Imported DLManagedTensors are wrapped in one whose deleter holds the GIL: the library may
 * release the last view inside a call that runs without it (a backward freeing its graph),
 * and a producer's deleter, such as numpy 1.24's, may touch Python objects without taking
 * the GIL itself. */
static void mt_py_dltensor_free_with_gil(DLManagedTensor* wrapper) {
  DLManagedTensor* original = (DLManagedTensor*)wrapper->manager_ctx;
  if (Py_IsInitialized()) { /* else leak: the interpreter is gone */
    PyGILState_STATE state = PyGILState_Ensure();
    if (original->deleter) original->deleter(original);
    PyGILState_Release(state);
  }
  PyMem_RawFree(wrapper);
}
%}

%typemap(in, numinputs=0) struct DLManagedTensor** out (struct DLManagedTensor* managed = NULL) {
  $1 = &managed;
}
%typemap(argout) struct DLManagedTensor** out {
  PyObject* capsule = PyCapsule_New(*$1, "dltensor", mt_py_dltensor_capsule_free);
  if (!capsule) {
    (*$1)->deleter(*$1);
    SWIG_fail;
  }
  $result = SWIG_Python_AppendOutput($result, capsule);
}

/* A "dltensor" capsule; it is renamed "used_dltensor" once the library owns its tensor. */
%typemap(in) struct DLManagedTensor* managed (DLManagedTensor* wrapper = NULL) {
  DLManagedTensor* original = (DLManagedTensor*)PyCapsule_GetPointer($input, "dltensor");
  if (!original) {
    PyErr_Clear();
    PyErr_Format(PyExc_TypeError, "$symname: expected an unused \"dltensor\" capsule, got %R",
                 $input);
    SWIG_fail;
  }
  wrapper = (DLManagedTensor*)PyMem_RawMalloc(sizeof *wrapper);
  if (!wrapper) {
    PyErr_NoMemory();
    SWIG_fail;
  }
  wrapper->dl_tensor = original->dl_tensor;
  wrapper->manager_ctx = original;
  wrapper->deleter = mt_py_dltensor_free_with_gil;
  $1 = wrapper;
}
%typemap(argout) struct DLManagedTensor* managed {
  wrapper$argnum = NULL; /* the tensor owns it now */
  PyCapsule_SetName($input, "used_dltensor");
}
%typemap(freearg) struct DLManagedTensor* managed { PyMem_RawFree(wrapper$argnum); }

%inline %{
/* The address of the tensor's first element, for numpy's __array_interface__ (which, unlike
 * numpy 1.x's DLPack import, gives a writable array). */
mt_status_t mt_py_data_address(const mt_tensor* tensor, int64_t* out) {
  struct DLManagedTensor* managed = NULL;
  mt_status_t status = mt_to_dlpack(tensor, &managed);
  if (status != MT_OK) return status;
  *out = (int64_t)(intptr_t)((char*)managed->dl_tensor.data + managed->dl_tensor.byte_offset);
  managed->deleter(managed);
  return MT_OK;
}
%}
