// numpy-style printing of tensors.
#include <sstream>

#include "base/error.hpp"
#include "tensor/tensor.hpp"

namespace mt {
namespace {

// Beyond this many elements, each dim shows only its first and last kEdgeItems entries.
constexpr int64_t kSummaryThreshold = 1000;
constexpr int64_t kEdgeItems = 3;

void print_value(std::ostream& out, double value) {
  std::ostringstream text;
  text.precision(6);
  write_value(text, value);
  std::string s = text.str();
  // numpy marks integral floats with a trailing dot: "1." not "1".
  if (s.find_first_of(".eEn") == std::string::npos) s += '.';
  out << s;
}

void print_dim(std::ostream& out, const Tensor& t, Dims& index, int d, bool summarize, int indent) {
  if (d == t.dim()) {
    print_value(out, t.get(index));
    return;
  }
  const int64_t size = t.shape()[d];
  out << '[';
  for (int64_t i = 0; i < size; ++i) {
    if (summarize && size > 2 * kEdgeItems && i == kEdgeItems) {
      out << "...";
      i = size - kEdgeItems - 1;
    } else {
      index[d] = i;
      print_dim(out, t, index, d + 1, summarize, indent + 1);
    }
    if (i + 1 < size) {
      out << ',';
      // Inner rows go on new lines, blank lines between blocks of higher rank, as numpy.
      if (d + 1 < t.dim())
        out << std::string(t.dim() - d - 1, '\n') << std::string(indent + 1, ' ');
      else
        out << ' ';
    }
  }
  out << ']';
}

// numpy's text of a CPU tensor, naming `shown_device` where it is not the CPU (as PyTorch).
std::string host_text(const Tensor& tensor, Device shown_device) {
  std::ostringstream out;
  out << "tensor(";
  Dims index = Dims::filled(tensor.dim(), 0);
  constexpr int kPrefix = 7;  // strlen("tensor(")
  // An empty tensor prints as [] whatever its shape: walking its dims could take 2^62 rows.
  if (tensor.numel() == 0)
    out << "[], shape=" << tensor.shape();
  else
    print_dim(out, tensor, index, 0, tensor.numel() > kSummaryThreshold, kPrefix);
  if (!shown_device.is_cpu()) out << ", device='" << shown_device << "'";
  out << ", dtype=" << tensor.dtype() << ')';
  return out.str();
}

}  // namespace

std::string to_string(const Tensor& tensor) {
  if (!tensor.defined()) return "tensor(undefined)";
  // One copy to the host rather than a device read per element printed.
  if (!tensor.device().is_cpu())
    return host_text(tensor.detach().to(Device::cpu()), tensor.device());
  return host_text(tensor, Device::cpu());
}

std::ostream& operator<<(std::ostream& out, const Tensor& tensor) {
  return out << to_string(tensor);
}

}  // namespace mt
