// render(): the format's writer, and the element keys both share.
#include <set>

#include "sbom/documents.h"
#include "util/sha256.h"

namespace pith::sbom {

std::vector<std::string> package_keys(const report::InspectReport& r) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& pr : r.packages) {
    const auto& p = pr.package;
    std::string h = Sha256::hex_of(p.purl + "\n" + p.location + "\n" + p.name + "\n" + p.version +
                                   "\n" + p.arch);
    std::string key =
        std::string(catalog::type_name(p.type)) + "-" + p.name + "-" + h.substr(0, 12);
    // The same package listed twice in one file: numbered in the order the database lists it.
    std::string unique = key;
    for (int n = 2; !seen.insert(unique).second; ++n) unique = key + "-" + std::to_string(n);
    out.push_back(unique);
  }
  return out;
}

Result<std::string> render(const SbomInput& in, Format f) {
  if (in.packages.size() != in.report.packages.size())
    return make_error("sbom: the input's package details do not match its packages");
  return f == Format::spdx_json ? render_spdx(in) : render_cyclonedx(in);
}

}  // namespace pith::sbom
