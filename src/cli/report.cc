// `pith report IMAGE... -o report.html`: one self-contained HTML page per run (summary, treemap of
// the file system, layers, packages, attack surface and lint's findings; several images side by
// side), from the same single pass over each image that `pith lint` makes.
#include <cstdio>

#include "cli/command.h"
#include "cli/options.h"
#include "cli/registry_flags.h"
#include "lint/lint.h"
#include "report_html/page.h"
#include "report_html/page_data.h"
#include "util/file.h"
#include "util/progress.h"

namespace pith::cli {

namespace {

struct ReportArgs {
  std::vector<std::string> images;
  std::string output;
  std::string platform;
  RegistryFlags registry;
};

// One image: lint's pass (inspect's measurement with lint's captures), and what the page needs
// of the tree read while lint's view of it lives.
Result<nlohmann::json> image_part(const std::string& image, const ReportArgs& args) {
  auto ref = TRY(transport::parse_reference(image));
  auto wanted = TRY(parse_platform_option(args.platform));
  auto src = TRY(transport::open_source(ref, args.registry.options(), wanted));
  auto img = TRY(transport::resolve_image(*src, wanted));
  Progress progress("report " + image);
  lint::LintOptions options;
  options.analyze.on_layer_done = [&](size_t done, size_t total, uint64_t bytes) {
    progress.update(done, total, bytes);
  };
  report_html::TreeFacts facts;
  options.on_view = [&](const report::InspectReport& r, const lint::ImageView& view) {
    facts = report_html::tree_facts(r, view);
  };
  auto lint = TRY(lint::lint_image(*src, img, options));
  return report_html::image_data(lint, facts);
}

Result<void> run_report(const ReportArgs& args) {
  std::vector<nlohmann::json> parts;
  for (const auto& image : args.images) parts.push_back(TRY(image_part(image, args)));
  std::string page = report_html::render_page(parts);
  TRY(write_file_atomic(args.output, page).wrap("-o " + args.output));
  return {};
}

}  // namespace

Runner setup_report(CLI::App& app) {
  auto args = std::make_shared<ReportArgs>();
  app.add_option("images", args->images, "Image references (several: side by side)")
      ->required()
      ->expected(1, -1);
  app.add_option("-o,--output", args->output, "The HTML file to write (replaced atomically)")
      ->required();
  app.add_option("--platform", args->platform, "os/arch[/variant] to pick from indexes");
  add_registry_flags(app, args->registry);
  return [args] {
    auto r = run_report(*args);
    return r ? k_exit_ok : report(r.error());
  };
}

}  // namespace pith::cli
