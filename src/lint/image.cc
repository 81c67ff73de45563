// The image view: lookups in the squashed tree (symlinks followed as the kernel follows them
// inside the container) and the facts each layer's worker kept.
#include "lint/image.h"

#include <string.h>

#include <algorithm>

#include "util/limits.h"

namespace pith::lint {

namespace {

constexpr uint64_t k_max_small_file = 64 << 20;  // an ld.so.cache is a few hundred KB
constexpr int k_max_links = 40;                  // the kernel's MAXSYMLINKS

bool is_small_file(std::string_view p) {
  return p == "etc/passwd" || p == "etc/group" || p == "etc/nsswitch.conf" ||
         p == "etc/ld.so.cache" || p == "etc/ld.so.conf" || p.starts_with("etc/ld.so.conf.d/") ||
         (p.starts_with("etc/ld-musl-") && p.ends_with(".path"));
}

constexpr uint64_t k_max_secret_file = 1 << 20;

bool contains(std::string_view bytes, std::string_view what) {
  return ::memmem(bytes.data(), bytes.size(), what.data(), what.size()) != nullptr;
}

std::vector<std::string> components(std::string_view path) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t end = std::min(path.find('/', pos), path.size());
    if (end > pos) out.emplace_back(path.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += "/" + p;
  return out.empty() ? "/" : out;
}

}  // namespace

bool is_secret_file(std::string_view p) {
  std::string_view name = p.substr(p.rfind('/') + 1);
  return name == ".npmrc" || name == ".pypirc" || name == ".netrc" ||
         p.ends_with(".aws/credentials") || p.ends_with(".docker/config.json") ||
         name.ends_with(".pem") || name.ends_with(".key") || name == "id_rsa" || name == "id_dsa" ||
         name == "id_ecdsa" || name == "id_ed25519";
}

fs::Want wanted(const tar::Entry& e) {
  if (is_small_file(e.path))
    return e.size <= k_max_small_file ? fs::Want::content : fs::Want::nothing;
  if (is_secret_file(e.path))
    return e.size <= k_max_secret_file ? fs::Want::content : fs::Want::nothing;
  if ((e.mode & 0111) != 0) return fs::Want::elf_or_shebang;
  // Libraries are often 0644; the loader maps them all the same.
  if (e.path.find(".so") != std::string::npos) return fs::Want::content_if_elf;
  return fs::Want::nothing;
}

void collect(const fs::CapturedFile& file, LayerFacts& out) {
  collect(file.path, file.bytes, file.mode, out);
}

void collect(const std::string& path, std::string_view bytes, uint32_t mode, LayerFacts& out) {
  if (is_small_file(path) || is_secret_file(path)) {
    out.files[path] = bytes;
  } else if (bytes.starts_with("#!")) {
    out.shebangs[path] = bytes;
  } else if (elf::has_elf_magic(bytes)) {
    auto info = elf::read_dynamic_bytes(bytes);
    if (!info) {
      out.elf_errors[path] = info.error().message;
      return;
    }
    ElfFacts f{std::move(*info)};
    // Only programs can be Go programs, and only those are searched further: a section header
    // lookup, not a scan of every library's bytes.
    std::string_view names = bytes;  // where a Go program's function names are
    if ((mode & 0111) != 0) {
      auto parsed = elf::File::parse(bytes);
      f.go = parsed && parsed->find_section(".go.buildinfo") != nullptr;
      const elf::Section* pcln = f.go ? parsed->find_section(".gopclntab") : nullptr;
      if (auto data = pcln ? parsed->section_data(*pcln) : Result<std::string_view>(names))
        names = *data;
    }
    // The function that reads the CA files; it fails with "x509: failed to load system roots"
    // when none is there. Programs that never verify a certificate do not link it.
    f.go_tls = f.go && contains(names, "crypto/x509.loadSystemRoots");
    f.go_user = f.go && contains(names, "os/user.");
    out.elf[path] = std::move(f);
  }
}

ImageView::ImageView(std::string name, fs::Tree tree, std::vector<LayerFacts> layers,
                     oci::ImageConfig config)
    : m_name(std::move(name)),
      m_tree(std::move(tree)),
      m_layers(std::move(layers)),
      m_config(std::move(config)) {}

Result<RootDir::Resolved> ImageView::resolve(std::string_view path) const {
  RootDir::Resolved out;
  std::vector<std::string> pending = components(path);
  std::reverse(pending.begin(), pending.end());  // a stack: the next component last
  std::vector<std::string> dir;
  int links = 0;
  while (!pending.empty()) {
    std::string part = std::move(pending.back());
    pending.pop_back();
    if (part == ".") continue;
    if (part == "..") {
      if (!dir.empty()) dir.pop_back();
      continue;
    }
    dir.push_back(std::move(part));
    std::string at = joined(dir);
    const fs::Node* n = m_tree.find(std::string_view(at).substr(1));
    if (n == nullptr) return make_error(std::string(path) + ": no such file or directory");
    if (n->entry.type == tar::EntryType::symlink) {
      if (++links > k_max_links)
        return make_error(std::string(path) + ": too many levels of symbolic links");
      out.links.push_back({at, n->entry.link_target});
      dir.pop_back();
      if (n->entry.link_target.starts_with('/')) dir.clear();
      auto target = components(n->entry.link_target);
      pending.insert(pending.end(), target.rbegin(), target.rend());
      if (pending.size() > k_max_path_bytes)
        return make_error(std::string(path) + ": path too long");
      continue;
    }
    if (!pending.empty() && n->entry.type != tar::EntryType::directory)
      return make_error(std::string(path) + ": not a directory (" + at + ")");
  }
  out.path = joined(dir);
  return out;
}

const fs::Node* ImageView::node(std::string_view canonical) const {
  if (canonical.starts_with('/')) canonical.remove_prefix(1);
  const fs::Node* n = m_tree.find(canonical);
  // A hard link's content was captured under the path it links to.
  if (n != nullptr && n->entry.type == tar::EntryType::hardlink)
    n = m_tree.find(n->entry.link_target);
  return n;
}

template <class Map>
const typename Map::mapped_type* ImageView::kept(std::string_view canonical,
                                                 Map LayerFacts::*member) const {
  const fs::Node* n = node(canonical);
  if (n == nullptr || n->implied || n->layer >= m_layers.size()) return nullptr;
  const Map& map = m_layers[n->layer].*member;
  auto it = map.find(n->entry.path);
  return it == map.end() ? nullptr : &it->second;
}

const ElfFacts* ImageView::elf(std::string_view canonical) const {
  return kept(canonical, &LayerFacts::elf);
}

std::optional<std::string> ImageView::elf_error(std::string_view canonical) const {
  const std::string* e = kept(canonical, &LayerFacts::elf_errors);
  return e ? std::optional(*e) : std::nullopt;
}

std::optional<std::string> ImageView::shebang(std::string_view canonical) const {
  const std::string* s = kept(canonical, &LayerFacts::shebangs);
  return s ? std::optional(*s) : std::nullopt;
}

std::optional<std::string> ImageView::file(std::string_view path) const {
  auto resolved = resolve(path);
  if (!resolved) return std::nullopt;
  const std::string* s = kept(resolved->path, &LayerFacts::files);
  return s ? std::optional(*s) : std::nullopt;
}

Result<bool> ImageLoaderRoot::exists(std::string_view path) const {
  return m_image.resolve(path).ok();
}

Result<std::string> ImageLoaderRoot::read_file(std::string_view path, uint64_t limit) const {
  auto bytes = m_image.file(path);
  if (!bytes) return make_error(std::string(path) + ": not in the image");
  if (bytes->size() > limit) return make_error(std::string(path) + ": too large");
  return *bytes;
}

Result<std::vector<std::string>> ImageLoaderRoot::list(std::string_view dir) const {
  auto resolved = TRY(m_image.resolve(dir));
  return m_image.tree().list(std::string_view(resolved.path).substr(1));
}

Result<elf::DynamicInfo> ImageLoaderRoot::dynamic_info(const std::string& path) const {
  const fs::Node* n = m_image.node(path);
  if (n == nullptr || n->entry.type != tar::EntryType::regular)
    return make_error(path + ": not a regular file");
  if (const ElfFacts* f = m_image.elf(path)) return f->info;
  if (auto e = m_image.elf_error(path)) return make_error(path + ": " + *e);
  return make_error(path + ": not an ELF object");
}

}  // namespace pith::lint
