// An image merged from its layers' stored analyses gives what `pith inspect --json`,
// `pith lint --json` and `pith sbom` give when run on it; the stored form round-trips every
// field and refuses hostile bytes with one error.
#include "fleet/layer_analysis.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "compress/compression.h"
#include "fleet/record.h"
#include "lint/lint.h"
#include "lint/output.h"
#include "report/analyze.h"
#include "report/render.h"
#include "sbom/sbom.h"
#include "tar/writer.h"
#include "test_paths.h"
#include "transport/reference.h"
#include "util/byte_source.h"
#include "util/sha256.h"

namespace pith::fleet {
namespace {

namespace sfs = std::filesystem;

class StringSink final : public ByteSink {
 public:
  Result<void> write(std::span<const std::byte> data) override {
    m_bytes.append(reinterpret_cast<const char*>(data.data()), data.size());
    return {};
  }
  std::string m_bytes;
};

std::string sha256_hex(std::string_view bytes) {
  Sha256 sha;
  sha.update(std::as_bytes(std::span(bytes)));
  return sha.hex_digest();
}

// One entry of a layer made for a test: a file (with `content`), a directory, a link.
struct Item {
  tar::EntryType type;
  std::string path;
  std::string content;  // a file's bytes, a link's target
  uint32_t mode = 0644;
};
Item file(std::string path, std::string content, uint32_t mode = 0644) {
  return {tar::EntryType::regular, std::move(path), std::move(content), mode};
}
Item corpus_file(std::string path, const std::string& rel, uint32_t mode = 0644) {
  std::string bytes = test::slurp(test::corpus(rel));
  EXPECT_FALSE(bytes.empty()) << rel;
  return file(std::move(path), std::move(bytes), mode);
}
Item dir(std::string path, uint32_t mode = 0755) {
  return {tar::EntryType::directory, std::move(path), "", mode};
}
Item symlink(std::string path, std::string target) {
  return {tar::EntryType::symlink, std::move(path), std::move(target), 0777};
}
Item hardlink(std::string path, std::string target) {
  return {tar::EntryType::hardlink, std::move(path), std::move(target), 0755};
}

// A layer's tar (uncompressed).
std::string make_tar(const std::vector<Item>& items) {
  StringSink sink;
  tar::Writer w(sink);
  for (const auto& it : items) {
    tar::Entry e;
    e.path = it.path;
    e.type = it.type;
    e.mode = it.mode;
    e.mtime = 1700000000;
    if (it.type == tar::EntryType::regular) {
      e.size = it.content.size();
      MemorySource content(it.content);
      EXPECT_TRUE(w.add(e, &content).ok());
    } else {
      if (it.type == tar::EntryType::symlink || it.type == tar::EntryType::hardlink)
        e.link_target = it.content;
      EXPECT_TRUE(w.add(e).ok());
    }
  }
  EXPECT_TRUE(w.finish().ok());
  return std::move(sink.m_bytes);
}

std::string gzip(std::string bytes) {
  auto z = compress::compress(std::make_unique<MemorySource>(std::move(bytes)),
                              compress::Compression::gzip);
  return read_all(*z, UINT64_MAX).value();
}

std::string unzstd(std::string bytes) {
  auto z = compress::decompress(std::make_unique<MemorySource>(std::move(bytes)),
                                compress::Compression::zstd);
  return read_all(*z, UINT64_MAX).value();
}

std::string gunzip(std::string bytes) {
  auto z = compress::decompress(std::make_unique<MemorySource>(std::move(bytes)),
                                compress::Compression::gzip);
  return read_all(*z, UINT64_MAX).value();
}

// An OCI layout of gzip layers (each given as its uncompressed tar), written under `root`.
class Layout {
 public:
  explicit Layout(sfs::path root) : m_root(std::move(root)) {
    sfs::create_directories(m_root / "blobs" / "sha256");
  }
  void add_layer(const std::string& tar, std::string created_by) {
    add_gzip_layer(gzip(tar), tar, std::move(created_by));
  }
  void add_gzip_layer(std::string blob, const std::string& tar, std::string created_by) {
    m_layers.push_back({{"mediaType", "application/vnd.oci.image.layer.v1.tar+gzip"},
                        {"digest", "sha256:" + put(blob)},
                        {"size", blob.size()}});
    m_diff_ids.push_back("sha256:" + sha256_hex(tar));
    m_history.push_back({{"created_by", std::move(created_by)}});
  }
  // Writes config, manifest and index; returns the reference.
  std::string finish(nlohmann::json container_config) {
    nlohmann::json config = {{"architecture", "amd64"},
                             {"os", "linux"},
                             {"created", "2024-03-04T05:06:07Z"},
                             {"config", std::move(container_config)},
                             {"rootfs", {{"type", "layers"}, {"diff_ids", m_diff_ids}}},
                             {"history", m_history}};
    std::string config_bytes = config.dump();
    nlohmann::json manifest = {{"schemaVersion", 2},
                               {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                               {"config",
                                {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                                 {"digest", "sha256:" + put(config_bytes)},
                                 {"size", config_bytes.size()}}},
                               {"layers", m_layers}};
    std::string manifest_bytes = manifest.dump();
    nlohmann::json index = {{"schemaVersion", 2},
                            {"manifests",
                             {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                               {"digest", "sha256:" + put(manifest_bytes)},
                               {"size", manifest_bytes.size()}}}}};
    std::ofstream(m_root / "index.json") << index.dump();
    std::ofstream(m_root / "oci-layout") << R"({"imageLayoutVersion":"1.0.0"})";
    return "oci:" + m_root.string();
  }
  sfs::path blob_path(size_t layer) const {
    std::string digest = m_layers[layer]["digest"];
    return m_root / "blobs" / "sha256" / digest.substr(7);
  }

