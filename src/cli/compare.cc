// `pith compare IMAGE...`: images side by side, the table people otherwise make by hand.
#include <cstdio>

#include "cli/command.h"
#include "cli/registry_flags.h"
#include "report/render.h"

namespace pith::cli {

namespace {

struct CompareArgs {
  std::vector<std::string> images;
  std::string platform;
  bool json = false;
  RegistryFlags registry;
};

Result<void> run_compare(const CompareArgs& args) {
  std::vector<report::InspectReport> reports;
  for (const auto& image : args.images)
    reports.push_back(TRY(inspect_image(image, args.platform, args.registry.options())));
  if (args.json) {
    std::printf("%s\n", report::json_text(report::compare_json(reports), 2).c_str());
    return {};
  }
  std::string text = report::render_compare(reports);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return {};
}

}  // namespace

Runner setup_compare(CLI::App& app) {
  auto args = std::make_shared<CompareArgs>();
  app.add_option("images", args->images, "Image references")->required()->expected(1, -1);
  app.add_option("--platform", args->platform, "os/arch[/variant] to pick from indexes");
  app.add_flag("--json", args->json, "JSON array, one object per image");
  add_registry_flags(app, args->registry);
  return [args] {
    auto r = run_compare(*args);
    return r ? k_exit_ok : report(r.error());
  };
}

}  // namespace pith::cli
