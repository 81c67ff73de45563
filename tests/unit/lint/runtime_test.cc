// The run-time rules on images made in memory from this machine's own files (curl and its
// libraries as the host's loader finds them), each rule against a near-identical clean twin.
#include "lint/runtime.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "elf/closure.h"
#include "lint/command.h"

namespace pith::lint {
namespace {

std::string host_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// An image of one layer, its entries and the facts the pass would keep.
class FakeImage {
 public:
  FakeImage() {
    m_config.architecture = "amd64";
    m_config.os = "linux";
  }

  void file(const std::string& path, const std::string& bytes, uint32_t mode = 0755,
            uint64_t uid = 0) {
    tar::Entry e = entry(path, tar::EntryType::regular, mode, uid);
    e.size = bytes.size();
    m_entries.push_back(e);
    if (wanted(e) == fs::Want::nothing) return;
    std::string kept = bytes.starts_with("#!") ? bytes.substr(0, bytes.find('\n')) : bytes;
    if (wanted(e) == fs::Want::content_if_elf && !elf::has_elf_magic(bytes)) return;
    collect(fs::CapturedFile{e.path, kept, mode}, m_facts);
  }
  void host_file(const std::string& path) { file(path, host_bytes(path), 0755); }
  void dir(const std::string& path, uint32_t mode = 0755, uint64_t uid = 0) {
    m_entries.push_back(entry(path, tar::EntryType::directory, mode, uid));
  }
  void link(const std::string& path, const std::string& target) {
    tar::Entry e = entry(path, tar::EntryType::symlink, 0777, 0);
    e.link_target = target;
    m_entries.push_back(e);
  }
  // A host program with everything the host's loader loads for it (files and links).
  void host_program(const std::string& program) {
    auto root = RootDir::open("/");
    ASSERT_TRUE(root);
    elf::ClosureOptions o;
    o.dlopen_extras = false;
    auto c = elf::resolve_closure(elf::DirLoaderRoot(*root), {program}, o);
    ASSERT_TRUE(c) << c.error().message;
    for (const auto& f : c->files) host_file(f);
    for (const auto& l : c->links) link(l.path, l.target);
    file("/etc/ld.so.cache", host_bytes("/etc/ld.so.cache"), 0644);
  }
  void remove(const std::string& path) {
    std::erase_if(m_entries, [&](const tar::Entry& e) { return e.path == path.substr(1); });
  }
  oci::ImageConfig& config() { return m_config; }

  ImageView view() const {
    fs::Tree tree;
    auto applied = tree.apply_layer(0, m_entries);
    EXPECT_TRUE(applied) << applied.error().message;
    return ImageView("fake", std::move(tree), {m_facts}, m_config);
  }
  std::vector<Finding> lint(RuntimeOptions options = {}) const {
    return check_runtime(view(), options);
  }

