// One stage of a Dockerfile: its base, then each instruction in order. Config instructions
// edit the image config; RUN, COPY, ADD (and a WORKDIR that must make its directory) add a
// layer, served from the cache when a step with the same key made one before.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dockerfile/dockerignore.h"
#include "dockerfile/stages.h"
#include "executor/executor.h"
#include "executor/image.h"

namespace pith::executor {

// A built stage: its image (a stage FROM it starts from that and its environment, not its
// ARGs, as podman and Docker do).
struct StageResult {
  ImageState state;
};

// What every stage of one build shares.
struct BuildContext {
  const BuildOptions& options;
  const BuildEvents& events;
  const dockerfile::StageGraph& graph;
  char escape = '\\';
  BuildStore& store;
  Blobs& blobs;
  const dockerfile::IgnoreMatcher* ignore = nullptr;
  std::string created;  // RFC 3339, for history lines
  size_t stages_built = 0;
  size_t steps = 0;
  size_t cached = 0;
  // The stages built so far, by index.
  std::vector<std::optional<StageResult>> results;
};

Result<StageResult> run_stage(BuildContext& ctx, const dockerfile::Stage& stage);

}  // namespace pith::executor
