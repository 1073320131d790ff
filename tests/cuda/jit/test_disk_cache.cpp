// DiskCache alone: where the directory is, how it is made, and that a file which does not match
// its key in every part is ignored.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include "backend/cuda/jit/disk_cache.hpp"
#include "jit_test_support.hpp"

namespace mt::cuda::jit {
namespace {

namespace fs = std::filesystem;

const std::vector<char> kPayload = {'c', 'u', 'b', 'i', 'n', '\0', '\x7f', 'x'};

unsigned mode_of(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

TEST(DiskCacheDirectory, FromTheEnvironmentInOrder) {
  const test::ScopedEnv cache("MINITENSOR_KERNEL_CACHE", nullptr);
  const test::ScopedEnv xdg("XDG_CACHE_HOME", "/x/cache");
  const test::ScopedEnv home("HOME", "/home/u");
  EXPECT_EQ(DiskCache::directory_from_environment(), "/x/cache/minitensor/kernels");
  {
    const test::ScopedEnv no_xdg("XDG_CACHE_HOME", nullptr);
    EXPECT_EQ(DiskCache::directory_from_environment(), "/home/u/.cache/minitensor/kernels");
  }
  for (const char* off : {"0", ""}) {
    const test::ScopedEnv named("MINITENSOR_KERNEL_CACHE", off);
    EXPECT_EQ(DiskCache::directory_from_environment(), "") << "'" << off << "'";
    EXPECT_FALSE(DiskCache(DiskCache::directory_from_environment()).enabled());
  }
  const test::ScopedEnv named("MINITENSOR_KERNEL_CACHE", "/somewhere/kernels");
  EXPECT_EQ(DiskCache::directory_from_environment(), "/somewhere/kernels");
}

TEST(DiskCacheDirectory, CreatedPrivateWithItsParents) {
  const test::TempDir tmp;
  const fs::path directory = tmp.path() / "a" / "b" / "kernels";
  const DiskCache disk(directory.string());
  EXPECT_TRUE(disk.enabled()) << disk.status();
  EXPECT_EQ(disk.status(), directory.string());
  for (const fs::path& made : {tmp.path() / "a", tmp.path() / "a" / "b", directory})
    EXPECT_EQ(mode_of(made) & 0077, 0u) << made;
  EXPECT_EQ(mode_of(directory), 0700u & ~test::umask_now());
}

TEST(DiskCacheDirectory, WritableByOthersIsNotUsed) {
  const test::TempDir tmp;
  const fs::path directory = tmp.path() / "shared";
  fs::create_directory(directory);
  ASSERT_EQ(chmod(directory.c_str(), 0777), 0);
  const DiskCache disk(directory.string());
  EXPECT_FALSE(disk.enabled());
  EXPECT_NE(disk.status().find("writable by others (mode 0777)"), std::string::npos)
      << disk.status();
}

TEST(DiskCacheDirectory, UnderARegularFileIsNotUsed) {
  const test::TempDir tmp;
  std::ofstream(tmp.path() / "file") << "x";
  const DiskCache disk((tmp.path() / "file" / "kernels").string());
  EXPECT_FALSE(disk.enabled());
  EXPECT_NE(disk.status().find("cannot create"), std::string::npos) << disk.status();
}

TEST(DiskCacheFile, WrittenPrivateAndReadBack) {
  const test::TempDir tmp;
  DiskCache disk(tmp.path().string());
  EXPECT_FALSE(disk.read("key").has_value());
  disk.write("key", kPayload);
  EXPECT_EQ(disk.read("key"), kPayload);
  EXPECT_EQ(mode_of(disk.path_of("key")), 0600u);
  EXPECT_NE(disk.path_of("key"), disk.path_of("other key"));
  // Only the entry: the temporary file was renamed.
  EXPECT_EQ(std::distance(fs::directory_iterator(tmp.path()), fs::directory_iterator()), 1);
  EXPECT_EQ(disk.status(), tmp.path().string());
}

// Each way a file can fail to be the entry for its key.
struct Damage {
  const char* name;
  void (*apply)(const fs::path& file, DiskCache& disk);
};

void PrintTo(const Damage& damage, std::ostream* out) { *out << damage.name; }

void flip_byte(const fs::path& file, std::size_t from_end) {
  std::fstream io(file, std::ios::in | std::ios::out | std::ios::binary);
  io.seekg(-static_cast<std::streamoff>(from_end), std::ios::end);
  const char byte = static_cast<char>(io.get() ^ 0x20);
  io.seekp(-static_cast<std::streamoff>(from_end), std::ios::end);
  io.put(byte);
}

const Damage kDamages[] = {
    {"payload_byte_flipped", [](const fs::path& f, DiskCache&) { flip_byte(f, 12); }},
    {"checksum_byte_flipped", [](const fs::path& f, DiskCache&) { flip_byte(f, 1); }},
    {"magic_changed", [](const fs::path& f,
                         DiskCache&) { flip_byte(f, static_cast<std::size_t>(fs::file_size(f))); }},
    {"truncated", [](const fs::path& f, DiskCache&) { fs::resize_file(f, fs::file_size(f) - 3); }},
    {"extended", [](const fs::path& f, DiskCache&) { std::ofstream(f, std::ios::app) << "more"; }},
    {"empty", [](const fs::path& f, DiskCache&) { fs::resize_file(f, 0); }},
    {"another_keys_entry",
     [](const fs::path& f, DiskCache& disk) {
       disk.write("another key", kPayload);
       fs::copy_file(disk.path_of("another key"), f, fs::copy_options::overwrite_existing);
     }},
    {"a_directory",
     [](const fs::path& f, DiskCache&) {
       fs::remove(f);
       fs::create_directory(f);
     }},
};

class DiskCacheDamage : public ::testing::TestWithParam<Damage> {};

TEST_P(DiskCacheDamage, IsIgnoredAndRewritten) {
  const test::TempDir tmp;
  DiskCache disk(tmp.path().string());
  disk.write("key", kPayload);
  ASSERT_EQ(disk.read("key"), kPayload);
  GetParam().apply(disk.path_of("key"), disk);
  EXPECT_FALSE(disk.read("key").has_value());
  EXPECT_NE(disk.status().find("ignored " + disk.path_of("key")), std::string::npos)
      << disk.status();
  if (fs::is_directory(disk.path_of("key"))) return;  // not ours to remove
  disk.write("key", kPayload);
  EXPECT_EQ(disk.read("key"), kPayload);
}

INSTANTIATE_TEST_SUITE_P(Kinds, DiskCacheDamage, ::testing::ValuesIn(kDamages),
                         [](const auto& damage) { return std::string(damage.param.name); });

}  // namespace
}  // namespace mt::cuda::jit
