/*
 * minitensor_csharp.i: how minitensor.h looks from C# (included by ../minitensor.i before the
 * header). The generated classes (minitensor_native, minitensor_nativePINVOKE) are internal to
 * Minitensor.dll; the hand-written classes next to this file are the public API.
 *
 * - A failed status throws Minitensor.MinitensorException (the message is mt_last_error()).
 * - Handles are SafeHandles (TensorHandle, ...), which the P/Invoke marshaller keeps alive for
 *   the length of a call. Handle parameters take the public class (Tensor, Generator, ...):
 *   null passes NULL, a disposed object throws ObjectDisposedException. `T** out` parameters
 *   are `out` SafeHandles, which the public classes wrap.
 * - An array with its count, `(const int64_t* shape, int32_t ndim)` and the like, is one C#
 *   array, pinned for the call and passed as an mt_csharp_span (pointer, length, dtype).
 * - Scalar out-parameters are C# `out` parameters; `char** out` is an `out string`.
 */

%pragma(csharp) moduleclassmodifiers="internal class"
%pragma(csharp) imclassclassmodifiers="internal class"
/* Enum values and #defines as C# constants, usable in the hand-written enums. */
%csconst(1);

/* int64_t and uint64_t are C# long and ulong (SWIG sees them as C long, which C# maps to int:
 * see minitensor.i). */
%apply long long { int64_t };
%apply unsigned long long { uint64_t };

/* DLPack is for Python; C# copies through mt_from_buffer and mt_to_buffer. */
%ignore mt_to_dlpack;
%ignore mt_from_dlpack;

/* ---- Statuses: anything but MT_OK becomes a pending MinitensorException ----------------- */

%{
/* Set by minitensor_nativePINVOKE (RaiseHelper) when the assembly loads. */
typedef void (SWIGSTDCALL* mt_csharp_raise_callback)(int status, const char* message);
static mt_csharp_raise_callback mt_csharp_raise = NULL;

SWIGEXPORT void SWIGSTDCALL mt_csharp_register_raise(mt_csharp_raise_callback callback) {
  mt_csharp_raise = callback;
}
%}

%pragma(csharp) imclasscode=%{
  // Turns a failed status into the pending exception that the wrapper throws on return.
  protected class RaiseHelper {
    public delegate void RaiseDelegate(int status, string message);
    static readonly RaiseDelegate raise = Raise;

    [global::System.Runtime.InteropServices.DllImport("$dllimport",
        EntryPoint = "mt_csharp_register_raise")]
    static extern void Register(RaiseDelegate callback);

    static void Raise(int status, string message) {
      SWIGPendingException.Set(new MinitensorException((Status)status, message));
    }

    static RaiseHelper() {
      Register(raise);
    }
  }

  static protected RaiseHelper raiseHelper = new RaiseHelper();
%}

%typemap(out, canthrow=1) mt_status_t %{
  if ($1 != MT_OK) mt_csharp_raise($1, mt_last_error());
  $result = $1;
%}

/* ---- Handles ------------------------------------------------------------------------------ */

%define MT_CSHARP_HANDLE(CTYPE, WRAPPER, HANDLE)
%typemap(imtype) CTYPE*, const CTYPE* "HANDLE"
%typemap(cstype) CTYPE*, const CTYPE* "WRAPPER"
%typemap(csin) CTYPE*, const CTYPE* "WRAPPER.HandleOf($csinput)"
%typemap(imtype) CTYPE** "out HANDLE"
%typemap(cstype) CTYPE** "out HANDLE"
%typemap(csin) CTYPE** "out $csinput"
%enddef

MT_CSHARP_HANDLE(mt_tensor, Tensor, TensorHandle)
MT_CSHARP_HANDLE(mt_generator, Generator, GeneratorHandle)
MT_CSHARP_HANDLE(mt_linear, Linear, LinearHandle)
MT_CSHARP_HANDLE(mt_mlp, Mlp, MlpHandle)
MT_CSHARP_HANDLE(mt_optimizer, Optimizer, OptimizerHandle)
MT_CSHARP_HANDLE(mt_communicator, Communicator, CommunicatorHandle)
MT_CSHARP_HANDLE(mt_sampler, ShardedSampler, SamplerHandle)
MT_CSHARP_HANDLE(mt_data_parallel, DataParallel, DataParallelHandle)
MT_CSHARP_HANDLE(mt_graph, Graph, GraphHandle)
MT_CSHARP_HANDLE(mt_plan, Plan, PlanHandle)

/* ---- Arrays with their count: one pinned C# array (PinnedArray) -------------------------- */

