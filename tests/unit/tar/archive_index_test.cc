// ArchiveIndex over real image archives, GNU tar dialects, and hostile headers.
#include "tar/archive_index.h"

#include <gtest/gtest.h>

#include <cstring>

#include "tar/pax.h"
#include "tar/ustar.h"
#include "tar_test_util.h"
#include "test_paths.h"
#include "util/file.h"

namespace pith::tar {
namespace {

Result<ArchiveIndex> index_file(const std::string& path) {
  UniqueFd fd = TRY(open_read(path));
  uint64_t size = TRY(file_size(fd.get()));
  return ArchiveIndex::read(fd.get(), size);
}

std::vector<std::string> gnu_names(const std::string& path) {
  std::vector<std::string> out;
  std::string text = test::run_capture("tar -tf " + test::shell_quote(path));
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string name;
    normalize_path(text.substr(pos, nl - pos), name);
    out.push_back(name);
    pos = nl + 1;
  }
  return out;
}

std::vector<std::string> names(const ArchiveIndex& index) {
  std::vector<std::string> out;
  for (const Member& m : index.members()) out.push_back(m.name);
  return out;
}

TEST(TarArchiveIndex, DiveDockerArchive) {
  std::string path = test::corpus("dive/test-docker-image.tar");
  auto index = index_file(path);
  ASSERT_TRUE(index.ok()) << index.error().message;
  EXPECT_EQ(names(*index), gnu_names(path));
  size_t layers = 0;
  for (const Member& m : index->members()) {
    if (m.name.ends_with("/layer.tar")) ++layers;
  }
  EXPECT_EQ(layers, 14u);
  const Member* layer = index->find_file(
      "28cfe03618aa2e914e81fdd90345245c15f4478e35252c06ca52d238fd3cc694/layer.tar");
  ASSERT_NE(layer, nullptr);
  EXPECT_EQ(layer->size, 1369600u);
  EXPECT_EQ(layer->offset % 512, 0u);
  // The member's bytes read in place are the layer GNU tar extracts.
  UniqueFd fd = open_read(path).value();
  std::string ours = pread_exact(fd.get(), layer->offset, layer->size).value();
  std::string gnu = test::run_capture(
      "tar -xOf " + test::shell_quote(path) + " " +
      "28cfe03618aa2e914e81fdd90345245c15f4478e35252c06ca52d238fd3cc694/layer.tar");
  EXPECT_TRUE(ours == gnu);
  EXPECT_NE(index->find_file("manifest.json"), nullptr);
  EXPECT_NE(index->find_file("./manifest.json"), nullptr);
  EXPECT_EQ(index->find_file("28cfe03618aa2e914e81fdd90345245c15f4478e35252c06ca52d238fd3cc694"),
            nullptr);  // a directory
  EXPECT_EQ(index->find_file("nope"), nullptr);
}

TEST(TarArchiveIndex, AllCorpusArchivesMatchGnuTar) {
  for (const char* f :
       {"dive/test-oci-gzip-image.tar", "dive/test-oci-zstd-image.tar", "dive/test-gzip-image.tar",
        "go-containerregistry/pkg/v1/tarball/testdata/test_bundle.tar",
        "go-containerregistry/pkg/v1/tarball/testdata/hello-world-v25.tar",
        "oras-go/content/oci/testdata/hello-world-prefixed-path.tar",
        "containers-image/docker/archive/fixtures/almostempty.tar",
        "stereoscope/pkg/image/oci/testdata/valid-oci.tar"}) {
    auto index = index_file(test::corpus(f));
    ASSERT_TRUE(index.ok()) << f << ": " << index.error().message;
    EXPECT_EQ(names(*index), gnu_names(test::corpus(f))) << f;
  }
}

TEST(TarArchiveIndex, FollowsSymlinkedLayer) {
  auto index =
      index_file(test::corpus("go-containerregistry/pkg/v1/tarball/testdata/test_link.tar"));
  ASSERT_TRUE(index.ok()) << index.error().message;
  const Member* target = index->find_file(
      "6e77476643c3155b1e9ae07dd5a4c8288bdb6590c131c222b7a3f277dec1e266/layer.tar");
  const Member* via_link = index->find_file(
      "b159278ac0c8813245b6c3b22cbbe7abefe3b2ec3fac6c7e87138811e1ef2a88/layer.tar");
  ASSERT_NE(target, nullptr);
  EXPECT_EQ(via_link, target);
  EXPECT_EQ(target->size, 10240u);
}

TEST(TarArchiveIndex, PrefixedPaths) {
  auto index =
      index_file(test::corpus("oras-go/content/oci/testdata/hello-world-prefixed-path.tar"));
  ASSERT_TRUE(index.ok());
  const Member* m = index->find_file(
      "blobs/sha256/2db29710123e3e53a794f2694094b9b4338aa9ee5c40b930cb8063a1be392c54");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->size, 2479u);
}

