// Licences as the package databases write them ("MIT BSD GPL2+", "GPLv2+ and LGPLv2+",
// "GPL-2+ or Artistic") made SPDX license expressions: known identifiers in their canonical
// case, the GNU families' short forms mapped ("GPL-2+", "GPLv2+" → GPL-2.0-or-later), the rest
// LicenseRef-<name>, which the SPDX document then declares with the name as written.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pith::sbom {

struct LicenseRef {
  std::string id;    // "LicenseRef-public-domain"
  std::string name;  // "public-domain", as declared
};

struct SpdxLicense {
  std::string expression;  // "" when nothing is declared
  std::vector<LicenseRef> refs;
  // The expression is one licence (no operator): the CycloneDX writer names it alone.
  bool single = false;
};

// Operators: AND/and/&, OR/or/|, WITH/with (followed by a known exception), parentheses;
// licences side by side with no operator (apk's lists) are joined with AND; commas count as
// blanks. Text that does not parse so becomes one LicenseRef of the whole.
SpdxLicense to_spdx_license(std::string_view declared);

// The canonical SPDX identifier of `name` (case-insensitive, GNU short forms mapped), or nullopt.
std::optional<std::string> known_license_id(std::string_view name);

}  // namespace pith::sbom
