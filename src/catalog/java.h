// Java archives (.jar .war .ear .jpi .hpi) read from memory: Maven coordinates from
// META-INF/maven/**/pom.properties, the archive's own identity from META-INF/MANIFEST.MF and
// its file name, and the same for archives nested inside (WEB-INF/lib, BOOT-INF/lib, ...).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "catalog/lang_common.h"
#include "util/result.h"

namespace pith::catalog {

// Bounds on what one top-level archive may cost; hitting one ends that part with a Warning.
struct JavaLimits {
  int max_depth = 4;                         // archives nested inside archives
  uint64_t max_total_bytes = 256ull << 20;   // bytes decompressed, all levels together
  uint64_t max_nested_bytes = 64ull << 20;   // one nested archive held in memory
  uint64_t max_metadata_bytes = 1ull << 20;  // one MANIFEST.MF or pom.properties
  uint64_t max_entries = 200000;             // zip entries visited, all levels together
};

// Packages of a Java archive, each type maven with purl pkg:maven/<groupId>/<artifactId>@<v>:
// first the archive itself when no pom.properties inside names it (name and version from the
// file name, else the manifest), then every pom.properties in entry order, then the packages of
// nested archives, whose location is "<outer>:<entry path>". Errors: the top-level bytes are not
// a zip archive. A bad nested archive or exhausted limit is a Warning.
Result<Findings> parse_java_archive(std::string_view bytes, std::string_view location,
                                    const JavaLimits& limits = {});

// Whether `path` names a Java archive by extension; when first_bytes are given they must start
// with the zip signature "PK".
bool looks_like_java_archive(std::string_view path, std::string_view first_bytes);

// Pieces exposed for tests.
// Main-section attributes of a manifest, names lowercased, continuation lines joined.
std::map<std::string, std::string> parse_java_manifest(std::string_view text);
// key=value / key: value / key value lines of a .properties file; comments and escapes handled.
std::map<std::string, std::string> parse_java_properties(std::string_view text);
// "commons-io-2.11.0.jar" -> {"commons-io", "2.11.0"}; no version -> {"name", ""}.
std::pair<std::string, std::string> java_name_version_from_filename(std::string_view file_name);

}  // namespace pith::catalog
