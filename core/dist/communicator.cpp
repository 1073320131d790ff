#include "dist/communicator.hpp"

#include <array>
#include <mutex>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "autograd/record.hpp"
#include "base/index.hpp"
#include "dist/launcher.hpp"
#include "dist/loader.hpp"
#include "dist/rank_order_fold.hpp"
#include "ops/tensor_ops.hpp"

namespace mt::dist {
namespace {

// The process's place in the world, joined once.
struct World {
  const mt_dist_plugin* plugin = nullptr;
  int32_t rank = 0, size = 1, local_rank = 0;
  double timeout = 0;  // seconds a collective waits for every rank
};

World join() {
  World world;
  if (launcher_variable().empty()) return world;
  world.timeout = collective_timeout();
  const mt_dist_plugin& plugin = mpi_plugin();
  if (plugin.init(&world.rank, &world.size, &world.local_rank) != 0)
    fail(ErrorCode::CollectiveFailed, "joining the world (", launcher_variable(),
         " is set): ", plugin.last_error());
  world.plugin = &plugin;
  return world;
}

enum class Kind : int64_t { AllReduce, Broadcast, AllGather, Barrier };
const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::AllReduce: return "all_reduce";
    case Kind::Broadcast: return "broadcast";
    case Kind::AllGather: return "all_gather";
    case Kind::Barrier: return "barrier";
  }
  return "?";
}

// What one rank called, exchanged before every collective: all ranks must agree on it.
struct Descriptor {
  int64_t sequence = 0;  // collectives this process has entered before
  Kind kind = Kind::Barrier;
  int64_t dtype = 0;
  int64_t parameter = 0;  // all_reduce: op + 16 * mode; broadcast: root
  int64_t ndim = 0;
  std::array<int64_t, kMaxRank> shape{};

  bool operator==(const Descriptor&) const = default;
};
static_assert(std::is_trivially_copyable_v<Descriptor>, "exchanged as bytes");

std::string describe(const Descriptor& d) {
  std::string text = cat(kind_name(d.kind), " #", d.sequence);
  if (d.kind == Kind::Barrier) return text;
  const Dims shape(std::span<const int64_t>(d.shape.data(), d.ndim));
  const auto dtype = static_cast<DType>(d.dtype);
  text += cat(" of a ", dtype, " tensor of shape ", shape, " (",
              checked_numel(shape) * itemsize(dtype), " bytes)");
  if (d.kind == Kind::AllReduce)
    text += cat(", op ", op_name(static_cast<ReduceOp>(d.parameter % 16)),
                d.parameter / 16 ? ", engine mode" : ", ordered mode");
  if (d.kind == Kind::Broadcast) text += cat(", root ", d.parameter);
  return text;
}

// "ranks 0, 2" (or "rank 1", "no rank"): the ranks r with flags[r] == value.
std::string ranks_where(const std::vector<uint8_t>& flags, uint8_t value) {
  std::string list;
  int count = 0;
  for (size_t r = 0; r < flags.size(); ++r)
    if (flags[r] == value) list += cat(count++ ? ", " : " ", r);
  return count == 0 ? "no rank" : cat(count == 1 ? "rank" : "ranks", list);
}

// State shared by every communicator of the process (they share one world).
std::mutex collective_mutex;  // one collective at a time, in one order
int64_t entered = 0;          // collectives entered so far
std::string broken;           // why the world is unusable; "" while it is not

// Holds the collective lock for one collective of the engine world, after checking that every
// rank called the same one; fails, and breaks the world, otherwise.
class Collective {
 public:
  Collective(const mt_dist_plugin& plugin, int32_t size, double timeout, Kind kind, const Tensor* t,
             int64_t parameter)
      : plugin_(plugin), lock_(collective_mutex) {
    if (!broken.empty())
      fail(ErrorCode::CollectiveFailed,
           "the communicator is unusable after an earlier failure: ", broken);
    mine_.sequence = entered++;
    mine_.kind = kind;
    mine_.parameter = parameter;
    if (t != nullptr) {
      mine_.dtype = static_cast<int64_t>(t->dtype());
      mine_.ndim = t->dim();
      for (int d = 0; d < t->dim(); ++d)
        mine_.shape[d] = t->shape()[d];
    }
    std::vector<Descriptor> all(size);
    std::vector<uint8_t> arrived(size, 0);
    if (plugin.exchange(&mine_, all.data(), sizeof(Descriptor), timeout, arrived.data()) != 0) {
      broken = cat(describe(mine_), ": ", plugin_.last_error(), " waiting for every rank to enter ",
                   "it: ", ranks_where(arrived, 1), " entered it, ", ranks_where(arrived, 0),
                   " did not");
      fail(ErrorCode::CollectiveFailed, broken);
    }
    for (int32_t r = 0; r < size; ++r) {
      if (all[r] == all[0]) continue;
      broken = cat("ranks called different collectives: rank 0 ", describe(all[0]), ", rank ", r,
                   " ", describe(all[r]));
      fail(ErrorCode::CollectiveMismatch, broken);
    }
  }

