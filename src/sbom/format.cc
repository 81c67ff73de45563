// Format names, media types and file suffixes, and the document's creation time.
#include <cstdlib>
#include <string>

#include "sbom/sbom.h"

namespace pith::sbom {

Result<Format> parse_format(std::string_view name) {
  if (name == "spdx-json") return Format::spdx_json;
  if (name == "cyclonedx-json") return Format::cyclonedx_json;
  return make_error("unknown SBOM format \"" + std::string(name) +
                    "\" (expected spdx-json or cyclonedx-json)");
}

std::string_view format_name(Format f) {
  return f == Format::spdx_json ? "spdx-json" : "cyclonedx-json";
}

std::string_view file_suffix(Format f) {
  return f == Format::spdx_json ? ".spdx.json" : ".cdx.json";
}

Result<std::optional<int64_t>> source_date_epoch() {
  const char* v = std::getenv("SOURCE_DATE_EPOCH");
  if (v == nullptr || *v == '\0') return std::optional<int64_t>{};
  std::string text(v);
  // Twelve digits reach year 33658: beyond that a time is no longer a date a document holds.
  if (text.size() > 12 || text.find_first_not_of("0123456789") != std::string::npos)
    return make_error("SOURCE_DATE_EPOCH: expected seconds since 1970, got \"" + text + "\"");
  return std::optional<int64_t>{std::stoll(text)};
}

}  // namespace pith::sbom
