// The build from the Dockerfile to the outputs: parse, stage graph, the needed stages in order,
// the target's image made, checked and written.
#include "executor/executor.h"

#include <sys/stat.h>
#include <sys/utsname.h>

#include <ctime>
#include <filesystem>

#include "dockerfile/dockerignore.h"
#include "dockerfile/limits.h"
#include "dockerfile/parser.h"
#include "executor/stage.h"
#include "lint/lint.h"
#include "transport/copy.h"
#include "transport/resolve.h"
#include "transport/sink.h"
#include "util/ascii.h"
#include "util/file.h"
#include "util/sha256.h"
#include "util/time_text.h"

namespace pith::executor {

namespace {

// lint's run-time rules on the image as written: errors stop the build (unless no_verify),
// warnings are shown. The findings depend on the layers and the config only (not on `created`
// or the history): they are kept in the store under that identity, so a rebuild served from
// the cache does not read the layers again.
Result<void> check_image(transport::ImageSource& image, const oci::Platform& platform,
                         const ImageState& state, BuildStore& store, const BuildOptions& options,
                         const BuildEvents& events) {
  Sha256 key;
  std::string identity = "lint v2\n" + state.identity();
  key.update(std::as_bytes(std::span(identity)));
  std::string key_hex = key.hex_digest();
  nlohmann::json findings = nlohmann::json::array();
  auto kept = store.cached_text(key_hex);
  auto parsed = kept ? nlohmann::json::parse(*kept, nullptr, false) : nlohmann::json();
  // A kept list of the shape written below; anything else is a miss.
  auto well_formed = [](const nlohmann::json& list) {
    if (!list.is_array()) return false;
    for (const auto& f : list)
      if (!f.is_object() || !f.contains("id") || !f["id"].is_string() || !f.contains("line") ||
          !f["line"].is_string() || !f.contains("error") || !f["error"].is_boolean())
        return false;
    return true;
  };
  if (well_formed(parsed)) {
    findings = parsed;
  } else {
    auto resolved = TRY(transport::resolve_image(image, platform));
    auto report = TRY(lint::lint_image(image, resolved, lint::LintOptions{}));
    for (const auto& f : report.findings) {
      if (!f.id.starts_with("PL1") || f.severity == lint::Severity::info) continue;
      // Said, not refused: an image with no command (PL100) is a base for others; a TLS
      // client without CA certificates (PL111) starts, and some are given theirs at run time
      // (the finding shows at the end of the build, as the seed's scratch image needs).
      bool error = f.severity == lint::Severity::error && f.id != "PL100" && f.id != "PL111";
      findings.push_back({{"id", f.id}, {"line", f.id + " " + f.message}, {"error", error}});
    }
    TRY(store.remember_text(key_hex, findings.dump()));
  }
  for (const auto& f : findings) {
    std::string line = f.value("line", "");
    std::string id = f.value("id", "");
    if (f.value("error", false) && !options.no_verify)
      return make_error(line + " (--no-verify writes the image anyway; docs/rules/" + id + ".md)");
    if (events.warning) events.warning(line);
  }
  return {};
}

}  // namespace

bool is_dockerfile(const std::string& path) {
  std::string name = ascii_lower(std::filesystem::path(path).filename().string());
  if (name == "dockerfile" || name == "containerfile" || name.ends_with(".dockerfile") ||
      name.ends_with(".containerfile") || name.starts_with("dockerfile.") ||
      name.starts_with("containerfile."))
    return true;
  if (name.ends_with(".yaml") || name.ends_with(".yml")) return false;
  auto text = read_file(path, dockerfile::k_max_dockerfile_bytes);
  if (!text) return false;
  auto parsed = dockerfile::parse_dockerfile(*text);
  if (!parsed || parsed->nodes.empty()) return false;
  return !parsed->nodes.front().unknown;
}

Result<BuildReport> build_dockerfile(const BuildOptions& given, const BuildEvents& events) {
  // The context by its absolute path: runc binds what RUN --mount names from it.
  BuildOptions options = given;
  std::error_code ec;
  options.context = std::filesystem::absolute(given.context, ec).lexically_normal().string();
  if (options.context.size() > 1 && options.context.ends_with('/')) options.context.pop_back();
  // The store too: runc and the overlay mount read its paths from other directories.
  options.store = std::filesystem::absolute(given.store, ec).lexically_normal().string();
  if (options.store.size() > 1 && options.store.ends_with('/')) options.store.pop_back();
  // 1. The Dockerfile, its stages, the context and its .dockerignore.
  std::string name = std::filesystem::path(options.dockerfile).filename().string();
  std::string text = TRY(read_file(options.dockerfile, dockerfile::k_max_dockerfile_bytes));
  auto parsed = TRY(dockerfile::parse_dockerfile(text, name));
  auto instructions = TRY(dockerfile::to_instructions(parsed, name));
  auto graph = TRY(dockerfile::build_stage_graph(instructions, options.stages, name));
  for (const auto& arg : graph.unused_build_args)
    if (events.warning) events.warning("--build-arg " + arg + ": not consumed by any stage");
  struct stat st {};
  if (::stat(options.context.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return make_error("context " + options.context + ": not a directory");
  std::optional<dockerfile::IgnoreMatcher> ignore;
  if (auto ignore_text = read_file(options.context + "/.dockerignore", 1 << 20))
    ignore.emplace(TRY(dockerfile::IgnoreMatcher::from_dockerignore(*ignore_text)
                           .wrap(options.context + "/.dockerignore")));

  // 2. Every output opened first: a wrong one fails before any work.
  std::vector<std::unique_ptr<transport::ImageSink>> sinks;
  for (const auto& out : options.outputs) {
    auto ref = TRY(transport::parse_reference(out).wrap("-o"));
    sinks.push_back(TRY(transport::open_sink(ref, options.output_registry).wrap(out)));
  }

  // 3. The stages the target needs, in order.
  auto store = TRY(BuildStore::open(options.store).wrap("build store"));
  Blobs blobs(store);
  int64_t now = options.source_date_epoch.value_or(static_cast<int64_t>(std::time(nullptr)));
  BuildContext ctx{options,
                   events,
                   graph,
                   parsed.escape,
                   store,
                   blobs,
                   ignore ? &*ignore : nullptr,
                   rfc3339(now),
                   0,
                   0,
                   0,
                   {}};
  ctx.results.resize(graph.stages.size());
  for (size_t index : graph.order)
    ctx.results[index].emplace(TRY(run_stage(ctx, graph.stages[index])));

  // 4. The target's image: checked, then written to every output.
  const ImageState& final_state = ctx.results[graph.target]->state;
  auto made = make_image(final_state, blobs, rfc3339(now), options.annotations);
  TRY(check_image(*made.source, made.platform, final_state, store, options, events));
  BuildReport report;
  report.layers = final_state.layers.size();
  report.steps = ctx.steps;
  report.cached = ctx.cached;
  for (size_t i = 0; i < sinks.size(); ++i) {
    transport::CopyOptions copy;
    copy.platform = made.platform;
    copy.compression = options.compression;
    auto copied =
        TRY(transport::copy_image(*made.source, *sinks[i], copy).wrap(options.outputs[i]));
    report.outputs.emplace_back(options.outputs[i], copied.root_digest);
  }
  return report;
}

}  // namespace pith::executor
