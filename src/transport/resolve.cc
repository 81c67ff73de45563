// Platform selection through indexes, as skopeo and podman do it: nested indexes are
// followed, entries without a platform are judged by their config.
#include "transport/resolve.h"

#include <functional>
#include <set>

#include "util/limits.h"

namespace pith::transport {

namespace {

oci::Platform config_platform(const oci::ImageConfig& c) {
  return oci::Platform{c.os, c.architecture, c.variant, ""};
}

}  // namespace

Result<ResolvedImage> load_image(ImageSource& src, const oci::Descriptor& d, RawManifest raw) {
  ResolvedImage img;
  img.descriptor = d;
  img.manifest = TRY(oci::parse_manifest(raw.bytes).wrap("manifest " + raw.digest.str()));
  img.raw = std::move(raw);
  TRY(check_layer_count(img.manifest.layers.size(), "manifest " + img.raw.digest.str()));
  if (img.manifest.config.size > oci::k_max_json_bytes)
    return make_error("config " + img.manifest.config.digest.str() + ": too large");
  auto blob = TRY(src.blob(img.manifest.config));
  img.config_bytes = TRY(read_all(*blob, oci::k_max_json_bytes).wrap("config"));
  img.config =
      TRY(oci::parse_config(img.config_bytes).wrap("config " + img.manifest.config.digest.str()));
  if (img.config.diff_ids.size() != img.manifest.layers.size())
    return make_error("manifest " + img.raw.digest.str() + ": " +
                      std::to_string(img.manifest.layers.size()) + " layers but the config lists " +
                      std::to_string(img.config.diff_ids.size()) + " diff_ids");
  return img;
}

Result<void> check_layer_count(size_t layers, const std::string& what) {
  if (layers <= k_max_layers) return {};
  return make_error(what + ": " + std::to_string(layers) + " layers (pith reads at most " +
                    std::to_string(k_max_layers) + ")");
}

oci::Descriptor root_descriptor(const RawManifest& root) {
  oci::Descriptor d;
  d.media_type = root.media_type;
  d.digest = root.digest;
  d.size = root.bytes.size();
  return d;
}

Result<ResolvedImage> resolve_image(ImageSource& src,
                                    const std::optional<oci::Platform>& platform) {
  RawManifest root = TRY(src.root());
  oci::DocumentKind kind = oci::sniff_document(root.bytes, root.media_type);
  oci::Descriptor root_desc = root_descriptor(root);
  if (kind == oci::DocumentKind::manifest) {
    // A lone image is taken whatever its platform, as skopeo and stereoscope do: there is
    // nothing to choose between.
    ResolvedImage img = TRY(load_image(src, root_desc, std::move(root)));
    img.descriptor.platform = config_platform(img.config);
    return img;
  }
  if (kind != oci::DocumentKind::index)
    return make_error(src.describe() + ": unsupported manifest type \"" + root.media_type + "\"");

  oci::Platform wanted = platform.value_or(oci::Platform::host());
  std::vector<std::string> available;
  // An index searched once has nothing more to give: an index that lists the next one 300
  // times, four deep, is 300^3 visits without this (issue 10, case 5).
  std::set<std::string> searched;
  size_t visits = 0;
  std::function<Result<std::optional<ResolvedImage>>(const RawManifest&, int)> search;
  search = [&](const RawManifest& doc, int depth) -> Result<std::optional<ResolvedImage>> {
    if (depth > k_max_index_depth)
      return make_error(src.describe() + ": indexes nested too deeply");
    if (!searched.insert(doc.digest.str()).second) return std::optional<ResolvedImage>();
    oci::Index index = TRY(oci::parse_index(doc.bytes).wrap("index " + doc.digest.str()));
    for (const auto& d : index.manifests) {
      if (++visits > k_max_manifests)
        return make_error(src.describe() + ": more than " + std::to_string(k_max_manifests) +
                          " manifests in its indexes");
      if (oci::is_index(d.media_type)) {
        if (searched.contains(d.digest.str())) continue;
        RawManifest child = TRY(src.manifest(d));
        auto found = TRY(search(child, depth + 1));
        if (found) return found;
        continue;
      }
      if (!d.media_type.empty() && !oci::is_manifest(d.media_type)) continue;  // artifacts
      if (d.platform) {
        if (d.platform->os == "unknown") continue;  // attestations
        available.push_back(d.platform->str());
        if (!d.platform->satisfies(wanted)) continue;
        RawManifest child = TRY(src.manifest(d));
        return std::optional<ResolvedImage>(TRY(load_image(src, d, std::move(child))));
      }
      // No platform in the index: the config says what it is.
      RawManifest child = TRY(src.manifest(d));
      if (oci::sniff_document(child.bytes, d.media_type) != oci::DocumentKind::manifest) continue;
      ResolvedImage img = TRY(load_image(src, d, std::move(child)));
      oci::Platform p = config_platform(img.config);
      available.push_back(p.str());
      if (p.satisfies(wanted)) {
        img.descriptor.platform = p;
        return std::optional<ResolvedImage>(std::move(img));
      }
    }
    return std::optional<ResolvedImage>();
  };
  auto found = TRY(search(root, 0));
  if (found) return std::move(*found);
  std::string list;
  for (const auto& p : available) list += (list.empty() ? "" : ", ") + p;
  return make_error(src.describe() + ": no image for platform " + wanted.str() +
                    " (available: " + (list.empty() ? "none" : list) + ")");
}

}  // namespace pith::transport
