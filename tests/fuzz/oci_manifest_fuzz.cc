// Fuzz target for the JSON document parsers: manifests, indexes, configs and sniffing. What
// parses must serialize to something that parses again to the same value.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "oci/config.h"
#include "oci/manifest.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pith::oci;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  sniff_document(bytes, "");
  sniff_document(bytes, media::oci_manifest);

  if (auto m = parse_manifest(bytes)) {
    auto again = parse_manifest(serialize(*m));
    check(again.ok() && *again == *m);
    effective_media_type(*m);
  }
  if (auto i = parse_index(bytes)) {
    auto again = parse_index(serialize(*i));
    check(again.ok() && *again == *i);
  }
  if (auto c = parse_config(bytes)) {
    std::string out = serialize(*c);
    auto again = parse_config(out);
    check(again.ok() && again->diff_ids == c->diff_ids && again->history == c->history &&
          again->labels == c->labels && serialize(*again) == out);
    layer_history(*c);
  }
  return 0;
}
