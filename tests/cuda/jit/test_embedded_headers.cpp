// The headers embedded into the plugin for NVRTC: closed under #include "...", and the texts of
// the source tree (the build regenerates them when a header changes).
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>

#include "backend/cuda/jit/embedded_headers.hpp"

namespace mt::cuda::jit {
namespace {

std::set<std::string> embedded_names() {
  std::set<std::string> names;
  for (const EmbeddedHeader& header : embedded_headers())
    names.insert(header.name);
  return names;
}

// "x/y.hpp" of a line `#  include "x/y.hpp"`; "" for any other line. (No std::regex: GCC 12
// warns inside it under the sanitizers' -O1.)
std::string quoted_include(const std::string& line) {
  std::size_t at = line.find_first_not_of(" \t");
  if (at == std::string::npos || line[at] != '#') return "";
  at = line.find_first_not_of(" \t", at + 1);
  if (at == std::string::npos || line.compare(at, 7, "include") != 0) return "";
  at = line.find_first_not_of(" \t", at + 7);
  if (at == std::string::npos || line[at] != '"') return "";
  const std::size_t end = line.find('"', at + 1);
  return end == std::string::npos ? "" : line.substr(at + 1, end - at - 1);
}

TEST(EmbeddedHeaders, HoldTheOpTablesAndTheFusedKernelHelpers) {
  const std::set<std::string> names = embedded_names();
  for (const char* needed : {"op_tables/unary_ops.hpp", "op_tables/binary_ops.hpp",
                             "op_tables/reduce_ops.hpp", "backend/cuda/codegen/fused_device.cuh"})
    EXPECT_EQ(names.count(needed), 1u) << needed;
}

TEST(EmbeddedHeaders, EveryQuotedIncludeIsEmbedded) {
  const std::set<std::string> names = embedded_names();
  for (const EmbeddedHeader& header : embedded_headers()) {
    std::istringstream text(header.text);
    for (std::string line; std::getline(text, line);) {
      const std::string included = quoted_include(line);
      if (included.empty()) continue;
      EXPECT_EQ(names.count(included), 1u)
          << header.name << " includes \"" << included << "\", which is not embedded "
          << "(add it to mt_cuda_jit_headers in core/backend/cuda/jit/jit.cmake)";
    }
  }
}

TEST(EmbeddedHeaders, AreTheSourceTreesTexts) {
  for (const EmbeddedHeader& header : embedded_headers()) {
    std::ifstream in(std::string(MT_CORE_DIR) + "/" + header.name, std::ios::binary);
    ASSERT_TRUE(in) << header.name;
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    EXPECT_EQ(text, header.text) << header.name;
  }
  EXPECT_NE(embedded_headers_fingerprint(), 0u);
}

}  // namespace
}  // namespace mt::cuda::jit
