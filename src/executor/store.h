// The build store of `pith build -f`: what one build leaves for the next, in one directory.
//   images/  an OCI layout: base images pulled from registries (tagged by reference), and the
//            blob of every layer a build wrote (untagged: the cache names them)
//   layers/  layers unpacked once each, for the RUN and COPY steps that mount them
//            (runner::LayerStore)
//   cache/   one small file per instruction result: its key -> the layer it made
//   runs/    the scratch directories of steps under way
// Nothing is ever removed by pith: `rm -rf` of the store is its garbage collection.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "compress/compression.h"
#include "oci/descriptor.h"
#include "runner/layer_store.h"
#include "util/byte_source.h"
#include "util/result.h"

namespace pith::executor {

// A layer of an image being built: its blob as the manifest lists it, and its diff_id.
struct LayerRef {
  oci::Descriptor blob;
  oci::Digest diff_id;
  friend bool operator==(const LayerRef&, const LayerRef&) = default;
};

class BuildStore {
 public:
  static Result<BuildStore> open(const std::string& dir);

  const std::string& dir() const { return m_dir; }
  std::string layout_dir() const { return m_dir + "/images"; }
  std::string scratch_dir() const { return m_dir + "/runs"; }
  runner::LayerStore& unpacked() { return m_layers; }

  // The path of a blob of the layout, whether or not it is there.
  std::string blob_path(const oci::Digest& d) const;
  bool has_blob(const oci::Digest& d) const;

  // Writes the layer tar that `write` produces, compressed with `c`, as a blob of the layout.
  Result<LayerRef> put_layer(const std::function<Result<void>(ByteSink&)>& write,
                             compress::Compression c);

  // The layer an instruction with this key made before, when its blob is still there.
  std::optional<LayerRef> cached(const std::string& key) const;
  Result<void> remember(const std::string& key, const LayerRef& layer);
  // Any other result kept under a key (lint's findings for an image).
  std::optional<std::string> cached_text(const std::string& key) const;
  Result<void> remember_text(const std::string& key, const std::string& text);

 private:
  BuildStore(std::string dir, runner::LayerStore layers)
      : m_dir(std::move(dir)), m_layers(std::move(layers)) {}
  std::string m_dir;
  runner::LayerStore m_layers;
};

}  // namespace pith::executor
