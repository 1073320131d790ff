// The headers embedded into the plugin for NVRTC: closed under #include "...", and the texts of
// the source tree (the build regenerates them when a header changes).
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <regex>
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

TEST(EmbeddedHeaders, HoldTheOpTablesAndTheFusedKernelHelpers) {
  const std::set<std::string> names = embedded_names();
  for (const char* needed : {"op_tables/unary_ops.hpp", "op_tables/binary_ops.hpp",
                             "op_tables/reduce_ops.hpp", "backend/cuda/codegen/fused_device.cuh"})
    EXPECT_EQ(names.count(needed), 1u) << needed;
}

TEST(EmbeddedHeaders, EveryQuotedIncludeIsEmbedded) {
  const std::set<std::string> names = embedded_names();
  const std::regex include(R"re(^\s*#\s*include\s*"([^"]+)")re");
  for (const EmbeddedHeader& header : embedded_headers()) {
    std::istringstream text(header.text);
    std::smatch match;
    for (std::string line; std::getline(text, line);) {
      if (!std::regex_search(line, match, include)) continue;
      EXPECT_EQ(names.count(match[1]), 1u)
          << header.name << " includes \"" << match[1] << "\", which is not embedded "
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
