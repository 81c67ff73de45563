// The closure against the real loaders: ldd on this host's programs and on programs compiled
// here (RUNPATH, inherited RPATH, LD_LIBRARY_PATH, missing libraries), and the loader of a
// foreign root itself (`ld.so --list` and musl's `--list`, run inside it with chroot).
#include "elf/closure.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "elf/dynamic.h"
#include "elf_test_util.h"
#include "test_paths.h"

namespace pith::elf {
namespace {

namespace fs = std::filesystem;
using test::Scratch;
using test::sh;

ClosureOptions no_extras() {
  ClosureOptions o;
  o.dlopen_extras = false;
  return o;
}

const RootDir& host() {
  static RootDir root = RootDir::open("/").value();
  return root;
}

Closure closure_of(const RootDir& root, const std::vector<std::string>& programs,
                   ClosureOptions options = no_extras()) {
  auto c = resolve_closure(DirLoaderRoot(root), programs, options);
  EXPECT_TRUE(c) << c.error().message;
  return c ? *c : Closure{};
}

std::set<std::string> as_set(const std::vector<std::string>& v) {
  return {v.begin(), v.end()};
}

bool has_link(const Closure& c, const std::string& path) {
  return std::any_of(c.links.begin(), c.links.end(),
                     [&](const RootDir::Link& l) { return l.path == path; });
}

TEST(Closure, HostProgramsMatchLdd) {
  for (std::string program :
       {"/usr/bin/curl", "/usr/bin/openssl", "/bin/bash", "/usr/bin/git", "/usr/bin/python3"}) {
    if (!fs::exists(program)) continue;
    SCOPED_TRACE(program);
    Closure c = closure_of(host(), {program});
    test::LddView want = test::ldd(program);
    want.files.insert(fs::canonical(program).string());
    EXPECT_EQ(as_set(c.files), want.files);
    EXPECT_TRUE(c.missing.empty());
    EXPECT_EQ(c.interpreter, "/lib64/ld-linux-x86-64.so.2");
    // The interpreter's chain, as the host's symlinks spell it.
    std::string chain = "/lib64/ld-linux-x86-64.so.2";
    for (fs::path p = chain; fs::is_symlink(p) || fs::is_symlink(p.parent_path());) {
      fs::path link = fs::is_symlink(p.parent_path()) ? p.parent_path() : p;
      EXPECT_TRUE(has_link(c, link.string())) << link;
      fs::path target = fs::read_symlink(link);
      p = (target.is_absolute() ? target : link.parent_path() / target) /
          p.lexically_relative(link);
      p = p.lexically_normal();
      if (p.filename().empty()) p = p.parent_path();
    }
  }
}

// Python's extension modules are loaded by path once the interpreter runs: each brings what
// ldd lists for it (libssl for _ssl, libsqlite3 for _sqlite3, ...).
TEST(Closure, LoadedModulesBringWhatLddListsForThem) {
  std::string dynload = "/usr/lib/python3.11/lib-dynload";
  if (!fs::exists(dynload)) GTEST_SKIP() << "no " << dynload;
  ClosureOptions options = no_extras();
  test::LddView want = test::ldd("/usr/bin/python3");
  want.files.insert(fs::canonical("/usr/bin/python3").string());
  for (const auto& e : fs::directory_iterator(dynload)) {
    std::string name = e.path().filename().string();
    if (!name.starts_with("_ssl.") && !name.starts_with("_sqlite3.") &&
        !name.starts_with("_hashlib.") && !name.starts_with("_lzma.") && !name.starts_with("_bz2."))
      continue;
    options.loaded.push_back(e.path().string());
    test::LddView module = test::ldd(e.path().string());
    want.files.insert(module.files.begin(), module.files.end());
    want.files.insert(fs::canonical(e.path()).string());
  }
  ASSERT_EQ(options.loaded.size(), 5u);
  Closure c = closure_of(host(), {"/usr/bin/python3"}, options);
  EXPECT_EQ(as_set(c.files), want.files);
  EXPECT_TRUE(c.missing.empty());
  EXPECT_TRUE(as_set(c.files).contains(fs::canonical("/usr/lib/x86_64-linux-gnu/libssl.so.3")));
}

TEST(Closure, ExtrasAddNssModulesAndLibgccS) {
  Scratch dir;
  test::write_text(dir / "p.c", "int main(void) { return 0; }\n");
  std::string out;
  // libpthread.so.0 on purpose: glibc dlopens libgcc_s for its cancellation.
  ASSERT_TRUE(sh(
      "gcc -o " + dir / "p" + " " + dir / "p.c" + " -Wl,--no-as-needed -l:libpthread.so.0", &out))
      << out;
  Closure plain = closure_of(host(), {dir / "p"});
  Closure extra = closure_of(host(), {dir / "p"}, {});
  std::string gcc_s = fs::canonical("/lib/x86_64-linux-gnu/libgcc_s.so.1").string();
  EXPECT_FALSE(as_set(plain.files).contains(gcc_s));
  EXPECT_TRUE(as_set(extra.files).contains(gcc_s));
  EXPECT_TRUE(extra.missing.empty());
  // nsswitch.conf services glibc >= 2.34 does not contain, when the root has them.
  std::string nss = pith::test::slurp("/etc/nsswitch.conf");
  for (std::string service : {"systemd", "db", "nis", "compat", "files", "dns"}) {
    std::string module = "/lib/x86_64-linux-gnu/libnss_" + service + ".so.2";
    bool named = nss.find(" " + service) != std::string::npos;
    bool want = named && fs::exists(module) && service != "files" && service != "dns";
    EXPECT_EQ(want, fs::exists(module) && as_set(extra.files).contains(fs::canonical(module)))
        << service;
  }
}

// Programs built here, each checked against ldd's view of the same file.
class Compiled : public ::testing::Test {
 protected:
  void build(const std::string& cmd) {
    std::string out;
    ASSERT_TRUE(sh(cmd, &out)) << cmd << "\n" << out;
  }
  void library(const std::string& path, const std::string& soname, const std::string& body,
               const std::string& extra = "") {
    test::write_text(path + ".c", body);
    fs::create_directories(fs::path(path).parent_path());
    build("gcc -shared -fPIC -o " + path + " " + path + ".c -Wl,-soname," + soname + " " + extra);
  }
  void expect_like_ldd(const std::string& program, const ClosureOptions& options,
                       const std::string& env = "") {
    Closure c = closure_of(host(), {program}, options);
    test::LddView want = test::ldd(program, env);
    want.files.insert(fs::canonical(program).string());
    EXPECT_EQ(as_set(c.files), want.files);
    std::set<std::string> missing;
    for (const auto& m : c.missing) missing.insert(m.name);
    EXPECT_EQ(missing, want.not_found);
  }
  Scratch m_dir;
};

TEST_F(Compiled, RunpathOriginFindsItsOwnLibrary) {
  library(m_dir / "app/lib/libone.so", "libone.so", "int one(void) { return 1; }\n");
  test::write_text(m_dir / "main.c", "int one(void);\nint main(void) { return one(); }\n");
  fs::create_directories(m_dir / "app/bin");
  build("gcc -o " + m_dir / "app/bin/prog " + m_dir / "main.c -L" + m_dir / "app/lib -lone" +
        " -Wl,-rpath,'$ORIGIN/../lib' -Wl,--enable-new-dtags");
  expect_like_ldd(m_dir / "app/bin/prog", no_extras());
  EXPECT_TRUE(as_set(closure_of(host(), {m_dir / "app/bin/prog"}).files)
                  .contains(m_dir / "app/lib/libone.so"));
}

TEST_F(Compiled, RpathIsInheritedRunpathIsNot) {
  std::string libs = m_dir / "libs";
  library(libs + "/libb.so", "libb.so", "int b(void) { return 2; }\n");
  library(libs + "/liba.so", "liba.so", "int b(void);\nint a(void) { return b(); }\n",
          "-L" + libs + " -lb");
  test::write_text(m_dir / "main.c", "int a(void);\nint main(void) { return a(); }\n");
  for (std::string tags : {"--disable-new-dtags", "--enable-new-dtags"}) {
    SCOPED_TRACE(tags);
    std::string prog = m_dir / ("prog" + tags);
    build("gcc -o " + prog + " " + m_dir / "main.c -L" + libs + " -la -Wl,-rpath," + libs +
          " -Wl," + tags);
    expect_like_ldd(prog, no_extras());
    Closure c = closure_of(host(), {prog});
    if (tags == "--disable-new-dtags") {
      EXPECT_TRUE(as_set(c.files).contains(libs + "/libb.so"));
      EXPECT_TRUE(c.missing.empty());
    } else {
      std::vector<Missing> want = {{"libb.so", libs + "/liba.so"}};
      EXPECT_EQ(c.missing, want);
    }
  }
}

TEST_F(Compiled, LdLibraryPathAndMissing) {
  library(m_dir / "llp/libl.so", "libl.so", "int l(void) { return 3; }\n");
  test::write_text(m_dir / "main.c", "int l(void);\nint main(void) { return l(); }\n");
  build("gcc -o " + m_dir / "prog " + m_dir / "main.c -L" + m_dir / "llp -ll");
  expect_like_ldd(m_dir / "prog",
                  {.ld_library_path = {m_dir / "llp"},
                   .dlopen_extras = false,
                   .nsswitch_conf = {},
                   .loaded = {}},
                  "LD_LIBRARY_PATH=" + m_dir / "llp");
  Closure without = closure_of(host(), {m_dir / "prog"});
  std::vector<Missing> want = {{"libl.so", m_dir / "prog"}};
  EXPECT_EQ(without.missing, want);
}

// A plugin loaded by path finds its neighbours through its own $ORIGIN; what it needs and
// nobody has is missing, named with the plugin; a file that is no ELF object is left out.
TEST_F(Compiled, LoadedPluginsSearchFromThemselves) {
  library(m_dir / "plugins/libhelper.so", "libhelper.so", "int helper(void) { return 4; }\n");
  library(m_dir / "gone/libgone.so", "libgone.so", "int gone(void) { return 5; }\n");
  library(m_dir / "plugins/plug.so", "plug.so",
          "int helper(void);\nint gone(void);\nint plug(void) { return helper() + gone(); }\n",
          "-L" + m_dir / "plugins -L" +
              m_dir /
                  "gone -lhelper -lgone -Wl,-rpath,'$ORIGIN' "
                  "-Wl,--enable-new-dtags");
  fs::remove(m_dir / "gone/libgone.so");
  test::write_text(m_dir / "plugins/README", "not an object\n");
  test::write_text(m_dir / "main.c", "int main(void) { return 0; }\n");
  build("gcc -o " + m_dir / "prog " + m_dir / "main.c");
  ClosureOptions options = no_extras();
  options.loaded = {m_dir / "plugins/plug.so", m_dir / "plugins/README"};
  Closure c = closure_of(host(), {m_dir / "prog"}, options);
  test::LddView want = test::ldd(m_dir / "plugins/plug.so");
  EXPECT_EQ(want.not_found, (std::set<std::string>{"libgone.so"}));
  for (const auto& f : want.files) EXPECT_TRUE(as_set(c.files).contains(f)) << f;
  EXPECT_TRUE(as_set(c.files).contains(m_dir / "plugins/libhelper.so"));
  EXPECT_FALSE(as_set(c.files).contains(m_dir / "plugins/README"));
  std::vector<Missing> missing = {{"libgone.so", m_dir / "plugins/plug.so"}};
  EXPECT_EQ(c.missing, missing);
}

TEST_F(Compiled, StaticProgramIsOnlyItself) {
  test::write_text(m_dir / "s.c", "int main(void) { return 0; }\n");
  build("gcc -static -o " + m_dir / "s " + m_dir / "s.c");
  Closure c = closure_of(host(), {m_dir / "s"}, {});
  EXPECT_EQ(c.files, std::vector<std::string>{m_dir / "s"});
  EXPECT_EQ(c.interpreter, "");
  EXPECT_TRUE(c.links.empty());
  EXPECT_FALSE(resolve_closure(DirLoaderRoot(host()), {m_dir / "s.c"}, {}));  // not an ELF file
}

TEST_F(Compiled, CxxThreadsBringLibgccS) {
  test::write_text(m_dir / "t.cc",
                   "#include <thread>\nint main() { std::thread t([] {}); t.join(); }\n");
  build("g++ -pthread -o " + m_dir / "t " + m_dir / "t.cc");
  expect_like_ldd(m_dir / "t", no_extras());
  Closure c = closure_of(host(), {m_dir / "t"}, {});
  EXPECT_TRUE(as_set(c.files).contains(fs::canonical("/lib/x86_64-linux-gnu/libgcc_s.so.1")));
}

// glibc >= 2.34 has pthread_cancel in libc, so a C program that cancels a thread links no
// libpthread; glibc still dlopens libgcc_s to unwind it. LD_DEBUG=files is the reference: it
// names every file ld.so opens, dlopen included.
TEST_F(Compiled, ThreadCancellationBringsLibgccSLikeTheLoaderOpensIt) {
  test::write_text(m_dir / "cancel.c",
                   "#include <pthread.h>\n#include <unistd.h>\n"
                   "static void* wait(void* a) { (void)a; for (;;) pause(); return 0; }\n"
                   "int main(void) { pthread_t t; pthread_create(&t, 0, wait, 0);\n"
                   "  pthread_cancel(t); pthread_join(t, 0); return 0; }\n");
  test::write_text(m_dir / "plain.c", "int main(void) { return 0; }\n");
  build("gcc -o " + m_dir / "cancel " + m_dir / "cancel.c");
  build("gcc -o " + m_dir / "plain " + m_dir / "plain.c");
  std::string debug;
  ASSERT_TRUE(sh("LD_DEBUG=files " + m_dir / "cancel", &debug));
  ASSERT_NE(debug.find("file=libgcc_s.so.1"), std::string::npos) << debug;
  ASSERT_TRUE(sh("LD_DEBUG=files " + m_dir / "plain", &debug));
  ASSERT_EQ(debug.find("libgcc_s"), std::string::npos) << debug;

  auto libgcc = fs::canonical("/lib/x86_64-linux-gnu/libgcc_s.so.1").string();
  EXPECT_TRUE(as_set(closure_of(host(), {m_dir / "cancel"}, {}).files).contains(libgcc));
  EXPECT_FALSE(as_set(closure_of(host(), {m_dir / "plain"}, {}).files).contains(libgcc));
}

// Inside a root: the loader there (run with chroot) is the reference.
class ForeignRoot : public ::testing::Test {
 protected:
  void copy(const std::string& from, const std::string& to) {
    fs::create_directories(fs::path(m_dir / to).parent_path());
    fs::copy_file(fs::canonical(from), m_dir / to);
  }
  std::set<std::string> listed(const std::string& command) {
    std::string out;
    EXPECT_TRUE(sh("chroot " + m_dir.path() + " " + command, &out)) << out;
    std::set<std::string> v;
    size_t pos = 0;
    while ((pos = out.find('/', pos)) != std::string::npos) {
      size_t end = out.find_first_of(" \n", pos);
      if (pos == 0 || out[pos - 1] == ' ' || out[pos - 1] == '\t')
        v.insert(out.substr(pos, end - pos));
      pos = end;
    }
    return v;
  }
  Scratch m_dir;
};

TEST_F(ForeignRoot, GlibcUsesTheRootsCacheAndConf) {
  // Libraries in /opt/libs, which only the root's ld.so.conf and cache name.
  copy("/lib/x86_64-linux-gnu/libc.so.6", "opt/libs/libc.so.6");
  copy("/lib/x86_64-linux-gnu/libz.so.1", "opt/libs/libz.so.1.2");
  fs::create_symlink("libz.so.1.2", m_dir / "opt/libs/libz.so.1");
  copy("/lib/x86_64-linux-gnu/libz.so.1", "opt/libs/glibc-hwcaps/x86-64-v2/libz.so.1");
  copy("/lib64/ld-linux-x86-64.so.2", "opt/libs/ld-linux-x86-64.so.2");
  fs::create_directories(m_dir / "usr/lib64");
  fs::create_directory_symlink("usr/lib64", m_dir / "lib64");
  fs::create_symlink("/opt/libs/ld-linux-x86-64.so.2", m_dir / "usr/lib64/ld-linux-x86-64.so.2");
  test::write_text(m_dir / "etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n");
  test::write_text(m_dir / "etc/ld.so.conf.d/libs.conf", "# ours\n/opt/libs\n");
  test::write_text(m_dir / "z.c", "#include <zlib.h>\nint main(void) { return !zlibVersion(); }\n");
  std::string out;
  fs::create_directories(m_dir / "usr/bin");
  ASSERT_TRUE(sh("gcc -o " + m_dir / "usr/bin/prog " + m_dir / "z.c -lz", &out)) << out;
  std::set<std::string> want = {"/usr/bin/prog", "/opt/libs/libc.so.6", "/opt/libs/libz.so.1.2",
                                "/opt/libs/ld-linux-x86-64.so.2",
                                "/opt/libs/glibc-hwcaps/x86-64-v2/libz.so.1"};
  auto root = RootDir::open(m_dir.path());
  ASSERT_TRUE(root);

  // No cache yet: ld.so.conf (with its include) is used instead.
  Closure c = closure_of(*root, {"/usr/bin/prog"});
  EXPECT_EQ(as_set(c.files), want);
  EXPECT_TRUE(c.missing.empty());

  ASSERT_TRUE(sh("ldconfig -X -r " + m_dir.path(), &out)) << out;
  fs::remove_all(m_dir / "etc/ld.so.conf.d");  // now only the cache knows /opt/libs
  c = closure_of(*root, {"/usr/bin/prog"});
  EXPECT_EQ(as_set(c.files), want);
  EXPECT_TRUE(c.missing.empty());
  EXPECT_TRUE(has_link(c, "/lib64"));
  EXPECT_TRUE(has_link(c, "/usr/lib64/ld-linux-x86-64.so.2"));
  EXPECT_TRUE(has_link(c, "/opt/libs/libz.so.1"));
  // The root's own loader agrees; it lists the one libz (baseline or glibc-hwcaps variant)
  // this CPU takes, the closure has both.
  std::set<std::string> seen = listed("/lib64/ld-linux-x86-64.so.2 --list /usr/bin/prog");
  std::set<std::string> canonical;
  for (const auto& p : seen) canonical.insert(root->resolve(p)->path);
  canonical.insert("/usr/bin/prog");
  canonical.insert("/opt/libs/glibc-hwcaps/x86-64-v2/libz.so.1");
  canonical.insert("/opt/libs/libz.so.1.2");
  EXPECT_EQ(canonical, want);

  fs::remove(m_dir / "etc/ld.so.cache");  // neither cache nor configuration: libz is missing
  c = closure_of(*root, {"/usr/bin/prog"});
  std::vector<Missing> missing = {{"libc.so.6", "/usr/bin/prog"}, {"libz.so.1", "/usr/bin/prog"}};
  EXPECT_EQ(c.missing, missing);
}

TEST_F(ForeignRoot, MuslSearchesItsPathFile) {
  if (!fs::exists("/usr/bin/musl-gcc")) GTEST_SKIP() << "musl-tools is not installed";
  std::string out;
  test::write_text(m_dir / "m.c", "int m(void) { return 0; }\n");
  test::write_text(m_dir / "main.c", "int m(void);\nint main(void) { return m(); }\n");
  fs::create_directories(m_dir / "opt/m");
  fs::create_directories(m_dir / "usr/bin");
  ASSERT_TRUE(sh("musl-gcc -shared -fPIC -o " + m_dir / "opt/m/libm1.so " + m_dir / "m.c", &out))
      << out;
  ASSERT_TRUE(sh(
      "musl-gcc -o " + m_dir / "usr/bin/prog " + m_dir / "main.c -L" + m_dir / "opt/m -lm1", &out))
      << out;
  copy("/lib/ld-musl-x86_64.so.1", "lib/ld-musl-x86_64.so.1");
  test::write_text(m_dir / "etc/ld-musl-x86_64.path", "/nowhere\n/opt/m\n");
  auto root = RootDir::open(m_dir.path());
  ASSERT_TRUE(root);
  Closure c = closure_of(*root, {"/usr/bin/prog"}, {});
  std::set<std::string> want = {"/usr/bin/prog", "/lib/ld-musl-x86_64.so.1", "/opt/m/libm1.so"};
  EXPECT_EQ(as_set(c.files), want);
  EXPECT_TRUE(c.missing.empty());
  EXPECT_EQ(c.interpreter, "/lib/ld-musl-x86_64.so.1");
  std::set<std::string> seen = listed("/lib/ld-musl-x86_64.so.1 --list /usr/bin/prog");
  seen.insert("/usr/bin/prog");
  EXPECT_EQ(seen, want);
}

}  // namespace
}  // namespace pith::elf
