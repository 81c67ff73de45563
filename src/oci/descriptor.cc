// Descriptors and platforms: JSON forms, platform names, and platform matching.
#include "oci/descriptor.h"

#include <sys/utsname.h>

#include <algorithm>
#include <cctype>

#include "oci/json_fields.h"

namespace pith::oci {

namespace {

using detail::field_path;
using detail::Presence;

// Kernel machine names (uname -m) to OCI architecture and variant, as containerd maps them.
struct MachineAlias {
  std::string_view machine;
  std::string_view architecture;
  std::string_view variant;
};
constexpr MachineAlias k_machines[] = {
    {"x86_64", "amd64", ""},
    {"amd64", "amd64", ""},
    {"aarch64", "arm64", "v8"},
    {"arm64", "arm64", "v8"},
    {"armv8l", "arm", "v8"},
    {"armv7l", "arm", "v7"},
    {"armv7", "arm", "v7"},
    {"armv6l", "arm", "v6"},
    {"armv5tel", "arm", "v5"},
    {"i386", "386", ""},
    {"i486", "386", ""},
    {"i586", "386", ""},
    {"i686", "386", ""},
    {"ppc64le", "ppc64le", ""},
    {"s390x", "s390x", ""},
    {"riscv64", "riscv64", ""},
    {"loongarch64", "loong64", ""},
    {"mips64", "mips64", ""},
};

// arm64 images may leave the variant out; "v8" is what it means.
std::string normalized_variant(const Platform& p) {
  if (p.architecture == "arm64" && p.variant.empty()) return "v8";
  return p.variant;
}

}  // namespace

Result<Platform> Platform::parse(std::string_view text) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t slash = text.find('/', start);
    parts.emplace_back(text.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  bool empty_part = std::any_of(parts.begin(), parts.end(), [](auto& s) { return s.empty(); });
  if (parts.size() < 2 || parts.size() > 3 || empty_part)
    return make_error("invalid platform \"" + std::string(text) + "\": expected os/arch[/variant]");
  Platform p;
  p.os = parts[0];
  p.architecture = parts[1];
  if (parts.size() == 3) p.variant = parts[2];
  if (p.architecture == "x86_64") p.architecture = "amd64";
  if (p.architecture == "aarch64") p.architecture = "arm64";
  return p;
}

Platform Platform::host() {
  Platform p;
  p.os = "linux";
  p.architecture = "amd64";
  struct utsname u {};
  if (uname(&u) != 0) return p;
  std::string os = u.sysname;
  std::transform(os.begin(), os.end(), os.begin(), [](unsigned char c) { return std::tolower(c); });
  p.os = os;
  std::string_view machine = u.machine;
  p.architecture = machine;
  for (const auto& m : k_machines) {
    if (m.machine == machine) {
      p.architecture = m.architecture;
      p.variant = m.variant;
      break;
    }
  }
  return p;
}

std::string Platform::str() const {
  std::string s = os + "/" + architecture;
  if (!variant.empty()) s += "/" + variant;
  return s;
}

bool Platform::satisfies(const Platform& wanted) const {
  if (os != wanted.os || architecture != wanted.architecture) return false;
  if (wanted.variant.empty()) return true;
  return normalized_variant(*this) == normalized_variant(wanted);
}

namespace detail {

Result<Platform> parse_platform(const json& j, std::string_view path) {
  TRY(expect_object(j, path));
  Platform p;
  p.architecture = TRY(get_string(j, "architecture", path, Presence::required));
  p.os = TRY(get_string(j, "os", path, Presence::required));
  p.os_version = TRY(get_string(j, "os.version", path));
  p.variant = TRY(get_string(j, "variant", path));
  TRY(get_strings(j, "os.features", path));
  return p;
}

Result<Descriptor> parse_descriptor(const json& j, std::string_view path) {
  TRY(expect_object(j, path));
  Descriptor d;
  d.media_type = TRY(get_string(j, "mediaType", path));
  d.digest = TRY(get_digest(j, "digest", path));
  d.size = TRY(get_size(j, "size", path));
  d.urls = TRY(get_strings(j, "urls", path));
  d.annotations = TRY(get_string_map(j, "annotations", path));
  if (const json* p = find_field(j, "platform"))
    d.platform = TRY(parse_platform(*p, field_path(path, "platform")));
  d.artifact_type = TRY(get_string(j, "artifactType", path));
  return d;
}

}  // namespace detail

Result<Descriptor> descriptor_from_json(const nlohmann::json& j) {
  return detail::parse_descriptor(j, "");
}

Result<Platform> platform_from_json(const nlohmann::json& j) {
  return detail::parse_platform(j, "");
}

nlohmann::json to_json(const Platform& p) {
  nlohmann::json j = {{"architecture", p.architecture}, {"os", p.os}};
  if (!p.os_version.empty()) j["os.version"] = p.os_version;
  if (!p.variant.empty()) j["variant"] = p.variant;
  return j;
}

nlohmann::json to_json(const Descriptor& d) {
  nlohmann::json j = {{"digest", d.digest.str()}, {"size", d.size}};
  if (!d.media_type.empty()) j["mediaType"] = d.media_type;
  if (!d.urls.empty()) j["urls"] = d.urls;
  if (!d.annotations.empty()) j["annotations"] = d.annotations;
  if (d.platform) j["platform"] = to_json(*d.platform);
  if (!d.artifact_type.empty()) j["artifactType"] = d.artifact_type;
  return j;
}

}  // namespace pith::oci
