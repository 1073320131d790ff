// Generators, layers, losses, optimizers and the toy datasets.
#include <vector>

#include "boundary.hpp"

using namespace mt;
using namespace mt::capi;

namespace {

// Stores a loss (or any function of two tensors) of `a` and `b` in *out.
template <class Loss>
mt_status_t two_tensor_fn(const char* fn, const mt_tensor* a, const mt_tensor* b, mt_tensor** out,
                          Loss&& loss) {
  return guarded(fn, [&] {
    const Tensor& ta = tensor_of(a, "input");
    const Tensor& tb = tensor_of(b, "target");
    require(out, "out");
    give(out, loss(ta, tb));
  });
}

}  // namespace

extern "C" {

// --- Generators ---

mt_status_t mt_generator_create(uint64_t seed, mt_generator** out) {
  return guarded("mt_generator_create", [&] {
    require(out, "out");
    *out = make_handle<mt_generator>(seed);
  });
}

void mt_generator_release(mt_generator* generator) {
  release_handle(generator, "mt_generator_release", "generator");
}

mt_status_t mt_manual_seed(mt_generator* generator, uint64_t seed) {
  return guarded("mt_manual_seed", [&] { generator_arg(generator).manual_seed(seed); });
}

// --- Linear ---

mt_status_t mt_linear_create(int64_t in_features, int64_t out_features, mt_dtype_t dtype,
                             int32_t bias, mt_generator* generator, mt_linear** out) {
  return guarded("mt_linear_create", [&] {
    require(out, "out");
    *out = make_handle<mt_linear>(in_features, out_features, dtype_arg(dtype),
                                  generator_arg(generator), bias != 0);
  });
}

void mt_linear_release(mt_linear* layer) { release_handle(layer, "mt_linear_release", "layer"); }

mt_status_t mt_linear_forward(const mt_linear* layer, const mt_tensor* x, mt_tensor** out) {
  return guarded("mt_linear_forward", [&] {
    const nn::Linear& l = live(layer, "layer");
    const Tensor& input = tensor_of(x, "x");
    require(out, "out");
    give(out, l.forward(input));
  });
}

mt_status_t mt_linear_weight(const mt_linear* layer, mt_tensor** out) {
  return guarded("mt_linear_weight", [&] {
    const nn::Linear& l = live(layer, "layer");
    give(require(out, "out"), l.weight());
  });
}

mt_status_t mt_linear_bias(const mt_linear* layer, mt_tensor** out) {
  return guarded("mt_linear_bias", [&] {
    const nn::Linear& l = live(layer, "layer");
    give(require(out, "out"), l.bias());
  });
}

// --- Mlp ---

mt_status_t mt_mlp_create(const int64_t* sizes, int32_t count, mt_dtype_t dtype,
                          mt_generator* generator, mt_mlp** out) {
  return guarded("mt_mlp_create", [&] {
    require(out, "out");
    if (count < 2) fail(ErrorCode::InvalidArgument, "an MLP needs at least 2 sizes, not ", count);
    require(sizes, "sizes");
    std::vector<int64_t> layer_sizes(sizes, sizes + count);
    *out = make_handle<mt_mlp>(layer_sizes, dtype_arg(dtype), generator_arg(generator));
  });
}

void mt_mlp_release(mt_mlp* model) { release_handle(model, "mt_mlp_release", "model"); }

mt_status_t mt_mlp_forward(const mt_mlp* model, const mt_tensor* x, mt_tensor** out) {
  return guarded("mt_mlp_forward", [&] {
    const nn::Mlp& m = live(model, "model");
    const Tensor& input = tensor_of(x, "x");
    require(out, "out");
    give(out, m.forward(input));
  });
}

mt_status_t mt_mlp_parameter_count(const mt_mlp* model, int32_t* out) {
  return guarded("mt_mlp_parameter_count", [&] {
    const nn::Mlp& m = live(model, "model");
    *require(out, "out") = static_cast<int32_t>(m.parameters().size());
  });
}

mt_status_t mt_mlp_parameter(const mt_mlp* model, int32_t index, mt_tensor** out) {
  return guarded("mt_mlp_parameter", [&] {
    const nn::Mlp& m = live(model, "model");
    require(out, "out");
    const std::vector<Tensor> params = m.parameters();
    if (index < 0 || index >= static_cast<int32_t>(params.size()))
      fail(ErrorCode::IndexOutOfRange, "parameter index ", index, " is outside [0, ", params.size(),
           ")");
    give(out, params[static_cast<size_t>(index)]);
  });
}

// --- Losses ---

mt_status_t mt_binary_cross_entropy(const mt_tensor* probs, const mt_tensor* target,
                                    mt_reduction_t reduction, mt_tensor** out) {
  return two_tensor_fn("mt_binary_cross_entropy", probs, target, out,
                       [&](const Tensor& p, const Tensor& y) {
                         return nn::binary_cross_entropy(p, y, reduction_arg(reduction));
                       });
}

mt_status_t mt_mse_loss(const mt_tensor* input, const mt_tensor* target, mt_reduction_t reduction,
                        mt_tensor** out) {
  return two_tensor_fn("mt_mse_loss", input, target, out, [&](const Tensor& x, const Tensor& y) {
    return nn::mse_loss(x, y, reduction_arg(reduction));
  });
}

mt_status_t mt_cross_entropy(const mt_tensor* logits, const mt_tensor* target,
                             mt_reduction_t reduction, mt_tensor** out) {
  return two_tensor_fn("mt_cross_entropy", logits, target, out,
                       [&](const Tensor& x, const Tensor& y) {
                         return nn::cross_entropy(x, y, reduction_arg(reduction));
                       });
}

mt_status_t mt_logsumexp(const mt_tensor* x, int64_t dim, int32_t keepdim, mt_tensor** out) {
  return guarded("mt_logsumexp", [&] {
    const Tensor& t = tensor_of(x, "x");
    require(out, "out");
    give(out, nn::logsumexp(t, dim, keepdim != 0));
  });
}

mt_status_t mt_log_softmax(const mt_tensor* logits, int64_t dim, mt_tensor** out) {
  return guarded("mt_log_softmax", [&] {
    const Tensor& t = tensor_of(logits, "logits");
    require(out, "out");
    give(out, nn::log_softmax(t, dim));
  });
}

mt_status_t mt_softmax(const mt_tensor* logits, int64_t dim, mt_tensor** out) {
  return guarded("mt_softmax", [&] {
    const Tensor& t = tensor_of(logits, "logits");
    require(out, "out");
    give(out, nn::softmax(t, dim));
  });
}

// --- Optimizers ---

mt_status_t mt_sgd_create(mt_tensor* const* params, int32_t count, double lr, double momentum,
                          double weight_decay, int32_t nesterov, mt_optimizer** out) {
  return guarded("mt_sgd_create", [&] {
    require(out, "out");
    auto sgd = std::make_unique<nn::SGD>(tensors_arg(params, count), lr, momentum, weight_decay,
                                         nesterov != 0);
    *out = make_handle<mt_optimizer>(std::move(sgd));
  });
}

mt_status_t mt_adam_create(mt_tensor* const* params, int32_t count, double lr, double beta1,
                           double beta2, double eps, double weight_decay, mt_optimizer** out) {
  return guarded("mt_adam_create", [&] {
    require(out, "out");
    auto adam =
        std::make_unique<nn::Adam>(tensors_arg(params, count), lr, beta1, beta2, eps, weight_decay);
    *out = make_handle<mt_optimizer>(std::move(adam));
  });
}

void mt_optimizer_release(mt_optimizer* optimizer) {
  release_handle(optimizer, "mt_optimizer_release", "optimizer");
}

mt_status_t mt_optimizer_step(mt_optimizer* optimizer) {
  return guarded("mt_optimizer_step", [&] { live(optimizer, "optimizer")->step(); });
}

mt_status_t mt_optimizer_zero_grad(mt_optimizer* optimizer) {
  return guarded("mt_optimizer_zero_grad", [&] { live(optimizer, "optimizer")->zero_grad(); });
}

// --- Datasets ---

mt_status_t mt_dataset(mt_dataset_kind_t kind, int64_t n, uint64_t seed, mt_dtype_t dtype,
                       mt_tensor** x, mt_tensor** y) {
  return guarded("mt_dataset", [&] {
    require(x, "x");
    require(y, "y");
    require_distinct(x, "x", y, "y");
    Dataset data = make_dataset(static_cast<DatasetKind>(kind), n, seed, dtype_arg(dtype));
    // Both handles exist before either is stored, so a failure leaves *x and *y untouched.
    PendingHandle hx = pending(data.x);
    PendingHandle hy = pending(data.y);
    *x = hx.release();
    *y = hy.release();
  });
}

const char* mt_dataset_name(mt_dataset_kind_t kind) {
  if (kind < 0 || kind >= kDatasetKindCount) return nullptr;
  return dataset_name(static_cast<DatasetKind>(kind));
}

mt_status_t mt_dataset_kind(const char* name, mt_dataset_kind_t* out) {
  return guarded("mt_dataset_kind", [&] {
    require(name, "name");
    require(out, "out");
    const auto kind = parse_dataset_kind(name);
    if (!kind) {
      std::string known;
      for (int k = 0; k < kDatasetKindCount; ++k)
        known += cat(k ? ", " : "", dataset_name(static_cast<DatasetKind>(k)));
      fail(ErrorCode::InvalidArgument, "unknown dataset '", name, "' (known: ", known, ")");
    }
    *out = static_cast<mt_dataset_kind_t>(*kind);
  });
}

}  // extern "C"
