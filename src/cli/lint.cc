// `pith lint IMAGE`: will this image start and do its job? Run-time, attack-surface and hygiene
// findings from one pass over the layers; exit 1 when one reaches --fail-level.
#include <cstdio>

#include "cli/command.h"
#include "cli/options.h"
#include "cli/registry_flags.h"
#include "lint/lint.h"
#include "lint/output.h"
#include "report/render.h"
#include "util/progress.h"

namespace pith::cli {

namespace {

struct LintArgs {
  std::string image;
  std::string platform;
  std::string entrypoint;
  std::vector<std::string> ignore;
  std::string fail_level = "error";
  bool json = false;
  bool sarif = false;
  bool no_fail = false;
  RegistryFlags registry;
};

Result<int> run_lint(const LintArgs& args) {
  // 1. Options first: a typo should not cost a scan.
  auto level = lint::parse_severity(args.fail_level);
  if (!level) return make_error("--fail-level " + args.fail_level + ": info, warn or error");
  lint::LintOptions options;
  for (const auto& id : args.ignore) {
    if (!lint::find_rule(id)) return make_error("--ignore " + id + ": no such rule (docs/rules/)");
    options.ignore.insert(id);
  }
  if (!args.entrypoint.empty()) {
    if (!args.entrypoint.starts_with('/'))
      return make_error("--entrypoint " + args.entrypoint + ": an absolute path in the image");
    options.runtime.entrypoint = args.entrypoint;
  }
  // 2. One pass over the image, then the rules.
  auto ref = TRY(transport::parse_reference(args.image));
  auto wanted = TRY(parse_platform_option(args.platform));
  auto src = TRY(transport::open_source(ref, args.registry.options(), wanted));
  auto img = TRY(transport::resolve_image(*src, wanted));
  Progress progress("lint " + args.image);
  options.analyze.on_layer_done = [&](size_t done, size_t total, uint64_t bytes) {
    progress.update(done, total, bytes);
  };
  auto r = TRY(lint::lint_image(*src, img, options));
  // 3. Print, then judge.
  if (args.sarif) {
    std::printf("%s\n", report::json_text(lint::to_sarif(r), 2).c_str());
  } else if (args.json) {
    std::printf("%s\n", report::json_text(lint::to_json(r), 2).c_str());
  } else {
    std::string text = lint::render_text(r);
    std::fwrite(text.data(), 1, text.size(), stdout);
  }
  return !args.no_fail && lint::fails(r.findings, *level) ? k_exit_check_failed : k_exit_ok;
}

}  // namespace

Runner setup_lint(CLI::App& app) {
  auto args = std::make_shared<LintArgs>();
  app.add_option("image", args->image, "Image reference")->required();
  app.add_option("--entrypoint", args->entrypoint,
                 "Check this program (absolute path in the image) instead of ENTRYPOINT + CMD");
  one_word_each(
      app.add_option("--ignore", args->ignore, "Rule ID to leave out (repeatable), e.g. PL201"));
  app.add_option("--fail-level", args->fail_level,
                 "Exit 1 when a finding reaches this severity: info, warn, error (default)");
  app.add_flag("--no-fail", args->no_fail, "Exit 0 whatever the findings (report only)");
  auto* json = app.add_flag("--json", args->json, "JSON output (schema: docs/lint.md)");
  app.add_flag("--sarif", args->sarif, "SARIF 2.1.0 output")->excludes(json);
  app.add_option("--platform", args->platform, "os/arch[/variant] to pick from an index");
  add_registry_flags(app, args->registry);
  return [args] {
    auto r = run_lint(*args);
    return r ? *r : report(r.error());
  };
}

}  // namespace pith::cli
