// for_each_entry over real layers (dive, Alpine), checked against upstream counts and GNU tar.
#include "tar/layer_reader.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "tar/archive_index.h"
#include "tar_test_util.h"
#include "test_paths.h"
#include "util/file.h"

namespace pith::tar {
namespace {

// "<mode> <uid>/<gid> <size> <path>[ -> target| link to target]", a normalised form of
// `tar --numeric-owner -tv` lines that both sides can produce.
std::string describe(const Entry& e) {
  std::string s = mode_string(e);
  s += " " + std::to_string(e.uid) + "/" + std::to_string(e.gid);
  if (e.type == EntryType::regular) s += " " + std::to_string(e.size);
  s += " " + (e.path.empty() ? std::string(".") : e.path);
  if (e.type == EntryType::symlink) s += " -> " + e.link_target;
  if (e.type == EntryType::hardlink) s += " link to " + e.link_target;
  return s;
}

std::vector<std::string> gnu_tar_listing(const std::string& cmd) {
  std::vector<std::string> out;
  std::string text = test::run_capture(cmd);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string line = text.substr(pos, nl - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    // mode ids size date time name...
    std::vector<std::string> f;
    size_t i = 0;
    for (int k = 0; k < 5; ++k) {
      while (line[i] == ' ') ++i;
      size_t j = line.find(' ', i);
      f.push_back(line.substr(i, j - i));
      i = j;
    }
    std::string rest = line.substr(i + 1);
    std::string suffix;
    for (std::string sep : {" -> ", " link to "}) {
      size_t at = rest.find(sep);
      if (at != std::string::npos) {
        std::string target = rest.substr(at + sep.size());
        if (sep == " link to ") normalize_path(target, target);
        suffix = sep + target;
        rest = rest.substr(0, at);
      }
    }
    std::string path;
    normalize_path(rest, path);
    std::string s = f[0] + " " + f[1];
    if (f[0][0] == '-') s += " " + f[2];
    out.push_back(s + " " + (path.empty() ? "." : path) + suffix);
  }
  return out;
}

struct DockerArchive {
  std::shared_ptr<UniqueFd> fd;
  ArchiveIndex index;
};

DockerArchive open_dive() {
  std::string path = test::corpus("dive/test-docker-image.tar");
  auto fd = std::make_shared<UniqueFd>(open_read(path).value());
  uint64_t size = file_size(fd->get()).value();
  auto index = ArchiveIndex::read(fd->get(), size);
  EXPECT_TRUE(index.ok()) << index.error().message;
  return {fd, std::move(index).value()};
}

TEST(TarLayerReader, DiveLayerEntryCountsMatchUpstream) {
  DockerArchive a = open_dive();
  const Member* manifest = a.index.find_file("manifest.json");
  ASSERT_NE(manifest, nullptr);
  auto json =
      nlohmann::json::parse(pread_exact(a.fd->get(), manifest->offset, manifest->size).value());
  std::vector<std::string> layers = json.at(0).at("Layers").get<std::vector<std::string>>();
  ASSERT_EQ(layers.size(), 14u);

  // dive's export_test.snap, per layer in manifest order.
  const std::vector<size_t> expected = {415, 1, 4, 3, 3, 3, 3, 4, 2, 2, 4, 2, 3, 2};
  std::vector<size_t> counts;
  for (const std::string& layer : layers) {
    const Member* m = a.index.find_file(layer);
    ASSERT_NE(m, nullptr) << layer;
    FileRegionSource region(a.fd, m->offset, m->size);
    HashingSource hashed(region);
    size_t n = 0;
    auto r = for_each_entry(hashed, [&](const Entry&, ByteSource&) -> Result<void> {
      ++n;
      return {};
    });
    ASSERT_TRUE(r.ok()) << layer << ": " << r.error().message;
    // The whole member passed through the hasher, end-of-archive padding included.
    EXPECT_EQ(hashed.bytes(), m->size) << layer;
    counts.push_back(n);
  }
  EXPECT_EQ(counts, expected);
}

TEST(TarLayerReader, DiveFirstLayerMatchesGnuTar) {
  DockerArchive a = open_dive();
  const Member* m = a.index.find_file(
      "28cfe03618aa2e914e81fdd90345245c15f4478e35252c06ca52d238fd3cc694/layer.tar");
  ASSERT_NE(m, nullptr);
  FileRegionSource region(a.fd, m->offset, m->size);
  std::vector<std::string> ours;
  size_t hardlinks = 0;
  std::string busybox_head;
  ASSERT_TRUE(for_each_entry(region, [&](const Entry& e, ByteSource& content) -> Result<void> {
                ours.push_back(describe(e));
                if (e.type == EntryType::hardlink) ++hardlinks;
                if (e.path == "bin/[") busybox_head = TRY(read_all(content, 2 << 20)).substr(0, 4);
                return {};
              }).ok());
  EXPECT_EQ(hardlinks, 392u);
  EXPECT_EQ(busybox_head,
            "\x7f"
            "ELF");

  std::string cmd = "tar -xOf " + test::shell_quote(test::corpus("dive/test-docker-image.tar")) +
                    " 28cfe03618aa2e914e81fdd90345245c15f4478e35252c06ca52d238fd3cc694/layer.tar"
                    " | tar --numeric-owner -tvf -";
  EXPECT_EQ(ours, gnu_tar_listing(cmd));
}

TEST(TarLayerReader, AlpineRootfsMatchesGnuTar) {
  std::string gz = test::corpus("docker-alpine/v3.19/alpine-minirootfs-3.19.4-x86_64.tar.gz");
  std::string tar = test::run_capture("gzip -dc " + test::shell_quote(gz));
  auto entries = test::read_entries(tar);
  ASSERT_TRUE(entries.ok()) << entries.error().message;
  std::vector<std::string> ours;
  for (const auto& r : *entries) {
    ours.push_back(describe(r.entry));
    if (r.entry.type == EntryType::regular) {
      EXPECT_EQ(r.content.size(), r.entry.size);
    }
  }
  EXPECT_EQ(ours.size(), 527u);
  EXPECT_EQ(ours,
            gnu_tar_listing("gzip -dc " + test::shell_quote(gz) + " | tar --numeric-owner -tvf -"));
}

TEST(TarLayerReader, NotATar) {
  for (std::string junk : {std::string("hello, this is not a tar archive"), std::string(4096, 'x'),
                           std::string("\x1f\x8b\x08\x00", 4)}) {
    MemorySource src(junk);
    auto r = for_each_entry(src, [](const Entry&, ByteSource&) -> Result<void> { return {}; });
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("not a tar archive"), std::string::npos) << r.error().message;
  }
  // An OCI archive's gzip layer blob, handed over still compressed.
  std::string blob = test::run_capture(
      "tar -xOf " + test::shell_quote(test::corpus("dive/test-oci-gzip-image.tar")) +
      " blobs/sha256/9aef42427209c9a180c61bb36b0b09681cbe3d3ff6409408bde0eb17ec1ba0cc");
  ASSERT_FALSE(blob.empty());
  MemorySource src(blob);
  auto r = for_each_entry(src, [](const Entry&, ByteSource&) -> Result<void> { return {}; });
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("not a tar archive"), std::string::npos);
}

