// The layer store: a tar unpacked once in overlayfs's format, confined, named when verified.
#include "runner/layer_store.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "runner/lower_view.h"
#include "runner_test_util.h"
#include "util/sha256.h"

namespace pith::runner {
namespace {

using tar::EntryType;
using test::entry;

// A tar of `entries`; regular files hold "x" repeated to their size.
std::string make_tar(const std::vector<tar::Entry>& entries) {
  test::StringSink sink;
  tar::Writer writer(sink);
  for (const auto& e : entries) {
    MemorySource content(std::string(e.type == EntryType::regular ? e.size : 0, 'x'));
    EXPECT_TRUE(writer.add(e, e.type == EntryType::regular ? &content : nullptr).ok()) << e.path;
  }
  EXPECT_TRUE(writer.finish().ok());
  return sink.data();
}

oci::Digest diff_id_of(const std::string& tar) {
  return *oci::Digest::parse("sha256:" + Sha256::hex_of(tar));
}

std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(LayerStore, UnpacksWhiteoutsAsOverlayMarksAndKeepsMetadata) {
  test::Scratch scratch;
  std::vector<tar::Entry> entries = {
      entry("etc", EntryType::directory, 0755),
      entry("etc/.wh.issue", EntryType::regular, 0600),
      entry("usr", EntryType::directory, 0755),
      entry("usr/share", EntryType::directory, 0755),
      entry("usr/share/doc", EntryType::directory, 0755),
      entry("usr/share/doc/.wh..wh..opq", EntryType::regular, 0755),
      entry("usr/share/doc/x", EntryType::directory, 0750),
      entry("bin", EntryType::directory, 0755),
      entry("bin/su", EntryType::regular, 04755, 2),
      entry("bin/su2", EntryType::hardlink, 0),
      entry("bin/sh", EntryType::symlink, 0777),
      entry("dev", EntryType::directory, 0755),
      entry("dev/null", EntryType::char_device, 0666),
  };
  entries[6].uid = 1000;
  entries[6].gid = 1001;
  entries[8].xattrs["user.pith"] = "v";
  entries[9].link_target = "bin/su";
  entries[10].link_target = "dash";
  entries[12].dev_major = 1;
  entries[12].dev_minor = 3;
  std::string tar = make_tar(entries);

  auto store = LayerStore::open(scratch.dir());
  ASSERT_TRUE(store.ok()) << store.error().message;
  MemorySource in(tar);
  auto dir = store->add(diff_id_of(tar), in);
  ASSERT_TRUE(dir.ok()) << dir.error().message;
  EXPECT_EQ(*dir, scratch.dir() + "/layers/" + diff_id_of(tar).hex);
  EXPECT_EQ(names_in(scratch.dir() + "/layers"), std::vector<std::string>{diff_id_of(tar).hex});

  struct stat st {};
  ASSERT_EQ(::lstat((*dir + "/etc/issue").c_str(), &st), 0);
  EXPECT_TRUE(is_overlay_whiteout(st));
  EXPECT_EQ(test::xattr(*dir + "/usr/share/doc", "trusted.overlay.opaque"), "y");
  ASSERT_EQ(::lstat((*dir + "/usr/share/doc/x").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(st.st_gid, 1001u);
  EXPECT_EQ(st.st_mtime, 1'000'000);
  ASSERT_EQ(::lstat((*dir + "/bin/su").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 04755u);
  EXPECT_EQ(st.st_nlink, 2u);
  EXPECT_EQ(test::xattr(*dir + "/bin/su", "user.pith"), "v");
  EXPECT_EQ(std::filesystem::read_symlink(*dir + "/bin/sh").string(), "dash");
  ASSERT_EQ(::lstat((*dir + "/dev/null").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, ::makedev(1, 3));

  MemorySource again("not read: the layer is there");
  EXPECT_EQ(*store->add(diff_id_of(tar), again), *dir);
}

TEST(LayerStore, AWrongDigestLeavesNothing) {
  test::Scratch scratch;
  std::string tar = make_tar({entry("f", EntryType::regular, 0644, 3)});
  auto store = LayerStore::open(scratch.dir());
  ASSERT_TRUE(store.ok());
  MemorySource in(tar);
  auto other = *oci::Digest::parse("sha256:" + std::string(64, 'a'));
  auto dir = store->add(other, in);
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.error().message.find("the tar's digest is sha256:"), std::string::npos);
  EXPECT_TRUE(names_in(scratch.dir() + "/layers").empty());
  EXPECT_FALSE(store->find(other));
}

TEST(LayerStore, EntriesStayInsideTheLayer) {
  test::Scratch scratch;
  std::string outside = scratch.file("outside");
  auto link = entry("escape", EntryType::symlink, 0777);
  link.link_target = outside;
  auto up = entry("up", EntryType::symlink, 0777);
  up.link_target = "../../../../../../..";
  std::string tar = make_tar({link, entry("escape/f", EntryType::regular, 0644, 1), up,
                              entry("up/g", EntryType::regular, 0644, 1)});
  auto store = LayerStore::open(scratch.dir() + "/store");
  ASSERT_TRUE(store.ok());
  MemorySource in(tar);
  auto dir = store->add(diff_id_of(tar), in);
  ASSERT_TRUE(dir.ok()) << dir.error().message;
  EXPECT_FALSE(std::filesystem::exists(outside));
  EXPECT_TRUE(std::filesystem::exists(*dir + outside + "/f"));  // the link resolved inside
  EXPECT_TRUE(std::filesystem::exists(*dir + "/g"));
}

TEST(LayerStore, RefusesOverlayXattrs) {
  test::Scratch scratch;
  auto dir_entry = entry("d", EntryType::directory, 0755);
  dir_entry.xattrs["trusted.overlay.redirect"] = "/etc";
  std::string tar = make_tar({dir_entry});
  auto store = LayerStore::open(scratch.dir());
  ASSERT_TRUE(store.ok());
  MemorySource in(tar);
  auto dir = store->add(diff_id_of(tar), in);
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.error().message.find("refusing the overlayfs xattr trusted.overlay.redirect"),
            std::string::npos);
  EXPECT_TRUE(names_in(scratch.dir() + "/layers").empty());
}

}  // namespace
}  // namespace pith::runner