 private:
  std::string put(const std::string& bytes) {
    std::string hex = sha256_hex(bytes);
    std::ofstream(m_root / "blobs" / "sha256" / hex, std::ios::binary) << bytes;
    return hex;
  }
  sfs::path m_root;
  nlohmann::json m_layers = nlohmann::json::array();
  nlohmann::json m_diff_ids = nlohmann::json::array();
  nlohmann::json m_history = nlohmann::json::array();
};

const std::string k_deb_copyright = "syft/syft/pkg/cataloger/debian/testdata/";
const std::string k_pkgs = "syft/cmd/syft/internal/test/integration/testdata/image-pkg-coverage/";
const std::string k_go = "trivy/pkg/dependency/parser/golang/binary/testdata/";

// Debian-like: dpkg's status replaced by a later layer, file lists, copyright files, a
// distroless status.d, whiteouts, setuid and world-writable files, the loader's files, a
// secret, scripts whose interpreters are missing.
std::string debian_image(const sfs::path& root) {
  Layout l(root);
  l.add_layer(
      make_tar(
          {dir("etc"),
           file("etc/os-release",
                "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n"),
           file("etc/debian_version", "12.5\n"),
           file("etc/passwd",
                "root:x:0:0:root:/root:/bin/bash\napp:x:1000:1000::/home/app:/bin/sh\n"),
           file("etc/group", "root:x:0:\napp:x:1000:\n"),
           file("etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n"),
           dir("var/lib/dpkg/info"),
           corpus_file("var/lib/dpkg/status", k_deb_copyright + "image-dpkg/var/lib/dpkg/status"),
           file("var/lib/dpkg/info/bash.list", "/.\n/bin\n/bin/bash\n/usr/share/doc/bash\n"),
           file("var/lib/dpkg/info/libc6:amd64.list",
                "/.\n/lib\n/lib/x86_64-linux-gnu/libc.so.6\n"),
           corpus_file("var/lib/dpkg/info/libpam-runtime.md5sums",
                       k_deb_copyright + "image-dpkg/var/lib/dpkg/info/libpam-runtime.md5sums"),
           corpus_file("usr/share/doc/libc6/copyright", k_deb_copyright + "copyright/libc6"),
           corpus_file("usr/share/doc/liblzma5/copyright", k_deb_copyright + "copyright/liblzma5"),
           corpus_file("usr/share/doc/bash/copyright", k_deb_copyright + "copyright/trilicense"),
           corpus_file("bin/bash", k_go + "test.elf", 0755),
           file("bin/su", "#!/bin/sh\nexec true\n", 04755),
           hardlink("bin/rbash", "bin/bash"),
           symlink("bin/sh", "bash"),
           dir("tmp", 01777),
           dir("var/tmp", 0777),
           file("old/gone.txt", "to be deleted"),
           file("old/kept.txt", "kept")}),
      "debootstrap");
  l.add_layer(
      make_tar(
          {corpus_file(
               "var/lib/dpkg/status",
               "trivy/pkg/fanal/analyzer/pkg/dpkg/testdata/valid.extracted/var/lib/dpkg/status"),
           corpus_file("usr/share/doc/libpam-runtime/copyright",
                       k_deb_copyright + "image-dpkg/usr/share/doc/libpam-runtime/copyright"),
           file("old/.wh.gone.txt", ""),
           file("usr/local/bin/run.sh", "#!/usr/bin/python3 -u\nprint('hi')\n", 0755),
           file("usr/local/bin/long.sh", "#!/bin/sh " + std::string(300, 'x') + "\nexit 0\n", 0755),
           file("root/.ssh/id_rsa", "-----BEGIN OPENSSH PRIVATE KEY-----\n"),
           file("etc/ld.so.conf.d/local.conf", "/usr/local/lib\n"),
           file("etc/world", "anyone", 0666)}),
      "RUN apt-get install -y libpam-runtime");
  l.add_layer(
      make_tar(
          {dir("var/lib/dpkg/status.d"),
           corpus_file("var/lib/dpkg/status.d/libsqlite3-0",
                       k_deb_copyright + "image-distroless-deb/var/lib/dpkg/status.d/libsqlite3-0"),
           corpus_file(
               "var/lib/dpkg/status.d/libsqlite3-0.md5sums",
               k_deb_copyright + "image-distroless-deb/var/lib/dpkg/status.d/libsqlite3-0.md5sums"),
           corpus_file(
               "usr/share/doc/libsqlite3-0/copyright",
               k_deb_copyright + "image-distroless-deb/usr/share/doc/libsqlite3-0/copyright"),
           file("old/.wh..wh..opq", ""), file("old/new.txt", "new")}),
      "COPY distroless /");
  return l.finish({{"Entrypoint", {"/usr/local/bin/run.sh"}}, {"User", "app"}});
}

// Alpine with language packages: two real minirootfs layers (apk's database replaced), then
// Python, npm, Java and Go packages, one Go program removed again.
std::string language_image(const sfs::path& root) {
  Layout l(root);
  for (std::string v : {"v3.18/alpine-minirootfs-3.18.9-x86_64.tar.gz",
                        "v3.19/alpine-minirootfs-3.19.4-x86_64.tar.gz"}) {
    std::string blob = test::slurp(test::corpus("docker-alpine/" + v));
    std::string tar = gunzip(blob);
    l.add_gzip_layer(std::move(blob), tar, "ADD " + v + " /");
  }
  l.add_layer(
      make_tar(
          {corpus_file("usr/lib/python3.11/site-packages/somerequests-3.22.0.dist-info/METADATA",
                       k_pkgs + "pkgs/python/somerequests-3.22.0.dist-info/METADATA"),
           corpus_file(
               "usr/lib/python3.11/site-packages/someotherpkg-3.19.0-py3.8.egg-info/PKG-INFO",
               k_pkgs + "pkgs/python/someotherpkg-3.19.0-py3.8.egg-info/PKG-INFO"),
           corpus_file("usr/lib/node_modules/example/package.json",
                       k_pkgs + "pkgs/javascript/package-json/package.json"),
           corpus_file("opt/app/app.jar", k_pkgs + "pkgs/java/example-java-app-maven-0.1.0.jar"),
           corpus_file("opt/app/plugin.hpi", k_pkgs + "pkgs/java/example-jenkins-plugin.hpi"),
           corpus_file("usr/local/bin/app", k_go + "test.elf", 0755),
           corpus_file("usr/local/bin/tool", k_go + "main-version-via-ldflags.elf", 0755),
           corpus_file("usr/local/lib/libgo.so", k_go + "goexperiment", 0644)}),
      "COPY app /");
  l.add_layer(make_tar({file("usr/local/bin/.wh.tool", "")}), "RUN rm /usr/local/bin/tool");
  return l.finish({{"Entrypoint", {"/usr/local/bin/app"}}, {"Cmd", {"serve"}}});
}

// What the three commands print, side by side.
struct Outputs {
  std::string inspect;
  std::string lint;
  std::string sarif;
  std::string spdx;
  std::string cyclonedx;
  std::vector<std::string> inspect_warnings;
  std::vector<std::string> sbom_warnings;
};

Outputs outputs(const report::InspectReport& inspect, const lint::LintReport& lint,
                const sbom::SbomInput& sbom) {
  return {report::json_text(report::to_json(inspect), 2),
          report::json_text(lint::to_json(lint), 2),
          report::json_text(lint::to_sarif(lint), 2),
          sbom::render(sbom, sbom::Format::spdx_json).value(),
          sbom::render(sbom, sbom::Format::cyclonedx_json).value(),
          inspect.warnings,
          sbom.report.warnings};
}

// The standalone commands and the fleet's merge over stored analyses, on one image.
void expect_same_results(const std::string& reference, size_t min_layers) {
  auto src = transport::open_source(transport::parse_reference(reference).value());
  ASSERT_TRUE(src.ok()) << src.error().message;
  auto img = transport::resolve_image(**src, std::nullopt);
  ASSERT_TRUE(img.ok()) << img.error().message;
  ASSERT_GE(img->manifest.layers.size(), min_layers);

  auto inspect = report::analyze_image(**src, *img);
  ASSERT_TRUE(inspect.ok()) << inspect.error().message;
  auto lint = lint::lint_image(**src, *img, lint::LintOptions{});
  ASSERT_TRUE(lint.ok()) << lint.error().message;
  auto sbom = sbom::measure(**src, *img);
  ASSERT_TRUE(sbom.ok()) << sbom.error().message;
  Outputs standalone = outputs(*inspect, *lint, *sbom);

  std::vector<LayerAnalysis> layers;
  for (size_t i = 0; i < img->manifest.layers.size(); ++i) {
    auto a = analyze_layer(**src, *img, i);
    ASSERT_TRUE(a.ok()) << a.error().message;
    std::string stored = encode(*a);
    auto back = decode(stored);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(encode(*back), stored) << "layer " << i;
    layers.push_back(std::move(*back));
  }
  auto merged = merge_image((*src)->describe(), *img, std::move(layers));
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  lint::LintReport fleet_lint{merged->inspect, merged->findings};
  Outputs fleet = outputs(merged->inspect, fleet_lint, merged->sbom);

  EXPECT_EQ(fleet.inspect, standalone.inspect);
  EXPECT_EQ(fleet.lint, standalone.lint);
  EXPECT_EQ(fleet.sarif, standalone.sarif);
  EXPECT_EQ(fleet.spdx, standalone.spdx);
  EXPECT_EQ(fleet.cyclonedx, standalone.cyclonedx);
  EXPECT_EQ(fleet.inspect_warnings, standalone.inspect_warnings);
  EXPECT_EQ(fleet.sbom_warnings, standalone.sbom_warnings);
}

class FleetImageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = sfs::temp_directory_path() /
            ("pith-fleet-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    sfs::remove_all(m_dir);
    sfs::create_directories(m_dir);
  }
  void TearDown() override { sfs::remove_all(m_dir); }
  sfs::path m_dir;
};

TEST_F(FleetImageTest, DebianImageMergedFromStoredLayersEqualsTheCommands) {
  std::string ref = debian_image(m_dir / "debian");
  expect_same_results(ref, 3);
  // The image is what it should test: packages, findings, licences are there.
  auto src = transport::open_source(transport::parse_reference(ref).value()).value();
  auto img = transport::resolve_image(*src, std::nullopt).value();
  auto in = sbom::measure(*src, img).value();
  EXPECT_GT(in.report.os_package_count(), 3u);
  bool licensed = false;
  for (const auto& p : in.packages) licensed = licensed || !p.license.empty();
  EXPECT_TRUE(licensed);
  EXPECT_FALSE(lint::lint_image(*src, img, {}).value().findings.empty());
}

TEST_F(FleetImageTest, LanguageImageMergedFromStoredLayersEqualsTheCommands) {
  std::string ref = language_image(m_dir / "lang");
  expect_same_results(ref, 4);
  auto src = transport::open_source(transport::parse_reference(ref).value()).value();
  auto img = transport::resolve_image(*src, std::nullopt).value();
  auto r = report::analyze_image(*src, img).value();
  EXPECT_GT(r.language_package_count(), 3u);
  EXPECT_GT(r.os_package_count(), 3u);
}

TEST(FleetLayerAnalysis, ElfImageMergedFromStoredLayersEqualsTheCommands) {
  // dive's busybox image: 14 layers, ELF programs, hard links, file and directory whiteouts.
  expect_same_results("docker-archive:" + test::corpus("dive/test-docker-image.tar"), 14);
}

TEST(FleetLayerAnalysis, MultiPlatformLayoutMergedFromStoredLayersEqualsTheCommands) {
  expect_same_results("oci:" + test::corpus("stereoscope/pkg/image/oci/testdata/valid_oci_dir"), 1);
}

TEST_F(FleetImageTest, TamperedBlobGivesAnErrorAndNoAnalysis) {
  Layout l(m_dir / "tampered");
  std::string tar = make_tar({file("a.txt", "hello"), file("b.txt", "world")});
  l.add_layer(tar, "x");
  std::string ref = l.finish(nlohmann::json::object());
  std::string blob = test::slurp(l.blob_path(0));
  blob[blob.size() / 2] = static_cast<char>(blob[blob.size() / 2] ^ 0x20);
  std::ofstream(l.blob_path(0), std::ios::binary) << blob;
  auto src = transport::open_source(transport::parse_reference(ref).value()).value();
  auto img = transport::resolve_image(*src, std::nullopt).value();
  auto a = analyze_layer(*src, img, 0);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().message.find("layer 0"), std::string::npos) << a.error().message;
}