std::string gnu_tar_of(const test::Scratch& s, const std::string& args) {
  return test::run_capture("cd " + test::shell_quote(s.dir()) + " && tar " + args + " -cf - src");
}

TEST(TarArchiveIndex, GnuDialects) {
  test::Scratch s;
  std::string deep = "src/" + std::string(90, 'a') + "/" + std::string(60, 'c');  // ustar prefix
  std::string longer = "src/" + std::string(200, 'e') + "/" + std::string(200, 'f');
  s.write(deep, "deep");
  s.write(longer, "longer");
  std::filesystem::create_symlink(std::string(180, 'l'), s.file("src/longlink"));
  std::filesystem::create_hard_link(s.file(longer), s.file("src/hard"));
  for (const char* fmt : {"--format=gnu", "--format=oldgnu", "--format=pax", "--format=ustar"}) {
    bool ustar = std::string(fmt) == "--format=ustar";
    if (ustar) {
      // Names ustar cannot hold at all; GNU tar would skip them with an error.
      std::filesystem::remove_all(s.file("src/" + std::string(200, 'e')));
      std::filesystem::remove(s.file("src/longlink"));
    }
    std::string tar = gnu_tar_of(s, fmt);
    auto index = ArchiveIndex::parse(tar);
    ASSERT_TRUE(index.ok()) << fmt << ": " << index.error().message;
    const Member* m = index->find_file(deep);
    ASSERT_NE(m, nullptr) << fmt;
    EXPECT_EQ(tar.substr(m->offset, m->size), "deep");
    if (ustar) continue;
    const Member* l = index->find_file(longer);
    ASSERT_NE(l, nullptr) << fmt;
    EXPECT_EQ(tar.substr(l->offset, l->size), "longer");
    EXPECT_EQ(index->find_file("src/hard"), l) << fmt;
    bool found_link = false;
    for (const Member& x : index->members()) {
      if (x.name == "src/longlink") {
        found_link = true;
        EXPECT_EQ(x.type, '2');
        EXPECT_EQ(x.link, std::string(180, 'l')) << fmt;
      }
    }
    EXPECT_TRUE(found_link) << fmt;
  }
}

// --- hand-made archives -----------------------------------------------------------------

std::string header(const std::string& name, char type, uint64_t size,
                   const std::string& link = "") {
  UstarHeader h{};
  std::memcpy(h.name, name.data(), std::min(name.size(), sizeof(h.name)));
  std::memcpy(h.linkname, link.data(), std::min(link.size(), sizeof(h.linkname)));
  std::snprintf(h.mode, sizeof(h.mode), "%07o", 0644);
  std::snprintf(h.size, sizeof(h.size), "%011llo", static_cast<unsigned long long>(size));
  h.typeflag = type;
  std::memcpy(h.magic, "ustar\0", 6);
  std::memcpy(h.version, "00", 2);
  std::memset(h.chksum, ' ', sizeof(h.chksum));
  unsigned char bytes[512];
  std::memcpy(bytes, &h, 512);
  unsigned sum = 0;
  for (unsigned char b : bytes) sum += b;
  std::snprintf(h.chksum, sizeof(h.chksum), "%06o", sum);
  std::string out(512, '\0');
  std::memcpy(out.data(), &h, 512);
  return out;
}

