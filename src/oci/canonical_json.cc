// Canonical JSON output. nlohmann's objects are std::maps, so dump() already sorts keys.
#include "oci/canonical_json.h"

namespace pith::oci {

std::string canonical_json(const nlohmann::json& j) {
  // UTF-8 is written as is (no \u escapes); invalid UTF-8 from a hostile document becomes
  // U+FFFD instead of throwing, so writing never fails.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace pith::oci
