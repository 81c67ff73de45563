// Fuzz target for Debian copyright files (sbom/copyright.h) and the licence expressions made
// of what they declare: bounded output, names as the bounds say, every expression made only of
// the characters SPDX allows.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sbom/copyright.h"
#include "sbom/license.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

bool spdx_chars(std::string_view s) {
  for (char c : s) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '+' || c == ' ' || c == '(' || c == ')';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto names = pith::sbom::parse_debian_copyright(text);
  check(names.size() <= pith::sbom::k_max_copyright_licenses);
  for (const auto& n : names) {
    check(!n.empty() && n.size() <= pith::sbom::k_max_license_name);
    auto l = pith::sbom::to_spdx_license(n);
    check(!l.expression.empty() && spdx_chars(l.expression));
    for (const auto& r : l.refs) check(r.id.starts_with("LicenseRef-") && r.id.size() > 11);
  }
  // The licence reader alone, on the whole input (apk L: and rpm License take any text).
  if (size <= 4096) {
    auto l = pith::sbom::to_spdx_license(text);
    check(spdx_chars(l.expression));
  }
  return 0;
}
