// The layer store of the RUN executor: each layer unpacked once, alone, into
// STORE/layers/<diff_id hex>/ in overlayfs's own format, so that a run mounts the layers it
// needs as overlay lower dirs and never copies a file.
#pragma once

#include <optional>
#include <string>

#include "oci/digest.h"
#include "util/byte_source.h"
#include "util/result.h"

namespace pith::runner {

class LayerStore {
 public:
  // `dir` is created when missing.
  static Result<LayerStore> open(const std::string& dir);

  const std::string& dir() const { return m_dir; }
  // The directory of a layer already unpacked.
  std::optional<std::string> find(const oci::Digest& diff_id) const;
  // Unpacks the uncompressed layer tar `tar` unless it is there already, and returns its
  // directory. The tar's sha256 must be `diff_id`. Written under a temporary name and renamed
  // when complete and verified: a crashed or refused unpack leaves nothing that looks complete
  // (its temporary is removed by a later add). Whiteouts become overlayfs's marks; owners,
  // modes, links, xattrs, devices as in the tar; every entry confined to the directory.
  Result<std::string> add(const oci::Digest& diff_id, ByteSource& tar);
  // Takes the directory `dir` (on the store's file system, in overlayfs's format: a run's upper
  // dir once its tar is written) as the layer `diff_id`, moving it; nothing to do when the layer
  // is there already.
  Result<std::string> adopt(const oci::Digest& diff_id, const std::string& dir);

 private:
  explicit LayerStore(std::string dir) : m_dir(std::move(dir)) {}
  std::string layer_path(const oci::Digest& diff_id) const;
  std::string m_dir;
};

}  // namespace pith::runner
