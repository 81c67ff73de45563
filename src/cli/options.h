// Option parsing shared by subcommands.
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "oci/descriptor.h"
#include "util/result.h"

namespace pith::cli {

// "" -> nullopt (the host's platform is meant), otherwise os/arch[/variant].
inline Result<std::optional<oci::Platform>> parse_platform_option(const std::string& text) {
  if (text.empty()) return std::optional<oci::Platform>();
  return std::optional<oci::Platform>(TRY(oci::Platform::parse(text)));
}

// A list flag takes one word per occurrence, repeated for more (`--env A=1 --env B=2`, as
// podman and docker spell them): CLI11's default takes every word up to the next flag, so
// `--env A=1 B=2` would silently put B=2 in the list, and a positional after it would vanish.
inline CLI::Option* one_word_each(CLI::Option* option) {
  return option->expected(1)->allow_extra_args(false)->multi_option_policy(
      CLI::MultiOptionPolicy::TakeAll);
}

}  // namespace pith::cli