TEST(TarLayerReader, EmptyStreamIsAnEmptyLayer) {
  auto r = test::read_entries("");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->empty());
  auto z = test::read_entries(std::string(1024, '\0'));
  ASSERT_TRUE(z.ok()) << z.error().message;
  EXPECT_TRUE(z->empty());
}

std::string gnu_tar_of(const test::Scratch& s, const std::string& args) {
  return test::run_capture("cd " + test::shell_quote(s.dir()) + " && tar " + args + " -cf - src");
}

TEST(TarLayerReader, TruncatedContentIsAnErrorNamingTheEntry) {
  test::Scratch s;
  s.write("src/big", std::string(10000, 'b'));
  std::string tar = gnu_tar_of(s, "--format=ustar");
  auto r = test::read_entries(tar.substr(0, 512 * 4));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("src/big"), std::string::npos) << r.error().message;
}

TEST(TarLayerReader, TrailingRecordPaddingIsDrained) {
  test::Scratch s;
  s.write("src/f", "x");
  std::string tar = gnu_tar_of(s, "--format=gnu");
  ASSERT_EQ(tar.size(), 10240u);  // GNU tar's default record
  MemorySource mem(tar);
  HashingSource hashed(mem);
  ASSERT_TRUE(
      for_each_entry(hashed, [](const Entry&, ByteSource&) -> Result<void> { return {}; }).ok());
  EXPECT_EQ(hashed.bytes(), 10240u);
}

