#pragma once
// Handle slots: the memory behind every handle the C API gives out (mt_tensor, mt_generator,
// mt_linear, mt_mlp, mt_optimizer, mt_communicator, mt_sampler, mt_data_parallel, mt_graph,
// mt_plan, mt_function).
//
// A slot is never given back to the system, only reused, so the boundary can always read a
// handle's tag, also after its final release: using a released handle, or releasing it twice,
// is then an error with a message instead of a crash or a corrupted heap. A released slot is
// reused only after kQuarantine later releases on the same thread (or once that thread has
// exited, when its lists join the shared one), so a stale handle is caught for at least that
// long; after that it may name a new handle (the limit of handles that are plain pointers, which
// must stay so for the C ABI).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace mt::capi {

// The tag of a live handle is its kind; a released one holds kReleasedTag. Distinct values per
// kind also catch a handle of one kind passed (through a cast) as another.
enum class HandleKind : uint32_t {
  Tensor = 0x4d540001,
  Generator = 0x4d540002,
  Linear = 0x4d540003,
  Mlp = 0x4d540004,
  Optimizer = 0x4d540005,
  Communicator = 0x4d540006,
  Sampler = 0x4d540007,
  DataParallel = 0x4d540008,
  Graph = 0x4d540009,
  Plan = 0x4d54000a,
  Function = 0x4d54000b
};
inline constexpr uint32_t kReleasedTag = 0x4d54dead;

// What every handle holds: its tag, and its object while it is live.
template <class T, HandleKind Kind> struct HandleSlot {
  static constexpr HandleKind kind = Kind;
  std::atomic<uint32_t> tag{kReleasedTag};
  std::optional<T> object;
};

// The free slots of one handle type. Each thread keeps its own lists, so that making and
// releasing a handle takes no lock; slots move between threads (a thread that only releases,
// such as a garbage collector's finalizer thread, and one that only makes) in batches through
// a shared list.
template <class Handle> class HandlePool {
 public:
  // A slot with a released tag and no object.
  static Handle* acquire() {
    Local* local = local_lists();
    if (local == nullptr) return shared().take_one();  // this thread is exiting
    if (local->ready.empty()) shared().refill(local->ready);
    Handle* slot = local->ready.back();
    local->ready.pop_back();
    return slot;
  }

  // Takes back a slot whose tag is released and whose object is gone.
  static void recycle(Handle* slot) {
    Local* local = local_lists();
    if (local == nullptr) return shared().give({slot});
    local->quarantine.push_back(slot);
    if (local->quarantine.size() <= kQuarantine) return;
    local->ready.push_back(local->quarantine.front());
    local->quarantine.pop_front();
    if (local->ready.size() >= 2 * kBatch) {
      // The oldest half goes to the shared list, for threads that make more than they release.
      shared().give(std::vector<Handle*>(local->ready.begin(), local->ready.begin() + kBatch));
      local->ready.erase(local->ready.begin(), local->ready.begin() + kBatch);
    }
  }

 private:
  static constexpr size_t kQuarantine = 1024;  // releases a slot waits for before its reuse
  static constexpr size_t kBatch = 256;        // slots moved to or from the shared list at once

  struct Shared {
    std::mutex mutex;
    std::deque<Handle*> ready;                      // oldest first
    std::vector<std::unique_ptr<Handle[]>> chunks;  // every slot ever made, kBatch per chunk

    void give(const std::vector<Handle*>& slots) {
      std::lock_guard lock(mutex);
      ready.insert(ready.end(), slots.begin(), slots.end());
    }
    // Moves up to kBatch slots into `into`, making a new chunk when there are none.
    void refill(std::vector<Handle*>& into) {
      std::lock_guard lock(mutex);
      if (ready.empty()) {
        Handle* chunk = chunks.emplace_back(std::make_unique<Handle[]>(kBatch)).get();
        for (size_t i = 0; i < kBatch; ++i)
          into.push_back(chunk + i);
        return;
      }
      const size_t n = std::min(kBatch, ready.size());
      into.insert(into.end(), ready.begin(), ready.begin() + static_cast<ptrdiff_t>(n));
      ready.erase(ready.begin(), ready.begin() + static_cast<ptrdiff_t>(n));
    }
    Handle* take_one() {
      std::vector<Handle*> one;
      refill(one);
      Handle* slot = one.back();
      one.pop_back();
      give(one);
      return slot;
    }
  };
  // Never destroyed: handles may still be released while the process exits.
  static Shared& shared() {
    static Shared* const instance = new Shared;
    return *instance;
  }

  struct Local {
    std::vector<Handle*> ready;      // free slots, taken from the back
    std::deque<Handle*> quarantine;  // released slots, oldest first
  };
  // The calling thread's lists, made on first use; null once the thread's exit has handed them
  // to the shared list (a release from a later thread_local destructor goes there directly).
  static Local* local_lists() {
    // Plain thread_locals have no destructor, so they can be read at any point of the exit.
    thread_local Local* lists = nullptr;
    thread_local bool exited = false;
    struct Owner {
      Local*& lists;
      bool& exited;
      ~Owner() {
        std::unique_ptr<Local> gone(lists);
        lists = nullptr;
        exited = true;
        std::vector<Handle*> slots(gone->ready.begin(), gone->ready.end());
        slots.insert(slots.end(), gone->quarantine.begin(), gone->quarantine.end());
        shared().give(slots);
      }
    };
    if (lists == nullptr && !exited) {
      lists = new Local;
      thread_local Owner owner{lists, exited};
    }
    return lists;
  }
};

}  // namespace mt::capi
