// package_metadata against the real thing: this Debian host's dpkg database checked with
// dpkg -S / dpkg-query / md5sum, and roots made from the corpus's apk and rpm databases
// checked with Debian's rpm.
#include "build/package_metadata.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "build/dpkg_list_index.h"
#include "catalog/apk.h"
#include "catalog/dpkg.h"
#include "shell.h"
#include "test_paths.h"

namespace pith::build {
namespace {

namespace fs = std::filesystem;
using test::run_capture;
using test::shell_quote;
using test::slurp;

// A fresh directory under the system temp dir, removed at the end of the test.
class TempRoot {
 public:
  TempRoot() {
    std::string tmpl = (fs::temp_directory_path() / "pith-meta-XXXXXX").string();
    m_path = ::mkdtemp(tmpl.data());
  }
  ~TempRoot() { fs::remove_all(m_path); }
  const std::string& path() const { return m_path; }

  void write(const std::string& rel, const std::string& content) const {
    fs::path p = fs::path(m_path) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }
  void link(const std::string& rel, const std::string& target) const {
    fs::path p = fs::path(m_path) / rel;
    fs::create_directories(p.parent_path());
    fs::create_symlink(target, p);
  }

 private:
  std::string m_path;
};

PackageMetadata metadata(const std::string& dir, const std::set<std::string>& included,
                         const std::string& cache_dir = "") {
  auto root = RootDir::open(dir);
  EXPECT_TRUE(root.ok()) << (root.ok() ? "" : root.error().message);
  auto r = package_metadata(*root, included, cache_dir);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : PackageMetadata{};
}

std::set<std::string> names(const PackageMetadata& m) {
  std::set<std::string> out;
  for (const catalog::Package& p : m.packages) out.insert(p.name);
  return out;
}

const GeneratedFile* find_file(const PackageMetadata& m, const std::string& path) {
  for (const GeneratedFile& f : m.files) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string warnings_text(const PackageMetadata& m) {
  std::string out;
  for (const catalog::Warning& w : m.warnings) out += w.location + ": " + w.message + "\n";
  return out;
}

// The package names `dpkg -S` gives for a file, asked for its canonical path first and then
// for the path without /usr (how dpkg lists files of merged-/usr Debian 12).
std::set<std::string> dpkg_owners(const std::string& path) {
  std::set<std::string> owners;
  for (std::string asked : {path, path.starts_with("/usr/") ? path.substr(4) : path}) {
    int status = 0;
    std::string out = run_capture("dpkg -S " + shell_quote(asked) + " 2>/dev/null", &status);
    if (status != 0) continue;
    for (const std::string& line : lines(out)) {
      // "libc6:amd64: /lib/...", or "a, b: /path" when several packages list it.
      std::string who = line.substr(0, line.rfind(": "));
      std::stringstream list(who);
      for (std::string name; std::getline(list, name, ',');) {
        name.erase(0, name.find_first_not_of(' '));
        owners.insert(name.substr(0, name.find(':')));
      }
    }
    if (!owners.empty()) break;
  }
  return owners;
}

// The host's md5sums file of a package, by the file name dpkg uses.
std::string host_md5sums_path(const catalog::Package& p) {
  std::string with_arch = "/var/lib/dpkg/info/" + p.name + ":" + p.arch + ".md5sums";
  return fs::exists(with_arch) ? with_arch : "/var/lib/dpkg/info/" + p.name + ".md5sums";
}

TEST(PackageMetadataDebianHost, OwnersMd5sumsAndVersionsMatchDpkg) {
  std::set<std::string> included;
  for (const char* p :
       {"/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libssl.so.3",
        "/lib/x86_64-linux-gnu/libcurl.so.4", "/etc/ssl/certs/ca-certificates.crt"}) {
    ASSERT_TRUE(fs::exists(p)) << p << " (scripts/install-deps installs it)";
    included.insert(fs::canonical(p).string());
  }
  ASSERT_TRUE(included.contains("/usr/lib/x86_64-linux-gnu/libc.so.6"));  // merged /usr

  std::set<std::string> expected;
  for (const std::string& path : included) {
    for (const std::string& owner : dpkg_owners(path)) expected.insert(owner);
  }
  ASSERT_TRUE(expected.contains("libc6"));
  ASSERT_FALSE(expected.contains("ca-certificates"));  // the bundle is generated, unowned

  PackageMetadata m = metadata("/", included);
  EXPECT_EQ(names(m), expected);

  std::set<std::string> owned_files;
  for (const catalog::Package& p : m.packages) {
    owned_files.insert(p.files.begin(), p.files.end());
    SCOPED_TRACE(p.name);
    const GeneratedFile* stanza = find_file(m, "/var/lib/dpkg/status.d/" + p.name);
    ASSERT_NE(stanza, nullptr);
    EXPECT_TRUE(stanza->content.starts_with("Package: " + p.name + "\n"));
    EXPECT_EQ(stanza->content.find("\nStatus:"), std::string::npos);  // as distroless: none

    // The catalog's status.d reader reads back what dpkg-query says is installed.
    auto parsed = catalog::parse_dpkg_status_d(stanza->content, stanza->path, {});
    ASSERT_TRUE(parsed.ok());
    ASSERT_EQ(parsed->size(), 1u);
    std::string query = run_capture("dpkg-query -W -f='${Package} ${Version} ${Architecture}' " +
                                    shell_quote(p.name + ":" + p.arch));
    EXPECT_EQ(parsed->front().name + " " + parsed->front().version + " " + parsed->front().arch,
              query);

    // The md5sums lines are dpkg's own lines for the included files, digests of the files.
    std::vector<std::string> expected_lines;
    for (const std::string& line : lines(slurp(host_md5sums_path(p)))) {
      std::string path = "/" + line.substr(34);
      if (included.contains(fs::weakly_canonical(path).string())) expected_lines.push_back(line);
    }
    ASSERT_FALSE(expected_lines.empty());
    const GeneratedFile* md5 = find_file(m, "/var/lib/dpkg/status.d/" + p.name + ".md5sums");
    ASSERT_NE(md5, nullptr);
    EXPECT_EQ(lines(md5->content), expected_lines);
    for (const std::string& line : expected_lines) {
      std::string real = fs::canonical("/" + line.substr(34)).string();
      std::string sum = run_capture("md5sum " + shell_quote(real));
      EXPECT_EQ(sum.substr(0, 32), line.substr(0, 32)) << real;
    }
  }
  // Every included file dpkg knows an owner of is attributed; the CA bundle is not.
  std::set<std::string> expected_owned = included;
  expected_owned.erase("/etc/ssl/certs/ca-certificates.crt");
  EXPECT_EQ(owned_files, expected_owned);
  EXPECT_TRUE(m.warnings.empty()) << warnings_text(m);
}

// The host's status stanza of one package, as dpkg-query prints it with its Status field.
std::string host_stanza(const std::string& name) {
  return run_capture("dpkg-query -s " + shell_quote(name));
}

TEST(PackageMetadataDpkgRoot, MergedUsrRootFromACopiedDatabase) {
  TempRoot root;
  // libc6 and zlib1g as installed here, plus a removed package (config files only) whose old
  // list still names an included file: it owns nothing.
  std::string removed =
      "Package: oldlib\nStatus: deinstall ok config-files\nPriority: optional\n"
      "Section: libs\nArchitecture: amd64\nVersion: 1.0-1\nDescription: gone\n";
  root.write("var/lib/dpkg/status",
             host_stanza("libc6") + "\n" + host_stanza("zlib1g") + "\n" + removed);
  for (const char* f :
       {"libc6:amd64.list", "libc6:amd64.md5sums", "zlib1g:amd64.list", "zlib1g:amd64.md5sums"}) {
    root.write(std::string("var/lib/dpkg/info/") + f,
               slurp(std::string("/var/lib/dpkg/info/") + f));
  }
  root.write("var/lib/dpkg/info/oldlib.list", "/lib/x86_64-linux-gnu/libz.so.1.2.13\n");
  // Merged /usr: /lib is a link, the files live below /usr/lib.
  root.link("lib", "usr/lib");
  root.write("usr/lib/x86_64-linux-gnu/libc.so.6", "");
  root.write("usr/lib/x86_64-linux-gnu/libz.so.1.2.13", "");
  root.write("usr/lib/x86_64-linux-gnu/unowned.so", "");

  PackageMetadata m = metadata(root.path(), {"/usr/lib/x86_64-linux-gnu/libc.so.6",
                                             "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13",
                                             "/usr/lib/x86_64-linux-gnu/unowned.so"});
  EXPECT_TRUE(m.warnings.empty()) << warnings_text(m);
  ASSERT_EQ(names(m), (std::set<std::string>{"libc6", "zlib1g"}));
  EXPECT_EQ(m.packages[0].files, std::vector<std::string>{"/usr/lib/x86_64-linux-gnu/libc.so.6"});
  EXPECT_EQ(m.packages[1].files,
            std::vector<std::string>{"/usr/lib/x86_64-linux-gnu/libz.so.1.2.13"});

  std::vector<std::string> paths;
  for (const GeneratedFile& f : m.files) paths.push_back(f.path);
  EXPECT_EQ(paths, (std::vector<std::string>{
                       "/var/lib/dpkg/status.d/libc6", "/var/lib/dpkg/status.d/libc6.md5sums",
                       "/var/lib/dpkg/status.d/zlib1g", "/var/lib/dpkg/status.d/zlib1g.md5sums"}));
  // dpkg's lines, with dpkg's pre-merge spelling of the path.
  std::string grep_libc = run_capture(
      "grep '  lib/x86_64-linux-gnu/libc.so.6$' /var/lib/dpkg/info/libc6:amd64.md5sums");
  ASSERT_EQ(lines(grep_libc).size(), 1u);
  EXPECT_EQ(find_file(m, "/var/lib/dpkg/status.d/libc6.md5sums")->content, grep_libc);
  EXPECT_EQ(find_file(m, "/var/lib/dpkg/status.d/zlib1g.md5sums")->content,
            run_capture("grep '  lib/x86_64-linux-gnu/libz.so.1.2.13$' "
                        "/var/lib/dpkg/info/zlib1g:amd64.md5sums"));
  // The stanza is dpkg's without its Status line, field for field.
  std::string expected_stanza;
  for (const std::string& line : lines(host_stanza("zlib1g"))) {
    if (!line.starts_with("Status:")) expected_stanza += line + "\n";
  }
  EXPECT_EQ(find_file(m, "/var/lib/dpkg/status.d/zlib1g")->content, expected_stanza);
}

// Everything package_metadata gives, as one comparable text.
std::string everything(const PackageMetadata& m) {
  std::string out;
  for (const catalog::Package& p : m.packages) {
    out += "package " + p.name + " " + p.version + " " + p.arch + " " + p.location + "\n";
    for (const std::string& f : p.files) out += "  " + f + "\n";
  }
  for (const GeneratedFile& f : m.files) out += "file " + f.path + "\n" + f.content;
  return out + warnings_text(m);
}

// The file index of a root's dpkg lists as the cache holds it.
std::optional<detail::DpkgListIndex> cached_index(const std::string& cache,
                                                  const std::string& dir) {
  auto root = RootDir::open(dir);
  if (!root) return std::nullopt;
  auto key = detail::DpkgListIndex::key_of(*root);
  if (!key) return std::nullopt;
  return detail::DpkgListIndex::load(detail::dpkg_list_index_file(cache, *root), *key);
}

// Writes a file the way dpkg does: a new file renamed over the old one.
void dpkg_write(const TempRoot& root, const std::string& rel, const std::string& content) {
  root.write(rel + ".dpkg-new", content);
  fs::rename(fs::path(root.path()) / (rel + ".dpkg-new"), fs::path(root.path()) / rel);
}

TEST(PackageMetadataDebianHost, TheIndexOfTheListsGivesWhatReadingEveryListGives) {
  // curl's closure as `pith build` takes it: the program, its libraries, the CA bundle.
  std::set<std::string> included = {"/usr/bin/curl", "/etc/ssl/certs/ca-certificates.crt"};
  for (const std::string& line : lines(run_capture("ldd /usr/bin/curl"))) {
    size_t arrow = line.find("=> /");
    if (arrow == std::string::npos) continue;
    std::string path = line.substr(arrow + 3, line.find(' ', arrow + 3) - arrow - 3);
    included.insert(fs::canonical(path).string());
  }
  ASSERT_GT(included.size(), 20u);
  TempRoot cache;
  const std::string read_all = everything(metadata("/", included));
  EXPECT_NE(read_all.find("package libcurl4 "), std::string::npos);
  EXPECT_FALSE(cached_index(cache.path(), "/"));
  EXPECT_EQ(everything(metadata("/", included, cache.path())), read_all);  // makes the index
  auto index = cached_index(cache.path(), "/");
  ASSERT_TRUE(index);
  EXPECT_TRUE(index->has_list("libc6:amd64"));
  EXPECT_EQ(everything(metadata("/", included, cache.path())), read_all);  // reads through it
}

TEST(PackageMetadataDpkgRoot, TheIndexFollowsDpkgAndIgnoresADamagedFile) {
  TempRoot root, cache;
  // libc6 as installed here, and a package owning none of the included files.
  const std::string other =
      "Package: other\nStatus: install ok installed\nArchitecture: all\nVersion: 1\n"
      "Description: owns nothing included\n";
  root.write("var/lib/dpkg/status", host_stanza("libc6") + "\n" + other);
  for (const char* f : {"libc6:amd64.list", "libc6:amd64.md5sums"})
    root.write(std::string("var/lib/dpkg/info/") + f,
               slurp(std::string("/var/lib/dpkg/info/") + f));
  root.write("var/lib/dpkg/info/other.list", "/usr/share/doc/other\n");
  root.link("lib", "usr/lib");  // merged /usr, as dpkg lists libc6's files under /lib
  root.write("usr/lib/x86_64-linux-gnu/libc.so.6", "");
  root.write("usr/lib/x86_64-linux-gnu/libz.so.1.2.13", "");
  const std::set<std::string> included = {"/usr/lib/x86_64-linux-gnu/libc.so.6",
                                          "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13"};
  EXPECT_EQ(names(metadata(root.path(), included, cache.path())), std::set<std::string>{"libc6"});
  ASSERT_TRUE(cached_index(cache.path(), root.path()));

  // dpkg installs zlib1g: its list renamed into info/, the status file rewritten.
  dpkg_write(root, "var/lib/dpkg/info/zlib1g:amd64.list",
             slurp("/var/lib/dpkg/info/zlib1g:amd64.list"));
  dpkg_write(root, "var/lib/dpkg/status",
             host_stanza("libc6") + "\n" + other + "\n" + host_stanza("zlib1g"));
  EXPECT_EQ(names(metadata(root.path(), included, cache.path())),
            (std::set<std::string>{"libc6", "zlib1g"}));
  auto index = cached_index(cache.path(), root.path());
  ASSERT_TRUE(index);
  EXPECT_TRUE(index->has_list("zlib1g:amd64"));

  // A list edited in place, which dpkg never does, is not seen through the index: the proof
  // that the index, not the lists, answered. Read without the cache, it is seen.
  std::ofstream(fs::path(root.path()) / "var/lib/dpkg/info/other.list", std::ios::app)
      << "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13\n";
  EXPECT_EQ(names(metadata(root.path(), included, cache.path())),
            (std::set<std::string>{"libc6", "zlib1g"}));
  PackageMetadata read_all = metadata(root.path(), included);
  EXPECT_EQ(names(read_all), (std::set<std::string>{"libc6", "other", "zlib1g"}));

  // A damaged index is not used, and is made again.
  auto r = RootDir::open(root.path());
  ASSERT_TRUE(r.ok());
  std::ofstream(detail::dpkg_list_index_file(cache.path(), *r), std::ios::trunc) << "garbage";
  EXPECT_EQ(everything(metadata(root.path(), included, cache.path())), everything(read_all));
  EXPECT_TRUE(cached_index(cache.path(), root.path()));
}

// syft's multiple-2 fixture: 14 packages of a real Alpine image's database.
constexpr const char* k_apk_db =
    "syft/syft/pkg/cataloger/alpine/testdata/multiple-2/lib/apk/db/installed";

TEST(PackageMetadataApkRoot, RecordsCutToTheIncludedFiles) {
  TempRoot root;
  root.write("lib/apk/db/installed", slurp(test::corpus(k_apk_db)));
  for (const char* f :
       {"lib/ld-musl-x86_64.so.1", "bin/busybox", "etc/securetty", "etc/passwd", "etc/unowned"}) {
    root.write(f, "");
  }
  PackageMetadata m = metadata(root.path(), {"/lib/ld-musl-x86_64.so.1", "/bin/busybox",
                                             "/etc/securetty", "/etc/passwd", "/etc/unowned"});
  EXPECT_TRUE(m.warnings.empty()) << warnings_text(m);
  ASSERT_EQ(m.files.size(), 1u);
  EXPECT_EQ(m.files[0].path, "/lib/apk/db/installed");

  // The catalog's reader of the written database: the owners, each with only its files.
  auto parsed = catalog::parse_apk_installed(m.files[0].content, m.files[0].path, {});
  ASSERT_TRUE(parsed.ok());
  std::map<std::string, std::vector<std::string>> files;
  for (const catalog::Package& p : *parsed) files[p.name] = p.files;
  EXPECT_EQ(files, (std::map<std::string, std::vector<std::string>>{
                       {"alpine-baselayout-data", {"/etc/passwd"}},
                       {"busybox", {"/bin/busybox", "/etc/securetty"}},
                       {"musl", {"/lib/ld-musl-x86_64.so.1"}}}));
  EXPECT_EQ(names(m), (std::set<std::string>{"alpine-baselayout-data", "busybox", "musl"}));

  // musl's record is the fixture's with the libc.musl link's R:/a:/Z: lines gone.
  std::string musl =
      "C:Q1aCu0LmUDoAFSOX49uHvkYC1WasQ=\nP:musl\nV:1.2.3-r0\nA:x86_64\nS:383304\nI:622592\n"
      "T:the musl c library (libc) implementation\nU:https://musl.libc.org/\nL:MIT\no:musl\n"
      "m:Timo Teräs <timo.teras@iki.fi>\nt:1649396308\n"
      "c:ee13d43a53938d8a04ba787b9423f3270a3c14a7\np:so:libc.musl-x86_64.so.1=1\nF:lib\n"
      "R:ld-musl-x86_64.so.1\na:0:0:755\nZ:Q1ZZqflKEvStJz4SXV0SDMi3wOtM0=\n\n";
  EXPECT_NE(m.files[0].content.find("\n\n" + musl), std::string::npos) << m.files[0].content;
  // busybox keeps F:bin and F:etc only, each with its included files.
  std::string busybox_files =
      "F:bin\nR:busybox\na:0:0:755\nZ:Q1WUwBY0eOGgzgVxTZxJBZPyQUicI=\nF:etc\nR:securetty\n"
      "Z:Q1mB95Hq2NUTZ599RDiSsj9w5FrOU=\n\n";
  EXPECT_NE(m.files[0].content.find("r:busybox-initscripts\n" + busybox_files), std::string::npos);
}

constexpr const char* k_mariner = "go-rpmdb/pkg/testdata/cbl-mariner-2.0/rpmdb.sqlite";

TEST(PackageMetadataRpmRoot, SqliteSubsetThatRpmReads) {
  TempRoot root;
  root.write("var/lib/rpm/rpmdb.sqlite", slurp(test::corpus(k_mariner)));
  root.link("lib64", "usr/lib");  // glibc lists /lib64/libc.so.6
  root.write("usr/lib/libc.so.6", "");
  root.write("usr/bin/curl", "");
  root.write("usr/bin/unowned", "");
  PackageMetadata m =
      metadata(root.path(), {"/usr/lib/libc.so.6", "/usr/bin/curl", "/usr/bin/unowned"});
  EXPECT_TRUE(m.warnings.empty()) << warnings_text(m);

  // The owners rpm itself names in the original database.
  std::string src_dir = fs::path(test::corpus(k_mariner)).parent_path().string();
  std::string expected = run_capture("rpm -qf --qf '%{NAME}\\n' --dbpath " + shell_quote(src_dir) +
                                     " /lib64/libc.so.6 /usr/bin/curl");
  EXPECT_EQ(expected, "glibc\ncurl\n");
  EXPECT_EQ(names(m), (std::set<std::string>{"curl", "glibc"}));

  ASSERT_EQ(m.files.size(), 1u);
  EXPECT_EQ(m.files[0].path, "/var/lib/rpm/rpmdb.sqlite");
  TempRoot out;
  out.write("rpmdb.sqlite", m.files[0].content);
  std::string db = " --dbpath " + shell_quote(out.path());
  int status = 0;
  EXPECT_EQ(run_capture("rpm -qa" + db + " 2>&1", &status),
            "glibc-2.34-2.cm2.x86_64\ncurl-7.76.0-6.cm2.x86_64\n");
  EXPECT_EQ(status, 0);
  // The index rows came along: rpm finds the packages by name and by file.
  EXPECT_EQ(run_capture("rpm -q" + db + " curl 2>&1"), "curl-7.76.0-6.cm2.x86_64\n");
  EXPECT_EQ(run_capture("rpm -qf --qf '%{NAME}\\n'" + db + " /usr/bin/curl 2>&1"), "curl\n");
  EXPECT_EQ(run_capture("rpm -q" + db + " bash 2>&1"), "package bash is not installed\n");
}

TEST(PackageMetadataRpmRoot, BerkeleyDbSourceGivesAnSqliteRpmReads) {
  TempRoot root;
  root.write("var/lib/rpm/Packages", slurp(test::corpus("go-rpmdb/pkg/testdata/libuuid/Packages")));
  std::string src_dir = root.path() + "/var/lib/rpm";
  // No index tables beside a lone Packages file: rpm finds it only by walking every package.
  std::string listed = run_capture("rpm -qal --dbpath " + shell_quote(src_dir) + " 2>/dev/null");
  std::string lib;
  for (const std::string& line : lines(listed)) {
    if (line.find("libuuid.so.1.") != std::string::npos) lib = line;
  }
  ASSERT_FALSE(lib.empty()) << listed;
  root.write(lib.substr(1), "");
  PackageMetadata m = metadata(root.path(), {lib});
  EXPECT_TRUE(m.warnings.empty()) << warnings_text(m);
  EXPECT_EQ(names(m), (std::set<std::string>{"libuuid"}));
  ASSERT_EQ(m.files.size(), 1u);
  EXPECT_EQ(m.files[0].path, "/var/lib/rpm/rpmdb.sqlite");
  TempRoot out;
  out.write("rpmdb.sqlite", m.files[0].content);
  EXPECT_EQ(run_capture("rpm -qa --dbpath " + shell_quote(out.path()) + " 2>&1"),
            "libuuid-2.32.1-42.el8_8.x86_64\n");
}

TEST(PackageMetadataRoot, NoDatabaseNoMetadata) {
  TempRoot root;
  root.write("usr/bin/app", "");
  PackageMetadata m = metadata(root.path(), {"/usr/bin/app"});
  EXPECT_TRUE(m.files.empty());
  EXPECT_TRUE(m.packages.empty());
  EXPECT_TRUE(m.warnings.empty());
}

// One warning naming the damaged database, nothing else, for each kind.
void expect_one_warning(const std::string& rel, const std::string& bytes) {
  SCOPED_TRACE(rel);
  TempRoot root;
  root.write(rel, bytes);
  root.write("usr/bin/app", "");
  PackageMetadata m = metadata(root.path(), {"/usr/bin/app"});
  EXPECT_TRUE(m.files.empty());
  EXPECT_TRUE(m.packages.empty());
  ASSERT_EQ(m.warnings.size(), 1u) << warnings_text(m);
  EXPECT_EQ(m.warnings[0].location, "/" + rel);
  EXPECT_FALSE(m.warnings[0].message.empty());
}

TEST(PackageMetadataRoot, GarbageDatabasesGiveAWarning) {
  // A PNG header with NULs in it; the length comes from the literal (its NULs are content).
  static constexpr char k_png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR not a database at all";
  std::string garbage(k_png, sizeof k_png - 1);
  expect_one_warning("var/lib/dpkg/status", garbage);
  expect_one_warning("lib/apk/db/installed", garbage);
  expect_one_warning("var/lib/rpm/rpmdb.sqlite", garbage);
  expect_one_warning("var/lib/rpm/Packages", garbage);
  // A real sqlite rpmdb cut short: its pages are missing.
  std::string mariner = slurp(test::corpus(k_mariner));
  expect_one_warning("var/lib/rpm/rpmdb.sqlite", mariner.substr(0, 8192));
  std::string libuuid = slurp(test::corpus("go-rpmdb/pkg/testdata/libuuid/Packages"));
  expect_one_warning("var/lib/rpm/Packages", libuuid.substr(0, 4096));
}

TEST(PackageMetadataRoot, UnreadableDatabaseGivesAWarning) {
  TempRoot root;
  fs::create_directories(root.path() + "/var/lib/dpkg/status");  // a directory, not a file
  PackageMetadata m = metadata(root.path(), {});
  ASSERT_EQ(m.warnings.size(), 1u) << warnings_text(m);
  EXPECT_EQ(m.warnings[0].location, "/var/lib/dpkg/status");
}

}  // namespace
}  // namespace pith::build