TEST(TarLayerReader, EscapingPathIsAnError) {
  test::StringSink sink;
  Writer w(sink);
  Entry e;
  e.path = "../../etc/evil";
  e.mode = 0644;
  ASSERT_TRUE(w.add(e).ok());
  ASSERT_TRUE(w.finish().ok());
  auto r = test::read_entries(sink.data());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("../../etc/evil"), std::string::npos) << r.error().message;

  test::StringSink sink2;
  Writer w2(sink2);
  Entry h;
  h.path = "ok";
  h.type = EntryType::hardlink;
  h.link_target = "../outside";
  ASSERT_TRUE(w2.add(h).ok());
  ASSERT_TRUE(w2.finish().ok());
  auto r2 = test::read_entries(sink2.data());
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.error().message.find("ok"), std::string::npos);
}

TEST(TarLayerReader, GnuDialectsAndSpecialFiles) {
  test::Scratch s;
  std::string long_dir(120, 'd');
  s.write("src/" + long_dir + "/" + std::string(150, 'f'), "long");
  s.write("src/plain", "plain");
  std::filesystem::create_symlink("plain", s.file("src/link"));
  std::filesystem::create_hard_link(s.file("src/plain"), s.file("src/hard"));
  test::run_capture("mkfifo " + test::shell_quote(s.file("src/fifo")));
  for (const char* fmt : {"--format=gnu", "--format=pax", "--format=oldgnu", "--format=posix"}) {
    auto r = test::read_entries(gnu_tar_of(s, fmt));
    ASSERT_TRUE(r.ok()) << fmt << ": " << r.error().message;
    std::map<std::string, test::Read> by_path;
    for (auto& x : *r) by_path[x.entry.path] = x;
    EXPECT_EQ(by_path.size(), 7u) << fmt;
    EXPECT_EQ(by_path["src/" + long_dir + "/" + std::string(150, 'f')].content, "long") << fmt;
    EXPECT_EQ(by_path["src/link"].entry.type, EntryType::symlink);
    EXPECT_EQ(by_path["src/link"].entry.link_target, "plain");
    EXPECT_EQ(by_path["src/fifo"].entry.type, EntryType::fifo);
    // Whichever of the two names GNU tar met first holds the data; the other links to it.
    const Entry& hp = by_path["src/hard"].entry;
    const Entry& pp = by_path["src/plain"].entry;
    EXPECT_TRUE((hp.type == EntryType::hardlink && hp.link_target == "src/plain") ||
                (pp.type == EntryType::hardlink && pp.link_target == "src/hard"))
        << fmt;
  }
}

TEST(TarLayerReader, VisitorErrorStopsTheWalk) {
  test::Scratch s;
  s.write("src/a", "a");
  s.write("src/b", "b");
  MemorySource src(gnu_tar_of(s, "--format=ustar"));
  int calls = 0;
  auto r = for_each_entry(src, [&](const Entry&, ByteSource&) -> Result<void> {
    ++calls;
    return make_error("stop");
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "stop");
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace pith::tar
