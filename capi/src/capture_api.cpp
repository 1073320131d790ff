// Capture, graphs and plans (fusion/capture.hpp, fusion/plan.hpp).
#include <algorithm>
#include <initializer_list>
#include <utility>

#include "base/capture_state.hpp"
#include "boundary.hpp"
#include "fusion/plan_cache.hpp"

using namespace mt;
using namespace mt::capi;

namespace {

// The placeholder handles that mt_capture_input gave out in this thread's active capture: the
// engine knows placeholders by storage, which their views share, and only the handles
// themselves are refused by mt_release.
thread_local std::vector<const mt_tensor*> placeholders;

// Checks out-parameters that must be non-null and distinct, each named for the message.
void require_outputs(std::initializer_list<std::pair<int64_t*, const char*>> outs) {
  for (auto i = outs.begin(); i != outs.end(); ++i) {
    require(i->first, i->second);
    for (auto j = outs.begin(); j != i; ++j)
      require_distinct(j->first, j->second, i->first, i->second);
  }
}

// mt_capture_input and mt_capture_input_on (`fn`): the next placeholder, on the device given.
mt_status_t capture_input_on(const char* fn, const int64_t* shape, int32_t ndim, mt_dtype_t dtype,
                             mt_device_type_t device_type, int32_t device_index, mt_tensor** out) {
  return guarded(fn, [&] {
    const Dims dims = dims_arg(shape, ndim, "shape");
    const DType type = dtype_arg(dtype);
    const Device device = make_device(device_type, device_index);
    require(out, "out");
    PendingHandle handle = pending(fusion::capture_input(dims, type, device));
    add_capture_placeholder(handle.get());
    *out = handle.release();
  });
}

}  // namespace

namespace mt::capi {

void add_capture_placeholder(const mt_tensor* handle) { placeholders.push_back(handle); }

void clear_capture_placeholders() noexcept { placeholders.clear(); }

void require_counts(int64_t n_inputs, int64_t n_outputs) {
  for (const auto& [count, name] : {std::pair{n_inputs, "n_inputs"}, {n_outputs, "n_outputs"}})
    if (count < 0) fail(ErrorCode::InvalidArgument, "negative ", name, " ", count);
}

void check_run_counts(const char* what, int64_t n_inputs, int64_t takes, int64_t n_outputs,
                      int64_t gives) {
  require_counts(n_inputs, n_outputs);
  if (n_inputs != takes)
    fail(ErrorCode::InvalidArgument, what, " takes ", takes, " inputs, given ", n_inputs);
  if (n_outputs != gives)
    fail(ErrorCode::InvalidArgument, "n_outputs is ", n_outputs, " but ", what, " has ", gives,
         " outputs");
}

void give_all(mt_tensor** outputs, std::span<const Tensor> results) {
  // Every handle is made before any is stored, so a failure leaves `outputs` untouched.
  std::vector<PendingHandle> handles;
  handles.reserve(results.size());
  for (const Tensor& t : results)
    handles.push_back(pending(t));
  for (size_t i = 0; i < handles.size(); ++i)
    outputs[i] = handles[i].release();
}

bool is_capture_placeholder(const mt_tensor* handle) noexcept {
  if (std::find(placeholders.begin(), placeholders.end(), handle) == placeholders.end())
    return false;
  return fusion::is_capture_input(*handle->object);
}

}  // namespace mt::capi

