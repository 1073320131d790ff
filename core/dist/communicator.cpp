#include "dist/communicator.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <mutex>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "autograd/record.hpp"
#include "base/fnv1a.hpp"
#include "base/index.hpp"
#include "dist/launcher.hpp"
#include "dist/loader.hpp"
#include "dist/rank_order_fold.hpp"
#include "ops/tensor_ops.hpp"

namespace mt::dist {

// The process's place in the world, joined once.
struct World {
  const mt_dist_plugin* host = nullptr;    // null: a world of one
  const mt_dist_plugin* device = nullptr;  // the NCCL engine, when chosen
  int32_t rank = 0, size = 1, local_rank = 0;
  double timeout = kDefaultTimeout;  // seconds a collective waits for every rank
};

namespace {

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

// What one rank called: all ranks must agree on it. No padding, so its bytes are its value.
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
static_assert(sizeof(Descriptor) == (5 + kMaxRank) * sizeof(int64_t), "no padding");

// What every rank sends before a collective without the debug mode: enough to tell that the
// calls differ, and on which collective each rank is.
struct Token {
  int64_t sequence = 0;
  uint64_t fingerprint = 0;
  bool operator==(const Token&) const = default;
};

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

World join() {
  World world;
  if (launcher_variable().empty()) return world;
  world.timeout = collective_timeout();
  message_limit();  // a bad value fails here, on every rank, rather than inside a collective
  const std::string engine = engine_choice();
  const mt_dist_plugin& host = engine_plugin("mpi");
  if (host.init(nullptr, &world.rank, &world.size, &world.local_rank) != 0)
    fail(ErrorCode::CollectiveFailed, "joining the world (", launcher_variable(),
         " is set): ", host.last_error());
  world.host = &host;
  if (engine == "mpi") return world;
  // NCCL learns its place from MPI, and rank 0's unique id travels by MPI's broadcast, which
  // has no timeout: first every rank says, within the timeout, whether it could load the plugin.
  const mt_dist_plugin* loaded = nullptr;
  std::string why;
  try {
    loaded = &engine_plugin(engine.c_str());
  } catch (const Error& e) {
    why = e.what();
  }
  const uint8_t mine = loaded != nullptr;
  std::vector<uint8_t> all(world.size, 0), arrived(world.size, 0);
  if (host.exchange(&mine, 1, all.data(), 1, world.timeout, arrived.data()) != 0)
    fail(ErrorCode::CollectiveFailed, "starting the ", engine, " engine: ", host.last_error(),
         " waiting for every rank to load it: ", ranks_where(arrived, 1), " did, ",
         ranks_where(arrived, 0), " did not");
  if (loaded == nullptr) fail(ErrorCode::Unsupported, why);
  if (std::find(all.begin(), all.end(), 0) != all.end())
    fail(ErrorCode::Unsupported, "starting the ", engine, " engine: ", ranks_where(all, 0),
         " could not load its plugin");
  const mt_dist_plugin& device = *loaded;
  const mt_dist_bootstrap bootstrap = {world.rank,    world.size,     world.local_rank,
                                       world.timeout, host.broadcast, host.last_error};
  int32_t rank = 0, size = 0, local_rank = 0;
  if (const int32_t status = device.init(&bootstrap, &rank, &size, &local_rank))
    fail(status == 7 ? ErrorCode::Unsupported : ErrorCode::CollectiveFailed, "starting the ",
         engine, " engine on rank ", world.rank, ": ", device.last_error());
  world.device = &device;
  return world;
}

// State shared by every communicator of the process (they share one world).
std::mutex collective_mutex;  // one collective at a time, in one order
int64_t entered = 0;          // collectives entered so far
std::string broken;           // why the world is unusable; "" while it is not

// Below this many bytes per rank the ordered all-reduce gathers every rank's whole tensor and
// folds it on every rank: one collective instead of two, at size x the memory; a CPU tensor's
// bytes even travel with the descriptors, so that it takes one round of messages in all. Both
// fold each element in rank order, so both give the same bits.
constexpr int64_t kGatherAllBelow = 64 << 10;

// Holds the collective lock for one collective of the engine world, after checking that every
// rank called the same one; fails, and breaks the world, otherwise. Every rank sends every other
// its descriptor (a Token, or with the debug mode the whole Descriptor) and `payload_bytes`
// (less than kGatherAllBelow) of `payload` after it; payload(r) is then rank r's.
class Collective {
 public:
  Collective(const World& world, double timeout, Kind kind, const Tensor* t, int64_t parameter,
             const void* payload = nullptr, int64_t payload_bytes = 0)
      : world_(world), timeout_(timeout), lock_(collective_mutex) {
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
    if (debug_mode()) {
      exchange(mine_, payload, payload_bytes);
      check_descriptors();
    } else {
      exchange(Token{mine_.sequence, fnv1a(&mine_, sizeof mine_)}, payload, payload_bytes);
      check_tokens();
    }
  }

