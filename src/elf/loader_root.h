// The file system the emulated loader reads: a directory on disk (the build's ROOT) or an
// image's file tree (lint, which has the layers' entries and what it captured while reading
// them, never an unpacked copy). The loader needs only these few questions answered.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "elf/dynamic.h"
#include "util/result.h"
#include "util/root_dir.h"

namespace pith::elf {

class LoaderRoot {
 public:
  virtual ~LoaderRoot() = default;
  // The root as messages name it (its directory, the image reference).
  virtual std::string name() const = 0;
  // `path` (absolute inside the root) as messages name it.
  virtual std::string shown(std::string_view path) const = 0;
  // `path` with every symlink followed inside the root, and the links met (RootDir::resolve).
  virtual Result<RootDir::Resolved> resolve(std::string_view path) const = 0;
  // Whether the path exists once followed.
  virtual Result<bool> exists(std::string_view path) const = 0;
  // A small file's bytes (configuration, the loader cache), at most `limit` of them.
  virtual Result<std::string> read_file(std::string_view path, uint64_t limit) const = 0;
  // Names in a directory, sorted.
  virtual Result<std::vector<std::string>> list(std::string_view dir) const = 0;
  // What the loader reads from the regular file at canonical path `path`; an error when it is
  // not a regular file or not an ELF object.
  virtual Result<DynamicInfo> dynamic_info(const std::string& path) const = 0;
};

// A directory on disk as the loader's root.
class DirLoaderRoot : public LoaderRoot {
 public:
  explicit DirLoaderRoot(const RootDir& root) : m_root(root) {}
  std::string name() const override { return m_root.dir(); }
  std::string shown(std::string_view path) const override;
  Result<RootDir::Resolved> resolve(std::string_view path) const override {
    return m_root.resolve(path);
  }
  Result<bool> exists(std::string_view path) const override { return m_root.exists(path); }
  Result<std::string> read_file(std::string_view path, uint64_t limit) const override {
    return m_root.read_file(path, limit);
  }
  Result<std::vector<std::string>> list(std::string_view dir) const override {
    return m_root.list(dir);
  }
  Result<DynamicInfo> dynamic_info(const std::string& path) const override;

 private:
  const RootDir& m_root;
};

}  // namespace pith::elf
