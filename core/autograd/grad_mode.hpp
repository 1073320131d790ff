#pragma once
// Grad mode: whether ops on tensors that require grad record the graph. Per thread, on by
// default, as torch.no_grad / torch.set_grad_enabled.

namespace mt {

bool grad_enabled();
void set_grad_enabled(bool enabled);

// Turns grad mode off for its scope on this thread, then restores what it was.
class NoGradGuard {
 public:
  NoGradGuard() : previous_(grad_enabled()) { set_grad_enabled(false); }
  ~NoGradGuard() { set_grad_enabled(previous_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace mt
