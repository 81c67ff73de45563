// `pith build -f Dockerfile`: the stages the target needs, each from its base image through
// its instructions (RUN in runc on an overlay of the stage's layers, COPY/ADD into such an
// overlay, the rest edits of the config), every layer-making step cached by a key of what it
// depends on; then the target's image checked by lint's run-time rules and written to every
// output.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compress/compression.h"
#include "dockerfile/stages.h"
#include "executor/base_image.h"
#include "oci/digest.h"
#include "runner/run_spec.h"
#include "transport/registry_options.h"

namespace pith::executor {

struct BuildOptions {
  std::string dockerfile;  // its path
  std::string context;     // the build context directory
  dockerfile::StageOptions stages;
  runner::Network network = runner::Network::host;
  bool no_cache = false;
  std::string store;  // the build store's directory
  BaseOptions base;
  std::vector<std::string> outputs;
  transport::RegistryOptions output_registry;
  std::optional<compress::Compression> compression;  // of the outputs' layers
  std::map<std::string, std::string> annotations;    // manifest annotations
  bool no_verify = false;                            // write even with run-time lint errors
  std::optional<int64_t> source_date_epoch;
};

// What a build shows as it goes; each may be empty.
struct BuildEvents {
  std::function<void(const std::string&)> step;     // "[1/2] STEP 1/4: FROM ..." lines
  std::function<void(const std::string&)> warning;  // lint findings, unused build args
  runner::OutputFn output;                          // RUN's output as it comes
};

struct BuildReport {
  std::vector<std::pair<std::string, oci::Digest>> outputs;  // as given, with their digest
  size_t layers = 0;
  size_t steps = 0;
  size_t cached = 0;  // steps served from the cache
};

Result<BuildReport> build_dockerfile(const BuildOptions& options, const BuildEvents& events);

// Whether `path` is read as a Dockerfile: named Dockerfile or Containerfile (any case), or
// *.Dockerfile / *.Containerfile, or whose first instruction is a Dockerfile instruction.
bool is_dockerfile(const std::string& path);

}  // namespace pith::executor
