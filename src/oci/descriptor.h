// Descriptors and platforms, with their JSON forms.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "oci/digest.h"
#include "util/result.h"

namespace pith::oci {

struct Platform {
  std::string os;
  std::string architecture;
  std::string variant;
  std::string os_version;

  // "os/arch[/variant]"; "linux/x86_64" and "linux/aarch64" are accepted as aliases.
  static Result<Platform> parse(std::string_view text);
  static Platform host();
  std::string str() const;  // "os/arch[/variant]"
  // True if an image for `this` runs where `wanted` is asked for: same os and architecture,
  // and the same variant when `wanted` names one (arm64 treats "" and "v8" as equal).
  bool satisfies(const Platform& wanted) const;
  bool operator==(const Platform&) const = default;
};

struct Descriptor {
  std::string media_type;
  Digest digest;
  uint64_t size = 0;
  std::vector<std::string> urls;
  std::map<std::string, std::string> annotations;
  std::optional<Platform> platform;
  std::string artifact_type;
  bool operator==(const Descriptor&) const = default;
};

Result<Descriptor> descriptor_from_json(const nlohmann::json& j);
nlohmann::json to_json(const Descriptor& d);
Result<Platform> platform_from_json(const nlohmann::json& j);
nlohmann::json to_json(const Platform& p);

}  // namespace pith::oci
