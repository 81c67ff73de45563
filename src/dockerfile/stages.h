// The stage graph of a multi-stage Dockerfile, as BuildKit's dockerfile2llb builds it: global
// ARGs before the first FROM (the only variables FROM lines see, with the predefined platform
// ARGs), stage names (lower case; `--target` and `--from` match them case-insensitively),
// `FROM <earlier stage>`, `COPY --from=<stage, index or image>` and `RUN --mount=from=<stage>`
// dependencies, `--target` (default: the last stage), and the stages the target needs, in an
// order that builds each after what it needs (unused stages skipped, as BuildKit skips them).
//
// As BuildKit: FROM's base is a stage only when it names an *earlier* stage exactly (stage
// names are stored lower case, so `FROM Builder` is the image "Builder"); --from may name any
// stage, earlier or later (a cycle is an error; a later stage only with ForwardFrom::allow);
// --from cannot use variables.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dockerfile/instructions.h"
#include "dockerfile/shell_lex.h"
#include "util/result.h"

namespace pith::dockerfile {

struct Platform {
  std::string os = "linux";
  std::string arch = "amd64";
  std::string variant;
};
// "linux/arm/v7", as containerd formats it.
std::string format_platform(const Platform& p);
// containerd's platforms.Parse for os/arch[/variant] with its normalisation (aarch64 ->
// arm64, x86_64 -> amd64, arm -> arm/v7, arm64/v8 -> arm64).
Result<Platform> parse_platform(std::string_view text);

// `COPY --from` naming the stage it is in or a later one: BuildKit builds the graph and
// allows it (a cycle aside); podman and Docker's classic builder read such a name as an image
// to pull, and an index as out of range. pith refuses it by default, naming the stage, so a
// Dockerfile pith builds means the same to all three.
enum class ForwardFrom { refuse, allow };

struct StageOptions {
  std::map<std::string, std::string> build_args;  // --build-arg K=V
  std::string target;                             // --target; "" for the last stage
  Platform build_platform;                        // the machine building
  std::optional<Platform> target_platform;        // --platform; default the build platform
  ForwardFrom forward_from = ForwardFrom::refuse;
};

struct Stage {
  size_t index = 0;
  std::string name;                  // lower case; "" when unnamed
  std::string base;                  // FROM's image, global ARGs substituted
  std::optional<size_t> base_stage;  // FROM <earlier stage>
  std::string platform;              // FROM --platform, substituted; "" when not given
  int line = 0;
  std::vector<Instruction> instructions;  // after the FROM
  std::vector<size_t> needs;              // stages read by --from, sorted, once each
  std::vector<std::string> images;        // --from images that are no stage
};

struct StageGraph {
  std::vector<ArgDecl> global_args;  // ARGs before the first FROM, as declared
  Vars globals;                      // the FROM lines' scope (platform ARGs + global ARGs)
  std::vector<Stage> stages;
  size_t target = 0;
  std::vector<size_t> order;  // the stages the target needs, each after its needs; target last
  std::vector<std::string> unused_build_args;  // --build-arg no needed stage or FROM declares
};

// Errors: "<file>:<line>: <cause>" for a line (base name blank, bad --from, a cycle), or
// "target stage \"x\" could not be found".
Result<StageGraph> build_stage_graph(const std::vector<Instruction>& instructions,
                                     const StageOptions& options,
                                     std::string_view file_name = "Dockerfile");

// The predefined platform ARGs (BUILDPLATFORM ... TARGETVARIANT, TARGETSTAGE), --build-arg
// overriding them.
Vars platform_args(const StageOptions& options, std::string_view target_name);

// The variables a stage's instructions are expanded with, built as BuildKit builds them while
// it runs the stage: the base image's environment, then each ARG and ENV in order. ARG
// values: --build-arg, else the default (substituted), else the global ARG of that name (a
// global ARG is seen inside a stage only once the stage declares it again). Later assignments
// replace earlier ones, except that an ARG never replaces an ENV (the image's or the stage's):
// "environment variables defined using ENV always override an ARG of the same name". A stage built
// FROM another stage starts from a copy of that stage's final scope: BuildKit carries the parent's
// ARG values along with its environment (its dispatchState.init), so `FROM parent` sees the ARGs
// `parent` declared.
class StageScope {
 public:
  // `graph` must outlive the scope; `options` is copied.
  StageScope(const StageGraph& graph, const StageOptions& options, Vars image_env = {});

  // Applies ARG and ENV; other instructions change nothing. Errors: substitution errors, a
  // scope larger than k_max_scope_bytes.
  Result<void> apply(const Instruction& ins, char escape = '\\');

  const Vars& vars() const { return m_vars; }  // what ${...} sees
  const Vars& env() const { return m_env; }    // what the image config's Env gets

 private:
  // Sets a variable, holding the scope to k_max_scope_bytes.
  Result<void> assign(const std::string& key, const std::string& value);

  const StageGraph& m_graph;
  StageOptions m_options;  // a copy: callers pass temporaries (`StageScope(graph, {})`)
  Vars m_vars;
  Vars m_env;
  size_t m_bytes = 0;
};

}  // namespace pith::dockerfile