TEST_F(FleetImageTest, MergeChecksTheLayersAreTheImages) {
  std::string ref = debian_image(m_dir / "debian");
  auto src = transport::open_source(transport::parse_reference(ref).value()).value();
  auto img = transport::resolve_image(*src, std::nullopt).value();
  std::vector<LayerAnalysis> layers;
  for (size_t i = 0; i < img.manifest.layers.size(); ++i)
    layers.push_back(analyze_layer(*src, img, i).value());
  std::swap(layers[0], layers[1]);
  auto swapped = merge_image(src->describe(), img, layers);
  ASSERT_FALSE(swapped.ok());
  EXPECT_NE(swapped.error().message.find("layer 0: the analysis of"), std::string::npos);
  layers.pop_back();
  EXPECT_FALSE(merge_image(src->describe(), img, layers).ok());
}

// Every field set to something other than its default, so that a field left out by encode or
// decode shows.
LayerAnalysis full_analysis() {
  LayerAnalysis a;
  a.diff_id = oci::Digest::sha256_of("layer");
  tar::Entry e;
  e.path = "usr/bin/ping";
  e.type = tar::EntryType::regular;
  e.mode = 04755;
  e.uid = uint64_t{1} << 40;
  e.gid = 7;
  e.uname = "root";
  e.gname = "wheel";
  e.size = 123456;
  e.mtime = -42;
  e.link_target = "";
  e.dev_major = 0;
  e.dev_minor = 0;
  e.xattrs["security.capability"] = std::string("\x01\x00\x00\x02", 4);
  a.layer.entries.push_back(e);
  tar::Entry dev;
  dev.path = "dev/null";
  dev.type = tar::EntryType::char_device;
  dev.dev_major = 1;
  dev.dev_minor = 3;
  a.layer.entries.push_back(dev);
  tar::Entry link;
  link.path = "usr/bin/ping6";
  link.type = tar::EntryType::hardlink;
  link.link_target = "usr/bin/ping";
  a.layer.entries.push_back(link);
  a.layer.uncompressed_size = 999;
  a.layer.warnings = {"/big: too large"};
  a.sbom_warnings = {"/big: too large", "/sparse: not hashed"};
  a.kept_bytes = 77;
  a.listed_paths = 88;
  a.catalog.os_databases.push_back({"var/lib/dpkg/status", "Package: a\n", 0644});
  a.catalog.system_files.push_back({"etc/os-release", "ID=debian\n", 0600});
  a.catalog.dpkg_file_lists.push_back(
      {"var/lib/dpkg/info/a.md5sums", "a:amd64", catalog::DpkgFileListKind::md5sums, {"/x", "/y"}});
  catalog::Package p;
  p.type = catalog::PackageType::cargo;
  p.name = "n";
  p.version = "1";
  p.arch = "amd64";
  p.purl = "pkg:cargo/n@1";
  p.source_package = "src";
  p.license = "MIT";
  p.installed_size = 5;
  p.location = "/usr/bin/x";
  p.files = {"/usr/bin/x", "/usr/bin/y"};
  p.depends = {{"a", "b"}, {"c"}};
  p.provides = {"d"};
  a.catalog.language.push_back(p);
  a.catalog.warnings = {"/x: skipped"};
  lint::ElfFacts f;
  f.info.is_64 = false;
  f.info.big_endian = true;
  f.info.type = 3;
  f.info.machine = 183;
  f.info.interpreter = "/lib/ld-linux-aarch64.so.1";
  f.info.has_dynamic = true;
  f.info.needed = {"libc.so.6"};
  f.info.rpath = "";
  f.info.runpath = "$ORIGIN";
  f.info.soname = std::nullopt;
  f.info.flags_1 = 0x800;
  f.info.version_definitions = {"V1"};
  f.info.version_needs = {{"libc.so.6", {"GLIBC_2.34"}}};
  f.info.names_thread_cancellation = true;
  f.info.names_user_lookup = true;
  f.info.names_iconv = true;
  f.go = true;
  f.go_tls = true;
  f.go_user = true;
  a.facts.elf["usr/bin/ping"] = f;
  a.facts.elf_errors["usr/bin/bad"] = "truncated";
  a.facts.shebangs["usr/bin/s"] = "#!/bin/sh";
  a.facts.files["etc/passwd"] = "root:x:0:0::/:/bin/sh\n";
  a.captures.files["usr/share/doc/a/copyright"] = "License: MIT\n";
  a.captures.sha256["usr/bin/ping"] = sha256_hex("ping");
  a.captures.sha256["etc/passwd"] = sha256_hex("passwd");
  return a;
}

