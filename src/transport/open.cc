// From a reference to a source or sink: picks the transport, and for a bare path recognises
// the format by content (an oci-layout file, manifest.json, index.json), never by name.
#include <filesystem>

#include "transport/daemon.h"
#include "transport/docker_archive.h"
#include "transport/oci_layout.h"
#include "transport/registry.h"
#include "transport/rootfs_source.h"
#include "transport/sink.h"
#include "transport/skopeo_dir.h"
#include "transport/source.h"

namespace pith::transport {

namespace {

namespace fs = std::filesystem;

Result<void> must_exist(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return make_error(path + ": no such file or directory");
  return {};
}

Error unknown_transport_error(const std::string& text, const std::string& transport) {
  return make_error(text + ": unknown transport \"" + transport + "\" (pith knows " +
                    known_transports() + " and paths; write ./" + text + " for a file)");
}

Result<std::unique_ptr<ImageSource>> open_bare_path(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    if (auto t = unknown_transport(path); !t.empty()) return unknown_transport_error(path, t);
    return make_error(path + ": no such file or directory");
  }
  if (fs::is_directory(path, ec)) {
    auto files = TRY(open_directory_files(path));
    if (TRY(files->size("oci-layout"))) return open_oci_layout_source(std::move(files), "", path);
    if (is_skopeo_dir(path)) return open_skopeo_dir_source(path, "dir:" + path);
    return make_error(path +
                      ": not an image (a directory without an oci-layout file or a dir: image's "
                      "version file; use rootfs:" +
                      path + " to read it as a root filesystem)");
  }
  auto files = TRY(open_tar_files(path).wrap("not an image"));
  if (TRY(files->size("manifest.json")))
    return open_docker_archive_source(std::move(files), "", path);
  if (TRY(files->size("oci-layout")) && TRY(files->size("index.json")))
    return open_oci_layout_source(std::move(files), "", path);
  return make_error(path +
                    ": not an image (a tar without manifest.json or an OCI layout; "
                    "use rootfs:" +
                    path + " to read it as a root filesystem)");
}

// Docker writes short names of Docker Hub images in their familiar form ("alpine:3").
std::string familiar_name(const std::string& ref) {
  auto parsed = parse_docker_name(ref);
  if (!parsed) return ref;
  std::string repo = parsed->repository;
  if (parsed->registry == "docker.io") {
    if (repo.rfind("library/", 0) == 0) repo = repo.substr(8);
    return repo + ":" + parsed->tag;
  }
  return parsed->registry + "/" + repo + ":" + parsed->tag;
}

}  // namespace

Result<std::unique_ptr<ImageSource>> open_source(const ImageRef& ref,
                                                 const RegistryOptions& registry,
                                                 const std::optional<oci::Platform>& platform) {
  switch (ref.kind) {
    case Kind::oci: {
      TRY(must_exist(ref.path));
      return open_oci_layout_source(TRY(open_directory_files(ref.path)), ref.tag, ref.str());
    }
    case Kind::oci_archive: {
      TRY(must_exist(ref.path));
      return open_oci_layout_source(TRY(open_tar_files(ref.path)), ref.tag, ref.str());
    }
    case Kind::docker_archive: {
      TRY(must_exist(ref.path));
      return open_docker_archive_source(TRY(open_tar_files(ref.path)), ref.tag, ref.str());
    }
    case Kind::dir:
      TRY(must_exist(ref.path));
      return open_skopeo_dir_source(ref.path, ref.str());
    case Kind::rootfs:
      TRY(must_exist(ref.path));
      return open_rootfs_source(ref.path, platform);
    case Kind::path:
      return open_bare_path(ref.path);
    case Kind::docker:
      return open_registry_source(ref, registry);
    case Kind::docker_daemon:
    case Kind::containers_storage:
      return open_daemon_source(ref);
  }
  return make_error("unknown transport");
}

Result<std::unique_ptr<ImageSink>> open_sink(const ImageRef& ref, const RegistryOptions& registry) {
  switch (ref.kind) {
    case Kind::oci: {
      std::error_code ec;
      std::unique_ptr<FileSet> existing;
      if (fs::is_directory(ref.path, ec) && !fs::is_empty(ref.path, ec)) {
        existing = TRY(open_directory_files(ref.path));
        if (!TRY(existing->size("oci-layout")))
          return make_error(ref.path + ": exists and is not an OCI layout");
      }
      auto out = TRY(open_directory_output(ref.path));
      return open_oci_layout_sink(std::move(out), std::move(existing), ref.tag, ref.str());
    }
    case Kind::oci_archive:
      return open_oci_layout_sink(TRY(open_tar_output(ref.path)), nullptr, ref.tag, ref.str());
    case Kind::docker_archive: {
      if (!ref.tag.empty() && ref.tag[0] == '@')
        return make_error(ref.str() + ": an image index (@N) names a source, not a destination");
      std::string name = ref.tag.empty() ? "" : familiar_name(ref.tag);
      return open_docker_archive_sink(TRY(open_tar_output(ref.path)), name, ref.str());
    }
    case Kind::dir:
      return open_skopeo_dir_sink(ref.path, ref.str());
    case Kind::rootfs:
      return make_error(ref.str() +
                        ": rootfs: is read-only (write oci:, oci-archive:, "
                        "docker-archive: or dir:)");
    case Kind::path:
      if (auto t = unknown_transport(ref.path); !t.empty())
        return unknown_transport_error(ref.path, t);
      return make_error(ref.path + ": name the format to write (" + known_transports() + ")");
    case Kind::docker:
      return open_registry_sink(ref, registry);
    case Kind::docker_daemon:
    case Kind::containers_storage:
      return open_daemon_sink(ref);
  }
  return make_error("unknown transport");
}

}  // namespace pith::transport
