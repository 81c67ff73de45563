// Image references, checked against the conventions of containers/image (skopeo, podman).
#include "transport/reference.h"

#include <gtest/gtest.h>

namespace pith::transport {
namespace {

const std::string k_hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

struct Valid {
  std::string text;
  Kind kind;
  std::string path;
  std::string tag;
  std::string docker;  // DockerName::str() for docker://
  std::string str;     // what str() writes ("" = text unchanged)
};

TEST(Reference, ValidReferences) {
  for (const Valid& c : std::vector<Valid>{
           {"oci:/tmp/layout", Kind::oci, "/tmp/layout", "", "", ""},
           {"oci:/tmp/layout:v1", Kind::oci, "/tmp/layout", "v1", "", ""},
           {"oci:layout:a:b", Kind::oci, "layout", "a:b", "", ""},  // the path ends at ':'
           {"oci:layout:example.com/ns/img:1.0", Kind::oci, "layout", "example.com/ns/img:1.0", "",
            ""},
           {"oci-archive:img.tar", Kind::oci_archive, "img.tar", "", "", ""},
           {"oci-archive:img.tar:latest", Kind::oci_archive, "img.tar", "latest", "", ""},
           {"docker-archive:/path", Kind::docker_archive, "/path", "", "", ""},
           {"docker-archive:/path:busybox:notlatest", Kind::docker_archive, "/path",
            "docker.io/library/busybox:notlatest", "",
            "docker-archive:/path:docker.io/library/busybox:notlatest"},
           {"docker-archive:/path:busybox", Kind::docker_archive, "/path",
            "docker.io/library/busybox:latest", "",
            "docker-archive:/path:docker.io/library/busybox:latest"},
           {"docker-archive:/path:docker.io/library/busybox:latest", Kind::docker_archive, "/path",
            "docker.io/library/busybox:latest", "", ""},
           {"docker-archive:/path:example.com/ns/foo:bar", Kind::docker_archive, "/path",
            "example.com/ns/foo:bar", "", ""},
           {"docker-archive:/path:@0", Kind::docker_archive, "/path", "@0", "", ""},
           {"docker-archive:/path:@999999", Kind::docker_archive, "/path", "@999999", "", ""},
           {"docker-archive:/path:@007", Kind::docker_archive, "/path", "@7", "",
            "docker-archive:/path:@7"},
           {"dir:/some/image", Kind::dir, "/some/image", "", "", ""},
           {"dir:a:b", Kind::dir, "a:b", "", "", ""},  // dir: takes the rest whole
           {"rootfs:/some/rootfs", Kind::rootfs, "/some/rootfs", "", "", ""},
           {"rootfs:root.tar.gz", Kind::rootfs, "root.tar.gz", "", "", ""},
           {"docker://alpine", Kind::docker, "", "", "docker.io/library/alpine:latest",
            "docker://docker.io/library/alpine:latest"},
           {"docker://alpine:3.19", Kind::docker, "", "", "docker.io/library/alpine:3.19",
            "docker://docker.io/library/alpine:3.19"},
           {"docker://localhost:5000/a/b@sha256:" + k_hex, Kind::docker, "", "",
            "localhost:5000/a/b@sha256:" + k_hex, ""},
           {"docker://ghcr.io/org/app:v1@sha256:" + k_hex, Kind::docker, "", "",
            "ghcr.io/org/app:v1@sha256:" + k_hex, ""},
           {"/tmp/image.tar", Kind::path, "/tmp/image.tar", "", "", ""},
           {"image.tar", Kind::path, "image.tar", "", "", ""},
           {"docker-daemon:alpine:3.19", Kind::docker_daemon, "", "alpine:3.19",
            "docker.io/library/alpine:3.19", ""},
           {"docker-daemon:alpine", Kind::docker_daemon, "", "alpine",
            "docker.io/library/alpine:latest", ""},
           {"docker-daemon:localhost:5000/a/b:v1", Kind::docker_daemon, "", "localhost:5000/a/b:v1",
            "localhost:5000/a/b:v1", ""},
           {"docker-daemon:busybox@sha256:" + k_hex, Kind::docker_daemon, "",
            "busybox@sha256:" + k_hex, "docker.io/library/busybox@sha256:" + k_hex, ""},
           {"docker-daemon:sha256:" + k_hex, Kind::docker_daemon, "", "sha256:" + k_hex, "/", ""},
           {"containers-storage:localhost/x:1", Kind::containers_storage, "", "localhost/x:1",
            "localhost/x:1", ""},
           {"containers-storage:foo", Kind::containers_storage, "", "foo",
            "docker.io/library/foo:latest", ""},
           {"containers-storage:sha256:" + k_hex, Kind::containers_storage, "", "sha256:" + k_hex,
            "/", ""},
           {"containers-storage:" + k_hex, Kind::containers_storage, "", "sha256:" + k_hex, "/",
            "containers-storage:sha256:" + k_hex},
           {"containers-storageX:foo", Kind::path, "containers-storageX:foo", "", "", ""},
           {"oci", Kind::path, "oci", "", "", ""},
           {"./oci:x", Kind::path, "./oci:x", "", "", ""},
       }) {
    auto r = parse_reference(c.text);
    ASSERT_TRUE(r) << c.text << ": " << r.error().message;
    EXPECT_EQ(r->kind, c.kind) << c.text;
    EXPECT_EQ(r->path, c.path) << c.text;
    EXPECT_EQ(r->tag, c.tag) << c.text;
    if (c.kind == Kind::docker || c.kind == Kind::docker_daemon ||
        c.kind == Kind::containers_storage) {
      EXPECT_EQ(r->docker.str(), c.docker) << c.text;
    }
    if (c.kind == Kind::docker_daemon || c.kind == Kind::containers_storage) {
      EXPECT_EQ(r->is_image_id(), c.docker == "/") << c.text;
    }
    std::string want = c.str.empty() ? c.text : c.str;
    EXPECT_EQ(r->str(), want) << c.text;
    auto again = parse_reference(r->str());
    ASSERT_TRUE(again) << r->str();
    EXPECT_EQ(again->str(), r->str());
  }
}

TEST(Reference, InvalidReferences) {
  for (const std::string& text : {
           std::string(""),
           std::string("oci:"),
           std::string("oci::tag"),
           std::string("oci:/x:bad tag"),
           std::string("oci:/x:"),
           std::string("oci:/x:-a"),
           std::string("oci-archive:"),
           std::string("dir:"),
           std::string("docker-archive:"),
           std::string("docker-archive:/path:busybox@sha256:") + k_hex,
           std::string("docker-archive:/path:busybox:latest@sha256:") + k_hex,
           std::string("docker-archive:/path:UPPERCASEISINVALID"),
           std::string("docker-archive:/path:@"),
           std::string("docker-archive:/path:@-2"),
           std::string("docker-archive:/path:@-1"),
           std::string("docker-archive:/path:@+1"),
           std::string("docker-archive:/path:busybox@0"),
           std::string("docker-archive:/path:@0:busybox"),
           std::string("docker-archive:/path:@99999999999999999999"),
           std::string("docker:alpine"),
           std::string("docker://"),
           std::string("docker:///x"),
           std::string("docker-daemon:"),
           std::string("docker-daemon:" + k_hex),  // an ID needs its sha256: there
           std::string("docker-daemon:sha256:abc"),
           std::string("docker-daemon:sha256:" + k_hex + "0"),
           std::string("docker-daemon:Alpine"),
           std::string("docker-daemon:alpine:bad tag"),
           std::string("containers-storage:"),
           std::string("containers-storage:[vfs@/var/lib/containers+/run]busybox"),
           std::string("containers-storage:UPPER"),
       }) {
    auto r = parse_reference(text);
    EXPECT_FALSE(r) << text << " parsed as " << r->str();
    if (!r) {
      EXPECT_EQ(r.error().message.rfind("invalid reference \"" + text + "\": ", 0), 0u)
          << r.error().message;
    }
  }
  EXPECT_EQ(parse_reference("docker://Alpine").error().message,
            "invalid reference \"docker://Alpine\": repository name \"Alpine\" must be lowercase");
  EXPECT_EQ(parse_reference("").error().message, "invalid reference \"\": empty path");
  EXPECT_EQ(parse_reference("containers-storage:[overlay@/a+/b]x").error().message,
            "invalid reference \"containers-storage:[overlay@/a+/b]x\": a store specification "
            "([driver@root+runroot]) is not supported: pith reads podman's store through its API "
            "(set CONTAINER_HOST)");
}

struct Name {
  std::string text;
  std::string registry, repository, tag, digest;
};

TEST(DockerName, Normalization) {
  const std::string digest = "sha256:" + k_hex;
  for (const Name& c : std::vector<Name>{
           {"alpine", "docker.io", "library/alpine", "latest", ""},
           {"alpine:3.19", "docker.io", "library/alpine", "3.19", ""},
           {"library/alpine", "docker.io", "library/alpine", "latest", ""},
           {"docker.io/alpine", "docker.io", "library/alpine", "latest", ""},
           {"index.docker.io/alpine", "docker.io", "library/alpine", "latest", ""},
           {"docker.io/library/alpine:edge", "docker.io", "library/alpine", "edge", ""},
           {"bitnami/redis", "docker.io", "bitnami/redis", "latest", ""},
           {"alpine@" + digest, "docker.io", "library/alpine", "", digest},
           {"alpine:3@" + digest, "docker.io", "library/alpine", "3", digest},
           {"localhost/app", "localhost", "app", "latest", ""},
           {"localhost:5000/a/b@" + digest, "localhost:5000", "a/b", "", digest},
           {"localhost:5000", "docker.io", "library/localhost", "5000", ""},
           {"example.com/ns/foo:bar", "example.com", "ns/foo", "bar", ""},
           {"my-registry.local:443/x/y/z", "my-registry.local:443", "x/y/z", "latest", ""},
           {"Example.com/app", "Example.com", "app", "latest", ""},
           {"[::1]:5000/app", "[::1]:5000", "app", "latest", ""},
           {"a.b/c__d/e-f/g.h/i--j", "a.b", "c__d/e-f/g.h/i--j", "latest", ""},
           {"x:_tag", "docker.io", "library/x", "_tag", ""},
           {"x:" + std::string(128, 'a'), "docker.io", "library/x", std::string(128, 'a'), ""},
       }) {
    auto n = parse_docker_name(c.text);
    ASSERT_TRUE(n) << c.text << ": " << n.error().message;
    EXPECT_EQ(n->registry, c.registry) << c.text;
    EXPECT_EQ(n->repository, c.repository) << c.text;
    EXPECT_EQ(n->tag, c.tag) << c.text;
    EXPECT_EQ(n->digest, c.digest) << c.text;
    auto again = parse_docker_name(n->str());
    ASSERT_TRUE(again) << n->str();
    EXPECT_EQ(again->str(), n->str());
  }
}

TEST(DockerName, Invalid) {
  for (const std::string& text : {
           std::string(""),
           std::string("Alpine"),
           std::string("library/Alpine"),
           std::string("docker.io/Library/alpine"),
           std::string("alpine:"),
           std::string("alpine:-x"),
           std::string("alpine:.x"),
           std::string("alpine:a/b"),
           "x:" + std::string(129, 'a'),
           std::string("alpine@"),
           std::string("alpine@sha256:abc"),
           "alpine@sha256:" + std::string(64, 'A'),
           "alpine@md5:" + k_hex,
           k_hex,
           std::string("a//b"),
           std::string("/a"),
           std::string("a/"),
           std::string("a_"),
           std::string("a..b"),
           std::string("a___b"),
           std::string(".a"),
           std::string("a b"),
           std::string("localhost:50a0/app"),
           std::string("-bad.com/app"),
           std::string("bad-.com/app"),
           std::string("example.com/"),
           std::string("example.com:/x"),
           std::string("[zz]/app"),
           "a/" + std::string(250, 'b'),
       }) {
    EXPECT_FALSE(parse_docker_name(text)) << text;
  }
}

TEST(Reference, KindNames) {
  EXPECT_EQ(kind_name(Kind::oci), "oci");
  EXPECT_EQ(kind_name(Kind::oci_archive), "oci-archive");
  EXPECT_EQ(kind_name(Kind::docker_archive), "docker-archive");
  EXPECT_EQ(kind_name(Kind::dir), "dir");
  EXPECT_EQ(kind_name(Kind::rootfs), "rootfs");
  EXPECT_EQ(kind_name(Kind::docker), "docker");
  EXPECT_EQ(kind_name(Kind::path), "path");
}

TEST(Reference, PathsThatLookLikeReferencesStayPaths) {
  ImageRef r;
  r.kind = Kind::path;
  r.path = "oci:x";
  EXPECT_EQ(r.str(), "./oci:x");
  auto again = parse_reference(r.str());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->kind, Kind::path);
}

// skopeo refuses a reference whose transport it does not know ("unknown transport"); pith, which
// also reads bare paths, says the same for text that reads like a transport reference.
TEST(Reference, UnknownTransports) {
  EXPECT_EQ(unknown_transport("foo:bar"), "foo");
  EXPECT_EQ(unknown_transport("bogus://x"), "bogus");
  EXPECT_EQ(unknown_transport("oci-archiv:x.tar"), "oci-archiv");
  EXPECT_EQ(unknown_transport("docker:alpine"), "");  // a known transport (badly spelled later)
  EXPECT_EQ(unknown_transport("./foo:bar"), "");      // a path
  EXPECT_EQ(unknown_transport("/tmp/a:b"), "");
  EXPECT_EQ(unknown_transport("image.tar"), "");
  EXPECT_EQ(unknown_transport("Foo:bar"), "");  // schemes are lowercase here
  EXPECT_EQ(unknown_transport("2x:y"), "");
  EXPECT_EQ(known_transports(),
            "oci:, oci-archive:, docker-archive:, dir:, rootfs:, docker://, docker-daemon:, "
            "containers-storage:");
}

}  // namespace
}  // namespace pith::transport
