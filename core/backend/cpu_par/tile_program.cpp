#include "backend/cpu_par/tile_program.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>
#include <span>

namespace mt::cpu_par {
namespace {

bool reads_register(FusedOp kind, int which) {  // which: 0 = a, 1 = b, 2 = c
  switch (kind) {
    case FusedOp::Load:
    case FusedOp::Constant: return false;
    case FusedOp::Zip:
    case FusedOp::MapBackward: return which < 2;
    case FusedOp::ZipBackward: return true;
    default: return which == 0;
  }
}

bool computes(FusedOp kind) {
  return kind == FusedOp::Map || kind == FusedOp::Zip || kind == FusedOp::MapBackward ||
         kind == FusedOp::ZipBackward || kind == FusedOp::Cast;
}

// The registers of the thread's running tile, and one spare (at kFusedMaxRegisters): allocated
// once per thread, L1-sized in use.
char* register_file() {
  struct alignas(64) Registers {
    char bytes[(kFusedMaxRegisters + 1) * kRegisterBytes];
  };
  thread_local const std::unique_ptr<Registers> registers = std::make_unique<Registers>();
  return registers->bytes;
}

}  // namespace

TileProgram::TileProgram(const FusedInstruction* instructions, int count, const StridedView* views,
                         int first_view)
    : table_(kernels()) {
  int slot_of[kTileSlots];
  std::fill(std::begin(slot_of), std::end(slot_of), -1);
  const auto add_slot = [&](int view) {
    if (slot_of[view] < 0) {
      slot_of[view] = slot_count_;
      slot_views_[slot_count_++] = &views[view];
    }
  };
  if (first_view >= 0) add_slot(first_view);
  for (int pass = 0; pass < 2; ++pass)  // stored operands first, then the loaded ones
    for (int i = 0; i < count; ++i)
      if (instructions[i].kind == (pass == 0 ? FusedOp::Store : FusedOp::Load))
        add_slot(instructions[i].operand);
  for (int k = slot_count_; k < kTileSlots; ++k)
    slot_views_[k] = slot_views_[0];
  for (int k = 0; k < slot_count_; ++k)
    itemsize_[k] = itemsize(slot_views_[k]->dtype);

  DType register_dtype[kFusedMaxRegisters] = {};
  int64_t widest = 4;
  for (int i = 0; i < count; ++i) {
    const FusedInstruction& ins = instructions[i];
    Step s{ins.kind, ins.op, ins.operand, ins.dst, ins.a, ins.b, ins.c, ins.dtype, ins.dtype};
    if (reads_register(ins.kind, 0)) s.from = register_dtype[ins.a];
    if (ins.kind == FusedOp::Load || ins.kind == FusedOp::Store) s.slot = slot_of[ins.operand];
    if (ins.kind == FusedOp::Constant) {  // as fill() converts it
      if (ins.dtype == DType::Float32) {
        const float value = static_cast<float>(ins.value);
        std::memcpy(s.constant, &value, sizeof value);
      } else {
        std::memcpy(s.constant, &ins.value, sizeof ins.value);
      }
    }
    widest = std::max({widest, itemsize(s.dtype), itemsize(s.from)});
    if (ins.kind != FusedOp::Store) register_dtype[ins.dst] = ins.dtype;
    steps_[step_count_++] = s;
  }
  tile_ = kRegisterBytes / widest;
  place_values();
  // A Cast that widens a value into its own register would overwrite elements it has still to
  // read: it converts into the spare register, whose result is then copied back.
  for (Step& s : std::span(steps_, step_count_))
    s.via_spare = s.kind == FusedOp::Cast && !s.direct && s.dst == s.a &&
                  itemsize(s.dtype) > itemsize(s.from);
  // A program that keeps no value in the register file (its Loads alias their operands, its
  // values are computed straight into the stored operands) runs each run of the layout in one
  // call, as the eager loops do: tiles would only split the kernels' loops, which costs (the
  // split streams run up to a third slower).
  const auto in_registers = [](const Step& s) {  // run() writes its value to the register file
    return !(s.kind == FusedOp::Store || s.kind == FusedOp::Constant || s.direct ||
             (s.kind == FusedOp::Load && !s.copy));
  };
  if (std::none_of(steps_, steps_ + step_count_, in_registers))
    tile_ = std::numeric_limits<int64_t>::max();
}

// Within a tile the steps run in order over the same elements, so an operand that is both
// loaded and stored (an in-place update: the same view, by the kernel's contract) may be written
// at step w while a Load of it aliases its memory only if every read of the loaded value comes
// at or before w (step w itself reads each element before it writes it). So: a computed value
// is written straight into the operand of its first Store where that operand has no other Store
// and its loads are last read by then; later reads of the value read the operand. A Load is
// copied only where its value is read after the first write of its operand.
void TileProgram::place_values() {
  const int count = step_count_;
  int last_read[kFusedMaxInstructions];    // of the value that step i writes (i where unread)
  int first_store[kFusedMaxInstructions];  // the first Store of that value; -1 where none
  // Slots are operands; two operands may be views of the same memory (by the contract, the
  // same view): `memory[k]` is the first slot with slot k's data.
  int memory[kTileSlots];
  for (int k = 0; k < slot_count_; ++k) {
    memory[k] = 0;
    while (slot_views_[memory[k]]->data != slot_views_[k]->data)
      ++memory[k];
  }
  int stores[kTileSlots] = {};
  for (int i = 0; i < count; ++i) {
    last_read[i] = i;
    first_store[i] = -1;
    if (steps_[i].kind == FusedOp::Store) {
      ++stores[memory[steps_[i].slot]];
      continue;
    }
    const int r = steps_[i].dst;
    for (int j = i + 1; j < count; ++j) {
      const Step& later = steps_[j];
      const int regs[3] = {later.a, later.b, later.c};
      for (int w = 0; w < 3; ++w)
        if (reads_register(later.kind, w) && regs[w] == r) {
          last_read[i] = j;
          if (later.kind == FusedOp::Store && first_store[i] < 0) first_store[i] = j;
        }
      if (later.kind != FusedOp::Store && later.dst == r) break;  // r's value ends here
    }
  }
  int loads_read_until[kTileSlots];  // the last read of any Load of the slot; -1 where none
  std::fill(std::begin(loads_read_until), std::end(loads_read_until), -1);
  for (int i = 0; i < count; ++i)
    if (steps_[i].kind == FusedOp::Load) {
      int& until = loads_read_until[memory[steps_[i].slot]];
      until = std::max(until, last_read[i]);
    }

  int first_write[kTileSlots];
  std::fill(std::begin(first_write), std::end(first_write), count);
  for (int i = 0; i < count; ++i) {
    Step& s = steps_[i];
    if (computes(s.kind) && first_store[i] >= 0) {
      Step& store = steps_[first_store[i]];
      if (stores[memory[store.slot]] == 1 && loads_read_until[memory[store.slot]] <= i) {
        s.direct = true;
        s.slot = store.slot;
        store.done = true;
      }
    }
    if ((s.kind == FusedOp::Store && !s.done) || s.direct)
      first_write[memory[s.slot]] = std::min(first_write[memory[s.slot]], i);
  }
  for (int i = 0; i < count; ++i)
    steps_[i].copy =
        steps_[i].kind == FusedOp::Load && last_read[i] > first_write[memory[steps_[i].slot]];
}

template <class T>
void TileProgram::call(const Step& s, int64_t n, char* out_ptr, int64_t os, char* const* reg_ptr,
                       const int64_t* reg_stride, const char* src, int64_t src_stride) const {
  const ElementwiseKernels<T>& k = [&]() -> const ElementwiseKernels<T>& {
    if constexpr (sizeof(T) == 4)
      return table_.elementwise_f32;
    else
      return table_.elementwise_f64;
  }();
  T* out = reinterpret_cast<T*>(out_ptr);
  const auto reg = [&](int r) { return reinterpret_cast<const T*>(reg_ptr[r]); };
  switch (s.kind) {
    case FusedOp::Map: k.unary[s.op](n, out, os, reg(s.a), reg_stride[s.a]); break;
    case FusedOp::Zip:
      k.binary[s.op](n, out, os, reg(s.a), reg_stride[s.a], reg(s.b), reg_stride[s.b]);
      break;
    case FusedOp::MapBackward:
      k.unary_backward[s.op](n, out, os, reg(s.a), reg_stride[s.a], reg(s.b), reg_stride[s.b]);
      break;
    case FusedOp::ZipBackward:
      k.binary_grad[s.operand][s.op](n, out, os, reg(s.a), reg_stride[s.a], reg(s.b),
                                     reg_stride[s.b], reg(s.c), reg_stride[s.c]);
      break;
    default:  // Load (a copy), Cast and Store: `src` converted (or copied) as copy() does
      if (s.from == DType::Float32)
        k.from_float(n, out, os, reinterpret_cast<const float*>(src), src_stride);
      else
        k.from_double(n, out, os, reinterpret_cast<const double*>(src), src_stride);
      break;
  }
}

void TileProgram::run(int64_t n, char* const* ptr, const int64_t* stride) const {
  char* const registers = register_file();
  // Where each register's value is: its scratch, an operand's memory or a constant.
  char* reg_ptr[kFusedMaxRegisters];
  int64_t reg_stride[kFusedMaxRegisters];
  for (const Step& s : std::span(steps_, step_count_)) {
    char* out = registers + s.dst * kRegisterBytes;
    int64_t os = 1;
    if (s.kind == FusedOp::Store || s.direct) {
      if (s.done) continue;
      out = ptr[s.slot];
      os = stride[s.slot];
    }
    if (s.kind == FusedOp::Load && !s.copy) {
      reg_ptr[s.dst] = ptr[s.slot];
      reg_stride[s.dst] = stride[s.slot];
      continue;
    }
    if (s.kind == FusedOp::Constant) {
      reg_ptr[s.dst] = const_cast<char*>(reinterpret_cast<const char*>(s.constant));
      reg_stride[s.dst] = 0;
      continue;
    }
    // What a conversion reads: a copied Load its operand, a Cast or Store r[a].
    const bool load = s.kind == FusedOp::Load;
    const char* src = load ? ptr[s.slot] : reg_ptr[s.a];
    const int64_t src_stride = load ? stride[s.slot] : reg_stride[s.a];
    char* const into = s.via_spare ? registers + kFusedMaxRegisters * kRegisterBytes : out;
    if (s.dtype == DType::Float32)
      call<float>(s, n, into, os, reg_ptr, reg_stride, src, src_stride);
    else
      call<double>(s, n, into, os, reg_ptr, reg_stride, src, src_stride);
    if (s.via_spare) std::memcpy(out, into, n * itemsize(s.dtype));
    if (s.kind != FusedOp::Store) {
      reg_ptr[s.dst] = out;
      reg_stride[s.dst] = os;
    }
  }
}

// Only the program's slots are walked: a TileLayout has kTileSlots operands, and stepping all
// of them from row to row cost more than a short row's work (a zip over rows of 256 elements
// ran at half the speed of the eager one).
void TileProgram::run_range(const TileLayout& layout, char* const* base, const int64_t* origin,
                            int64_t begin, int64_t end) const {
  int64_t stride[kTileSlots];
  for (int k = 0; k < slot_count_; ++k)
    stride[k] = layout.inner_stride(k);
  for_each_run(
      layout, begin, end,
      [&](const int64_t* at, int64_t n) {
        char* ptr[kTileSlots];
        for (int64_t t = 0; t < n; t += tile_) {
          for (int k = 0; k < slot_count_; ++k)
            ptr[k] = base[k] + (at[k] - origin[k] + t * stride[k]) * itemsize_[k];
          run(std::min(tile_, n - t), ptr, stride);
        }
      },
      slot_count_);
}

}  // namespace mt::cpu_par
