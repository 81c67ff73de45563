// `pith build --sbom`: the SBOM of the written image beside every file output (read back from
// the output, so it describes the bytes and digest that output's readers see), and for
// docker:// outputs the hook that attaches it to the image as an OCI referrer.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "oci/digest.h"
#include "sbom/sbom.h"
#include "transport/reference.h"
#include "transport/registry_options.h"
#include "util/result.h"

namespace pith::cli {

struct BuildSbomFlags {
  bool sbom = false;
  std::string format = "spdx-json";
};

void add_build_sbom_flags(CLI::App& app, BuildSbomFlags& f);

// Where the SBOM of output `out` goes: oci-archive:FILE and docker-archive:FILE → FILE + suffix
// ("app.tar" → "app.tar.spdx.json"); oci:DIR[:TAG] and dir:DIR → beside the directory,
// "DIR[.TAG]" + suffix; nullopt for outputs that are no file (registries, daemons).
std::optional<std::string> sbom_path_beside(const transport::ImageRef& out, sbom::Format f);

// After a build: for each output (as given, with the digest printed for it), the SBOM read
// back from it, written beside it or attached. Prints "  sbom: PATH" lines (or, for a registry,
// the referrer's digest and how it was attached) unless quiet.
Result<void> write_build_sboms(const BuildSbomFlags& flags,
                               const std::vector<std::pair<std::string, oci::Digest>>& outputs,
                               const transport::RegistryOptions& registry, bool quiet);

}  // namespace pith::cli
