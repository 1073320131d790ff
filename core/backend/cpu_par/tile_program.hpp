#pragma once
// The interpreter of fused programs (backend/fused_kernel.hpp) in the parallel backend: an
// element-wise instruction list run over tiles of up to tile() elements, each instruction one
// call of the active ISA's kernels (kernels.hpp) on whole registers. Registers live in
// per-thread scratch, kRegisterBytes each, so that a program's temporaries stay in L1. No copy
// where a kernel can take (pointer, stride) itself: a Load aliases its operand's memory and a
// stored value is computed straight into the stored operand (and read from there), wherever the
// order of the reads and writes of an operand updated in place allows it.
#include <cstdint>

#include "backend/cpu_par/kernels.hpp"
#include "backend/fused_kernel.hpp"
#include "base/strided_layout.hpp"

namespace mt::cpu_par {

// A program's operands: a fused kernel's plus one that the executor adds (a reduction's
// prologue result or its folded outputs), at index kFusedMaxOperands.
inline constexpr int kTileSlots = kFusedMaxOperands + 1;
inline constexpr int64_t kRegisterBytes = 4096;

using TileLayout = StridedLayout<kTileSlots>;

class TileProgram {
 public:
  // `instructions` (no Reduce) name operands of `views` (kTileSlots of them). The operands they
  // use become slots; `first_view` (>= 0) is made slot 0, else the first stored operand is,
  // since slot 0 orders the layout's dims.
  TileProgram(const FusedInstruction* instructions, int count, const StridedView* views,
              int first_view = -1);

  int slot_count() const { return slot_count_; }
  // The slots' views, padded with slot 0's to kTileSlots (for make_layout).
  const StridedView* const (&slot_views() const)[kTileSlots] { return slot_views_; }
  // Elements per tile: one register's bytes over the widest dtype used; unbounded where no
  // value is kept in a register (a run of the layout is then one tile).
  int64_t tile() const { return tile_; }

  // Runs the program on n <= tile() elements: element i of slot k is at
  // ptr[k] + i * stride[k] elements.
  void run(int64_t n, char* const* ptr, const int64_t* stride) const;

  // Runs the program over the elements [begin, end) of `layout` (over slot_views()), in tiles;
  // slot k's element at layout offset o is at base[k] + (o - origin[k]) elements.
  void run_range(const TileLayout& layout, char* const* base, const int64_t* origin, int64_t begin,
                 int64_t end) const;

 private:
  struct Step {  // one instruction, as run()
    FusedOp kind;
    int op, operand;  // operand: ZipBackward's grad
    int dst, a, b, c;
    DType dtype, from;       // from: r[a]'s dtype (Cast, Store)
    int slot = -1;           // Load / Store: the operand's slot; a direct write: the stored slot
    bool direct = false;     // computed straight into `slot` (which a Store of it names)
    bool done = false;       // a Store that a direct write already did
    bool copy = false;       // a Load of an operand that is also stored: copied, not aliased
    bool via_spare = false;  // a Cast widening its own register: through the spare register
    alignas(8) unsigned char constant[8] = {};
  };
  // One step's kernel call into `out`; a conversion (copied Load, Cast, Store) reads `src`.
  template <class T>
  void call(const Step& s, int64_t n, char* out, int64_t out_stride, char* const* reg_ptr,
            const int64_t* reg_stride, const char* src, int64_t src_stride) const;
  void place_values();

  const KernelTable& table_;
  Step steps_[kFusedMaxInstructions];
  int step_count_ = 0;
  int slot_count_ = 0;
  const StridedView* slot_views_[kTileSlots] = {};
  int64_t itemsize_[kTileSlots] = {};
  int64_t tile_ = 0;
};

}  // namespace mt::cpu_par
