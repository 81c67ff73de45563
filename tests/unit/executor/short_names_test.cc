// FROM's short names as podman resolves them with registries.conf (containers-registries.conf(5)).
#include "executor/short_names.h"

#include <gtest/gtest.h>

#include "util/file.h"

namespace pith::executor {
namespace {

class ShortNames : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::string(::testing::TempDir()) + "/short-names-" +
          ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::create_directories(dir);
  }
  std::string write(const std::string& name, const std::string& text) {
    std::string path = dir + "/" + name;
    EXPECT_TRUE(write_file_atomic(path, text).ok());
    return path;
  }
  std::string dir;
};

TEST_F(ShortNames, WithoutAnyConfigurationDockerHub) {
  EXPECT_EQ(resolve_short_name("alpine:3.19", {}), "docker.io/library/alpine:3.19");
  EXPECT_EQ(resolve_short_name("someone/app", {}), "docker.io/someone/app");
  EXPECT_EQ(resolve_short_name("alpine@sha256:abc", {}), "docker.io/library/alpine@sha256:abc");
}

TEST_F(ShortNames, NamesWithARegistryAreLeftAlone) {
  std::string conf = write("a.conf", "[aliases]\n\"localhost:5000/x\" = \"quay.io/y\"\n");
  EXPECT_EQ(resolve_short_name("localhost:5000/x:1", {conf}), "localhost:5000/x:1");
  EXPECT_EQ(resolve_short_name("localhost/x", {conf}), "localhost/x");
  EXPECT_EQ(resolve_short_name("quay.io/centos/centos:9", {conf}), "quay.io/centos/centos:9");
}

// Debian's /etc/containers/registries.conf.d/shortnames.conf lines, as shipped.
TEST_F(ShortNames, AliasesAsDebiansShortnamesConfGivesThem) {
  std::string conf = write("shortnames.conf",
                           "[aliases]\n  # centos\n  \"centos\" = \"quay.io/centos/centos\"\n"
                           "  \"alpine\" = \"docker.io/library/alpine\"\n");
  EXPECT_EQ(resolve_short_name("centos:stream9", {conf}), "quay.io/centos/centos:stream9");
  EXPECT_EQ(resolve_short_name("alpine", {conf}), "docker.io/library/alpine");
  // A later file overrides an earlier alias (registries.conf.d files in order).
  std::string later = write("z.conf", "[aliases]\n\"alpine\" = \"mirror.example/alpine\"\n");
  EXPECT_EQ(resolve_short_name("alpine:3", {conf, later}), "mirror.example/alpine:3");
}

TEST_F(ShortNames, TheFirstSearchRegistryOtherwise) {
  std::string conf = write("registries.conf",
                           "# comment\nunqualified-search-registries = [\"registry.example:5000\", "
                           "\"docker.io\"]\nshort-name-mode = \"permissive\"\n");
  EXPECT_EQ(resolve_short_name("tools/app:1", {conf}), "registry.example:5000/tools/app:1");
}

}  // namespace
}  // namespace pith::executor
