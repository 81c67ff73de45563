// `pith build` as a library call: from a spec to images written at every output.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "build/spec.h"
#include "oci/digest.h"
#include "transport/reference.h"
#include "transport/registry_options.h"
#include "util/result.h"

namespace pith {
class TransferProgress;
}

namespace pith::build {

struct BuildResult {
  // Each output as given, with the digest its readers report (transport::CopyResult).
  std::vector<std::pair<std::string, oci::Digest>> outputs;
  size_t files = 0;                   // regular files in the image
  size_t libraries = 0;               // files of the ELF closure besides the program
  std::vector<std::string> packages;  // "name version" of the OS packages recorded
  uint64_t compressed_size = 0;       // of the layer blobs
};

// Called with each warning as it happens (missing CA bundle, unreadable package database).
using WarningSink = std::function<void(const std::string&)>;

// Registry settings for a `--from docker://...` image and for `-o docker://...` outputs.
struct RegistryAccess {
  transport::RegistryOptions from;
  transport::RegistryOptions to;
};

// Annotations looked up while the build runs (the CLI's VCS annotations: two git processes,
// ~50 ms in a checkout): called once, when the manifest's annotations are set; the spec's own
// annotations win over them.
using LateAnnotations = std::function<std::map<std::string, std::string>()>;

// `progress`: a line per blob as the outputs are written (nullptr: none).
Result<BuildResult> run_build(const BuildSpec& spec, const WarningSink& warn,
                              const RegistryAccess& registries = {},
                              TransferProgress* progress = nullptr,
                              const LateAnnotations& late_annotations = {});

}  // namespace pith::build
