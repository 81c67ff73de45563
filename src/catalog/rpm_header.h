// One rpm header blob (as stored in an rpm database) into a Package, parsed by librpm.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/package.h"
#include "util/result.h"

namespace pith::catalog {

// Parses a header blob: NAME, VERSION, RELEASE, EPOCH, ARCH, SOURCERPM, LICENSE, SIZE, the
// file list, REQUIRENAME (rpmlib() features left out) and PROVIDENAME. The blob's declared lengths
// are checked before librpm sees it; trailing bytes after the declared header are ignored. An Error
// means the blob is unusable; an inconsistent file list only empties Package.files, with a Warning
// (warnings may be null), since `rpm -qa` still lists such a package.
Result<Package> parse_rpm_header(std::string_view blob, std::string_view location,
                                 const OsContext& os, std::vector<Warning>* warnings = nullptr);

// "[epoch:]version-release", as syft writes rpm versions (the epoch whenever the header has one).
std::string rpm_version(std::optional<uint64_t> epoch, std::string_view version,
                        std::string_view release);

// pkg:rpm/<namespace>/<name>@<version>-<release>?arch=<arch>[&epoch=N]&distro=<id>-<version_id>,
// the qualifier order trivy writes; the namespace is the os-release ID ("rhel" becomes
// "redhat" as in syft and trivy); without a known OS there is neither namespace nor distro.
std::string rpm_purl(std::string_view name, std::optional<uint64_t> epoch, std::string_view version,
                     std::string_view release, std::string_view arch, const OsContext& os);

}  // namespace pith::catalog
