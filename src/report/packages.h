// Finding packages while layers stream: which files the catalogers need, parsing language
// packages in the reading worker, and merging OS package databases in layer order.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "catalog/dpkg.h"
#include "catalog/package.h"
#include "fs/layers.h"
#include "fs/tree.h"
#include "report/model.h"

namespace pith::report {

// One of dpkg's lists of a package's files, parsed in the layer's worker.
struct DpkgFileList {
  std::string path;  // where it is, to tell whether the final tree still shows it
  std::string key;   // "<pkg>" or "<pkg>:<arch>"
  catalog::DpkgFileListKind kind = catalog::DpkgFileListKind::list;
  std::vector<std::string> files;
};

// What one layer contributed; depends only on that layer's bytes.
struct LayerCatalog {
  std::vector<fs::CapturedFile> os_databases;  // kept as bytes: parsed once the OS is known
  std::vector<fs::CapturedFile> system_files;  // os-release, passwd, group
  std::vector<DpkgFileList> dpkg_file_lists;   // info/*.list, *.md5sums: each deb's files
  std::vector<catalog::Package> language;      // location: absolute path of the file
  std::vector<std::string> warnings;
};

// The files inspect needs the content of.
fs::Want wanted_content(const tar::Entry& e);

// Files the surface checks read (os-release, passwd, group).
bool is_system_file(std::string_view path);

// What the layers' workers keep for the merge, over the whole image.
struct CatalogBudget {
  // Bytes of databases, system files and file lists kept, up to k_max_kept_bytes.
  std::atomic<uint64_t> kept_bytes{0};
  // Paths dpkg's file lists name, up to k_max_entries: a list naming more files than an image
  // may hold is hostile, and each parsed path costs a string (a 16 MB list of "/a" lines would
  // be 5 million of them).
  std::atomic<uint64_t> listed_paths{0};
};

// Sorts one captured file into `out`, parsing it if it holds language packages or a dpkg
// file list. Hostile content never fails the scan: the file is skipped with a warning naming
// it. What is kept for the merge counts against `budget`, shared by all layers.
void catalog_file(fs::CapturedFile&& file, LayerCatalog& out, CatalogBudget& budget);

// The packages of the squashed image: OS databases as the final tree has them, language
// packages whose file is still visible; each with the layer that introduced it. Every package
// lists the files it owns: apk and rpm from their databases, deb from the file lists dpkg
// keeps beside its status (those the final tree shows).
std::vector<PackageReport> merge_packages(const std::vector<LayerCatalog>& layers,
                                          const fs::Tree& tree, const catalog::OsContext& os,
                                          std::vector<std::string>& warnings);

}  // namespace pith::report