std::string member(const std::string& name, char type, const std::string& data,
                   const std::string& link = "") {
  std::string out = header(name, type, data.size(), link) + data;
  out.resize((out.size() + 511) / 512 * 512, '\0');
  return out;
}

const std::string k_end(1024, '\0');

TEST(TarArchiveIndex, LinksLoopsAndEscapes) {
  std::string tar = member("dir/file", '0', "hello") + member("dir/rel", '2', "", "file") +
                    member("abs", '2', "", "/dir/file") + member("up", '2', "", "dir/../dir/rel") +
                    member("hard", '1', "", "./dir/file") + member("loop1", '2', "", "loop2") +
                    member("loop2", '2', "", "loop1") + member("out", '2', "", "../../etc/passwd") +
                    member("dangling", '2', "", "nowhere") + k_end;
  auto index = ArchiveIndex::parse(tar);
  ASSERT_TRUE(index.ok()) << index.error().message;
  const Member* file = index->find_file("dir/file");
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(tar.substr(file->offset, file->size), "hello");
  EXPECT_EQ(index->find_file("dir/rel"), file);
  EXPECT_EQ(index->find_file("/abs"), file);
  EXPECT_EQ(index->find_file("up"), file);
  EXPECT_EQ(index->find_file("hard"), file);
  EXPECT_EQ(index->find_file("loop1"), nullptr);
  EXPECT_EQ(index->find_file("out"), nullptr);
  EXPECT_EQ(index->find_file("dangling"), nullptr);
  EXPECT_EQ(index->find_file("../dir/file"), nullptr);
}

TEST(TarArchiveIndex, LastMemberOfANameWins) {
  std::string tar = member("a", '0', "old") + member("a", '0', "new") + k_end;
  auto index = ArchiveIndex::parse(tar);
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(index->members().size(), 2u);
  const Member* m = index->find_file("a");
  EXPECT_EQ(tar.substr(m->offset, m->size), "new");
}

TEST(TarArchiveIndex, EndsAtZeroBlockOrExactEof) {
  std::string body = member("a", '0', "x");
  EXPECT_EQ(ArchiveIndex::parse(body).value().members().size(), 1u);
  EXPECT_EQ(ArchiveIndex::parse(body + k_end + "trailing junk").value().members().size(), 1u);
  EXPECT_EQ(ArchiveIndex::parse("").value().members().size(), 0u);
}

TEST(TarArchiveIndex, PaxAndGnuExtensions) {
  std::string pax = pax_record("path", "very/long/" + std::string(300, 'p')) +
                    pax_record("mtime", "1.5") + pax_record("size", "3");
  std::string tar = member("PaxHeaders/x", 'x', pax) + header("short", '0', 0) +
                    std::string("abc") + std::string(509, '\0') +
                    member("././@LongLink", 'L', std::string(200, 'g') + '\0') +
                    member("trunc", '0', "gnu") + member("glob", 'g', pax_record("comment", "x")) +
                    member("last", '0', "z") + k_end;
  auto index = ArchiveIndex::parse(tar);
  ASSERT_TRUE(index.ok()) << index.error().message;
  ASSERT_EQ(index->members().size(), 3u);
  const Member* p = index->find_file("very/long/" + std::string(300, 'p'));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(tar.substr(p->offset, p->size), "abc");
  const Member* g = index->find_file(std::string(200, 'g'));
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(tar.substr(g->offset, g->size), "gnu");
  EXPECT_NE(index->find_file("last"), nullptr);
}

