// pith.yaml parsing and the checks on build settings.
#include "build/spec.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace pith::build
