// Dependency fields reduced to names: dpkg's syntax (deb-control(5)), apk's D:/p:, and the
// apk records of syft's multiple-1 fixture as its expectations list them.
#include "catalog/relations.h"

#include <gtest/gtest.h>

#include "catalog/apk.h"
#include "test_paths.h"

namespace pith::catalog {
namespace {

using Names = std::vector<std::string>;

TEST(Relations, DpkgDepends) {
  EXPECT_EQ(parse_dpkg_depends("libc6 (>= 2.34), debconf (>= 0.5) | debconf-2.0, python3:any, "
                               "foo [amd64] <!nocheck>,, "),
            (std::vector<Names>{{"libc6"}, {"debconf", "debconf-2.0"}, {"python3"}, {"foo"}}));
  EXPECT_TRUE(parse_dpkg_depends("").empty());
  EXPECT_EQ(parse_dpkg_provides("awk, mail-transport-agent (= 1.0)"),
            (Names{"awk", "mail-transport-agent"}));
}

TEST(Relations, ApkDependsAndProvides) {
  EXPECT_EQ(parse_apk_depends("so:libc.musl-x86_64.so.1 /bin/sh pkg>=1.2 !conflict  b~1"),
            (std::vector<Names>{{"so:libc.musl-x86_64.so.1"}, {"/bin/sh"}, {"pkg"}, {"b"}}));
  EXPECT_EQ(parse_apk_provides("so:libssl.so.3=3 cmd:openssl=3.1.4-r5"),
            (Names{"so:libssl.so.3", "cmd:openssl"}));
}

TEST(Relations, ApkDatabaseRecords) {
  std::string db = test::slurp(
      test::corpus("syft/syft/pkg/cataloger/alpine/testdata/multiple-1/lib/apk/db/installed"));
  auto pkgs = parse_apk_installed(db, "/lib/apk/db/installed", {"alpine", "3.19.0"});
  ASSERT_TRUE(pkgs.ok());
  ASSERT_EQ(pkgs->size(), 4u);
  EXPECT_EQ((*pkgs)[0].name, "bash");
  EXPECT_EQ(
      (*pkgs)[0].depends,
      (std::vector<Names>{{"/bin/sh"}, {"so:libc.musl-x86_64.so.1"}, {"so:libreadline.so.8"}}));
  EXPECT_EQ((*pkgs)[0].provides, (Names{"cmd:bash"}));
  EXPECT_EQ((*pkgs)[1].name, "busybox-binsh");
  EXPECT_EQ((*pkgs)[1].provides, (Names{"/bin/sh", "cmd:sh"}));
  EXPECT_EQ((*pkgs)[2].name, "musl");
  EXPECT_TRUE((*pkgs)[2].depends.empty());
}

}  // namespace
}  // namespace pith::catalog
