// ld.so.cache parsing compared with glibc's own reader, `ldconfig -p`: the host's cache, and
// caches ldconfig writes for a small root in the new, old and old+new ("compat") formats.
#include "elf/ld_cache.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <ostream>
#include <vector>

#include "elf_test_util.h"
#include "test_paths.h"

namespace pith::elf {
namespace {

namespace fs = std::filesystem;
using test::sh;

struct Printed {
  std::string name, flags, path;
  friend bool operator==(const Printed&, const Printed&) = default;
  friend std::ostream& operator<<(std::ostream& os, const Printed& p) {
    return os << p.name << " (" << p.flags << ") => " << p.path;
  }
};

// `ldconfig -p -C FILE`: "\tNAME (FLAGS) => PATH" lines, in file order.
std::vector<Printed> ldconfig_print(const std::string& cache) {
  std::string out;
  EXPECT_TRUE(sh("ldconfig -p -C " + pith::test::shell_quote(cache), &out)) << out;
  std::vector<Printed> v;
  size_t pos = 0;
  while (pos < out.size()) {
    size_t end = out.find('\n', pos);
    std::string line = out.substr(pos, end - pos);
    pos = end == std::string::npos ? out.size() : end + 1;
    size_t open = line.find(" ("), arrow = line.rfind(") => ");
    if (!line.starts_with('\t') || open == std::string::npos || arrow == std::string::npos)
      continue;
    v.push_back({line.substr(1, open - 1), line.substr(open + 2, arrow - open - 2),
                 line.substr(arrow + 5)});
  }
  return v;
}

// The flags as ldconfig prints them, for the flags this host writes.
std::string printed_flags(const CacheEntry& e) {
  std::string s = e.flags == (k_cache_flag_elf_libc6 | k_cache_flag_x8664_lib64) ? "libc6,x86-64"
                  : e.flags == k_cache_flag_elf_libc6                            ? "libc6"
                  : e.flags == k_cache_flag_elf                                  ? "ELF"
                                                                                 : "?";
  if (!e.hwcaps.empty()) s += ", hwcap: \"" + e.hwcaps + "\"";
  return s;
}

std::vector<Printed> ours(const std::string& cache, bool with_hwcaps = true) {
  auto parsed = parse_ld_cache(pith::test::slurp(cache));
  EXPECT_TRUE(parsed) << parsed.error().message;
  std::vector<Printed> v;
  if (!parsed) return v;
  for (const auto& e : parsed->entries) {
    CacheEntry shown = e;
    if (!with_hwcaps) shown.hwcaps.clear();
    v.push_back({e.name, printed_flags(shown), e.path});
  }
  return v;
}

TEST(LdCache, HostCacheMatchesLdconfig) {
  if (!fs::exists("/etc/ld.so.cache")) GTEST_SKIP() << "no /etc/ld.so.cache";
  std::vector<Printed> want = ldconfig_print("/etc/ld.so.cache");
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(ours("/etc/ld.so.cache"), want);
}

// A root with one library and a glibc-hwcaps variant of it, cached by ldconfig -r.
class LdCacheFormats : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string libs = m_dir / "root/opt/libs";
    fs::create_directories(libs + "/glibc-hwcaps/x86-64-v3");
    std::string libz = fs::canonical("/lib/x86_64-linux-gnu/libz.so.1").string();
    fs::copy_file(libz, libs + "/libz.so.1.0");
    fs::create_symlink("libz.so.1.0", libs + "/libz.so.1");
    fs::copy_file(libz, libs + "/glibc-hwcaps/x86-64-v3/libz.so.1");
    test::write_text(m_dir / "root/etc/ld.so.conf", "/opt/libs\n");
  }
  std::string make(const std::string& format) {
    std::string out;
    EXPECT_TRUE(sh("ldconfig -X -r " + m_dir / "root" + " -c " + format + " -C /" + format, &out))
        << out;
    return m_dir / ("root/" + format);
  }
  test::Scratch m_dir;
};

TEST_F(LdCacheFormats, NewFormatWithGlibcHwcaps) {
  std::string cache = make("new");
  ASSERT_TRUE(pith::test::slurp(cache).starts_with("glibc-ld.so.cache1.1"));
  std::vector<Printed> want = ldconfig_print(cache);
  ASSERT_EQ(want.size(), 2u);
  EXPECT_EQ(want[0].flags, "libc6,x86-64, hwcap: \"x86-64-v3\"");
  EXPECT_EQ(ours(cache), want);
  auto parsed = parse_ld_cache(pith::test::slurp(cache));
  auto found = parsed->lookup("libz.so.1", 0x0303);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0]->path, "/opt/libs/libz.so.1");  // the baseline first
  EXPECT_EQ(found[1]->path, "/opt/libs/glibc-hwcaps/x86-64-v3/libz.so.1");
  EXPECT_TRUE(parsed->lookup("libz.so.1", 0x0003).empty());  // not for a 32-bit program
}

TEST_F(LdCacheFormats, OldFormat) {
  std::string cache = make("old");
  ASSERT_TRUE(pith::test::slurp(cache).starts_with("ld.so-1.7.0"));
  std::vector<Printed> want = ldconfig_print(cache);
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(ours(cache), want);
}

TEST_F(LdCacheFormats, OldFollowedByNew) {
  std::string cache = make("compat");
  std::string bytes = pith::test::slurp(cache);
  ASSERT_TRUE(bytes.starts_with("ld.so-1.7.0"));
  ASSERT_NE(bytes.find("glibc-ld.so.cache1.1"), std::string::npos);
  // ldconfig 2.36 prints the hwcaps name of a compat file from the wrong base ("~"); the
  // entries (names, flags, paths, order) are compared, and the name checked on its own.
  std::vector<Printed> want = ldconfig_print(cache);
  ASSERT_EQ(want.size(), 2u);
  for (auto& p : want) p.flags = p.flags.substr(0, p.flags.find(", hwcap"));
  EXPECT_EQ(ours(cache, false), want);
  EXPECT_EQ(parse_ld_cache(bytes)->entries[0].hwcaps, "x86-64-v3");
}

TEST(LdCache, RejectsBrokenFiles) {
  std::string host = pith::test::slurp("/etc/ld.so.cache");
  EXPECT_FALSE(parse_ld_cache("not a cache"));
  EXPECT_FALSE(parse_ld_cache(""));
  if (host.size() > 100) {
    auto cut = parse_ld_cache(std::string_view(host).substr(0, 100));
    ASSERT_FALSE(cut);
    EXPECT_NE(cut.error().message.find("do not fit"), std::string::npos) << cut.error().message;
  }
}

}  // namespace
}  // namespace pith::elf