void expect_error(const std::string& tar, const std::string& needle) {
  auto r = ArchiveIndex::parse(tar);
  ASSERT_FALSE(r.ok()) << "expected an error containing \"" << needle << "\"";
  EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
}

TEST(TarArchiveIndex, HostileInputs) {
  std::string good = member("a", '0', "hello") + k_end;
  expect_error(good.substr(0, 300), "truncated header");
  expect_error(member("a", '0', "x") + std::string(100, 'y'), "truncated header");
  std::string bad_sum = good;
  bad_sum[0] = 'b';
  expect_error(bad_sum, "checksum");
  expect_error(header("big", '0', 1 << 20) + k_end, "past the end");
  expect_error(header("huge", '0', 077777777777) + k_end, "past the end");
  // A pax header announcing more than the cap, with the data really there.
  expect_error(member("p", 'x', std::string((1 << 20) + 1, '\n')) + k_end, "too large");
  expect_error(member("p", 'x', "99999999999999999999999 path=x\n") + header("a", '0', 0) + k_end,
               "pax");
  expect_error(member("p", 'x', "5 path=x\n") + header("a", '0', 0) + k_end, "pax");
  expect_error(member("p", 'x', "12 path=abcd") + header("a", '0', 0) + k_end, "pax");
  expect_error(member("p", 'x', pax_record("size", "-1")) + header("a", '0', 0) + k_end, "size");
  expect_error(member("p", 'x', pax_record("size", "99999999")) + header("a", '0', 0) + k_end,
               "past the end");
  expect_error(member("../escape", '0', "x") + k_end, "../escape");
  expect_error(member("h", '1', "", "../../x") + k_end, "hard link");
  std::string bad_size = header("a", '0', 0);
  std::memcpy(bad_size.data() + 124, "12345678x01", 11);
  expect_error(bad_size + k_end, "checksum");  // the checksum no longer matches either
}

TEST(TarArchiveIndex, NumericFields) {
  auto num = [](std::string s) { return parse_numeric(s); };
  EXPECT_EQ(num("00000000017"), 15u);
  EXPECT_EQ(num("   17 \0"), 15u);
  EXPECT_EQ(num(std::string(12, '\0')), 0u);
  EXPECT_EQ(num("0000000001x"), std::nullopt);
  EXPECT_EQ(num("7777777777777777777777"), std::nullopt);  // over 64 bits
  std::string b256(12, '\0');
  b256[0] = static_cast<char>(0x80);
  b256[7] = 0x02;  // 2 << 32
  EXPECT_EQ(num(b256), uint64_t{2} << 32);
  b256[0] = static_cast<char>(0xff);
  EXPECT_EQ(num(b256), std::nullopt);  // negative
  std::string wide(12, static_cast<char>(0x7f));
  wide[0] = static_cast<char>(0x80);
  wide[1] = 0x01;
  EXPECT_EQ(num(wide), std::nullopt);  // 81 bits
}

TEST(TarArchiveIndex, SignedChecksumAccepted) {
  std::string name = "\xe9t\xe9";  // high bytes make the signed and unsigned sums differ
  UstarHeader h{};
  std::memcpy(h.name, name.data(), name.size());
  std::snprintf(h.size, sizeof(h.size), "%011o", 0);
  h.typeflag = '0';
  std::memset(h.chksum, ' ', 8);
  unsigned char bytes[512];
  std::memcpy(bytes, &h, 512);
  int sum = 0;
  for (unsigned char b : bytes) sum += static_cast<signed char>(b);
  std::snprintf(h.chksum, sizeof(h.chksum), "%06o", sum);
  std::string tar(512, '\0');
  std::memcpy(tar.data(), &h, 512);
  auto index = ArchiveIndex::parse(tar + k_end);
  ASSERT_TRUE(index.ok()) << index.error().message;
  EXPECT_EQ(index->members().at(0).name, name);
}

}  // namespace
}  // namespace pith::tar
