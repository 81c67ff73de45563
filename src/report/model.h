// The data model of `pith inspect` / `compare`: everything measured about one image, which
// the renderers (table, JSON) and the CI gates read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "catalog/package.h"
#include "fs/efficiency.h"
#include "oci/config.h"
#include "oci/descriptor.h"

namespace pith::report {

struct OsInfo {
  std::string id;
  std::string version_id;
  std::string pretty_name;
};

struct LayerReport {
  oci::Descriptor descriptor;
  oci::Digest diff_id;
  uint64_t uncompressed_size = 0;  // bytes of the layer tar
  uint64_t entries = 0;            // tar entries (the root "./" entry not counted)
  uint64_t added_bytes = 0;        // regular-file bytes in the layer
  std::string created_by;
};

struct FileCounts {
  uint64_t entries = 0;      // every path of the squashed tree except "/"
  uint64_t regular = 0;      // regular files and hard links (paths with content)
  uint64_t directories = 0;  // including directories implied by deeper paths
  uint64_t symlinks = 0;
  uint64_t hardlinks = 0;
  uint64_t other = 0;  // devices, fifos
};

struct PackageReport {
  catalog::Package package;
  size_t layer = 0;  // the layer that introduced it
};

struct Surface {
  std::string user;  // as configured; "" means root
  bool user_exists = false;
  std::vector<std::string> shells;
  std::vector<std::string> package_managers;
  std::vector<std::string> setuid;          // setuid or setgid regular files
  std::vector<std::string> world_writable;  // writable by all, sticky directories excepted
};

struct InspectReport {
  std::string reference;
  oci::Digest digest;      // of the manifest
  std::string media_type;  // of the manifest
  oci::Digest config_digest;
  oci::Platform platform;
  std::optional<OsInfo> os;
  uint64_t compressed_size = 0;    // layer blobs as stored, plus the config
  uint64_t uncompressed_size = 0;  // layer tars
  uint64_t content_size = 0;       // regular-file bytes of the squashed tree
  std::vector<LayerReport> layers;
  FileCounts files;
  fs::Efficiency efficiency;
  std::vector<PackageReport> packages;
  Surface surface;
  oci::ImageConfig config;
  std::vector<std::string> warnings;  // inputs skipped (hostile or unreadable package files)

  size_t os_package_count() const;
  size_t language_package_count() const;
};

}  // namespace pith::report
