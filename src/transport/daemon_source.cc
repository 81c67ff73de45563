// Reading from a Docker engine or podman: inspect the image (its ID is the config digest and
// pins every later read), then stream its `docker save` archive by ID and read it as a
// docker-archive whose members arrive in archive order.
#include <unistd.h>

#include <cstdlib>

#include "oci/manifest.h"
#include "transport/daemon.h"
#include "transport/docker_archive.h"

namespace pith::transport {

namespace {

constexpr std::string_view k_unix_scheme = "unix://";
constexpr uint64_t k_max_inspect_bytes = 4 << 20;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

// $DOCKER_HOST / $CONTAINER_HOST: only local sockets are daemons pith talks to.
Result<std::string> socket_from_env(const char* var, const std::string& value) {
  if (value.substr(0, k_unix_scheme.size()) != k_unix_scheme || value.size() == 7)
    return make_error(std::string(var) + "=" + value +
                      ": pith reaches daemons through a unix socket only (unix:///PATH)");
  return value.substr(k_unix_scheme.size());
}

std::string default_podman_socket() {
  if (::geteuid() == 0) return "/run/podman/podman.sock";
  std::string runtime = env("XDG_RUNTIME_DIR");
  if (runtime.empty()) runtime = "/run/user/" + std::to_string(::geteuid());
  return runtime + "/podman/podman.sock";
}

struct Inspected {
  oci::Digest id;
  std::vector<std::string> diff_ids;
};

Result<Inspected> parse_inspect(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return make_error("image inspect: not a JSON object");
  auto id = j.find("Id");
  if (id == j.end() || !id->is_string()) return make_error("image inspect: no Id");
  Inspected out;
  out.id = TRY(oci::Digest::parse(id->get<std::string>()).wrap("image inspect: Id"));
  auto rootfs = j.find("RootFS");
  if (rootfs != j.end() && rootfs->is_object()) {
    auto layers = rootfs->find("Layers");
    if (layers != rootfs->end() && layers->is_array())
      for (const auto& l : *layers)
        if (l.is_string()) out.diff_ids.push_back(l.get<std::string>());
  }
  return out;
}

}  // namespace

Result<DaemonClient> daemon_client(Kind kind) {
  if (kind == Kind::docker_daemon) {
    std::string host = env("DOCKER_HOST");
    std::string socket = host.empty() ? std::string("/var/run/docker.sock")
                                      : TRY(socket_from_env("DOCKER_HOST", host));
    return DaemonClient(socket, "the Docker engine",
                        "is dockerd running? (or point DOCKER_HOST=unix:///PATH at its socket)");
  }
  std::string host = env("CONTAINER_HOST");
  std::string socket =
      host.empty() ? default_podman_socket() : TRY(socket_from_env("CONTAINER_HOST", host));
  return DaemonClient(socket, "podman's API service",
                      "start it with `podman system service --time=0 unix://" + socket +
                          " &` (or point CONTAINER_HOST=unix:///PATH at its socket)");
}

Result<std::unique_ptr<ImageSource>> open_daemon_source(const ImageRef& ref) {
  std::string describe = ref.str();
  auto client = std::make_shared<DaemonClient>(TRY(daemon_client(ref.kind).wrap(describe)));

  // 1. Inspect: does the image exist, and which one is it (the name may move meanwhile).
  DaemonResponse r =
      TRY(client->get("/images/" + url_path_escape(ref.tag) + "/json", k_max_inspect_bytes)
              .wrap(describe));
  // Docker says "No such image: x:1", podman "failed to find image x:1: ... image not known".
  if (r.status == 404) return make_error(describe + ": " + daemon_error_message(r.body));
  if (r.status != 200)
    return make_error(describe + ": image inspect: HTTP " + std::to_string(r.status) + ": " +
                      daemon_error_message(r.body));
  Inspected img = TRY(parse_inspect(r.body).wrap(describe));

  // 2. Its archive, by ID, streamed; a docker-archive reader on top.
  std::string path = "/images/" + url_path_escape(img.id.str()) + "/get";
  ArchiveOpener open = [client, path]() { return client->get_stream(path); };
  auto files = TRY(open_streamed_archive(std::move(open), describe));
  auto src = TRY(open_docker_archive_source(std::move(files), "", describe));

  // 3. The archive must hold the image inspected: same config, hence the same diff_ids.
  RawManifest root = TRY(src->root());
  oci::Manifest m = TRY(oci::parse_manifest(root.bytes).wrap(describe));
  if (m.config.digest != img.id)
    return make_error(describe + ": the daemon's archive holds config " + m.config.digest.str() +
                      ", not the image " + img.id.str() + " it inspected");
  if (img.diff_ids.size() != m.layers.size())
    return make_error(describe + ": the daemon lists " + std::to_string(img.diff_ids.size()) +
                      " layers, its archive " + std::to_string(m.layers.size()));
  return src;
}

}  // namespace pith::transport
