// Image references in the containers-transports syntax that skopeo and podman users know:
//   oci:DIR[:TAG]  oci-archive:FILE[:TAG]  docker-archive:FILE[:REF]  dir:DIR
//   docker://HOST[:PORT]/REPO[:TAG|@DIGEST]
//   docker-daemon:NAME[:TAG]|sha256:ID  containers-storage:NAME[:TAG]|[sha256:]ID
// pith's own `rootfs:PATH` (a root filesystem, directory or tarball, read as a one-layer image),
// and a bare path, whose format is recognised later from its content (never its name).
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace pith::transport {

enum class Kind {
  oci,
  oci_archive,
  docker_archive,
  dir,     // skopeo's directory transport: manifest.json, version, blobs named by hex digest
  rootfs,  // a root filesystem (directory or tarball)
  docker,
  docker_daemon,
  containers_storage,
  path
};

struct DockerName {
  std::string registry;     // "docker.io" when the name has none
  std::string repository;   // "library/alpine" for docker.io short names
  std::string tag;          // "latest" when neither tag nor digest is given
  std::string digest;       // "sha256:..." or ""
  std::string str() const;  // registry/repository[:tag][@digest]
};

struct ImageRef {
  Kind kind = Kind::path;
  std::string path;  // file or directory (all but docker and the daemons)
  // oci, oci-archive: the tag ("" = the only image, or when writing, none).
  // docker-archive: "name:tag" to select or write, "@N" to select the N-th image, or "".
  // docker-daemon, containers-storage: the image as written ("alpine:3.19", "localhost/x:1"),
  // which the daemon resolves as `docker images` / `podman images` do, or "sha256:<id>".
  std::string tag;
  DockerName docker;  // docker://; the daemons' parsed name (empty registry for an image ID)
  // docker-daemon, containers-storage: the reference names an image ID, not a name.
  bool is_image_id() const { return docker.registry.empty(); }

  std::string str() const;  // round-trips through parse_reference
};

// Parses a reference. Errors name the reference and what is wrong with it.
Result<ImageRef> parse_reference(std::string_view text);

// Parses a Docker-style name "[host[:port]/]repo[:tag][@digest]" with docker.io defaults.
Result<DockerName> parse_docker_name(std::string_view text);

std::string_view kind_name(Kind k);  // "oci", "oci-archive", ...

// The transport a bare path seems to name ("foo" of "foo:bar", "bogus" of "bogus://x") when it
// is none pith knows; "" when the path does not read like a transport reference.
std::string unknown_transport(std::string_view path);

// "oci:, oci-archive:, ..." for messages.
std::string known_transports();

}  // namespace pith::transport
