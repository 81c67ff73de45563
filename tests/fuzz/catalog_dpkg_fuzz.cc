// Fuzz target for the dpkg database parsers: status, status.d, .list and .md5sums files and
// the path recognizer. Whatever comes back must satisfy the parsers' contracts.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <unordered_map>

#include "catalog/dpkg.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

void check_packages(const std::vector<pith::catalog::Package>& pkgs) {
  for (const auto& p : pkgs) {
    check(!p.name.empty() && !p.version.empty());
    check(p.purl.starts_with("pkg:deb/"));
    for (const auto& f : p.files) check(f.size() > 1 && f.front() == '/');
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pith::catalog;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::vector<Warning> warnings;
  OsContext os{"debian", "12"};

  auto status = parse_dpkg_status(bytes, "var/lib/dpkg/status", os, &warnings);
  auto status_d = parse_dpkg_status_d(bytes, "var/lib/dpkg/status.d/x", {}, &warnings);
  // status.d counts stanzas without Status as installed: never fewer packages.
  check(status.ok() == status_d.ok());
  if (status.ok()) {
    check(status->size() <= status_d->size());
    check_packages(*status);
    check_packages(*status_d);
  }
  check(warnings.size() <= 2 * 101);

  std::unordered_map<std::string, std::vector<std::string>> lists;
  std::vector<std::string> list = parse_dpkg_file_list(bytes);
  for (const auto& f : list) check(f.size() > 1 && f.front() == '/');
  std::vector<std::string> md5 = parse_dpkg_md5sums(bytes, "m", nullptr);
  for (const auto& f : md5) check(f.size() > 1 && f.front() == '/');
  if (status_d.ok() && status_d->size() <= 64) {  // the join copies a list per package
    for (const auto& p : *status_d) {
      for (const auto& key : dpkg_file_list_keys(p)) lists[key] = list;
    }
    for (auto& p : *status_d) attach_dpkg_file_lists(p, lists);
    check_packages(*status_d);
  }

  if (auto ref = dpkg_file_list_ref(bytes)) check(!ref->key.empty());
  return 0;
}
