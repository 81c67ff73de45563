// Writer: GNU tar reads what it writes, long names and pax fields round-trip, bytes are stable.
#include "tar/writer.h"

#include <gtest/gtest.h>

#include "tar/archive_index.h"
#include "tar/layer_reader.h"
#include "tar_test_util.h"

namespace pith::tar {
namespace {

constexpr int64_t k_2020 = 1577836800;  // 2020-01-01 00:00:00 UTC

Entry make(std::string path, EntryType type, uint32_t mode, uint64_t size = 0) {
  Entry e;
  e.path = std::move(path);
  e.type = type;
  e.mode = mode;
  e.size = size;
  e.mtime = k_2020;
  e.uname = "root";
  e.gname = "root";
  return e;
}

// Writes entries (regular ones with content of 'x' repeated) and returns the archive.
std::string write_tar(const std::vector<Entry>& entries) {
  test::StringSink sink;
  Writer w(sink);
  for (const Entry& e : entries) {
    MemorySource content(std::string(e.type == EntryType::regular ? e.size : 0, 'x'));
    auto r = w.add(e, &content);
    EXPECT_TRUE(r.ok()) << e.path << ": " << r.error().message;
  }
  EXPECT_TRUE(w.finish().ok());
  EXPECT_EQ(w.bytes_written(), sink.data().size());
  return sink.data();
}

std::string gnu_list(const test::Scratch& s, const std::string& tar, const std::string& opts) {
  std::string path = s.write("out.tar", tar);
  int status = -1;
  std::string out = test::run_capture(
      "TZ=UTC tar " + opts + " -tvf " + test::shell_quote(path) + " 2>&1", &status);
  EXPECT_EQ(status, 0) << out;
  return out;
}

std::vector<Entry> sample_entries() {
  Entry dir = make("etc", EntryType::directory, 0755);
  Entry file = make("etc/hosts", EntryType::regular, 0644, 5);
  Entry suid = make("bin/su", EntryType::regular, 04755, 1000);
  suid.uid = 0;
  Entry link = make("bin/sh", EntryType::symlink, 0777);
  link.link_target = "/bin/busybox";
  Entry hard = make("bin/su2", EntryType::hardlink, 04755);
  hard.link_target = "bin/su";
  Entry tmp = make("tmp", EntryType::directory, 01777);
  Entry null = make("dev/null", EntryType::char_device, 0666);
  null.dev_major = 1;
  null.dev_minor = 3;
  Entry user = make("home/u/f", EntryType::regular, 0600, 0);
  user.uid = 1000;
  user.gid = 1000;
  user.uname = "alice";
  user.gname = "staff";
  return {dir, file, suid, link, hard, tmp, null, user};
}

TEST(TarWriter, GnuTarListsExactLines) {
  test::Scratch s;
  std::string out = gnu_list(s, write_tar(sample_entries()), "");
  EXPECT_EQ(out,
            "drwxr-xr-x root/root         0 2020-01-01 00:00 etc/\n"
            "-rw-r--r-- root/root         5 2020-01-01 00:00 etc/hosts\n"
            "-rwsr-xr-x root/root      1000 2020-01-01 00:00 bin/su\n"
            "lrwxrwxrwx root/root         0 2020-01-01 00:00 bin/sh -> /bin/busybox\n"
            "hrwsr-xr-x root/root         0 2020-01-01 00:00 bin/su2 link to bin/su\n"
            "drwxrwxrwt root/root         0 2020-01-01 00:00 tmp/\n"
            "crw-rw-rw- root/root       1,3 2020-01-01 00:00 dev/null\n"
            "-rw------- alice/staff       0 2020-01-01 00:00 home/u/f\n");
}

TEST(TarWriter, SameEntriesSameBytes) {
  std::string a = write_tar(sample_entries());
  std::string b = write_tar(sample_entries());
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.size() % 512, 0u);
}

TEST(TarWriter, RoundTripThroughLayerReader) {
  std::vector<Entry> in = sample_entries();
  in[1].xattrs["user.note"] = "hello";
  in[2].xattrs["security.capability"] = std::string("\x01\x00\x00\x02\x00\x10", 6);
  auto out = test::read_entries(write_tar(in));
  ASSERT_TRUE(out.ok()) << out.error().message;
  ASSERT_EQ(out->size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const Entry& a = in[i];
    const Entry& b = (*out)[i].entry;
    EXPECT_EQ(b.path, a.path);
    EXPECT_EQ(b.type, a.type) << a.path;
    EXPECT_EQ(b.mode, a.mode) << a.path;
    EXPECT_EQ(b.uid, a.uid);
    EXPECT_EQ(b.gid, a.gid);
    EXPECT_EQ(b.uname, a.uname);
    EXPECT_EQ(b.gname, a.gname);
    EXPECT_EQ(b.mtime, a.mtime);
    EXPECT_EQ(b.link_target, a.link_target);
    EXPECT_EQ(b.dev_major, a.dev_major);
    EXPECT_EQ(b.dev_minor, a.dev_minor);
    EXPECT_EQ(b.xattrs, a.xattrs) << a.path;
    if (a.type == EntryType::regular) {
      EXPECT_EQ(b.size, a.size);
      EXPECT_EQ((*out)[i].content, std::string(a.size, 'x'));
    }
  }
}

TEST(TarWriter, LongPathsRoundTripThroughGnuTarAndLayerReader) {
  std::string splittable = std::string(120, 'p') + "/" + std::string(90, 'n');  // prefix + name
  std::string over255 = std::string(100, 'a') + "/" + std::string(100, 'b') + "/" +
                        std::string(100, 'c') + "/file";  // needs pax
  std::string long_leaf = "d/" + std::string(200, 'z');   // needs pax
  std::string long_target = std::string(150, 't');
  Entry a = make(splittable, EntryType::regular, 0644, 3);
  Entry b = make(over255, EntryType::regular, 0644, 700);
  Entry c = make(long_leaf, EntryType::directory, 0755);
  Entry d = make("lnk", EntryType::symlink, 0777);
  d.link_target = long_target;
  Entry big = make("ids", EntryType::regular, 0644, 1);
  big.uid = 100000000;
  big.gid = 07777777 + 1;
  big.uname = std::string(40, 'u');
  std::string tar = write_tar({a, b, c, d, big});

  test::Scratch s;
  std::string listing = gnu_list(s, tar, "--numeric-owner");
  EXPECT_NE(listing.find(" " + splittable + "\n"), std::string::npos) << listing;
  EXPECT_NE(listing.find(" " + over255 + "\n"), std::string::npos);
  EXPECT_NE(listing.find(" " + long_leaf + "/\n"), std::string::npos);
  EXPECT_NE(listing.find(" lnk -> " + long_target + "\n"), std::string::npos);
  EXPECT_NE(listing.find("100000000/2097152"), std::string::npos);
  EXPECT_EQ(listing.find("PaxHeaders"), std::string::npos);
  int status = -1;
  std::string content = test::run_capture(
      "tar -xOf " + test::shell_quote(s.file("out.tar")) + " " + test::shell_quote(over255),
      &status);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(content, std::string(700, 'x'));

  auto ours = test::read_entries(tar);
  ASSERT_TRUE(ours.ok()) << ours.error().message;
  ASSERT_EQ(ours->size(), 5u);
  EXPECT_EQ((*ours)[0].entry.path, splittable);
  EXPECT_EQ((*ours)[1].entry.path, over255);
  EXPECT_EQ((*ours)[1].content, std::string(700, 'x'));
  EXPECT_EQ((*ours)[2].entry.path, long_leaf);
  EXPECT_EQ((*ours)[3].entry.link_target, long_target);
  EXPECT_EQ((*ours)[4].entry.uid, 100000000u);
  EXPECT_EQ((*ours)[4].entry.gid, 07777777u + 1);
  EXPECT_EQ((*ours)[4].entry.uname, std::string(40, 'u'));

  auto index = ArchiveIndex::parse(tar);
  ASSERT_TRUE(index.ok()) << index.error().message;
  ASSERT_NE(index->find_file(over255), nullptr);
  EXPECT_EQ(index->find_file(over255)->size, 700u);
  EXPECT_EQ(index->members()[3].link, long_target);
}

TEST(TarWriter, PaxOnlyWhenNeeded) {
  std::string plain = write_tar({make(std::string(100, 'a'), EntryType::regular, 0644, 1)});
  EXPECT_EQ(plain.find("PaxHeaders"), std::string::npos);
  EXPECT_EQ(plain.size(), 512u * 4);
  std::string pax = write_tar({make(std::string(101, 'a'), EntryType::regular, 0644, 1)});
  EXPECT_NE(pax.find("PaxHeaders/"), std::string::npos);
  EXPECT_EQ(pax[156], 'x');
}

// A source that fails at once: the headers reach the sink before the content is read.
class FailingSource final : public ByteSource {
 public:
  Result<size_t> read(std::span<std::byte>) override { return make_error("boom"); }
};

TEST(TarWriter, HugeSizeUsesPaxRecord) {
  test::StringSink sink;
  Writer w(sink);
  Entry e = make("huge", EntryType::regular, 0644, uint64_t{8} << 30);
  FailingSource src;
  auto r = w.add(e, &src);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("boom"), std::string::npos);
  EXPECT_NE(sink.data().find("size=8589934592\n"), std::string::npos);
}

TEST(TarWriter, ContentMustMatchSize) {
  test::StringSink sink;
  Writer w(sink);
  Entry e = make("f", EntryType::regular, 0644, 10);
  MemorySource shorter("123");
  auto r1 = w.add(e, &shorter);
  ASSERT_FALSE(r1.ok());
  EXPECT_NE(r1.error().message.find("f: content ended after 3 of 10"), std::string::npos);
  MemorySource longer(std::string(11, 'x'));
  auto r2 = w.add(e, &longer);
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.error().message.find("longer"), std::string::npos);
  EXPECT_FALSE(w.add(e, nullptr).ok());
  Entry empty = make("g", EntryType::regular, 0644, 0);
  EXPECT_TRUE(w.add(empty, nullptr).ok());
}

}  // namespace
}  // namespace pith::tar
