// The sbom's pass: inspect's, with what an SBOM needs captured beside it in the same read of
// each layer, then joined with the final tree.
#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "report/analyze.h"
#include "sbom/captures.h"
#include "sbom/copyright.h"
#include "sbom/ids.h"
#include "sbom/sbom.h"
#include "util/sha256.h"

namespace pith::sbom {
namespace {

constexpr std::string_view k_doc_dir = "usr/share/doc/";

// usr/share/doc/<pkg>/copyright
bool is_copyright_file(std::string_view path) {
  if (!path.starts_with(k_doc_dir) || !path.ends_with("/copyright")) return false;
  std::string_view pkg = path.substr(k_doc_dir.size(), path.size() - k_doc_dir.size() - 10);
  return !pkg.empty() && pkg.find('/') == std::string_view::npos;
}

// The content the final tree shows at `path` among the captures ("" when none).
const std::string* final_capture(const std::vector<LayerCaptures>& layers, const fs::Tree& tree,
                                 const std::string& path) {
  const fs::Node* node = tree.lookup(path);
  if (node == nullptr || node->entry.type != tar::EntryType::regular) return nullptr;
  const auto& files = layers[node->layer].files;
  auto it = files.find(node->entry.path);
  return it == files.end() ? nullptr : &it->second;
}

// The sha256 of the file at `path` in the final tree ("" when it is no regular file).
std::string final_sha256(const std::vector<LayerCaptures>& layers, const fs::Tree& tree,
                         std::string_view path) {
  const fs::Node* node = tree.lookup(path);
  if (node == nullptr) return "";
  std::string written = node->entry.path;
  if (node->entry.type == tar::EntryType::hardlink) {
    written = node->entry.link_target;
  } else if (node->entry.type != tar::EntryType::regular) {
    return "";
  }
  const auto& hashes = layers[node->layer].sha256;
  auto it = hashes.find(written);
  return it == hashes.end() ? "" : it->second;
}

std::string join_licenses(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    bool compound = n.find(' ') != std::string::npos;
    if (!out.empty()) out += " AND ";
    out += compound && names.size() > 1 ? "(" + n + ")" : n;
  }
  return out;
}

// Which installed packages answer to each name: their own, what they provide, and (rpm, apk)
// the absolute paths they own. Only among OS packages of one type.
using Providers = std::map<std::string, std::vector<size_t>>;

Providers providers_of(const std::vector<report::PackageReport>& pkgs, catalog::PackageType type) {
  Providers out;
  for (size_t i = 0; i < pkgs.size(); ++i) {
    const auto& p = pkgs[i].package;
    if (p.type != type) continue;
    out[p.name].push_back(i);
    for (const auto& name : p.provides) out[name].push_back(i);
    if (type != catalog::PackageType::deb)
      for (const auto& f : p.files) out[f].push_back(i);
  }
  return out;
}

// Each requirement resolved to the packages of its first alternative that one provides.
std::vector<size_t> resolve_depends(const std::vector<report::PackageReport>& pkgs, size_t self,
                                    const Providers& providers) {
  std::set<size_t> out;
  for (const auto& alternatives : pkgs[self].package.depends) {
    for (const auto& name : alternatives) {
      auto it = providers.find(name);
      if (it == providers.end()) continue;
      for (size_t i : it->second)
        if (i != self) out.insert(i);
      break;
    }
  }
  return {out.begin(), out.end()};
}

}  // namespace

fs::Want wanted_capture(const tar::Entry& e) {
  if (e.type != tar::EntryType::regular || !is_copyright_file(e.path) ||
      e.size > k_max_copyright_bytes)
    return fs::Want::nothing;
  return fs::Want::content;
}

void collect(const fs::CapturedFile& file, LayerCaptures& out) {
  if (is_copyright_file(file.path) && file.bytes.size() <= k_max_copyright_bytes)
    out.files[file.path] = file.bytes;
}

Result<SbomInput> measure(transport::ImageSource& src, const transport::ResolvedImage& img,
                          const MeasureOptions& options) {
  // 1. Inspect's pass, with the sbom's captures in each layer's worker.
  const bool hash = options.file_hashes == FileHashes::yes;
  std::vector<LayerCaptures> captures(img.manifest.layers.size());
  report::AnalyzeOptions analyze;
  analyze.threads = options.threads;
  analyze.on_layer_done = options.on_layer_done;
  // Copyright files are read whole; every regular file's SHA-256 is taken as its bytes stream
  // by (AnalyzeOptions::also_digest), never copied: asking for every file's content instead
  // copied the whole image into strings on the worker thread.
  analyze.also_capture = wanted_capture;
  analyze.also_consume = [&](size_t layer, const fs::CapturedFile& f) {
    collect(f, captures[layer]);
  };
  if (hash) {
    analyze.also_digest = [](const tar::Entry&) { return true; };
    analyze.on_digest = [&](size_t layer, const tar::Entry& e, std::string hex) {
      captures[layer].sha256[e.path] = std::move(hex);
    };
  }
  fs::Tree tree;
  analyze.tree = &tree;
  auto report = TRY(report::analyze_image(src, img, analyze));
  // 2-5. The join with the final tree.
  return join(std::move(report), tree, captures, options);
}

SbomInput join(report::InspectReport report, const fs::Tree& tree,
               const std::vector<LayerCaptures>& captures, const MeasureOptions& options) {
  const bool hash = options.file_hashes == FileHashes::yes;
  SbomInput in;
  in.report = std::move(report);

  // 2. Owned files (the pass lists them for every package type), with their checksums.
  auto& pkgs = in.report.packages;
  in.packages.resize(pkgs.size());
  if (hash) {
    for (size_t i = 0; i < pkgs.size(); ++i) {
      std::set<std::string> paths(pkgs[i].package.files.begin(), pkgs[i].package.files.end());
      for (const auto& path : paths) {
        std::string sha = final_sha256(captures, tree, std::string_view(path).substr(1));
        if (!sha.empty()) in.packages[i].files.push_back({path, std::move(sha)});
      }
    }
  }

  // 3. Licences: the database's field, else (deb) the machine-readable copyright file.
  for (size_t i = 0; i < pkgs.size(); ++i) {
    const auto& p = pkgs[i].package;
    in.packages[i].license = p.license;
    if (!p.license.empty() || p.type != catalog::PackageType::deb) continue;
    const std::string* text =
        final_capture(captures, tree, std::string(k_doc_dir) + p.name + "/copyright");
    if (text != nullptr) in.packages[i].license = join_licenses(parse_debian_copyright(*text));
  }

  // 4. Dependencies the databases state, resolved to installed packages.
  for (auto type :
       {catalog::PackageType::deb, catalog::PackageType::apk, catalog::PackageType::rpm}) {
    Providers providers = providers_of(pkgs, type);
    if (providers.empty()) continue;
    for (size_t i = 0; i < pkgs.size(); ++i)
      if (pkgs[i].package.type == type)
        in.packages[i].depends_on = resolve_depends(pkgs, i, providers);
  }

  // 5. The creation time: SOURCE_DATE_EPOCH, else the image's, else 1970.
  if (options.source_date_epoch) {
    in.created = *options.source_date_epoch;
  } else if (auto t = parse_rfc3339(in.report.config.created)) {
    in.created = std::max<int64_t>(*t, 0);
  }
  return in;
}

}  // namespace pith::sbom
