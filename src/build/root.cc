#include "build/root.h"

#include <sys/stat.h>

#include <filesystem>

#include "build/unpack.h"
#include "transport/resolve.h"
#include "transport/skopeo_dir.h"
#include "transport/source.h"

namespace pith::build {

Result<Root> open_root(const std::string& from, const std::optional<oci::Platform>& platform,
                       const transport::RegistryOptions& registry, bool keep_owners,
                       const std::string& flag) {
  Root root;
  // Errors name the flag the reference came with ("--from"), or the reference alone.
  const std::string what = flag.empty() ? from : flag;
  const std::string what_from = flag.empty() ? from : flag + " " + from;
  auto ref = TRY(transport::parse_reference(from).wrap(what));
  std::error_code ec;
  bool plain = ref.kind == transport::Kind::path &&
               !std::filesystem::exists(std::filesystem::path(from) / "oci-layout", ec) &&
               !transport::is_skopeo_dir(from);
  if ((plain || ref.kind == transport::Kind::rootfs) &&
      std::filesystem::is_directory(ref.path, ec)) {
    root.dir.emplace(TRY(RootDir::open(ref.path).wrap(what_from)));
    return root;
  }
  auto src = TRY(transport::open_source(ref, registry, platform).wrap(what));
  auto img = TRY(transport::resolve_image(*src, platform).wrap(what_from));
  // The files go one level down, into a 0755 rootfs/ (the "/" a container of it sees, which
  // its non-root users must traverse), while the 0700 folder above keeps them from the host's
  // other users.
  root.unpacked.emplace(TRY(TempDir::create_beside(temp_directory() + "/pith-from", 0700)));
  const std::string rootfs = root.unpacked->path() + "/rootfs";
  if (::mkdir(rootfs.c_str(), 0755) != 0 || ::chmod(rootfs.c_str(), 0755) != 0)
    return make_error(rootfs + ": " + errno_text(errno));
  TRY(unpack_image(*src, img, rootfs, keep_owners).wrap(what_from));
  root.dir.emplace(TRY(RootDir::open(rootfs)));
  root.annotations = base_annotations(ref, img.descriptor.digest);
  for (const auto& l : img.manifest.layers) root.image_size += l.size;
  root.config = std::move(img.config);
  return root;
}

std::map<std::string, std::string> base_annotations(const transport::ImageRef& from,
                                                    const oci::Digest& digest) {
  std::map<std::string, std::string> out;
  if (from.kind == transport::Kind::docker)
    out["org.opencontainers.image.base.name"] = from.docker.str();
  out["org.opencontainers.image.base.digest"] = digest.str();
  return out;
}

}  // namespace pith::build