extern "C" {

mt_status_t mt_capture_begin(void) {
  return guarded("mt_capture_begin", [] {
    fusion::begin_capture();
    placeholders.clear();
  });
}

mt_status_t mt_capture_input(const int64_t* shape, int32_t ndim, mt_dtype_t dtype,
                             mt_tensor** out) {
  return capture_input_on("mt_capture_input", shape, ndim, dtype, MT_DEVICE_CPU, 0, out);
}

mt_status_t mt_capture_input_on(const int64_t* shape, int32_t ndim, mt_dtype_t dtype,
                                mt_device_type_t device_type, int32_t device_index,
                                mt_tensor** out) {
  return capture_input_on("mt_capture_input_on", shape, ndim, dtype, device_type, device_index,
                          out);
}

mt_status_t mt_capture_end(mt_tensor* const* outputs, int64_t count, mt_graph** out) {
  return guarded("mt_capture_end", [&] {
    const std::vector<Tensor> tensors = tensors_arg(outputs, count, "outputs");
    require(out, "out");
    // The capture ends here whether or not end_capture succeeds.
    placeholders.clear();
    *out = make_handle<mt_graph>(fusion::end_capture(tensors));
  });
}

void mt_capture_abandon(void) {
  fusion::abandon_capture();
  placeholders.clear();
}

int32_t mt_capture_active(void) { return capture_active() ? 1 : 0; }

void mt_graph_release(mt_graph* graph) { release_handle(graph, "mt_graph_release", "graph"); }

mt_status_t mt_graph_compile(const mt_graph* graph, mt_plan** out) {
  return guarded("mt_graph_compile", [&] {
    const std::shared_ptr<const fusion::Graph>& g = live(graph, "graph");
    require(out, "out");
    // Through the plan cache: a graph of a known structure reuses its decisions.
    *out = make_handle<mt_plan>(fusion::compile(g));
  });
}

void mt_plan_release(mt_plan* plan) { release_handle(plan, "mt_plan_release", "plan"); }

mt_status_t mt_plan_run(mt_plan* plan, mt_tensor* const* inputs, int64_t n_inputs,
                        mt_tensor** outputs, int64_t n_outputs) {
  return guarded("mt_plan_run", [&] {
    const fusion::Plan& p = *live(plan, "plan");
    // The counts are checked before either array is read: a wrong one would read past it.
    check_run_counts("the plan", n_inputs, static_cast<int64_t>(p.graph().inputs.size()), n_outputs,
                     static_cast<int64_t>(p.graph().outputs.size()));
    const std::vector<Tensor> in = tensors_arg(inputs, n_inputs, "inputs");
    if (n_outputs > 0) require(outputs, "outputs");
    give_all(outputs, p.run(in));
  });
}

int64_t mt_plan_input_count(const mt_plan* plan) {
  return guarded_value("mt_plan_input_count", int64_t{-1}, [&] {
    return static_cast<int64_t>(live(plan, "plan")->graph().inputs.size());
  });
}

int64_t mt_plan_output_count(const mt_plan* plan) {
  return guarded_value("mt_plan_output_count", int64_t{-1}, [&] {
    return static_cast<int64_t>(live(plan, "plan")->graph().outputs.size());
  });
}

mt_status_t mt_plan_stats(const mt_plan* plan, int64_t* ops, int64_t* kernels,
                          int64_t* fused_kernels, int64_t* bytes_avoided, int64_t* bytes_moved) {
  return guarded("mt_plan_stats", [&] {
    const fusion::PlanStats& stats = live(plan, "plan")->stats();
    require_outputs({{ops, "ops"},
                     {kernels, "kernels"},
                     {fused_kernels, "fused_kernels"},
                     {bytes_avoided, "bytes_avoided"},
                     {bytes_moved, "bytes_moved"}});
    *ops = stats.ops;
    *kernels = stats.kernels;
    *fused_kernels = stats.fused_kernels;
    *bytes_avoided = stats.bytes_avoided;
    *bytes_moved = stats.bytes_moved;
  });
}

mt_status_t mt_plan_report(const mt_plan* plan, char** out) {
  return guarded("mt_plan_report", [&] {
    const fusion::Plan& p = *live(plan, "plan");
    require(out, "out");
    *out = malloc_string(p.report());
  });
}

mt_status_t mt_plan_cache_stats(int64_t* entries, int64_t* max_entries, int64_t* hits,
                                int64_t* misses) {
  return guarded("mt_plan_cache_stats", [&] {
    require_outputs(
        {{entries, "entries"}, {max_entries, "max_entries"}, {hits, "hits"}, {misses, "misses"}});
    const fusion::PlanCacheStats stats = fusion::plan_cache_stats();
    *entries = stats.entries;
    *max_entries = stats.capacity;
    *hits = stats.hits;
    *misses = stats.misses;
  });
}

mt_status_t mt_plan_cache_last_miss(char** out) {
  return guarded("mt_plan_cache_last_miss", [&] {
    require(out, "out");
    *out = malloc_string(fusion::plan_cache_stats().last_miss);
  });
}

mt_status_t mt_plan_cache_set_max_entries(int64_t max_entries) {
  return guarded("mt_plan_cache_set_max_entries",
                 [&] { fusion::set_plan_cache_capacity(max_entries); });
}

mt_status_t mt_plan_cache_clear(void) {
  return guarded("mt_plan_cache_clear", fusion::clear_plan_cache);
}

}  // extern "C"
