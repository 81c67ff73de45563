// pith.yaml parsing and the checks on build settings.
#include "build/spec.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "build/build.h"
#include "build/root.h"
#include "transport/reference.h"

namespace pith::build {
namespace {

TEST(Spec, ReadsEveryKeyOfAFile) {
  auto spec = parse_spec_yaml(R"(
from: /srv/root
entrypoint: /usr/bin/fetch
cmd: [https://example.org]
add: [/etc/gai.conf, "/usr/share/fetch:/opt/fetch"]
add-host: ["./config.json:/etc/fetch.json"]
env: {LANG: C.UTF-8, MODE: fast}
workdir: /work
user: nonroot
labels: {team: web}
annotations: {org.opencontainers.image.source: https://example.org/fetch}
expose: ["8080", 53/udp]
stop-signal: SIGTERM
ca-bundle: ca.pem
tzdata: true
locale: C.UTF-8
platform: linux/arm64
compress: zstd
layers: single
allow-missing: yes
outputs: [oci:out:1, docker-archive:out.tar:fetch:1]
)",
                              "pith.yaml");
  ASSERT_TRUE(spec) << spec.error().message;
  EXPECT_EQ(spec->from, "/srv/root");
  EXPECT_EQ(spec->entrypoint, "/usr/bin/fetch");
  EXPECT_EQ(spec->cmd, std::vector<std::string>{"https://example.org"});
  ASSERT_EQ(spec->add.size(), 2u);
  EXPECT_EQ(spec->add[0], (AddSpec{"/etc/gai.conf", ""}));
  EXPECT_EQ(spec->add[1], (AddSpec{"/usr/share/fetch", "/opt/fetch"}));
  EXPECT_EQ(spec->add_host[0], (AddSpec{"./config.json", "/etc/fetch.json"}));
  EXPECT_EQ(spec->env, (std::vector<std::string>{"LANG=C.UTF-8", "MODE=fast"}));
  EXPECT_EQ(spec->workdir, "/work");
  EXPECT_EQ(spec->user, "nonroot");
  EXPECT_EQ(spec->labels.at("team"), "web");
  EXPECT_EQ(spec->annotations.at("org.opencontainers.image.source"), "https://example.org/fetch");
  EXPECT_EQ(spec->expose, (std::vector<std::string>{"8080", "53/udp"}));
  EXPECT_EQ(spec->stop_signal, "SIGTERM");
  EXPECT_EQ(spec->ca_bundle, "ca.pem");
  EXPECT_TRUE(spec->tzdata);
  EXPECT_EQ(spec->locale, "C.UTF-8");
  EXPECT_EQ(spec->platform, "linux/arm64");
  EXPECT_EQ(spec->compress, "zstd");
  EXPECT_EQ(spec->layers, LayerMode::single);
  EXPECT_TRUE(spec->allow_missing);
  EXPECT_EQ(spec->outputs,
            (std::vector<std::string>{"oci:out:1", "docker-archive:out.tar:fetch:1"}));
  EXPECT_TRUE(validate(*spec));
}

TEST(Spec, RejectsWhatItDoesNotKnow) {
  auto unknown = parse_spec_yaml("entrypoint: /app\nentry-point: /x\n", "f.yaml");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message, "f.yaml: unknown key \"entry-point\"");
  EXPECT_FALSE(parse_spec_yaml("[1, 2]", "f.yaml"));
  EXPECT_FALSE(parse_spec_yaml("cmd: {a: b}", "f.yaml"));
  EXPECT_FALSE(parse_spec_yaml("tzdata: maybe", "f.yaml"));
  EXPECT_FALSE(parse_spec_yaml("entrypoint: [unclosed", "f.yaml"));
  EXPECT_FALSE(parse_spec_yaml("layers: base,app", "f.yaml"));
  EXPECT_TRUE(parse_spec_yaml("", "f.yaml"));
}

TEST(Spec, AddPaths) {
  EXPECT_EQ(*parse_add("/a", false), (AddSpec{"/a", ""}));
  EXPECT_EQ(*parse_add("/a:/b", false), (AddSpec{"/a", "/b"}));
  EXPECT_FALSE(parse_add("/a", true));     // --add-host needs a destination
  EXPECT_FALSE(parse_add("/a:b", false));  // destinations are absolute
  EXPECT_FALSE(parse_add(":/b", false));
  EXPECT_FALSE(parse_add("", false));
}

TEST(Spec, ValidateNamesTheProblem) {
  BuildSpec s;
  EXPECT_EQ(validate(s).error().message, "no --entrypoint given");
  s.entrypoint = "/bin/true";
  EXPECT_EQ(validate(s).error().message, "no output given (-o oci:DIR:TAG, ...)");
  s.outputs = {"oci:x"};
  EXPECT_TRUE(validate(s));
  s.expose = {"80/icmp"};
  EXPECT_FALSE(validate(s));
  s.expose = {"70000"};
  EXPECT_FALSE(validate(s));
  s.expose = {"443/tcp"};
  s.env = {"=x"};
  EXPECT_FALSE(validate(s));
  s.env = {"A=1"};
  s.ca_bundle = "x.pem";
  s.no_ca_certs = true;
  EXPECT_FALSE(validate(s));
}

TEST(Spec, FlagsReplaceTheCommandAndSingleValuesAndAddToLists) {
  auto file = parse_spec_yaml(R"(
entrypoint: /usr/bin/fetch
cmd: [a, b]
env: [MODE=file, KEEP=1]
labels: {team: web, tier: "0"}
add: [/etc/gai.conf]
expose: ["80"]
workdir: /srv
ca-bundle: ca.pem
outputs: [oci:out:1]
)",
                              "pith.yaml");
  ASSERT_TRUE(file) << file.error().message;
  BuildSpec flags;
  flags.cmd = {"c"};
  flags.env = {"MODE=flag", "NEW=2"};
  flags.labels = {{"tier", "1"}};
  flags.add = {{"/etc/hosts", ""}};
  flags.expose = {"443"};
  flags.no_ca_certs = true;
  flags.outputs = {"oci:more:1"};
  std::set<std::string_view> given = {"cmd",    "env",         "label", "add",
                                      "expose", "no-ca-certs", "output"};
  auto s = combine(*file, flags, [&](std::string_view k) { return given.count(k) > 0; });
  EXPECT_EQ(s.entrypoint, "/usr/bin/fetch");  // not given: the file's
  EXPECT_EQ(s.cmd, std::vector<std::string>{"c"});
  // The file's env is sorted by key (it is read as a map); MODE keeps its place.
  EXPECT_EQ(s.env, (std::vector<std::string>{"KEEP=1", "MODE=flag", "NEW=2"}));
  EXPECT_EQ(s.labels, (std::map<std::string, std::string>{{"team", "web"}, {"tier", "1"}}));
  EXPECT_EQ(s.add, (std::vector<AddSpec>{{"/etc/gai.conf", ""}, {"/etc/hosts", ""}}));
  EXPECT_EQ(s.expose, (std::vector<std::string>{"80", "443"}));
  EXPECT_EQ(s.workdir, "/srv");
  EXPECT_EQ(s.outputs, (std::vector<std::string>{"oci:out:1", "oci:more:1"}));
  // --no-ca-certs replaces the file's ca-bundle instead of clashing with it.
  EXPECT_TRUE(s.no_ca_certs);
  EXPECT_EQ(s.ca_bundle, "");
  EXPECT_TRUE(validate(s));
}

TEST(Spec, RelativePathsAreTheFilesFolders) {
  namespace fs = std::filesystem;
  auto spec = parse_spec_yaml(R"(
from: rootfs
entrypoint: ./bin/fetch
add: [/etc/gai.conf]
add-host: ["conf/fetch.json:/etc/fetch.json", "/abs/x:/x"]
ca-bundle: certs/ca.pem
outputs: [oci:out:fetch, "docker-archive:../fetch.tar:fetch:1", docker://example.org/fetch:1]
)",
                              "pith.yaml");
  ASSERT_TRUE(spec) << spec.error().message;
  const fs::path cwd = fs::current_path();
  const fs::path folder = cwd / "project";
  relative_to_folder(*spec, folder.string());
  EXPECT_EQ(spec->from, (folder / "rootfs").string());
  // Still relative (a host program), naming the same file from here.
  EXPECT_EQ(spec->entrypoint, "./project/bin/fetch");
  EXPECT_EQ(spec->add[0].from, "/etc/gai.conf");  // a path of the root, not the host
  EXPECT_EQ(spec->add_host[0].from, (folder / "conf/fetch.json").string());
  EXPECT_EQ(spec->add_host[1].from, "/abs/x");
  EXPECT_EQ(spec->ca_bundle, (folder / "certs/ca.pem").string());
  EXPECT_EQ(spec->outputs,
            (std::vector<std::string>{"oci:" + (folder / "out").string() + ":fetch",
                                      "docker-archive:" + (cwd / "fetch.tar").string() + ":fetch:1",
                                      "docker://example.org/fetch:1"}));

  // A file in a sibling folder: the program is reached through "..".
  auto sibling = parse_spec_yaml("entrypoint: ./fetch\n", "pith.yaml");
  relative_to_folder(*sibling, (cwd.parent_path() / "elsewhere").string());
  EXPECT_EQ(sibling->entrypoint, "../elsewhere/fetch");
}

TEST(Spec, StopSignalsAreWhatRuntimesTake) {
  for (const char* s : {"SIGTERM", "TERM", "term", "15", "1", "64", "SIGRTMIN", "SIGRTMIN+3",
                        "RTMIN+15", "SIGRTMAX-14", "RTMAX", "SIGWINCH", "sigkill"})
    EXPECT_TRUE(is_stop_signal(s)) << s;
  for (const char* s : {"BOGUS", "0", "65", "-1", "SIG", "", "SIGRTMIN+16", "RTMIN+0", "RTMIN+03",
                        "RTMAX-15", "TERM ", "SIGSIGTERM", "100"})
    EXPECT_FALSE(is_stop_signal(s)) << s;
}

TEST(Spec, ValidateRefusesWhatRuntimesWould) {
  BuildSpec s;
  s.entrypoint = "/bin/true";
  s.outputs = {"oci:x"};
  s.stop_signal = "BOGUS";
  EXPECT_EQ(validate(s).error().message,
            "--stop-signal BOGUS: not a signal (a name such as SIGTERM, TERM or SIGRTMIN+3, or 1 "
            "to 64)");
  s.stop_signal = "SIGRTMIN+3";
  s.workdir = "app";
  EXPECT_EQ(validate(s).error().message,
            "--workdir app: not an absolute path (the OCI runtime spec requires one)");
  s.workdir = "/app";
  EXPECT_TRUE(validate(s));
}

TEST(Spec, BaseNameIsARegistryReference) {
  oci::Digest digest = *oci::Digest::parse(
      "sha256:0000000000000000000000000000000000000000000000000000000000000001");
  auto from_registry = base_annotations(*transport::parse_reference("docker://debian:12"), digest);
  EXPECT_EQ(from_registry,
            (std::map<std::string, std::string>{
                {"org.opencontainers.image.base.name", "docker.io/library/debian:12"},
                {"org.opencontainers.image.base.digest", digest.str()}}));
  auto from_archive =
      base_annotations(*transport::parse_reference("docker-archive:/tmp/b.tar"), digest);
  EXPECT_EQ(
      from_archive,
      (std::map<std::string, std::string>{{"org.opencontainers.image.base.digest", digest.str()}}));
  EXPECT_EQ(base_annotations(*transport::parse_reference("oci:layout:1"), digest)
                .count("org.opencontainers.image.base.name"),
            0u);
}

}  // namespace
}  // namespace pith::build
