// merge_packages: deb packages get their files from the dpkg file lists the final tree shows
// (a list a later layer replaces or deletes is not read; a .list before a .md5sums), as apk
// and rpm packages get theirs from their databases.
#include "report/packages.h"

#include <gtest/gtest.h>

#include "util/limits.h"

namespace pith::report {
namespace {

struct Layers {
  std::vector<std::vector<tar::Entry>> entries;
  std::vector<LayerCatalog> catalogs;
  CatalogBudget budget;

  void add(size_t layer, const std::string& path, std::string bytes,
           tar::EntryType type = tar::EntryType::regular) {
    if (entries.size() <= layer) {
      entries.resize(layer + 1);
      catalogs.resize(layer + 1);
    }
    tar::Entry e;
    e.path = path;
    e.type = type;
    e.mode = 0644;
    e.size = bytes.size();
    entries[layer].push_back(e);
    if (type == tar::EntryType::regular && wanted_content(e) == fs::Want::content)
      catalog_file(fs::CapturedFile{path, std::move(bytes), e.mode}, catalogs[layer], budget);
  }
  std::vector<PackageReport> merge(std::vector<std::string> expect_warnings = {}) {
    fs::Tree tree;
    for (size_t i = 0; i < entries.size(); ++i) EXPECT_TRUE(tree.apply_layer(i, entries[i]));
    std::vector<std::string> warnings;
    auto out = merge_packages(catalogs, tree, {"debian", "12"}, warnings);
    EXPECT_EQ(warnings, expect_warnings);
    return out;
  }
};

constexpr const char* k_status =
    "Package: tool\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\n"
    "Conffiles:\n /etc/tool.conf 0123456789abcdef0123456789abcdef\n\n"
    "Package: libx\nStatus: install ok installed\nVersion: 2\nArchitecture: amd64\n"
    "Multi-Arch: same\n\n"
    "Package: gone\nStatus: install ok installed\nVersion: 3\nArchitecture: all\n";

TEST(MergePackages, DebFilesComeFromTheListsTheFinalTreeShows) {
  Layers l;
  l.add(0, "var/lib/dpkg/status", k_status);
  l.add(0, "var/lib/dpkg/info/tool.list", "/.\n/usr\n/usr/bin\n/usr/bin/tool\n/etc/tool.conf\n");
  l.add(0, "var/lib/dpkg/info/libx:amd64.list", "/usr/lib/libx.so.2\n");
  l.add(0, "var/lib/dpkg/info/libx:amd64.md5sums",
        "0123456789abcdef0123456789abcdef  usr/lib/libx.so.2.0\n");
  l.add(0, "var/lib/dpkg/info/gone.list", "/usr/share/gone\n");
  // Layer 1: tool's list rewritten (an upgrade), gone's list deleted.
  l.add(1, "var/lib/dpkg/info/tool.list", "/usr/bin/tool2\n");
  l.add(1, "var/lib/dpkg/info/.wh.gone.list", "");
  auto pkgs = l.merge();
  ASSERT_EQ(pkgs.size(), 3u);
  std::map<std::string, std::vector<std::string>> files;
  for (const auto& p : pkgs) files[p.package.name] = p.package.files;
  EXPECT_EQ(files["tool"], (std::vector<std::string>{"/etc/tool.conf", "/usr/bin/tool2"}));
  // Its .list (what dpkg -S reads) rather than its .md5sums.
  EXPECT_EQ(files["libx"], std::vector<std::string>{"/usr/lib/libx.so.2"});
  EXPECT_EQ(files["gone"], std::vector<std::string>{});
}

TEST(MergePackages, DistrolessStatusDMd5sums) {
  Layers l;
  l.add(0, "var/lib/dpkg/status.d/base",
        "Package: base-files\nStatus: install ok installed\nVersion: 12.4\n"
        "Architecture: amd64\n");
  l.add(0, "var/lib/dpkg/status.d/base-files.md5sums",
        "0123456789abcdef0123456789abcdef  etc/os-release\n");
  auto pkgs = l.merge();
  ASSERT_EQ(pkgs.size(), 1u);
  EXPECT_EQ(pkgs[0].package.files, std::vector<std::string>{"/etc/os-release"});
}

// Lists naming more paths than an image may hold are skipped, not parsed: the first list fits
// the bound, the second would pass it.
TEST(MergePackages, FileListsNamingTooManyPathsAreSkipped) {
  Layers l;
  l.add(0, "var/lib/dpkg/status", k_status);
  std::string many;
  for (size_t i = 0; i < k_max_entries / 2; ++i) many += "/a\n";
  l.add(0, "var/lib/dpkg/info/tool.list", many);
  l.add(0, "var/lib/dpkg/info/gone.list", many + "/b\n");
  auto pkgs =
      l.merge({"/var/lib/dpkg/info/gone.list: skipped: the image's dpkg file lists name "
               "more than 2097152 paths"});
  std::map<std::string, size_t> files;
  for (const auto& p : pkgs) files[p.package.name] = p.package.files.size();
  EXPECT_EQ(files["tool"], 2u);  // its conffile and "/a" (a list's repeats are one path)
  EXPECT_EQ(files["gone"], 0u);
}

}  // namespace
}  // namespace pith::report
