// Fuzz target for Java archives: zip structure via libarchive, nested archives, manifests and
// pom.properties. Small limits keep each run fast; nothing may crash or exceed them.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "catalog/java.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pith::catalog;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  JavaLimits limits;
  limits.max_depth = 3;
  limits.max_total_bytes = 8 << 20;
  limits.max_nested_bytes = 4 << 20;
  limits.max_metadata_bytes = 64 << 10;
  limits.max_entries = 2000;
  if (auto r = parse_java_archive(bytes, "fuzz.jar", limits)) {
    for (const Package& p : r->packages)
      if (p.type != PackageType::maven || !p.purl.starts_with("pkg:maven/")) std::abort();
  }
  (void)parse_java_manifest(bytes);
  (void)parse_java_properties(bytes);
  (void)java_name_version_from_filename(bytes);
  return 0;
}
