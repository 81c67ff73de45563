// OS package purls as trivy writes them. trivy names a distribution by its own analyzers:
// os-release for most, but Debian by etc/debian_version ("12.5"), Alpine by
// etc/alpine-release and CentOS by etc/centos-release ("7.6.1810"), which are more precise
// than os-release's VERSION_ID; rpm namespaces are trivy's family names.
#include "catalog/os_purl.h"

#include <array>
#include <utility>
#include <vector>

#include "catalog/lang_common.h"

namespace pith::catalog {

namespace {

constexpr std::string_view k_debian_version = "etc/debian_version";
constexpr std::string_view k_alpine_release = "etc/alpine-release";
constexpr std::string_view k_centos_release = "etc/centos-release";

// A release goes into every package's purl: a hostile release file must not multiply its size
// by the number of packages. Real ones are a few bytes ("12.15", "3.19.4", "trixie/sid").
constexpr size_t k_max_release_bytes = 64;

// The first line, as trivy's analyzers read these files (bufio.Scanner: no '\n', no '\r');
// "" when it is longer than k_max_release_bytes or holds anything but printable ASCII.
std::string_view first_line(std::string_view text) {
  text = text.substr(0, text.find('\n'));
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  if (text.size() > k_max_release_bytes) return {};
  for (char c : text)
    if (c < 0x20 || c > 0x7e) return {};
  return text;
}

// "CentOS Linux release 7.6.1810 (Core)" -> "7.6.1810": the digits and dots after " release ",
// as trivy's `(.*) release (\d[\d\.]*)`; "" when the line has none.
std::string centos_release(std::string_view line) {
  line = trim_space(line);
  constexpr std::string_view k_word = " release ";
  size_t at = line.rfind(k_word);
  if (at == std::string_view::npos) return "";
  std::string_view rest = line.substr(at + k_word.size());
  if (rest.empty() || rest[0] < '0' || rest[0] > '9') return "";
  size_t n = 0;
  while (n < rest.size() && ((rest[n] >= '0' && rest[n] <= '9') || rest[n] == '.')) ++n;
  return std::string(rest.substr(0, n));
}

// os-release ID -> trivy's OS family name, for rpm namespaces and distro qualifiers.
std::string rpm_family(std::string_view id) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 8> k_families = {{
      {"rhel", "redhat"},
      {"mariner", "cbl-mariner"},
      {"amzn", "amazon"},
      {"ol", "oracle"},
      {"almalinux", "alma"},
      {"opensuse-leap", "opensuse.leap"},
      {"opensuse", "opensuse.leap"},  // Leap 42's ID
      {"opensuse-tumbleweed", "opensuse.tumbleweed"},
  }};
  for (const auto& [from, to] : k_families)
    if (id == from) return std::string(to);
  return std::string(id);
}

const std::string& release_of(const OsContext& os) {
  return os.release.empty() ? os.version_id : os.release;
}

}  // namespace

bool is_release_file(std::string_view path) {
  return path == k_debian_version || path == k_alpine_release || path == k_centos_release;
}

OsContext make_os_context(std::string_view id, std::string_view version_id,
                          const std::function<std::string(std::string_view)>& read) {
  OsContext os{std::string(id), std::string(version_id), ""};
  if (id == "debian") {
    os.release = std::string(first_line(read(k_debian_version)));
  } else if (id == "alpine") {
    os.release = std::string(first_line(read(k_alpine_release)));
  } else if (id == "centos") {
    os.release = centos_release(first_line(read(k_centos_release)));
  }
  return os;
}

std::string os_purl_namespace(PackageType type, const OsContext& os) {
  switch (type) {
    case PackageType::deb:
      return os.id.empty() ? "debian" : os.id;
    case PackageType::apk:
      return os.id.empty() ? "alpine" : os.id;
    case PackageType::rpm:
      return rpm_family(os.id);
    default:
      return "";
  }
}

std::string os_purl_distro(PackageType type, const OsContext& os) {
  const std::string& release = release_of(os);
  if (os.id.empty() || release.empty()) return "";
  if (type == PackageType::apk) return release;
  return os_purl_namespace(type, os) + "-" + release;
}

std::string os_package_purl(PackageType type, std::string_view name, std::string_view version,
                            std::optional<uint64_t> epoch, std::string_view arch,
                            const OsContext& os) {
  std::string out = make_purl(type_name(type), os_purl_namespace(type, os), name, version);
  std::vector<std::string> qualifiers;  // in key order: arch, distro, epoch
  if (!arch.empty()) qualifiers.push_back("arch=" + purl_encode(arch));
  if (std::string distro = os_purl_distro(type, os); !distro.empty())
    qualifiers.push_back("distro=" + purl_encode(distro));
  if (epoch && *epoch != 0) qualifiers.push_back("epoch=" + std::to_string(*epoch));
  for (size_t i = 0; i < qualifiers.size(); ++i) out += (i == 0 ? "?" : "&") + qualifiers[i];
  return out;
}

std::pair<std::optional<uint64_t>, std::string_view> split_deb_epoch(std::string_view version) {
  size_t colon = version.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 9) return {std::nullopt, version};
  uint64_t epoch = 0;
  for (char c : version.substr(0, colon)) {
    if (c < '0' || c > '9') return {std::nullopt, version};
    epoch = epoch * 10 + static_cast<uint64_t>(c - '0');
  }
  return {epoch, version.substr(colon + 1)};
}

}  // namespace pith::catalog