TEST(FleetLayerAnalysis, EveryFieldRoundTrips) {
  LayerAnalysis a = full_analysis();
  std::string stored = encode(a);
  auto back = decode(stored);
  ASSERT_TRUE(back.ok()) << back.error().message;
  const LayerAnalysis& b = *back;
  EXPECT_EQ(b.diff_id, a.diff_id);
  ASSERT_EQ(b.layer.entries.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const tar::Entry& x = a.layer.entries[i];
    const tar::Entry& y = b.layer.entries[i];
    EXPECT_EQ(y.path, x.path);
    EXPECT_EQ(y.type, x.type);
    EXPECT_EQ(y.mode, x.mode);
    EXPECT_EQ(y.uid, x.uid);
    EXPECT_EQ(y.gid, x.gid);
    EXPECT_EQ(y.uname, x.uname);
    EXPECT_EQ(y.gname, x.gname);
    EXPECT_EQ(y.size, x.size);
    EXPECT_EQ(y.mtime, x.mtime);
    EXPECT_EQ(y.link_target, x.link_target);
    EXPECT_EQ(y.dev_major, x.dev_major);
    EXPECT_EQ(y.dev_minor, x.dev_minor);
    EXPECT_EQ(y.xattrs, x.xattrs);
  }
  EXPECT_EQ(b.layer.uncompressed_size, 999u);
  EXPECT_TRUE(b.layer.captured.empty());
  EXPECT_EQ(b.layer.warnings, a.layer.warnings);
  EXPECT_EQ(b.sbom_warnings, a.sbom_warnings);
  EXPECT_EQ(b.kept_bytes, 77u);
  EXPECT_EQ(b.listed_paths, 88u);
  auto same_file = [](const fs::CapturedFile& x, const fs::CapturedFile& y) {
    return x.path == y.path && x.bytes == y.bytes && x.mode == y.mode;
  };
  ASSERT_EQ(b.catalog.os_databases.size(), 1u);
  EXPECT_TRUE(same_file(b.catalog.os_databases[0], a.catalog.os_databases[0]));
  ASSERT_EQ(b.catalog.system_files.size(), 1u);
  EXPECT_TRUE(same_file(b.catalog.system_files[0], a.catalog.system_files[0]));
  ASSERT_EQ(b.catalog.dpkg_file_lists.size(), 1u);
  const auto& l = b.catalog.dpkg_file_lists[0];
  EXPECT_EQ(l.path, "var/lib/dpkg/info/a.md5sums");
  EXPECT_EQ(l.key, "a:amd64");
  EXPECT_EQ(l.kind, catalog::DpkgFileListKind::md5sums);
  EXPECT_EQ(l.files, (std::vector<std::string>{"/x", "/y"}));
  ASSERT_EQ(b.catalog.language.size(), 1u);
  const catalog::Package& p = b.catalog.language[0];
  const catalog::Package& q = a.catalog.language[0];
  EXPECT_EQ(p.type, q.type);
  EXPECT_EQ(p.name, q.name);
  EXPECT_EQ(p.version, q.version);
  EXPECT_EQ(p.arch, q.arch);
  EXPECT_EQ(p.purl, q.purl);
  EXPECT_EQ(p.source_package, q.source_package);
  EXPECT_EQ(p.license, q.license);
  EXPECT_EQ(p.installed_size, q.installed_size);
  EXPECT_EQ(p.location, q.location);
  EXPECT_EQ(p.files, q.files);
  EXPECT_EQ(p.depends, q.depends);
  EXPECT_EQ(p.provides, q.provides);
  EXPECT_EQ(b.catalog.warnings, a.catalog.warnings);
  ASSERT_EQ(b.facts.elf.size(), 1u);
  const lint::ElfFacts& f = b.facts.elf.at("usr/bin/ping");
  const lint::ElfFacts& g = a.facts.elf.at("usr/bin/ping");
  EXPECT_EQ(f.info.is_64, g.info.is_64);
  EXPECT_EQ(f.info.big_endian, g.info.big_endian);
  EXPECT_EQ(f.info.type, g.info.type);
  EXPECT_EQ(f.info.machine, g.info.machine);
  EXPECT_EQ(f.info.interpreter, g.info.interpreter);
  EXPECT_EQ(f.info.has_dynamic, g.info.has_dynamic);
  EXPECT_EQ(f.info.needed, g.info.needed);
  EXPECT_EQ(f.info.rpath, g.info.rpath);
  EXPECT_EQ(f.info.runpath, g.info.runpath);
  EXPECT_EQ(f.info.soname, g.info.soname);
  EXPECT_EQ(f.info.flags_1, g.info.flags_1);
  EXPECT_EQ(f.info.version_definitions, g.info.version_definitions);
  ASSERT_EQ(f.info.version_needs.size(), 1u);
  EXPECT_EQ(f.info.version_needs[0].file, "libc.so.6");
  EXPECT_EQ(f.info.version_needs[0].versions, g.info.version_needs[0].versions);
  EXPECT_EQ(f.info.names_thread_cancellation, g.info.names_thread_cancellation);
  EXPECT_EQ(f.info.names_user_lookup, g.info.names_user_lookup);
  EXPECT_EQ(f.info.names_iconv, g.info.names_iconv);
  EXPECT_EQ(f.go, g.go);
  EXPECT_EQ(f.go_tls, g.go_tls);
  EXPECT_EQ(f.go_user, g.go_user);
  EXPECT_EQ(b.facts.elf_errors, a.facts.elf_errors);
  EXPECT_EQ(b.facts.shebangs, a.facts.shebangs);
  EXPECT_EQ(b.facts.files, a.facts.files);
  EXPECT_EQ(b.captures.files, a.captures.files);
  EXPECT_EQ(b.captures.sha256, a.captures.sha256);
  EXPECT_EQ(encode(b), stored);
}

