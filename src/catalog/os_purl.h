// Package URLs of OS packages (deb, apk, rpm): namespace, version and the arch, distro and
// epoch qualifiers, written as trivy writes them, and the OS facts they need (os-release plus
// the release files that name a release more precisely than os-release does).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "catalog/package.h"

namespace pith::catalog {

// Files besides os-release whose content make_os_context reads ("etc/debian_version",
// "etc/alpine-release", "etc/centos-release"; paths relative to the root, as in a layer).
bool is_release_file(std::string_view path);

// The OsContext of an image from os-release's ID and VERSION_ID and `read(path)` (the final
// content of one of the release files above, "" if absent). `release` is set where trivy
// takes the release from such a file: Debian's debian_version ("12.5", where os-release says
// "12"), Alpine's alpine-release, CentOS's centos-release ("7.6.1810", where os-release says
// "7"); else it stays "" and VERSION_ID serves. Only the file's first line counts, and not when
// it is longer than 64 bytes or holds anything but printable ASCII (it goes into every purl).
OsContext make_os_context(std::string_view id, std::string_view version_id,
                          const std::function<std::string(std::string_view)>& read);

// The purl namespace of an OS package type: deb and apk use the os-release ID (ubuntu, wolfi,
// ...; "debian" or "alpine" when the OS is unknown); rpm uses the distribution's family name as
// trivy spells it (rhel -> redhat, mariner -> cbl-mariner, amzn -> amazon, ol -> oracle,
// almalinux -> alma, opensuse-leap -> opensuse.leap, ...; none when the OS is unknown).
std::string os_purl_namespace(PackageType type, const OsContext& os);

// The distro qualifier's value ("" when the OS is unknown): "<namespace>-<release>" for deb and
// rpm ("debian-12.5", "ubuntu-18.04", "redhat-8.8", "cbl-mariner-2.0"), the release alone for
// apk ("3.19.1"), as trivy writes them.
std::string os_purl_distro(PackageType type, const OsContext& os);

// pkg:<type>/<namespace>/<name>@<version>?arch=..&distro=..&epoch=.. with the qualifiers in
// canonical (sorted) order, each only when known; an epoch of 0 is left out, as trivy does.
// `version` is without the epoch: deb "2.38.1-5", rpm "<version>-<release>".
std::string os_package_purl(PackageType type, std::string_view name, std::string_view version,
                            std::optional<uint64_t> epoch, std::string_view arch,
                            const OsContext& os);

// A Debian version split into its epoch and the rest: "1:2.38-5" -> {1, "2.38-5"}; a version
// without a (numeric) epoch is returned whole, with no epoch.
std::pair<std::optional<uint64_t>, std::string_view> split_deb_epoch(std::string_view version);

}  // namespace pith::catalog
