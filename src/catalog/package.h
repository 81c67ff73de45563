// Packages found in an image: what the OS package databases and language ecosystems record,
// in one model that inspect, sbom, lint and build share.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pith::catalog {

enum class PackageType { deb, apk, rpm, golang, pypi, npm, maven, cargo };

std::string_view type_name(PackageType t);  // "deb", "apk", ... as in purl types
bool is_os_package(PackageType t);          // deb, apk, rpm

// What the parsers need to know about the image's OS (from etc/os-release), for purls.
struct OsContext {
  std::string id;          // "debian", "alpine", "rhel", ... ("" when unknown)
  std::string version_id;  // "12", "3.19.1", ...
};

struct Package {
  PackageType type = PackageType::deb;
  std::string name;
  std::string version;  // as the ecosystem writes it (deb: [epoch:]upstream-revision)
  std::string arch;
  std::string purl;            // package URL (purl-spec), e.g.
                               // pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12
  std::string source_package;  // deb Source:, rpm SOURCERPM, apk origin (o:), "" if none
  std::string license;
  uint64_t installed_size = 0;     // bytes, where the database records it
  std::string location;            // path of the file it was found in, "/var/lib/dpkg/status"
  std::vector<std::string> files;  // absolute paths the package owns, where the database lists them
  // What the database says the package needs and offers, names only (catalog/relations.h):
  // each entry of `depends` one requirement with its alternatives in order (dpkg's "a | b");
  // `provides` the names it answers to besides its own (dpkg Provides, apk p:, rpm provides).
  std::vector<std::vector<std::string>> depends;
  std::vector<std::string> provides;
};

// A problem with one input that does not stop the scan: the package or file is skipped.
struct Warning {
  std::string location;
  std::string message;
};

}  // namespace pith::catalog
