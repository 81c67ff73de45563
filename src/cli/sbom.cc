// `pith sbom IMAGE`: the image's SBOM (SPDX 2.3 or CycloneDX 1.6 JSON) from inspect's pass,
// on stdout or written atomically to -o FILE.
#include <cstdio>

#include "cli/command.h"
#include "cli/options.h"
#include "cli/registry_flags.h"
#include "sbom/sbom.h"
#include "util/file.h"
#include "util/progress.h"

namespace pith::cli {

namespace {

struct SbomArgs {
  std::string image;
  std::string platform;
  std::string format = "spdx-json";
  std::string output;
  bool file_hashes = true;
  RegistryFlags registry;
};

Result<int> run_sbom(const SbomArgs& args) {
  // 1. Everything that can be wrong with the command line, before a byte is read.
  sbom::Format format = TRY(sbom::parse_format(args.format));
  sbom::MeasureOptions options;
  options.source_date_epoch = TRY(sbom::source_date_epoch());
  options.file_hashes = args.file_hashes ? sbom::FileHashes::yes : sbom::FileHashes::no;
  std::string output;
  if (!args.output.empty() && args.output != "-") output = TRY(output_file_path(args.output));
  // 2. Open, resolve, measure.
  auto ref = TRY(transport::parse_reference(args.image));
  auto wanted = TRY(parse_platform_option(args.platform));
  auto src = TRY(transport::open_source(ref, args.registry.options(), wanted));
  auto img = TRY(transport::resolve_image(*src, wanted));
  Progress progress("sbom " + args.image);
  options.on_layer_done = [&](size_t done, size_t total, uint64_t bytes) {
    progress.update(done, total, bytes);
  };
  auto in = TRY(sbom::measure(*src, img, options));
  for (const auto& w : in.report.warnings) note("warning", w);
  // 3. Write.
  std::string text = TRY(sbom::render(in, format));
  if (output.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    if (std::fflush(stdout) != 0) return make_error("writing the SBOM to stdout failed");
  } else {
    TRY(write_file_atomic(output, text));
  }
  return k_exit_ok;
}

}  // namespace

Runner setup_sbom(CLI::App& app) {
  auto args = std::make_shared<SbomArgs>();
  app.add_option("image", args->image, "Image reference")->required();
  app.add_option("--format", args->format, "spdx-json (SPDX 2.3) or cyclonedx-json (CycloneDX 1.6)")
      ->capture_default_str();
  app.add_option("-o,--output", args->output,
                 "Write the SBOM to FILE (atomically) instead of stdout");
  app.add_option("--platform", args->platform, "os/arch[/variant] to pick from an index");
  app.add_flag("--file-hashes,!--no-file-hashes", args->file_hashes,
               "Record the sha256 of every file a package owns (default; reads every file)");
  add_registry_flags(app, args->registry);
  return [args] {
    auto r = run_sbom(*args);
    return r ? *r : report(r.error());
  };
}

}  // namespace pith::cli
