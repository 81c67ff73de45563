// config.json of a RUN, and the tail of output an error quotes.
#include "runner/oci_config.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "runner/runc.h"

namespace pith::runner {
namespace {

nlohmann::json config_of(const RunSpec& spec) {
  return nlohmann::json::parse(
      oci_config(spec, {"/b/rootfs", "/b/hosts", "/b/hostname", "/b/r", {}}));
}

bool has_namespace(const nlohmann::json& config, const std::string& type) {
  for (const auto& ns : config["linux"]["namespaces"])
    if (ns["type"] == type) return true;
  return false;
}

TEST(OciConfig, RootGetsPodmansCapabilitiesAndTheHostNetwork) {
  RunSpec spec;
  spec.argv = {"sh", "-c", "true"};
  spec.env = {"PATH=/bin"};
  spec.cwd = "/src";
  auto config = config_of(spec);
  EXPECT_EQ(config["process"]["args"], nlohmann::json(spec.argv));
  EXPECT_EQ(config["process"]["cwd"], "/src");
  EXPECT_EQ(config["process"]["terminal"], false);
  EXPECT_EQ(config["process"]["capabilities"]["effective"].size(), 11u);
  EXPECT_EQ(config["process"]["capabilities"]["bounding"][0], "CAP_CHOWN");
  EXPECT_EQ(config["root"]["path"], "/b/rootfs");
  EXPECT_TRUE(has_namespace(config, "pid"));
  EXPECT_TRUE(has_namespace(config, "mount"));
  EXPECT_FALSE(has_namespace(config, "network"));
  bool hosts = false;
  for (const auto& m : config["mounts"]) {
    if (m["destination"] != "/etc/hosts") continue;
    hosts = true;
    EXPECT_EQ(m["source"], "/b/hosts");
    EXPECT_EQ(m["options"][1], "ro");
  }
  EXPECT_TRUE(hosts);
}

TEST(OciConfig, AUserKeepsCapabilitiesOnlyInTheBoundingSet) {
  RunSpec spec;
  spec.argv = {"id"};
  spec.uid = 1000;
  spec.gid = 100;
  spec.additional_gids = {27};
  spec.network = Network::none;
  auto config = config_of(spec);
  EXPECT_EQ(config["process"]["user"]["uid"], 1000);
  EXPECT_EQ(config["process"]["user"]["additionalGids"][0], 27);
  EXPECT_TRUE(config["process"]["capabilities"]["effective"].empty());
  EXPECT_EQ(config["process"]["capabilities"]["bounding"].size(), 11u);
  EXPECT_TRUE(has_namespace(config, "network"));
}

// The RUN's mounts after runc's own, with BuildKit's options.
TEST(OciConfig, RunMounts) {
  RunSpec spec;
  spec.argv = {"true"};
  auto mount = [](MountKind kind, const char* target, const char* source, bool read_only) {
    Mount m;
    m.kind = kind;
    m.target = target;
    m.source = source;
    m.read_only = read_only;
    return m;
  };
  spec.mounts = {mount(MountKind::bind, "/ctx", "/host/ctx", true),
                 mount(MountKind::cache, "/root/.cache", "/host/cache", false),
                 mount(MountKind::tmpfs, "/t", "", false),
                 mount(MountKind::secret, "/run/secrets/k", "/host/k", true),
                 mount(MountKind::secret, "/x", "/host/x", true)};
  spec.mounts[2].size_limit = 1 << 20;
  spec.mounts[4].mode = 0755;
  BundleFiles files{"/b/rootfs", "/b/hosts", "/b/hostname", "/b/r", {}};
  files.mount_sources = {"/host/ctx", "/host/cache", "", "/b/secrets/3", "/b/secrets/4"};
  auto config = nlohmann::json::parse(oci_config(spec, files));
  const auto& mounts = config["mounts"];
  ASSERT_EQ(mounts.size(), 14u);
  auto expect = [&](size_t i, const char* destination, const char* type, const char* source,
                    std::vector<std::string> options) {
    EXPECT_EQ(mounts[i]["destination"], destination);
    EXPECT_EQ(mounts[i]["type"], type);
    EXPECT_EQ(mounts[i]["source"], source);
    EXPECT_EQ(mounts[i]["options"], nlohmann::json(options));
  };
  expect(9, "/ctx", "bind", "/host/ctx", {"rbind", "ro"});
  expect(10, "/root/.cache", "bind", "/host/cache", {"rbind"});
  expect(11, "/t", "tmpfs", "tmpfs", {"nosuid", "size=1048576"});
  expect(12, "/run/secrets/k", "bind", "/b/secrets/3",
         {"ro", "rbind", "nodev", "nosuid", "noexec"});
  expect(13, "/x", "bind", "/b/secrets/4", {"ro", "rbind", "nodev", "nosuid"});
}

TEST(OciConfig, HostsFile) {
  RunSpec spec;
  spec.hostname = "box";
  EXPECT_EQ(hosts_file(spec, "10.0.0.1 gw"), "10.0.0.1 gw\n127.0.1.1\tbox\n");
  spec.network = Network::none;
  EXPECT_EQ(hosts_file(spec, "10.0.0.1 gw"),
            "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\tbox\n");
}

TEST(OutputTail, KeepsTheLastLines) {
  OutputTail tail(2);
  tail.add("one\ntw");
  tail.add("o\nthree\nfo");
  tail.add("ur\x1b[2J");
  EXPECT_EQ(tail.text(), "three; four\\033[2J");
}

}  // namespace
}  // namespace pith::runner