 private:
  static tar::Entry entry(const std::string& path, tar::EntryType type, uint32_t mode,
                          uint64_t uid) {
    tar::Entry e;
    e.path = path.substr(1);
    e.type = type;
    e.mode = mode;
    e.uid = e.gid = uid;
    return e;
  }
  std::vector<tar::Entry> m_entries;
  LayerFacts m_facts;
  oci::ImageConfig m_config;
};

std::vector<std::string> ids(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) out.push_back(f.id);
  return out;
}

const Finding* find(const std::vector<Finding>& findings, std::string_view id) {
  for (const auto& f : findings)
    if (f.id == id) return &f;
  return nullptr;
}

constexpr std::string_view k_passwd =
    "root:x:0:0::/root:/sbin/nologin\n"
    "nonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n";

// curl as pith build would pack it: its closure, CA certificates, passwd, user 65532.
FakeImage curl_image() {
  FakeImage img;
  img.host_program("/usr/bin/curl");
  img.file("/etc/passwd", std::string(k_passwd), 0644);
  img.file("/etc/group", "root:x:0:\nnonroot:x:65532:\n", 0644);
  img.file("/etc/ssl/certs/ca-certificates.crt", "-----BEGIN CERTIFICATE-----\n", 0644);
  img.config().user = "65532";
  img.config().entrypoint = {"/usr/bin/curl"};
  return img;
}

TEST(Runtime, CurlAsBuiltIsClean) {
  EXPECT_EQ(ids(curl_image().lint()), std::vector<std::string>{});
}

TEST(Runtime, NoCaCertificates) {
  FakeImage img = curl_image();
  img.remove("/etc/ssl/certs/ca-certificates.crt");
  auto f = img.lint();
  ASSERT_EQ(ids(f), std::vector<std::string>{"PL111"});
  EXPECT_EQ(f[0].path, "/usr/bin/curl");
  img.config().env = {"SSL_CERT_FILE=/etc/passwd"};  // any file the library may read
  EXPECT_EQ(ids(img.lint()), std::vector<std::string>{});
}

TEST(Runtime, MissingLibraryNamesItAndWhoNeedsIt) {
  FakeImage img = curl_image();
  auto root = RootDir::open("/");
  auto ssl = root->resolve("/usr/lib/x86_64-linux-gnu/libssl.so.3");
  ASSERT_TRUE(ssl);
  img.remove(ssl->path);
  auto f = img.lint();
  ASSERT_EQ(ids(f), std::vector<std::string>{"PL104"});
  EXPECT_EQ(f[0].message, "libssl.so.3: not found (needed by " +
                              root->resolve("/usr/lib/x86_64-linux-gnu/libcurl.so.4")->path + ")");
}

TEST(Runtime, MissingInterpreter) {
  FakeImage img = curl_image();
  auto root = RootDir::open("/");
  img.remove(root->resolve("/lib64/ld-linux-x86-64.so.2")->path);
  auto f = img.lint();
  ASSERT_NE(find(f, "PL103"), nullptr);
  EXPECT_EQ(find(f, "PL103")->message,
            "/usr/bin/curl: its interpreter /lib64/ld-linux-x86-64.so.2 is not in the image");
}

// The image's libc renamed one version it defines (same length, so every offset stays):
// what an image whose libc is older than the program's build machine looks like to ld.so.
TEST(Runtime, SymbolVersionMissing) {
  FakeImage img = curl_image();
  auto root = RootDir::open("/");
  std::string libc = root->resolve("/lib/x86_64-linux-gnu/libc.so.6")->path;
  std::string bytes = host_bytes(libc);
  size_t at = bytes.find(std::string("GLIBC_2.34\0", 11));
  ASSERT_NE(at, std::string::npos);
  bytes.replace(at, 10, "GLIBC_2.3X");
  img.remove(libc);
  img.file(libc, bytes, 0755);
  auto f = img.lint();
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].id, "PL105");
  EXPECT_EQ(f[0].message, "version GLIBC_2.34 not found in libc.so.6 (required by /usr/bin/curl)");
  EXPECT_EQ(f[0].path, "/usr/bin/curl");
}

TEST(Runtime, LookupsWithoutTheirFiles) {
  FakeImage img = curl_image();
  img.config().user = "0";
  img.remove("/etc/passwd");
  auto f = img.lint();  // curl calls getpwuid (for ~/.curlrc)
  ASSERT_EQ(ids(f), (std::vector<std::string>{"PL110", "PL113"}));
  EXPECT_EQ(f[1].severity, Severity::warn);
  EXPECT_EQ(f[1].message,
            "/usr/bin/curl looks users up (getpwnam, getpwuid, ...) and the image "
            "has no /etc/passwd: every lookup fails");
  img = curl_image();
  img.config().env = {"TZ=Europe/Paris"};
  f = img.lint();
  ASSERT_EQ(ids(f), std::vector<std::string>{"PL112"});
  EXPECT_EQ(f[0].message,
            "TZ=Europe/Paris but the image has no zoneinfo for it "
            "(/usr/share/zoneinfo/Europe/Paris): times are shown in UTC");
  img.file("/usr/share/zoneinfo/Europe/Paris", "TZif2", 0644);
  EXPECT_EQ(ids(img.lint()), std::vector<std::string>{});
  img.config().env = {"TZ=CET-1CEST"};  // a POSIX rule needs no file
  img.remove("/usr/share/zoneinfo/Europe/Paris");
  EXPECT_EQ(ids(img.lint()), std::vector<std::string>{});
}

TEST(Runtime, WrongArchitecture) {
  FakeImage img = curl_image();
  img.config().architecture = "arm64";
  auto f = img.lint();
  ASSERT_EQ(ids(f), std::vector<std::string>{"PL106"});
  EXPECT_EQ(f[0].message, "/usr/bin/curl: an ELF amd64 program in a arm64 image");
}

