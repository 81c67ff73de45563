// Reading layers: the SHA-256 of files hashed as they stream by (ScanOptions::digest) equals
// sha256sum of the same files, whether the file is captured too, is an ELF executable, a
// script, or sparse (GNU tar --sparse), and captures are unchanged by it.
#include "fs/layers.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <mutex>

#include "shell.h"
#include "test_paths.h"
#include "transport/reference.h"
#include "transport/resolve.h"
#include "transport/source.h"
#include "util/limits.h"

namespace pith::fs {
namespace {

namespace sfs = std::filesystem;

class LayerDigestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = sfs::temp_directory_path() / ("pith-layers-test-" + std::to_string(::getpid()));
    sfs::remove_all(m_dir);
    sfs::create_directories(m_dir / "root/bin");
    // A plain file, an empty one, an ELF executable, a script, a sparse file with data after a
    // hole and a hole at its end, and a file under 4 bytes with the executable bit.
    std::string script = R"(
set -e
cd "$0/root"
printf 'hello\n' >greeting
: >empty
cp /bin/true bin/true
printf '#!/bin/sh\necho hi\n' >bin/hi
chmod 755 bin/hi
printf 'ab' >bin/tiny
chmod 755 bin/tiny
printf 'data' | dd of=sparse bs=1 seek=1048576 conv=notrunc status=none
truncate -s 3145728 sparse
cd ..
tar --sparse --format=gnu -cf layer.tar -C root .
find root -type f -printf '%P ' -exec sh -c 'sha256sum "$1" | cut -c1-64' _ {} \; | LC_ALL=C sort >expected
)";
    int status = 0;
    test::run_capture("sh -c " + test::shell_quote(script) + " " + m_dir.string(), &status);
    ASSERT_EQ(status, 0);
  }
  void TearDown() override { sfs::remove_all(m_dir); }

  sfs::path m_dir;
};

TEST_F(LayerDigestTest, DigestsEqualSha256sumWhateverIsCaptured) {
  // The tar really stores the 3 MiB file sparse (its holes left out), or the sparse path is
  // not tested.
  ASSERT_LT(sfs::file_size(m_dir / "layer.tar"), 1u << 20);
  auto src = transport::open_source(
      transport::parse_reference("rootfs:" + (m_dir / "layer.tar").string()).value());
  ASSERT_TRUE(src.ok()) << src.error().message;
  auto img = transport::resolve_image(**src, std::nullopt);
  ASSERT_TRUE(img.ok()) << img.error().message;

  for (Want policy : {Want::nothing, Want::content_if_elf, Want::elf_or_shebang, Want::content}) {
    std::mutex mu;
    std::map<std::string, std::string> digests;
    std::map<std::string, std::string> captured;
    ScanOptions options;
    options.capture = [policy](const tar::Entry&) { return policy; };
    options.consume = [&](size_t, CapturedFile&& f) {
      std::lock_guard lock(mu);
      captured[f.path] = f.bytes;
    };
    options.digest = [](const tar::Entry&) { return true; };
    options.on_digest = [&](size_t, const tar::Entry& e, std::string hex) {
      std::lock_guard lock(mu);
      digests[e.path] = std::move(hex);
    };
    auto layers = read_layers(**src, *img, options);
    ASSERT_TRUE(layers.ok()) << layers.error().message;
    std::string got;
    for (const auto& [path, hex] : digests) got += path + " " + hex + "\n";
    EXPECT_EQ(got, test::slurp(m_dir / "expected")) << "policy " << static_cast<int>(policy);

    // What is captured does not depend on the hashing.
    std::map<std::string, std::string> expect_captured;
    auto file = [&](const std::string& p) { return test::slurp(m_dir / "root" / p); };
    if (policy == Want::content) {
      for (const char* p : {"greeting", "empty", "bin/true", "bin/hi", "bin/tiny", "sparse"})
        expect_captured[p] = file(p);
    } else if (policy != Want::nothing) {
      expect_captured["bin/true"] = file("bin/true");  // the one ELF file
      if (policy == Want::elf_or_shebang) expect_captured["bin/hi"] = "#!/bin/sh";
    }
    EXPECT_EQ(captured, expect_captured) << "policy " << static_cast<int>(policy);
  }
}

TEST(LayerDigest, HolesPastTheBoundAreNotHashed) {
  // Two sparse files of 1.5 GiB of holes each: the first takes the image's budget of holes
  // (k_max_hashed_hole_bytes, 1 GiB) at once and is left unhashed with a warning, as is the
  // second; the small file beside them is still hashed. Without the bound a layer of a few
  // kilobytes would make the pass hash zeros for as long as it declares.
  static_assert(k_max_hashed_hole_bytes == uint64_t{1} << 30);
  sfs::path dir = sfs::temp_directory_path() / ("pith-holes-test-" + std::to_string(::getpid()));
  sfs::remove_all(dir);
  sfs::create_directories(dir / "root");
  std::string script = R"(
set -e
cd "$0/root"
printf 'hello\n' >greeting
truncate -s 1610612736 holes-a holes-b
cd ..
tar --sparse --format=gnu -cf layer.tar -C root .
)";
  int status = 0;
  test::run_capture("sh -c " + test::shell_quote(script) + " " + dir.string(), &status);
  ASSERT_EQ(status, 0);
  ASSERT_LT(sfs::file_size(dir / "layer.tar"), 1u << 20);
  auto src = transport::open_source(
      transport::parse_reference("rootfs:" + (dir / "layer.tar").string()).value());
  ASSERT_TRUE(src.ok()) << src.error().message;
  auto img = transport::resolve_image(**src, std::nullopt);
  ASSERT_TRUE(img.ok()) << img.error().message;
  std::mutex mu;
  std::map<std::string, std::string> digests;
  ScanOptions options;
  options.digest = [](const tar::Entry&) { return true; };
  options.on_digest = [&](size_t, const tar::Entry& e, std::string hex) {
    std::lock_guard lock(mu);
    digests[e.path] = std::move(hex);
  };
  auto layers = read_layers(**src, *img, options);
  sfs::remove_all(dir);
  ASSERT_TRUE(layers.ok()) << layers.error().message;
  EXPECT_EQ(digests,
            (std::map<std::string, std::string>{
                {"greeting", "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"}}));
  ASSERT_EQ(layers->size(), 1u);
  EXPECT_EQ((*layers)[0].warnings,
            (std::vector<std::string>{
                "/holes-a: not hashed: the image's sparse files hold more than 1073741824 bytes "
                "of holes",
                "/holes-b: not hashed: the image's sparse files hold more than 1073741824 bytes "
                "of holes"}));
}

}  // namespace
}  // namespace pith::fs
