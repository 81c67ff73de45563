// Base images: parsed as podman reads FROM, pulled into the store when they are a registry's.
#include "executor/base_image.h"

#include "executor/short_names.h"
#include "oci/canonical_json.h"
#include "transport/copy.h"
#include "transport/reference.h"
#include "transport/resolve.h"
#include "transport/sink.h"
#include "util/sha256.h"

namespace pith::executor {

namespace {

// "oci-archive:x" names a transport; "localhost:5000/app" and "alpine:3.19" do not.
bool has_transport(const std::string& text) {
  if (text.starts_with("docker://")) return true;
  auto colon = text.find(':');
  if (colon == std::string::npos) return false;
  std::string prefix = text.substr(0, colon);
  for (auto kind : {transport::Kind::oci, transport::Kind::oci_archive,
                    transport::Kind::docker_archive, transport::Kind::dir, transport::Kind::rootfs,
                    transport::Kind::docker_daemon, transport::Kind::containers_storage})
    if (prefix == transport::kind_name(kind)) return true;
  return false;
}

// The base's config, as the stage starts from it: what the image says of itself, without
// what describes its own making (rootfs, created; Docker's container fields).
nlohmann::json stage_config(const nlohmann::json& raw) {
  nlohmann::json c = raw.is_object() ? raw : nlohmann::json::object();
  for (const char* key : {"rootfs", "created", "container", "container_config", "docker_version",
                          "id", "parent", "comment"})
    c.erase(key);
  return c;
}

// The tag a pulled image has in the store's layout: one per reference and platform.
std::string store_tag(const std::string& name, const oci::Platform& platform) {
  return "pulled-" + Sha256::hex_of(name + "\n" + platform.str()).substr(0, 24);
}

}  // namespace

Result<BaseImage> open_base(const std::string& text, const oci::Platform& platform, Blobs& blobs,
                            const BaseOptions& options) {
  BaseImage base;
  if (text == "scratch") {
    base.state.config = {{"architecture", platform.architecture}, {"os", platform.os}};
    if (!platform.variant.empty()) base.state.config["variant"] = platform.variant;
    base.described = "scratch";
    return base;
  }
  transport::ImageRef ref;
  if (has_transport(text)) {
    ref = TRY(transport::parse_reference(text));
  } else {
    ref.kind = transport::Kind::docker;
    ref.docker =
        TRY(transport::parse_docker_name(resolve_short_name(text, registries_conf_files())));
  }
  std::shared_ptr<transport::ImageSource> source;
  if (ref.kind == transport::Kind::docker) {
    base.name = ref.docker.str();
    auto stored = TRY(transport::parse_reference("oci:" + blobs.store().layout_dir() + ":" +
                                                 store_tag(base.name, platform)));
    std::unique_ptr<transport::ImageSource> local;
    if (options.pull != Pull::always) {
      // Pulled before when the layout has the tag.
      auto opened = transport::open_source(stored);
      if (opened && (*opened)->root()) local = std::move(*opened);
    }
    if (!local) {
      if (options.pull == Pull::never)
        return make_error(base.name + ": not in the build store (--pull=never)");
      auto remote = TRY(transport::open_source(ref, options.registry, platform));
      auto sink = TRY(transport::open_sink(stored));
      transport::CopyOptions copy;
      copy.platform = platform;
      TRY(transport::copy_image(*remote, *sink, copy).wrap("pulling " + base.name));
      local = TRY(transport::open_source(stored));
    }
    source = std::move(local);
  } else {
    source = TRY(transport::open_source(ref, options.registry, platform));
  }
  auto img = TRY(transport::resolve_image(*source, platform));
  base.digest = img.descriptor.digest;
  base.described = text + " (" + img.descriptor.digest.str() + ")";
  base.state.config = stage_config(img.config.raw);
  base.state.layers = blobs.add_source(source, img.manifest.layers, img.config.diff_ids);
  return base;
}

}  // namespace pith::executor
