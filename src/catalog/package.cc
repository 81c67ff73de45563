// Package types and their purl names.
#include "catalog/package.h"

namespace pith::catalog {

std::string_view type_name(PackageType t) {
  switch (t) {
    case PackageType::deb:
      return "deb";
    case PackageType::apk:
      return "apk";
    case PackageType::rpm:
      return "rpm";
    case PackageType::golang:
      return "golang";
    case PackageType::pypi:
      return "pypi";
    case PackageType::npm:
      return "npm";
    case PackageType::maven:
      return "maven";
    case PackageType::cargo:
      return "cargo";
  }
  return "unknown";
}

bool is_os_package(PackageType t) {
  return t == PackageType::deb || t == PackageType::apk || t == PackageType::rpm;
}

}  // namespace pith::catalog
