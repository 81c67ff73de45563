// From a source's root to one image: follows (nested) indexes and selects the platform.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "oci/config.h"
#include "oci/manifest.h"
#include "transport/source.h"

namespace pith::transport {

struct ResolvedImage {
  oci::Descriptor descriptor;  // of the manifest (media type, digest, size, platform)
  RawManifest raw;
  oci::Manifest manifest;
  std::string config_bytes;
  oci::ImageConfig config;
};

// With no `platform`, the host's is wanted; a root that is a single manifest is taken
// whatever its platform. An index without a matching image is an error listing the platforms
// it has. The config is read and checked: its diff_ids must match the layers one to one.
Result<ResolvedImage> resolve_image(ImageSource& src, const std::optional<oci::Platform>& platform);

// Parses a manifest and reads its config (the step resolve_image ends with).
Result<ResolvedImage> load_image(ImageSource& src, const oci::Descriptor& d, RawManifest raw);

// The descriptor of a root document (the source reports no descriptor for it).
oci::Descriptor root_descriptor(const RawManifest& root);

// More layers than any runtime stacks (k_max_layers) only cost time: each is opened, read and
// merged. Checked before anything is read per layer; `what` names the manifest.
Result<void> check_layer_count(size_t layers, const std::string& what);

}  // namespace pith::transport
