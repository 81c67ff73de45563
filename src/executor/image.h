// An image as a stage's instructions leave it (layers and config), where its blobs are (the
// store, or the source of a base image), and the ImageSource that writes it to any output.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "executor/store.h"
#include "transport/source.h"

namespace pith::executor {

struct ImageState {
  std::vector<LayerRef> layers;
  // The image config document; "rootfs" is written from `layers` when the image is made.
  nlohmann::json config = nlohmann::json::object();

  // config["config"], made when missing.
  nlohmann::json& settings();
  // "Env" as KEY=VALUE strings, in order.
  std::vector<std::string> env() const;
  void set_env(const std::string& key, const std::string& value);
  // A history line; `empty` for instructions that add no layer.
  void add_history(const std::string& created, const std::string& created_by, bool empty);
  // The diff_ids and the config without history or times: what a step's result depends on
  // besides the step itself (a cache key's base).
  std::string identity() const;
};

// Where the blobs of the images being built are: the store's files, or a base image's source.
class Blobs {
 public:
  explicit Blobs(BuildStore& store) : m_store(store) {}
  BuildStore& store() { return m_store; }

  // The layers of a base image read through `source` (kept alive here); returns them with
  // OCI media types saying how each blob is really compressed.
  std::vector<LayerRef> add_source(std::shared_ptr<transport::ImageSource> source,
                                   const std::vector<oci::Descriptor>& layers,
                                   const std::vector<oci::Digest>& diff_ids);

  // A blob's bytes as stored, verified while read.
  Result<std::unique_ptr<ByteSource>> open(const oci::Descriptor& d);
  std::optional<compress::Compression> compression(const oci::Descriptor& d) const;
  // The directory the layer is unpacked into (unpacked now if it is not yet).
  Result<std::string> unpacked(const LayerRef& layer);
  // The unpacked directories of `layers`, top first (the order overlayfs wants).
  Result<std::vector<std::string>> lowers(const std::vector<LayerRef>& layers);

 private:
  struct Origin {
    std::shared_ptr<transport::ImageSource> source;
    oci::Descriptor descriptor;  // as the source lists it
  };
  BuildStore& m_store;
  std::map<oci::Digest, Origin> m_origins;
};

struct MadeImage {
  std::unique_ptr<transport::ImageSource> source;
  oci::Digest manifest_digest;
  oci::Platform platform;
};

// The image of a final state: config (rootfs and `created` set) and manifest, its blobs read
// through `blobs` (which must outlive it).
MadeImage make_image(const ImageState& state, Blobs& blobs, const std::string& created,
                     const std::map<std::string, std::string>& annotations);

}  // namespace pith::executor
