// Option parsing shared by subcommands.
#pragma once

#include <optional>
#include <string>

#include "oci/descriptor.h"
#include "util/result.h"

namespace pith::cli {

// "" -> nullopt (the host's platform is meant), otherwise os/arch[/variant].
inline Result<std::optional<oci::Platform>> parse_platform_option(const std::string& text) {
  if (text.empty()) return std::optional<oci::Platform>();
  return std::optional<oci::Platform>(TRY(oci::Platform::parse(text)));
}

}  // namespace pith::cli
