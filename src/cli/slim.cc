// `pith slim IN -o OUT`: an existing image made distroless, with a table (or JSON) of what was
// kept and removed.
#include <cstdio>
#include <optional>

#include "cli/command.h"
#include "cli/options.h"
#include "cli/registry_flags.h"
#include "report/render.h"
#include "slim/slim.h"
#include "util/file.h"
#include "util/transfer_progress.h"

namespace pith::cli {

namespace {

struct SlimArgs {
  slim::SlimSpec spec;
  std::string report_file;
  bool json = false;
  bool quiet = false;
  SourceDestRegistryFlags registry;
};

Result<void> run_slim(const SlimArgs& a) {
  auto warn = [](const std::string& w) { note("warning", w); };
  build::RegistryAccess registries{a.registry.src_options(), a.registry.dest_options()};
  std::optional<TransferProgress> progress;
  bool show_progress = !a.quiet && !a.json;
  auto result =
      TRY(slim::run_slim(a.spec, warn, registries, show_progress ? &progress.emplace() : nullptr));
  progress.reset();
  nlohmann::json j = slim::to_json(result.summary);
  auto& outs = j["outputs"] = nlohmann::json::array();
  for (const auto& [out, digest] : result.outputs)
    outs.push_back({{"output", out}, {"digest", digest.str()}});
  if (!a.report_file.empty())
    TRY(write_file_atomic(a.report_file, report::json_text(j, 2) + "\n").wrap("--report"));
  if (a.json) {
    std::fputs((report::json_text(j, 2) + "\n").c_str(), stdout);
    return {};
  }
  if (a.quiet) return {};
  std::fputs(slim::render(result.summary).c_str(), stdout);
  std::printf("\n%zu packages recorded\n", result.summary.packages_recorded.size());
  for (const auto& [out, digest] : result.outputs)
    std::printf("  -> %s %s\n", out.c_str(), digest.str().c_str());
  return {};
}

}  // namespace

Runner setup_slim(CLI::App& app) {
  auto a = std::make_shared<SlimArgs>();
  slim::SlimSpec& s = a->spec;
  app.add_option("image", s.input, "The image to slim (any pith reference)")->required();
  one_word_each(
      app.add_option("-o,--output", s.outputs, "Where to write (repeatable), as pith build's -o"));
  one_word_each(app.add_option("--entrypoint", s.entrypoint,
                               "The command instead of the image's entrypoint and cmd (one word "
                               "each: --entrypoint python3 --entrypoint /app/main.py)"));
  one_word_each(app.add_option("--include", s.include, "A path kept whole (repeatable)"));
  one_word_each(app.add_option("--include-package", s.include_packages,
                               "Keep every file of this package and its record (repeatable)"));
  app.add_flag("--trace", s.trace,
               "Also keep what the command touches when run under runc with a tracer, while the "
               "probes run");
  one_word_each(app.add_option("--probe-cmd", s.probe_cmds,
                               "With --trace: a command line run in the container once the "
                               "program is up (repeatable)"));
  one_word_each(app.add_option("--http-probe", s.http_probes,
                               "With --trace: PORT/PATH fetched from 127.0.0.1 once the port "
                               "answers (repeatable)"));
  app.add_option("--report", a->report_file, "Write the summary as JSON to FILE");
  app.add_flag("--json", a->json, "Print the summary as JSON");
  app.add_option("--platform", s.platform, "os/arch[/variant] of a multi-platform input");
  app.add_option("--compress", s.compress,
                 "Layer compression: gzip, zstd or none (default: each output's)");
  app.add_flag("--allow-missing", s.allow_missing, "Write even when libraries are not found");
  app.add_flag("--no-verify", s.no_verify,
               "Write the image even when pith lint's run-time rules find an error in it");
  app.add_flag("-q,--quiet", a->quiet, "Print nothing on success");
  add_registry_flags(app, a->registry);
  return [a] {
    auto r = run_slim(*a);
    return r ? k_exit_ok : report(r.error());
  };
}

}  // namespace pith::cli