  // Throws CollectiveFailed, breaking the world, when a plugin call returned `status` != 0.
  void call(int32_t status, const char* what) const {
    if (status == 0) return;
    broken = cat(describe(mine_), ": ", what, ": ", plugin_.last_error());
    fail(ErrorCode::CollectiveFailed, broken);
  }

 private:
  const mt_dist_plugin& plugin_;
  std::lock_guard<std::mutex> lock_;
  Descriptor mine_;
};

void check_cpu(const Tensor& t, const char* what) {
  if (t.device() != Device::cpu())
    fail(ErrorCode::Unsupported, what, ": the MPI engine takes CPU tensors, not ", t.device());
}

// An in-place collective's checks: t may be written (no self-overlap, no hidden gradient).
void check_in_place(const Tensor& t, const char* what) {
  t.check_writable(what);
  autograd::check_out_no_grad(what, {&t});
  check_cpu(t, what);
}

// Runs `body` on a contiguous buffer holding t's elements, then writes it back into t when t
// is not contiguous itself and `write_back` is set.
template <class Body> void on_contiguous(const Tensor& t, bool write_back, Body&& body) {
  if (t.is_contiguous()) return body(t);
  const Tensor buffer = t.contiguous();
  body(buffer);
  if (write_back) map_out(UnaryOp::Id, buffer, t);
}

int64_t nbytes(const Tensor& t) { return t.numel() * itemsize(t.dtype()); }

}  // namespace

Communicator Communicator::from_environment() {
  static const World world = join();  // once; a failed join is retried by the next call
  Communicator communicator;
  communicator.plugin_ = world.plugin;
  communicator.rank_ = world.rank;
  communicator.size_ = world.size;
  communicator.local_rank_ = world.local_rank;
  communicator.timeout_ = world.timeout;
  return communicator;
}

const char* Communicator::engine() const { return plugin_ ? plugin_->name : "none"; }

void Communicator::all_reduce(const Tensor& t, ReduceOp op, AllReduceMode mode) const {
  if (op != ReduceOp::Sum && op != ReduceOp::Prod && op != ReduceOp::Max && op != ReduceOp::Min)
    fail(ErrorCode::InvalidArgument, "all_reduce: unknown reduce op ", static_cast<int32_t>(op));
  if (mode != AllReduceMode::Ordered && mode != AllReduceMode::Engine)
    fail(ErrorCode::InvalidArgument, "all_reduce: unknown mode ", static_cast<int32_t>(mode));
  check_in_place(t, "all_reduce");
  if (alone()) return;
  const Collective collective(*plugin_, size_, timeout_, Kind::AllReduce, &t,
                              static_cast<int64_t>(op) + 16 * static_cast<int64_t>(mode));
  on_contiguous(t, true, [&](const Tensor& data) {
    if (mode == AllReduceMode::Engine) {
      collective.call(
          plugin_->all_reduce(data.raw_data(), data.numel(), static_cast<int32_t>(data.dtype()),
                              static_cast<int32_t>(op), timeout_),
          "all-reduce");
      return;
    }
    const Tensor gathered = Tensor::empty(Dims{size_, data.numel()}, data.dtype());
    collective.call(
        plugin_->all_gather(data.raw_data(), gathered.raw_data(), nbytes(data), timeout_),
        "all-gather of the contributions");
    fold_in_rank_order(op, data.dtype(), gathered.raw_data(), size_, data.numel(), data.raw_data());
  });
}

void Communicator::broadcast(const Tensor& t, int32_t root) const {
  if (root < 0 || root >= size_)
    fail(ErrorCode::InvalidArgument, "broadcast: root ", root, " is not a rank of a world of ",
         size_);
  check_in_place(t, "broadcast");
  if (alone()) return;
  const Collective collective(*plugin_, size_, timeout_, Kind::Broadcast, &t, root);
  on_contiguous(t, rank_ != root, [&](const Tensor& data) {
    collective.call(plugin_->broadcast(data.raw_data(), nbytes(data), root, timeout_), "broadcast");
  });
}

Tensor Communicator::all_gather(const Tensor& t) const {
  check_cpu(t, "all_gather");
  if (t.dim() == kMaxRank)
    fail(ErrorCode::InvalidArgument, "all_gather: a tensor of rank ", kMaxRank,
         " has no room for the rank dim (at most ", kMaxRank, " dims)");
  const Tensor source = t.detach();  // the result is data, outside autograd
  Dims shape = t.shape();
  shape.insert(0, size_);
  if (alone()) return source.clone().view(shape);
  const Tensor gathered = Tensor::empty(shape, t.dtype());
  const Collective collective(*plugin_, size_, timeout_, Kind::AllGather, &source, 0);
  on_contiguous(source, false, [&](const Tensor& data) {
    collective.call(
        plugin_->all_gather(data.raw_data(), gathered.raw_data(), nbytes(data), timeout_),
        "all-gather");
  });
  return gathered;
}

void Communicator::barrier() const {
  if (alone()) return;
  // The descriptor exchange is one: every rank has entered once it completes.
  const Collective collective(*plugin_, size_, timeout_, Kind::Barrier, nullptr, 0);
}

}  // namespace mt::dist
