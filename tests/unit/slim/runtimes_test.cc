// The Node and Java rules, and the files every image keeps, on small roots.
#include <gtest/gtest.h>

#include "elf/elf_test_util.h"
#include "slim/keep.h"

namespace pith::slim {
namespace {

using elf::test::Scratch;
using elf::test::write_text;

TEST(KeepJava, TheRuntimesHomeAndTheClasspath) {
  Scratch s;
  write_text(s / "usr/lib/jvm/java-17/bin/java", "ELF stand-in");
  write_text(s / "usr/lib/jvm/java-17/lib/modules", "jimage");
  write_text(s / "srv/app.jar", "PK");
  write_text(s / "srv/lib/dep.jar", "PK");
  auto root = RootDir::open(s.path());
  ASSERT_TRUE(root.ok());
  Keep keep;
  ASSERT_TRUE(keep_java(*root, "/usr/lib/jvm/java-17/bin/java",
                        {"-Xmx64m", "-cp", "lib/*:/missing.jar", "-jar", "app.jar"}, "/srv", keep)
                  .ok());
  EXPECT_EQ(keep.paths,
            (std::set<std::string>{"/usr/lib/jvm/java-17", "/srv/lib", "/srv/app.jar"}));
}

TEST(KeepNode, TheApplicationFolderAboveTheScript) {
  Scratch s;
  write_text(s / "srv/web/package.json", "{}");
  write_text(s / "srv/web/src/server.js", "");
  write_text(s / "srv/web/node_modules/dep/index.js", "");
  write_text(s / "usr/local/bin/tool.js", "");
  auto root = RootDir::open(s.path());
  ASSERT_TRUE(root.ok());
  Keep keep;
  ASSERT_TRUE(keep_node(*root, "/usr/bin/node", {"--enable-source-maps", "src/server"}, {},
                        "/srv/web", keep)
                  .ok());
  EXPECT_EQ(keep.paths, (std::set<std::string>{"/srv/web"}));
  // A script in a system folder is kept alone, never the folder.
  Keep alone;
  ASSERT_TRUE(keep_node(*root, "/usr/bin/node", {"/usr/local/bin/tool.js"}, {}, "/", alone).ok());
  EXPECT_EQ(alone.paths, (std::set<std::string>{"/usr/local/bin/tool.js"}));
}

TEST(KeepDataFiles, AccountsCertificatesTimeZoneAndLocale) {
  Scratch s;
  for (const char* f : {"etc/passwd", "etc/group", "etc/os-release", "etc/ssl/cert.pem",
                        "usr/lib/locale/C.utf8/LC_CTYPE", "usr/share/zoneinfo/UTC"})
    write_text(s / f, "x");
  auto root = RootDir::open(s.path());
  ASSERT_TRUE(root.ok());
  Keep keep;
  ASSERT_TRUE(keep_data_files(*root, {"LANG=C.UTF-8", "TZ=UTC"}, keep).ok());
  EXPECT_EQ(keep.paths, (std::set<std::string>{"/etc/passwd", "/etc/group", "/etc/os-release",
                                               "/etc/ssl/cert.pem", "/usr/lib/locale/C.utf8",
                                               "/usr/share/zoneinfo"}));
}

}  // namespace
}  // namespace pith::slim

namespace pith::slim {
namespace {

TEST(PerlRequires, UseRequireNoParentAndBase) {
  auto got = perl_requires(
      "#!/usr/bin/perl\n"
      "use strict; use warnings;\n"
      "use File::Spec::Functions qw(catfile);\n"
      "require Data::Dumper;\n"
      "no warnings 'once';\n"
      "use parent -norequire, 'Local::Base';\n"
      "use base qw(Exporter Other::Mod);\n"
      "use 5.010;\n"
      "# use Commented::Out;\n"
      "my $x = 'use Not::A::Module';\n"
      "=pod\n\nuse In::Pod;\n\n=cut\n"
      "sub f { require Later::Loaded }\n"
      "__END__\nuse After::End;\n");
  // parent.pm and base.pm are modules too; a "use" inside a string does not follow a
  // statement boundary.
  std::vector<std::string> want = {"strict",       "warnings",     "File::Spec::Functions",
                                   "Data::Dumper", "warnings",     "parent",
                                   "Local::Base",  "base",         "Exporter",
                                   "Other::Mod",   "Later::Loaded"};
  EXPECT_EQ(got, want);
}

TEST(KeepPerl, ModulesInIncWithTheirXsObjects) {
  Scratch s;
  write_text(s / "usr/bin/perl", "ELF stand-in");
  write_text(s / "usr/lib/x86_64-linux-gnu/perl-base/strict.pm", "");
  write_text(s / "usr/lib/x86_64-linux-gnu/perl-base/Socket.pm",
             "require XSLoader;\nXSLoader::load();\n");
  write_text(s / "usr/lib/x86_64-linux-gnu/perl-base/XSLoader.pm", "");
  write_text(s / "usr/lib/x86_64-linux-gnu/perl-base/auto/Socket/Socket.so", "ELF");
  write_text(s / "usr/share/perl/5.36/Text/Wrap.pm", "use strict;\n");
  write_text(s / "usr/share/perl/5.36/Unused.pm", "");
  write_text(s / "srv/app.pl", "use strict;\nuse Socket;\nuse Text::Wrap;\nuse Missing::Mod;\n");
  auto root = RootDir::open(s.path());
  ASSERT_TRUE(root.ok());
  Keep keep;
  ASSERT_TRUE(keep_perl(*root, {"-w", "app.pl"}, {}, "/srv", keep).ok());
  // -M and -e name modules too.
  Keep oneliner;
  ASSERT_TRUE(
      keep_perl(*root, {"-MText::Wrap=wrap", "-e", "use Socket; print 1"}, {}, "/", oneliner).ok());
  EXPECT_TRUE(oneliner.paths.count("/usr/share/perl/5.36/Text/Wrap.pm"));
  EXPECT_TRUE(oneliner.paths.count("/usr/lib/x86_64-linux-gnu/perl-base/auto/Socket/Socket.so"));
  EXPECT_EQ(keep.paths, (std::set<std::string>{
                            "/srv/app.pl",
                            "/usr/lib/x86_64-linux-gnu/perl-base/strict.pm",
                            "/usr/lib/x86_64-linux-gnu/perl-base/Socket.pm",
                            "/usr/lib/x86_64-linux-gnu/perl-base/XSLoader.pm",
                            "/usr/lib/x86_64-linux-gnu/perl-base/auto/Socket/Socket.so",
                            "/usr/share/perl/5.36/Text/Wrap.pm",
                        }));
}

}  // namespace
}  // namespace pith::slim
