// `pith sbom IMAGE`: the image's SBOM (SPDX 2.3 or CycloneDX 1.6 JSON) from inspect's pass,
// on stdout or written atomically to -o FILE.
#include <cstdio>

#include "cli/command.h"
#include "cli/options.h"
#include "cli/registry_flags.h"
#include "sbom/sbom.h"
#include "transport/referrers.h"
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
  bool attached = false;
  RegistryFlags registry;
};

// An attached SBOM is read whole into memory; larger ones are refused.
constexpr uint64_t k_max_attached_sbom = uint64_t{512} << 20;

// --attached: the SBOM a registry holds as a referrer of the image (its platform's manifest
// first, then the index naming it), as pushed by `pith build --sbom` or any OCI 1.1 tool.
Result<std::string> read_attached_sbom(const SbomArgs& args, sbom::Format format) {
  auto ref = TRY(transport::parse_reference(args.image));
  if (ref.kind != transport::Kind::docker)
    return make_error(args.image +
                      ": --attached reads an SBOM attached in a registry: give a docker:// "
                      "reference");
  auto wanted = TRY(parse_platform_option(args.platform));
  auto options = args.registry.options();
  auto src = TRY(transport::open_source(ref, options, wanted));
  auto root = TRY(src->root());
  auto img = TRY(transport::resolve_image(*src, wanted));
  std::vector<oci::Digest> subjects{img.descriptor.digest};
  if (root.digest != img.descriptor.digest) subjects.push_back(root.digest);
  std::string type(sbom::media_type(format));
  auto found = TRY(transport::read_attached(ref, subjects, type, options, k_max_attached_sbom));
  if (!found)
    return make_error(args.image + ": no SBOM of type " + type +
                      " is attached (pith sbom without --attached computes one)");
  return std::move(found->content);
}

// To stdout, or atomically to `output`.
Result<int> write_sbom(const std::string& text, const std::string& output) {
  if (output.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    if (std::fflush(stdout) != 0) return make_error("writing the SBOM to stdout failed");
  } else {
    TRY(write_file_atomic(output, text));
  }
  return k_exit_ok;
}

Result<int> run_sbom(const SbomArgs& args) {
  // 1. Everything that can be wrong with the command line, before a byte is read.
  sbom::Format format = TRY(sbom::parse_format(args.format));
  sbom::MeasureOptions options;
  options.source_date_epoch = TRY(sbom::source_date_epoch());
  options.file_hashes = args.file_hashes ? sbom::FileHashes::yes : sbom::FileHashes::no;
  std::string output;
  if (!args.output.empty() && args.output != "-") output = TRY(output_file_path(args.output));
  std::string text;
  if (args.attached) {
    // 2. The registry's copy, as attached: nothing computed.
    text = TRY(read_attached_sbom(args, format));
    return write_sbom(text, output);
  }
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
  text = TRY(sbom::render(in, format));
  return write_sbom(text, output);
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
  app.add_flag("--attached", args->attached,
               "Read the SBOM attached to the image in its registry (an OCI 1.1 referrer of the "
               "format's media type, e.g. from pith build --sbom) instead of computing one; an "
               "error when none is");
  add_registry_flags(app, args->registry);
  return [args] {
    auto r = run_sbom(*args);
    return r ? *r : report(r.error());
  };
}

}  // namespace pith::cli