  const char* payload(int32_t rank) const { return slots_->data() + rank * slot_ + header_; }
  int64_t payload_stride() const { return slot_; }

  // Throws CollectiveFailed, breaking the world, when a plugin call returned `status` != 0.
  void call(int32_t status, const mt_dist_plugin& engine, const char* what) const {
    if (status == 0) return;
    break_world(ErrorCode::CollectiveFailed,
                cat(describe(mine_), ": ", what, ": ", engine.last_error()));
  }

 private:
  // Every rank's header and payload into slots_ (rank r's at r * slot_). Every rank receives up
  // to the largest payload, so that ranks whose calls differ still exchange, and fail as a
  // mismatch rather than as MPI's truncated message.
  template <class Header> void exchange(const Header& header, const void* payload, int64_t bytes) {
    header_ = sizeof(Header);
    slot_ = header_ + kGatherAllBelow;
    thread_local std::vector<char> slots;  // reused: the exchange's buffers, then the send
    slots.resize((world_.size + 1) * slot_);
    slots_ = &slots;
    char* const send = slots.data() + world_.size * slot_;
    std::memcpy(send, &header, header_);
    if (bytes > 0) std::memcpy(send + header_, payload, bytes);
    std::vector<uint8_t> arrived(world_.size, 0);
    if (world_.host->exchange(send, header_ + bytes, slots.data(), slot_, timeout_,
                              arrived.data()) != 0)
      break_world(ErrorCode::CollectiveFailed,
                  cat(describe(mine_), ": ", world_.host->last_error(),
                      " waiting for every rank to enter it: ", ranks_where(arrived, 1),
                      " entered it, ", ranks_where(arrived, 0), " did not"));
  }

  template <class Header> Header header(int32_t rank) const {
    Header h;
    std::memcpy(&h, slots_->data() + rank * slot_, sizeof h);
    return h;
  }

  void check_tokens() const {
    const Token first = header<Token>(0);
    for (int32_t r = 1; r < world_.size; ++r) {
      const Token theirs = header<Token>(r);
      if (theirs == first) continue;
      break_world(
          ErrorCode::CollectiveMismatch,
          cat("ranks called different collectives: rank ", r, "'s call #", theirs.sequence,
              " differs from rank 0's call #", first.sequence, "; this rank (", world_.rank,
              ") called ", describe(mine_), " (MINITENSOR_DIST_DEBUG=1 names every rank's call)"));
    }
  }

  void check_descriptors() const {
    const Descriptor first = header<Descriptor>(0);
    for (int32_t r = 1; r < world_.size; ++r) {
      const Descriptor theirs = header<Descriptor>(r);
      if (theirs == first) continue;
      break_world(ErrorCode::CollectiveMismatch,
                  cat("ranks called different collectives: rank 0 ", describe(first), ", rank ", r,
                      " ", describe(theirs)));
    }
  }

  [[noreturn]] static void break_world(ErrorCode code, const std::string& why) {
    broken = why;
    fail(code, why);
  }

