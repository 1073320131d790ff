#include "fusion/graph.hpp"

#include "base/error.hpp"

namespace mt::fusion {

std::string node_name(const Node& node) {
  switch (node.kind) {
    case NodeKind::Map: return cat("map ", op_name(UnaryOp(node.op)));
    case NodeKind::Zip: return cat("zip ", op_name(BinaryOp(node.op)));
    case NodeKind::Reduce: return cat("reduce ", op_name(ReduceOp(node.op)));
    case NodeKind::MapBackward: return cat("map_backward ", op_name(UnaryOp(node.op)));
    case NodeKind::ZipBackward:
      return cat("zip_backward ", op_name(BinaryOp(node.op)), node.operand == 0 ? " a" : " b");
    case NodeKind::Matmul: return "matmul";
    case NodeKind::Copy: return "copy";
    case NodeKind::Fill: return "fill";
    case NodeKind::Random: return "random";
  }
  return "unknown";
}

bool equal_views(const View& a, const View& b) {
  return a.buffer == b.buffer && a.offset == b.offset && a.dtype == b.dtype && a.shape == b.shape &&
         a.strides == b.strides;
}

int64_t view_numel(const View& view) {
  int64_t n = 1;
  for (int64_t size : view.shape)
    n *= size;
  return n;
}

}  // namespace mt::fusion