TEST(Runtime, ProgramMissingOrNotExecutable) {
  FakeImage img = curl_image();
  img.config().entrypoint = {"/app"};
  EXPECT_EQ(ids(img.lint()), std::vector<std::string>{"PL101"});
  img.file("/app", host_bytes("/usr/bin/curl"), 0644);
  EXPECT_EQ(ids(img.lint()), std::vector<std::string>{"PL102"});
  img.remove("/app");
  img.dir("/app");
  EXPECT_EQ(ids(img.lint()), std::vector<std::string>{"PL102"});
  img.config().entrypoint = {};
  EXPECT_EQ(ids(img.lint()), std::vector<std::string>{"PL100"});
}

TEST(Runtime, BareNamesThroughPath) {
  FakeImage img = curl_image();
  img.config().entrypoint = {"curl", "-s"};
  EXPECT_EQ(ids(img.lint()), std::vector<std::string>{});  // runc's default PATH
  img.config().env = {"PATH=/opt/bin"};
  auto f = img.lint();
  ASSERT_EQ(ids(f), std::vector<std::string>{"PL101"});
  EXPECT_EQ(f[0].message, "curl: not found in any folder of PATH (/opt/bin)");
}

TEST(Runtime, ShellFormNeedsASh) {
  FakeImage img = curl_image();
  img.config().entrypoint = {};
  img.config().cmd = {"/bin/sh", "-c", "curl -s http://x"};
  EXPECT_EQ(ids(img.lint()), std::vector<std::string>{"PL114"});
  img.host_program("/bin/dash");
  img.link("/bin/sh", "dash");
  EXPECT_EQ(ids(img.lint()), std::vector<std::string>{});
}

TEST(Runtime, ShellFormCommandsInTheImage) {
  FakeImage img = curl_image();
  img.host_program("/bin/dash");
  img.link("/bin/sh", "dash");
  img.config().entrypoint = {};
  img.config().cmd = {"/bin/sh", "-c",
                      "cd /srv && if [ -f x ]; then exec python3 x; else A=1 exec ./run \"$@\"; "
                      "fi; command -v jq || $HOOK; exec curl -s http://x"};
  img.config().working_dir = "/srv";
  auto f = img.lint();
  ASSERT_EQ(ids(f), std::vector<std::string>{"PL117"});
  EXPECT_EQ(f[0].message,
            "the shell command runs python3, ./run: not in the image (a path, or a name in no "
            "folder of PATH /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)");
  EXPECT_EQ(f[0].severity, Severity::warn);
  img.host_program("/usr/bin/python3");
  img.file("/srv/run", "#!/bin/sh\n");
  EXPECT_EQ(ids(img.lint()), std::vector<std::string>{});
  // Hostile lines: one name repeated, many names, a line no exec takes: bounded work.
  std::string line;
  for (int i = 0; i < 20000; ++i) line += "nope;";
  img.config().cmd = {"/bin/sh", "-c", line};
  f = img.lint();
  ASSERT_EQ(ids(f), std::vector<std::string>{"PL117"});
  EXPECT_TRUE(f[0].message.starts_with("the shell command runs nope: not in the image"));
  line.clear();
  for (int i = 0; i < 100; ++i) line += "p" + std::to_string(i) + ";";
  img.config().cmd = {"/bin/sh", "-c", line};
  f = img.lint();
  ASSERT_EQ(ids(f), std::vector<std::string>{"PL117"});
  EXPECT_TRUE(f[0].message.starts_with("the shell command runs p0, p1, "));
  EXPECT_NE(f[0].message.find(", p15: not in"), std::string::npos);  // 16 names judged
  img.config().cmd = {"/bin/sh", "-c", std::string(200 << 10, 'x')};
  EXPECT_EQ(ids(img.lint()), std::vector<std::string>{});
}

TEST(Runtime, ScriptInterpreters) {
  FakeImage img = curl_image();
  img.file("/app/run", "#!/usr/bin/env python3\nprint(1)\n");
  img.config().entrypoint = {"/app/run"};
  auto f = img.lint();
  ASSERT_EQ(ids(f), std::vector<std::string>{"PL116"});  // no /usr/bin/env
  EXPECT_EQ(f[0].message, "/app/run: its interpreter /usr/bin/env (#!) is not in the image");
  img.host_program("/usr/bin/env");
  f = img.lint();
  ASSERT_EQ(ids(f), std::vector<std::string>{"PL116"});  // env, but no python3 in PATH
  EXPECT_EQ(f[0].message, "/app/run: #!/usr/bin/env python3: python3 is in no folder of PATH");
  img.host_program("/usr/bin/python3");
  EXPECT_EQ(ids(img.lint()), std::vector<std::string>{});
}

