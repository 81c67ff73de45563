// Fuzz target for referrers indexes (the registry's answer, or what another tool left at a
// referrers tag): listing with and without a filter, and adding an entry, which must leave an
// index that lists the entry once.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "registry/referrers.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pith;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  (void)registry::referrers_in_index(bytes, "");
  (void)registry::referrers_in_index(bytes, "application/spdx+json");
  registry::referrers_tag(bytes);

  oci::Descriptor entry;
  entry.media_type = "application/vnd.oci.image.manifest.v1+json";
  entry.digest = oci::Digest::sha256_of("entry");
  entry.size = 1;
  entry.artifact_type = "application/spdx+json";
  registry::FetchedManifest existing{bytes, "application/vnd.oci.image.index.v1+json", ""};
  auto added = registry::add_to_referrers_index(existing, entry);
  if (added && *added) {
    auto listed = registry::referrers_in_index(**added, "application/spdx+json");
    check(listed.ok());
    size_t found = 0;
    for (const auto& d : *listed) found += d.digest == entry.digest ? 1 : 0;
    check(found == 1);
  }
  return 0;
}