TEST(FleetLayerAnalysis, TruncatedRecordIsAClearError) {
  std::string stored = encode(full_analysis());
  for (size_t n = 0; n < stored.size(); ++n) {
    auto r = decode(std::string_view(stored).substr(0, n));
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_TRUE(r.error().message.starts_with("layer analysis record: ")) << r.error().message;
  }
}

TEST(FleetLayerAnalysis, GarbageIsAClearError) {
  for (std::string bytes : {std::string(), std::string("garbage"), std::string(1000, '\xff'),
                            std::string("PITHLAYR") + std::string(100, '\x80'),
                            std::string("PITHLAYR\x01\x01\x05") + "zzzzz"}) {
    auto r = decode(bytes);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.error().message.starts_with("layer analysis record: ")) << r.error().message;
  }
  // Every byte of a real record flipped in turn: an error or a record, never a crash.
  std::string stored = encode(full_analysis());
  for (size_t i = 0; i < stored.size(); ++i) {
    std::string bad = stored;
    bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    (void)decode(bad);
  }
}

TEST(FleetLayerAnalysis, AnotherAnalyzerVersionIsRefused) {
  std::string stored = encode(full_analysis());
  // "PITHLAYR", format 1, then the analyzer version.
  ASSERT_EQ(stored[9], static_cast<char>(k_analyzer_version));
  stored[9] = static_cast<char>(k_analyzer_version + 1);
  auto r = decode(stored);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("analyzer version"), std::string::npos) << r.error().message;
}