  const World& world_;
  double timeout_;
  std::lock_guard<std::mutex> lock_;
  Descriptor mine_;
  const std::vector<char>* slots_ = nullptr;  // the exchanging thread's
  int64_t header_ = 0, slot_ = 0;
};

// The engine that moves t's data: NCCL for CUDA tensors when chosen, MPI for CPU tensors.
const mt_dist_plugin& data_engine(const World& world, const Tensor& t, const char* what) {
  if (t.device().is_cpu()) return *world.host;
  if (world.device == nullptr)
    fail(ErrorCode::Unsupported, what, ": a tensor on ", t.device(),
         " needs the NCCL engine (MINITENSOR_DIST_ENGINE=nccl); the MPI engine takes CPU tensors");
  return *world.device;
}

// An in-place collective's checks: t may be written (no self-overlap, no hidden gradient).
void check_in_place(const Tensor& t, const char* what) {
  t.check_writable(what);
  autograd::check_out_no_grad(what, {&t});
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

// Calls body(begin, count) over consecutive pieces of `numel` elements of `itemsize` bytes, each
// at most the engine's (or MINITENSOR_DIST_MAX_MESSAGE_BYTES's) limit.
template <class Body>
void in_pieces(const mt_dist_plugin& engine, int64_t numel, int64_t itemsize, Body&& body) {
  const int64_t limit = std::min(engine.max_bytes, message_limit());
  const int64_t piece = std::max<int64_t>(1, limit / itemsize);
  for (int64_t begin = 0; begin < numel; begin += piece)
    body(begin, std::min(piece, numel - begin));
}

}  // namespace

Communicator::Communicator(const World& world) : world_(&world), timeout_(world.timeout) {}

Communicator Communicator::from_environment() {
  static const World world = join();  // once; a failed join is retried by the next call
  return Communicator(world);
}

int32_t Communicator::rank() const { return world_->rank; }
int32_t Communicator::size() const { return world_->size; }
int32_t Communicator::local_rank() const { return world_->local_rank; }
bool Communicator::alone() const { return world_->host == nullptr; }

const char* Communicator::engine() const {
  if (world_->device != nullptr) return world_->device->name;
  return alone() ? "none" : world_->host->name;
}

void Communicator::set_timeout(double seconds) {
  if (!std::isfinite(seconds) || seconds <= 0)
    fail(ErrorCode::InvalidArgument, "timeout ", seconds, " s is not a positive number of seconds");
  timeout_ = seconds;
}

namespace {

// The ordered all-reduce of `count` elements from `begin` of the contiguous `data`. Large
// pieces: rank r folds every rank's slice r in rank order (reduce-scatter), then every rank
// gathers the folded slices, which keeps the memory at one piece.
void ordered_piece(const mt_dist_plugin& engine, const Collective& collective, int32_t rank,
                   int32_t size, ReduceOp op, const Tensor& data, int64_t begin, int64_t count,
                   double timeout) {
  const int64_t item = itemsize(data.dtype());
  char* const piece = static_cast<char*>(data.raw_data()) + begin * item;
  // Elements [start, start + length) of the piece, as a tensor (data itself when that is all).
  const auto part = [&](int64_t start, int64_t length) {
    if (begin + start == 0 && length == data.numel()) return data;
    return data.view(Dims{data.numel()}).narrow(0, begin + start, length);
  };
  if (count * item < kGatherAllBelow) {
    const Tensor gathered = Tensor::empty(Dims{size, count}, data.dtype(), data.device());
    collective.call(engine.all_gather(piece, gathered.raw_data(), count * item, timeout), engine,
                    "all-gather of the contributions");
    return fold_in_rank_order(op, gathered, part(0, count));
  }
  std::vector<int64_t> offsets(size + 1);
  for (int32_t r = 0; r <= size; ++r)
    offsets[r] = count * r / size * item;  // slice r: elements [count r / size, count (r+1) / size)
  const int64_t mine = (offsets[rank + 1] - offsets[rank]) / item;
  const Tensor slices = Tensor::empty(Dims{size, mine}, data.dtype(), data.device());
  collective.call(engine.scatter_slices(piece, offsets.data(), slices.raw_data(), timeout), engine,
                  "scatter of the slices");
  fold_in_rank_order(op, slices, part(offsets[rank] / item, mine));
  collective.call(engine.gather_slices(piece + offsets[rank], offsets.data(), piece, timeout),
                  engine, "gather of the folded slices");
}

}  // namespace

void Communicator::all_reduce(const Tensor& t, ReduceOp op, AllReduceMode mode) const {
  if (op != ReduceOp::Sum && op != ReduceOp::Prod && op != ReduceOp::Max && op != ReduceOp::Min)
    fail(ErrorCode::InvalidArgument, "all_reduce: unknown reduce op ", static_cast<int32_t>(op));
  if (mode != AllReduceMode::Ordered && mode != AllReduceMode::Engine)
    fail(ErrorCode::InvalidArgument, "all_reduce: unknown mode ", static_cast<int32_t>(mode));
  check_in_place(t, "all_reduce");
  if (alone()) return;
  const mt_dist_plugin& engine = data_engine(*world_, t, "all_reduce");
  const int64_t parameter = static_cast<int64_t>(op) + 16 * static_cast<int64_t>(mode);
  const int64_t item = itemsize(t.dtype());
  on_contiguous(t, true, [&](const Tensor& data) {
    if (mode == AllReduceMode::Ordered && engine.memory == MT_DIST_MEMORY_HOST &&
        nbytes(data) < kGatherAllBelow) {
      // Every rank's tensor came with its descriptor.
      const Collective collective(*world_, timeout_, Kind::AllReduce, &t, parameter,
                                  data.raw_data(), nbytes(data));
      return fold_rows_in_rank_order(op, data.dtype(), collective.payload(0),
                                     collective.payload_stride(), size(), data.numel(),
                                     data.raw_data());
    }
    const Collective collective(*world_, timeout_, Kind::AllReduce, &t, parameter);
    in_pieces(engine, data.numel(), item, [&](int64_t begin, int64_t count) {
      if (mode == AllReduceMode::Ordered)
        return ordered_piece(engine, collective, rank(), size(), op, data, begin, count, timeout_);
      collective.call(
          engine.all_reduce(static_cast<char*>(data.raw_data()) + begin * item, count,
                            static_cast<int32_t>(data.dtype()), static_cast<int32_t>(op), timeout_),
          engine, "all-reduce");
    });
  });
}

void Communicator::broadcast(const Tensor& t, int32_t root) const {
  if (root < 0 || root >= size())
    fail(ErrorCode::InvalidArgument, "broadcast: root ", root, " is not a rank of a world of ",
         size());
  check_in_place(t, "broadcast");
  if (alone()) return;
  const mt_dist_plugin& engine = data_engine(*world_, t, "broadcast");
  const Collective collective(*world_, timeout_, Kind::Broadcast, &t, root);
  on_contiguous(t, rank() != root, [&](const Tensor& data) {
    auto* bytes = static_cast<char*>(data.raw_data());
    in_pieces(engine, nbytes(data), 1, [&](int64_t begin, int64_t count) {
      collective.call(engine.broadcast(bytes + begin, count, root, timeout_), engine, "broadcast");
    });
  });
}

Tensor Communicator::all_gather(const Tensor& t) const {
  if (t.dim() == kMaxRank)
    fail(ErrorCode::InvalidArgument, "all_gather: a tensor of rank ", kMaxRank,
         " has no room for the rank dim (at most ", kMaxRank, " dims)");
  const Tensor source = t.detach();  // the result is data, outside autograd
  Dims shape = t.shape();
  shape.insert(0, size());
  if (alone()) return source.clone().view(shape);
  const mt_dist_plugin& engine = data_engine(*world_, t, "all_gather");
  const Tensor gathered = Tensor::empty(shape, t.dtype(), t.device());
  const Collective collective(*world_, timeout_, Kind::AllGather, &source, 0);
  on_contiguous(source, false, [&](const Tensor& data) {
    const int64_t numel = data.numel(), item = itemsize(data.dtype());
    const Tensor rows = gathered.view(Dims{size(), numel});
    in_pieces(engine, numel, item, [&](int64_t begin, int64_t count) {
      // One piece is the whole tensor; otherwise piece k of every rank lands in a buffer first.
      const bool whole = count == numel;
      const Tensor into = whole ? rows : Tensor::empty(Dims{size(), count}, t.dtype(), t.device());
      collective.call(engine.all_gather(static_cast<const char*>(data.raw_data()) + begin * item,
                                        into.raw_data(), count * item, timeout_),
                      engine, "all-gather");
      if (!whole) map_out(UnaryOp::Id, into, rows.narrow(1, begin, count));
    });
  });
  return gathered;
}

void Communicator::barrier() const {
  if (alone()) return;
  // The exchange before every collective is one: every rank has entered once it completes.
  const Collective collective(*world_, timeout_, Kind::Barrier, nullptr, 0);
}

}  // namespace mt::dist
