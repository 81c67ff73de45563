// Layers unpacked once into the store, named by diff_id only once verified.
#include "runner/layer_store.h"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>

#include "fs/unpack.h"
#include "tar/layer_reader.h"
#include "util/file.h"

namespace pith::runner {

Result<LayerStore> LayerStore::open(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir + "/layers", ec);
  if (ec) return make_error(dir + ": " + ec.message());
  return LayerStore(dir);
}

std::string LayerStore::layer_path(const oci::Digest& diff_id) const {
  return m_dir + "/layers/" + diff_id.hex;
}

std::optional<std::string> LayerStore::find(const oci::Digest& diff_id) const {
  std::string path = layer_path(diff_id);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return std::nullopt;
  return path;
}

Result<std::string> LayerStore::add(const oci::Digest& diff_id, ByteSource& tar) {
  if (auto found = find(diff_id)) return *found;
  std::string ctx = "layer " + diff_id.short_str();
  if (diff_id.algorithm != "sha256") return make_error(ctx + ": only sha256 diff_ids are kept");
  std::string path = layer_path(diff_id);
  // 0700 while it is written: it may hold setuid files before their owners are set.
  TempDir tmp = TRY(TempDir::create_beside(path, 0700).wrap(ctx));
  fs::UnpackOptions options{fs::UnpackOptions::Whiteouts::overlay,
                            fs::UnpackOptions::Metadata::keep};
  auto unpacker = TRY(fs::Unpacker::open(tmp.path(), options).wrap(ctx));
  HashingSource hashed(tar);
  TRY(tar::for_each_entry(hashed, [&](const tar::Entry& e, tar::EntryContent& content) {
        return unpacker.apply(e, content);
      }).wrap(ctx));
  TRY(unpacker.finish().wrap(ctx));
  std::string got = hashed.hex_digest();
  if (got != diff_id.hex) return make_error(ctx + ": the tar's digest is sha256:" + got);
  // The layer's root is never seen (a run's upper dir gives the root its owner and mode).
  if (::chmod(tmp.path().c_str(), 0755) != 0) return make_error(ctx + ": " + errno_text(errno));
  if (::rename(tmp.path().c_str(), path.c_str()) != 0) {
    if (errno != EEXIST && errno != ENOTEMPTY) return make_error(ctx + ": " + errno_text(errno));
    return path;  // unpacked meanwhile by another pith; ours goes with `tmp`
  }
  tmp.release();
  return path;
}

Result<std::string> LayerStore::adopt(const oci::Digest& diff_id, const std::string& dir) {
  if (auto found = find(diff_id)) return *found;
  std::string path = layer_path(diff_id);
  if (::chmod(dir.c_str(), 0755) != 0) return make_error(dir + ": " + errno_text(errno));
  if (::rename(dir.c_str(), path.c_str()) != 0) {
    if (errno == EEXIST || errno == ENOTEMPTY) return path;  // made meanwhile by another pith
    return make_error("layer " + diff_id.short_str() + ": " + errno_text(errno));
  }
  return path;
}

}  // namespace pith::runner
