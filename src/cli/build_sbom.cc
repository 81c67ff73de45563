// The SBOMs of a build's outputs.
#include "cli/build_sbom.h"

#include <cstdio>

#include "cli/command.h"
#include "sbom/attach.h"
#include "transport/resolve.h"
#include "transport/source.h"
#include "util/file.h"

namespace pith::cli {

void add_build_sbom_flags(CLI::App& app, BuildSbomFlags& f) {
  app.add_flag("--sbom", f.sbom,
               "Write the image's SBOM beside each file output (OUT.tar.spdx.json, DIR.spdx.json; "
               "docs/sbom.md)");
  app.add_option("--sbom-format", f.format, "spdx-json (default) or cyclonedx-json")
      ->capture_default_str();
}

std::optional<std::string> sbom_path_beside(const transport::ImageRef& out, sbom::Format f) {
  std::string path = out.path;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  switch (out.kind) {
    case transport::Kind::oci_archive:
    case transport::Kind::docker_archive:
    case transport::Kind::dir:
      return path + std::string(sbom::file_suffix(f));
    case transport::Kind::oci:
      return path + (out.tag.empty() ? "" : "." + out.tag) + std::string(sbom::file_suffix(f));
    default:
      return std::nullopt;
  }
}

Result<void> write_build_sboms(const BuildSbomFlags& flags,
                               const std::vector<std::pair<std::string, oci::Digest>>& outputs,
                               const transport::RegistryOptions& registry, bool quiet) {
  if (!flags.sbom) return {};
  sbom::Format format = TRY(sbom::parse_format(flags.format));
  sbom::MeasureOptions options;
  options.source_date_epoch = TRY(sbom::source_date_epoch());
  for (const auto& [text, digest] : outputs) {
    auto ref = TRY(transport::parse_reference(text));
    std::optional<std::string> beside = sbom_path_beside(ref, format);
    bool registry_output = ref.kind == transport::Kind::docker;
    if (!beside && !registry_output) continue;  // a daemon's image store: nowhere to put it
    // The output read back: the SBOM describes what that output's readers see.
    auto wrap = "SBOM of " + text;
    auto src = TRY(transport::open_source(ref, registry, std::nullopt).wrap(wrap));
    auto img = TRY(transport::resolve_image(*src, std::nullopt).wrap(wrap));
    auto in = TRY(sbom::measure(*src, img, options).wrap(wrap));
    std::string document = TRY(sbom::render(in, format).wrap(wrap));
    if (registry_output) {
      std::string how =
          TRY(sbom::attach_referrer(ref, in.report.digest, format, document, in.created, registry)
                  .wrap(wrap));
      if (!quiet) std::printf("  sbom: %s referrer %s\n", text.c_str(), how.c_str());
      continue;
    }
    TRY(write_file_atomic(TRY(output_file_path(*beside)), document));
    if (!quiet) std::printf("  sbom: %s\n", beside->c_str());
  }
  return {};
}

}  // namespace pith::cli