TEST(Runtime, Users) {
  FakeImage img = curl_image();
  img.config().user = "nonroot";
  EXPECT_EQ(ids(img.lint()), std::vector<std::string>{"PL109"});
  img.config().user = "nobody";
  EXPECT_EQ(ids(img.lint()), (std::vector<std::string>{"PL109", "PL108"}));
  img.config().user = "4242";
  auto f = img.lint();
  ASSERT_EQ(ids(f), std::vector<std::string>{"PL108"});
  EXPECT_EQ(f[0].severity, Severity::warn);
  img.config().user = "";
  f = img.lint();
  ASSERT_EQ(ids(f), std::vector<std::string>{"PL110"});
  EXPECT_EQ(f[0].severity, Severity::warn);
}

TEST(Runtime, UnreachableProgram) {
  FakeImage img = curl_image();
  img.dir("/root", 0700);
  img.dir("/root/proj", 0755);
  img.file("/root/proj/app", host_bytes("/usr/bin/curl"), 0755);
  img.config().entrypoint = {"/root/proj/app"};
  auto f = img.lint();
  ASSERT_EQ(ids(f), std::vector<std::string>{"PL107"});
  EXPECT_EQ(f[0].message, "/root/proj/app: user 65532 cannot search /root (mode 0700, owner 0:0)");
  img.config().user = "0";
  EXPECT_EQ(ids(img.lint()), std::vector<std::string>{"PL110"});
}

TEST(Runtime, WorkdirThatIsAFile) {
  FakeImage img = curl_image();
  img.config().working_dir = "/etc/passwd";
  EXPECT_EQ(ids(img.lint()), std::vector<std::string>{"PL115"});
  img.config().working_dir = "/missing/is/made/by/runc";
  EXPECT_EQ(ids(img.lint()), std::vector<std::string>{});
}

TEST(Runtime, AnotherEntrypoint) {
  FakeImage img = curl_image();
  img.config().entrypoint = {"/nothing"};
  RuntimeOptions o;
  o.entrypoint = "/usr/bin/curl";
  EXPECT_EQ(ids(img.lint(o)), std::vector<std::string>{});
}

TEST(ImageView, ResolvesLikeTheKernel) {
  FakeImage img;
  img.dir("/usr");
  img.dir("/usr/lib");
  img.file("/usr/lib/f", "x", 0644);
  img.link("/lib", "usr/lib");
  img.link("/usr/lib/up", "../../lib/f");
  img.link("/loop", "loop");
  img.link("/abs", "/usr/../../lib/");
  ImageView view = img.view();
  auto r = view.resolve("/lib/up");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->path, "/usr/lib/f");
  EXPECT_EQ(r->links,
            (std::vector<RootDir::Link>{
                {"/lib", "usr/lib"}, {"/usr/lib/up", "../../lib/f"}, {"/lib", "usr/lib"}}));
  EXPECT_EQ(view.resolve("/abs/f")->path, "/usr/lib/f");
  EXPECT_EQ(view.resolve("/loop").error().message, "/loop: too many levels of symbolic links");
  EXPECT_EQ(view.resolve("/usr/lib/f/x").error().message,
            "/usr/lib/f/x: not a directory (/usr/lib/f)");
  EXPECT_EQ(view.resolve("/nope").error().message, "/nope: no such file or directory");
  EXPECT_EQ(view.resolve("/")->path, "/");
  EXPECT_EQ(view.file("/lib/f"), std::nullopt);  // not a file lint keeps
}

TEST(Command, ShebangsAndPath) {
  auto s = parse_shebang("#! /usr/bin/env  -S python3 -u\r\nrest");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->interpreter, "/usr/bin/env");
  EXPECT_EQ(s->argument, "-S python3 -u");
  EXPECT_EQ(env_program(s->argument), "python3");
  EXPECT_EQ(env_program("A=1 -i"), "");
  EXPECT_FALSE(
      parse_shebang("\x7f"
                    "ELF"));
  EXPECT_EQ(parse_shebang("#!\n")->interpreter, "");
  using Paths = std::vector<std::string>;
  EXPECT_EQ(path_dirs({"PATH=/a:/b", "HOME=/", "PATH=/c::/d"}), (Paths{"/c", "/d"}));
  EXPECT_EQ(path_dirs({"HOME=/"}),
            (Paths{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}));
}

}  // namespace
}  // namespace pith::lint
