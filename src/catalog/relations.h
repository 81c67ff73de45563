// Dependency and provides fields of the package databases reduced to names, for the SBOM's
// DEPENDS_ON relationships (versions, architecture qualifiers and conflicts dropped).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pith::catalog {

// dpkg Depends / Pre-Depends: "libc6 (>= 2.34), debconf (>= 0.5) | debconf-2.0, python3:any"
// → {{"libc6"}, {"debconf", "debconf-2.0"}, {"python3"}}.
std::vector<std::vector<std::string>> parse_dpkg_depends(std::string_view field);

// dpkg Provides: "awk, mail-transport-agent (= 1.0)" → {"awk", "mail-transport-agent"}.
std::vector<std::string> parse_dpkg_provides(std::string_view field);

// apk D: "so:libc.musl-x86_64.so.1 /bin/sh pkg>=1.2 !conflict" → {{"so:libc.musl-x86_64.so.1"},
// {"/bin/sh"}, {"pkg"}} (a leading '!' is a conflict, left out).
std::vector<std::vector<std::string>> parse_apk_depends(std::string_view field);

// apk p: "so:libssl.so.3=3 cmd:openssl=3.1.4-r5" → {"so:libssl.so.3", "cmd:openssl"}.
std::vector<std::string> parse_apk_provides(std::string_view field);

}  // namespace pith::catalog
