// What lint knows of an image: its squashed tree, its config, and what the one pass over the
// layers kept of the files the rules look into (the loader's configuration, passwd and group,
// each ELF object's dynamic section, each script's "#!" line). Nothing is unpacked.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "elf/dynamic.h"
#include "elf/loader_root.h"
#include "fs/layers.h"
#include "fs/tree.h"
#include "oci/config.h"
#include "util/result.h"
#include "util/root_dir.h"

namespace pith::lint {

struct ElfFacts {
  elf::DynamicInfo info;
  bool go = false;       // a Go program (its build info is there)
  bool go_tls = false;   // ...that verifies certificates against the system's roots
  bool go_user = false;  // ...that links os/user (which reads /etc/passwd)
};

// What one layer's worker kept, by the path the layer wrote.
struct LayerFacts {
  std::map<std::string, ElfFacts> elf;
  std::map<std::string, std::string> elf_errors;  // ELF magic, but no readable ELF object
  std::map<std::string, std::string> shebangs;    // a script's first line
  std::map<std::string, std::string> files;       // small files the rules read whole
};

// The files whose content lint wants from the pass (combined with inspect's wishes).
fs::Want wanted(const tar::Entry& e);
// Files that hold credentials when they hold anything (PL205, PL206, PL208): kept whole.
bool is_secret_file(std::string_view path);
// Keeps what lint needs of a captured file; `bytes` are looked at during the call only.
void collect(const fs::CapturedFile& file, LayerFacts& out);
void collect(const std::string& path, std::string_view bytes, uint32_t mode, LayerFacts& out);

class ImageView {
 public:
  ImageView(std::string name, fs::Tree tree, std::vector<LayerFacts> layers,
            oci::ImageConfig config);

  const std::string& name() const { return m_name; }
  const fs::Tree& tree() const { return m_tree; }
  const oci::ImageConfig& config() const { return m_config; }

  // `path` (absolute) with every symlink followed inside the image, as the kernel would; the
  // error says which component is missing or that links loop.
  Result<RootDir::Resolved> resolve(std::string_view path) const;
  // The node at a canonical path ("/etc/passwd"), nullptr when absent.
  const fs::Node* node(std::string_view canonical) const;
  // What the pass kept of the file at a canonical path; nullptr / nullopt when nothing.
  const ElfFacts* elf(std::string_view canonical) const;
  std::optional<std::string> elf_error(std::string_view canonical) const;
  std::optional<std::string> shebang(std::string_view canonical) const;
  // A small file's content, symlinks followed; nullopt when absent or not kept.
  std::optional<std::string> file(std::string_view path) const;

 private:
  template <class Map>
  const typename Map::mapped_type* kept(std::string_view canonical, Map LayerFacts::*member) const;

  std::string m_name;
  fs::Tree m_tree;
  std::vector<LayerFacts> m_layers;
  oci::ImageConfig m_config;
};

// The image's tree as the emulated loader's root.
class ImageLoaderRoot : public elf::LoaderRoot {
 public:
  explicit ImageLoaderRoot(const ImageView& image) : m_image(image) {}
  std::string name() const override { return m_image.name(); }
  std::string shown(std::string_view path) const override { return std::string(path); }
  Result<RootDir::Resolved> resolve(std::string_view path) const override {
    return m_image.resolve(path);
  }
  Result<bool> exists(std::string_view path) const override;
  Result<std::string> read_file(std::string_view path, uint64_t limit) const override;
  Result<std::vector<std::string>> list(std::string_view dir) const override;
  Result<elf::DynamicInfo> dynamic_info(const std::string& path) const override;

 private:
  const ImageView& m_image;
};

}  // namespace pith::lint
