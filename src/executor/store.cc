// The build store's files: layer blobs written once under their digest, cache entries as small
// JSON files written atomically.
#include "executor/store.h"

#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "oci/media_types.h"
#include "util/file.h"
#include "util/sha256.h"

namespace pith::executor {

namespace {

oci::Digest sha256_digest(const std::string& hex) {
  return *oci::Digest::parse("sha256:" + hex);
}

// A cache key is a sha256 hex string; anything else never names a file.
bool valid_key(const std::string& key) {
  return key.size() == 64 && key.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

Result<BuildStore> BuildStore::open(const std::string& dir) {
  std::error_code ec;
  for (const char* sub : {"images/blobs/sha256", "cache", "runs"}) {
    std::filesystem::create_directories(dir + "/" + sub, ec);
    if (ec) return make_error(dir + "/" + sub + ": " + ec.message());
  }
  // images/ is an OCI layout from the start: pulls are copies into it.
  std::string layout = dir + "/images";
  struct stat st {};
  if (::stat((layout + "/oci-layout").c_str(), &st) != 0) {
    TRY(write_file_atomic(
        layout + "/index.json",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
        "\"manifests\":[]}"));
    TRY(write_file_atomic(layout + "/oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}"));
  }
  auto layers = TRY(runner::LayerStore::open(dir));
  return BuildStore(dir, std::move(layers));
}

std::string BuildStore::blob_path(const oci::Digest& d) const {
  return layout_dir() + "/blobs/" + d.algorithm + "/" + d.hex;
}

bool BuildStore::has_blob(const oci::Digest& d) const {
  struct stat st {};
  return ::stat(blob_path(d).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Result<LayerRef> BuildStore::put_layer(const std::function<Result<void>(ByteSink&)>& write,
                                       compress::Compression c) {
  std::string dir = layout_dir() + "/blobs/sha256";
  auto file = TRY(AtomicFile::create(dir + "/layer"));
  HashingSink stored(file.sink());
  auto packed = compress::compressing_sink(stored, c, compress::Effort::small);
  HashingSink tar(*packed);
  TRY(write(tar));
  TRY(packed->finish());
  LayerRef layer;
  layer.blob.media_type = std::string(oci::layer_media_type(oci::Family::oci, c));
  layer.blob.digest = sha256_digest(stored.hex_digest());
  layer.blob.size = stored.bytes();
  layer.diff_id = sha256_digest(tar.hex_digest());
  if (has_blob(layer.blob.digest)) return layer;  // the same layer, written before
  TRY(file.commit_as(blob_path(layer.blob.digest), blob_path(layer.blob.digest)));
  return layer;
}

std::optional<LayerRef> BuildStore::cached(const std::string& key) const {
  if (!valid_key(key)) return std::nullopt;
  auto text = read_file(m_dir + "/cache/" + key, 1 << 16);
  if (!text) return std::nullopt;
  auto doc = nlohmann::json::parse(*text, nullptr, false);
  if (!doc.is_object()) return std::nullopt;
  // Anything but the shape remember() writes is a miss, never an exception.
  auto blob_json = doc.find("blob");
  auto diff_json = doc.find("diff_id");
  if (blob_json == doc.end() || !blob_json->is_object() || diff_json == doc.end() ||
      !diff_json->is_string())
    return std::nullopt;
  auto blob = oci::descriptor_from_json(*blob_json);
  auto diff_id = oci::Digest::parse(diff_json->get<std::string>());
  if (!blob || !diff_id || !has_blob(blob->digest)) return std::nullopt;
  return LayerRef{*blob, *diff_id};
}

std::optional<std::string> BuildStore::cached_text(const std::string& key) const {
  if (!valid_key(key)) return std::nullopt;
  auto text = read_file(m_dir + "/cache/" + key, 1 << 20);
  if (!text) return std::nullopt;
  return *text;
}

Result<void> BuildStore::remember_text(const std::string& key, const std::string& text) {
  if (!valid_key(key)) return make_error("cache key \"" + key + "\": not a sha256 hex digest");
  return write_file_atomic(m_dir + "/cache/" + key, text);
}

Result<void> BuildStore::remember(const std::string& key, const LayerRef& layer) {
  if (!valid_key(key)) return make_error("cache key \"" + key + "\": not a sha256 hex digest");
  nlohmann::json doc = {{"blob", oci::to_json(layer.blob)}, {"diff_id", layer.diff_id.str()}};
  return write_file_atomic(m_dir + "/cache/" + key, doc.dump() + "\n");
}

}  // namespace pith::executor