// A body that is well-formed zstd but hostile inside: paths out of the root, counts past the
// bytes, numbers past 64 bits.
std::string record_of(const std::string& body) {
  RecordWriter head;
  head.raw("PITHLAYR");
  head.u64(1);
  head.u64(k_analyzer_version);
  head.u64(body.size());
  auto z = compress::compress(std::make_unique<MemorySource>(body), compress::Compression::zstd);
  return head.out() + read_all(*z, UINT64_MAX).value();
}

TEST(FleetLayerAnalysis, HostileBodiesAreErrors) {
  auto body_with_entry = [](const std::string& path, uint64_t count) {
    RecordWriter w;
    w.bytes(oci::Digest::sha256_of("x").str());
    w.u64(0);
    w.u64(count);
    tar::Entry e;
    e.path = path;
    put(w, e);
    return w.out();
  };
  for (const auto& [body, why] : std::vector<std::pair<std::string, std::string>>{
           {body_with_entry("../etc/passwd", 1), "not a normalised path"},
           {body_with_entry("a", uint64_t{1} << 40), "is past"},
           {body_with_entry("a", 1000), "items in fewer bytes"},
           {std::string("\x05sha25"), "diff_id"},
           {std::string(20, '\xff'), "past 64 bits"}}) {
    auto r = decode(record_of(body));
    ASSERT_FALSE(r.ok()) << why;
    EXPECT_NE(r.error().message.find(why), std::string::npos) << r.error().message;
  }
}

