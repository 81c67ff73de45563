// rpm package metadata: an rpmdb.sqlite holding the header blobs of the packages that own
// included files, beside the root's rpm database (sqlite, BerkeleyDB or NDB).
#include "build/package_metadata_parts.h"
#include "catalog/rpm_header.h"
#include "catalog/rpmdb.h"

namespace pith::build::detail {
namespace {

// Where rpm keeps its database: /usr/lib/sysimage/rpm since rpm 4.16 (Fedora 36+, SUSE), with
// /var/lib/rpm often a link to it; /var/lib/rpm before.
constexpr const char* k_dirs[] = {"/usr/lib/sysimage/rpm", "/var/lib/rpm"};
constexpr const char* k_files[] = {"rpmdb.sqlite", "Packages.db", "Packages"};
// Large rpm databases (a full Fedora) are a few hundred MB.
constexpr uint64_t k_rpmdb_limit = uint64_t(1) << 30;

}  // namespace

void add_rpm_metadata(const RootDir& root, PathMatcher& matcher, PackageMetadata& out) {
  for (const char* dir : k_dirs) {
    for (const char* file : k_files) {
      std::string location = std::string(dir) + "/" + file;
      auto bytes = read_database(root, location, k_rpmdb_limit, out.warnings);
      if (!bytes) continue;

      std::string written = std::string(dir) + "/rpmdb.sqlite";
      std::vector<catalog::Package> owners;
      std::vector<catalog::Warning> warnings;
      auto keep = [&](std::string_view blob) {
        auto p = catalog::parse_rpm_header(blob, location, {}, &warnings);
        if (!p) {
          warnings.push_back({location, "a package skipped: " + p.error().message});
          return false;
        }
        std::vector<std::string> owned = matcher.owned(p->files);
        if (owned.empty()) return false;
        p->files = std::move(owned);
        p->location = written;
        owners.push_back(std::move(p).value());
        return true;
      };
      auto warn = [&](std::string message) { warnings.push_back({location, std::move(message)}); };
      auto db = catalog::write_rpmdb_sqlite_subset(*bytes, keep, warn);
      out.warnings.insert(out.warnings.end(), warnings.begin(), warnings.end());
      if (!db) {
        out.warnings.push_back({location, db.error().message});
        return;
      }
      if (owners.empty()) return;
      out.files.push_back({written, std::move(db).value()});
      out.packages.insert(out.packages.end(), owners.begin(), owners.end());
      return;  // one database per root: the first found is the one rpm uses
    }
  }
}

}  // namespace pith::build::detail