%{
/* A pinned C# array: its elements, their count and, for float[] and double[], the MT_ dtype.
 * C# arrays hold fewer than 2^31 elements, so a length fits the int32_t counts. */
typedef struct mt_csharp_span {
  void* data;
  int64_t length;
  mt_dtype_t dtype;
} mt_csharp_span;
%}

%define MT_CSHARP_SPAN(PARAMS, CSTYPE, PIN)
%typemap(ctype) PARAMS "mt_csharp_span"
%typemap(imtype) PARAMS "NativeSpan"
%typemap(cstype) PARAMS "CSTYPE"
%typemap(csin, pre="    var pinned$csinput = PinnedArray.PIN($csinput);",
         post="    pinned$csinput.Dispose();") PARAMS "pinned$csinput.Span"
%enddef

/* (values, count): shapes, indices, permutations, dims, layer sizes, output sizes (a shape's,
 * a sampler's indices), tensors (optimizer parameters, a capture's outputs, a plan's inputs),
 * and a plan run's results (an IntPtr[] that receives new tensor references). */
%define MT_CSHARP_COUNTED
  (const int64_t* shape, int32_t ndim), (const int64_t* index, int32_t ndim),
  (const int64_t* order, int32_t ndim), (const int64_t* dims, int32_t ndims),
  (const int64_t* sizes, int32_t count), (int64_t* out, int32_t capacity),
  (int64_t* out, int64_t count)
%enddef
MT_CSHARP_SPAN(%arg(MT_CSHARP_COUNTED), long[], Sizes)
%define MT_CSHARP_TENSORS
  (mt_tensor* const* params, int32_t count), (mt_tensor* const* outputs, int64_t count),
  (mt_tensor* const* inputs, int64_t n_inputs)
%enddef
MT_CSHARP_SPAN(%arg(MT_CSHARP_TENSORS), Tensor[], Handles)
MT_CSHARP_SPAN(%arg((mt_tensor** outputs, int64_t n_outputs)), global::System.IntPtr[], Pointers)
%typemap(in) MT_CSHARP_COUNTED, MT_CSHARP_TENSORS, (mt_tensor** outputs, int64_t n_outputs) %{
  $1 = ($1_ltype)$input.data;
  $2 = ($2_ltype)$input.length;
%}

/* (elements, their dtype, their count): float[] or double[] for mt_from_buffer and
 * mt_to_buffer. */
%define MT_CSHARP_BUFFERS
  (const void* data, mt_dtype_t data_dtype, int64_t count),
  (void* dst, mt_dtype_t dtype, int64_t capacity)
%enddef
MT_CSHARP_SPAN(%arg(MT_CSHARP_BUFFERS), global::System.Array, Elements)
%typemap(in) MT_CSHARP_BUFFERS %{
  $1 = $input.data;
  $2 = $input.dtype;
  $3 = $input.length;
%}

/* ---- Scalar out-parameters ---------------------------------------------------------------- */

%define MT_CSHARP_OUT_SCALAR(CTYPE, CSTYPE, NAMES)
%typemap(ctype) NAMES "CTYPE*"
%typemap(imtype) NAMES "out CSTYPE"
%typemap(cstype) NAMES "out CSTYPE"
%typemap(csin) NAMES "out $csinput"
%typemap(in) NAMES %{ $1 = $input; %}
%enddef

MT_CSHARP_OUT_SCALAR(int32_t, int, %arg(int32_t* out, int32_t* type, int32_t* index))
MT_CSHARP_OUT_SCALAR(int64_t, long, %arg(int64_t* out, int64_t* in_use, int64_t* cached))
MT_CSHARP_OUT_SCALAR(int64_t, long, %arg(int64_t* ops, int64_t* kernels, int64_t* fused_kernels,
                                         int64_t* bytes_avoided, int64_t* bytes_moved))
MT_CSHARP_OUT_SCALAR(int64_t, long, %arg(int64_t* entries, int64_t* max_entries, int64_t* hits,
                                         int64_t* misses))
MT_CSHARP_OUT_SCALAR(double, double, double* out)

/* ---- Strings the library allocates: copied into a C# string, then mt_string_free -------- */

%typemap(ctype) char** out "char**"
%typemap(imtype) char** out "out global::System.IntPtr"
%typemap(cstype) char** out "out string"
%typemap(csin, pre="    var text$csinput = global::System.IntPtr.Zero;",
         post="    $csinput = NativeText.Take(text$csinput);") char** out "out text$csinput"
%typemap(in) char** out %{ $1 = $input; %}
/* mt_string_free takes the pointer that NativeText.Take got. */
%apply void* VOID_INT_PTR { char* text }