// Writes the seeds of fuzz/corpus/fleet_layer_record_fuzz (run with
// --gtest_also_run_disabled_tests and PITH_FLEET_SEED_DIR set).
TEST(FleetLayerAnalysis, DISABLED_WriteFuzzSeeds) {
  const char* dir = std::getenv("PITH_FLEET_SEED_DIR");
  ASSERT_NE(dir, nullptr);
  std::ofstream(sfs::path(dir) / "full", std::ios::binary) << encode(full_analysis());
  LayerAnalysis empty;
  empty.diff_id = oci::Digest::sha256_of("");
  std::ofstream(sfs::path(dir) / "empty", std::ios::binary) << encode(empty);
  auto src =
      transport::open_source(
          transport::parse_reference("docker-archive:" + test::corpus("dive/test-docker-image.tar"))
              .value())
          .value();
  auto img = transport::resolve_image(*src, std::nullopt).value();
  for (size_t i : {1, 4, 9})
    std::ofstream(sfs::path(dir) / ("dive-layer-" + std::to_string(i)), std::ios::binary)
        << encode(analyze_layer(*src, img, i).value());
  // Bodies alone (the target frames them), for mutations to reach the body's decoders.
  for (const auto& [name, a] :
       {std::pair{"body-full", full_analysis()},
        std::pair{"body-dive-layer-4", analyze_layer(*src, img, 4).value()}}) {
    std::string stored = encode(a);
    RecordReader head(std::string_view(stored).substr(8));
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(head.u64("header").ok());
    std::string body = unzstd(stored.substr(8 + head.offset()));
    std::ofstream(sfs::path(dir) / name, std::ios::binary) << body;
  }
}

}  // namespace
}  // namespace pith::fleet
