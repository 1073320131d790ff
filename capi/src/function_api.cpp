// Traced functions (fusion/traced_function.hpp): a C body that the library captures again for
// each new input signature.
#include <utility>
#include <vector>

#include "boundary.hpp"

using namespace mt;
using namespace mt::capi;

namespace {

// The C body as a TracedFunction::Body: it gets handles for the placeholders (registered, so
// that mt_release refuses them), its outputs become tensors and its failure an Error.
struct CBody {
  mt_function_body body;
  void* context;
  int64_t n_outputs;

  std::vector<Tensor> operator()(std::span<const Tensor> placeholders) const {
    std::vector<PendingHandle> inputs;
    std::vector<mt_tensor*> input_handles;
    for (const Tensor& t : placeholders) {
      inputs.push_back(pending(t));
      input_handles.push_back(inputs.back().get());
    }
    // The body's references, released on the way out: after the placeholders are unregistered
    // (locals go in reverse order), as an output may be a placeholder itself.
    std::vector<PendingHandle> given;
    given.reserve(static_cast<size_t>(n_outputs));  // so that taking them over cannot throw
    // Registered only once every handle exists; unregistered (before `inputs` and `given`
    // release them) however the body ends.
    for (mt_tensor* handle : input_handles)
      add_capture_placeholder(handle);
    const struct Unregister {
      ~Unregister() { clear_capture_placeholders(); }
    } unregister;

    std::vector<mt_tensor*> outputs(static_cast<size_t>(n_outputs), nullptr);
    const mt_status_t status =
        body(context, input_handles.data(), static_cast<int64_t>(input_handles.size()),
             outputs.data(), n_outputs);
    for (mt_tensor* handle : outputs)
      given.emplace_back(handle, &release_tensor);
    if (!is_status(status))
      fail(ErrorCode::InvalidArgument, "the body returned ", status, ", which is no mt_status_t");
    if (status != MT_OK)
      fail(static_cast<ErrorCode>(status), "the body returned ", mt_status_name(status), ": ",
           mt_last_error());
    std::vector<Tensor> tensors;
    for (size_t i = 0; i < outputs.size(); ++i) {
      if (outputs[i] == nullptr)
        fail(ErrorCode::InvalidArgument, "the body returned MT_OK but left outputs[", i, "] NULL");
      tensors.push_back(tensor_of(outputs[i], "the body's output"));
    }
    return tensors;
  }
};

}  // namespace

extern "C" {

mt_status_t mt_function_new(mt_function_body body, void* context, int64_t n_inputs,
                            int64_t n_outputs, mt_function** out) {
  return guarded("mt_function_new", [&] {
    if (body == nullptr) fail(ErrorCode::InvalidArgument, "body is NULL");
    require_counts(n_inputs, n_outputs);
    require(out, "out");
    *out = make_handle<mt_function>(CBody{body, context, n_outputs}, n_inputs, n_outputs);
  });
}

void mt_function_release(mt_function* function) {
  release_handle(function, "mt_function_release", "function");
}

mt_status_t mt_function_run(mt_function* function, mt_tensor* const* inputs, int64_t n_inputs,
                            mt_tensor** outputs, int64_t n_outputs) {
  return guarded("mt_function_run", [&] {
    CFunction& f = live(function, "function");
    check_run_counts("the function", n_inputs, f.n_inputs, n_outputs, f.n_outputs);
    const std::vector<Tensor> in = tensors_arg(inputs, n_inputs, "inputs");
    if (n_outputs > 0) require(outputs, "outputs");
    give_all(outputs, f.traced.run(in));
  });
}

mt_status_t mt_function_plan(mt_function* function, mt_tensor* const* inputs, int64_t n_inputs,
                             mt_plan** out) {
  return guarded("mt_function_plan", [&] {
    CFunction& f = live(function, "function");
    check_run_counts("the function", n_inputs, f.n_inputs, f.n_outputs, f.n_outputs);
    const std::vector<Tensor> in = tensors_arg(inputs, n_inputs, "inputs");
    require(out, "out");
    *out = make_handle<mt_plan>(f.traced.plan_for(in));
  });
}

int64_t mt_function_plan_count(const mt_function* function) {
  return guarded_value("mt_function_plan_count", int64_t{-1},
                       [&] { return live(function, "function").traced.plan_count(); });
}

}  // extern "C"
