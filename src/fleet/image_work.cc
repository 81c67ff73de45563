#include "fleet/image_work.h"

#include <algorithm>

#include "fleet/layer_analysis.h"
#include "lint/output.h"
#include "registry/auth.h"
#include "report/render.h"
#include "sbom/attach.h"
#include "sbom/sbom.h"
#include "transport/reference.h"
#include "transport/resolve.h"
#include "transport/source.h"
#include "util/ascii.h"

namespace pith::fleet {

namespace {

class RegistryImage final : public OpenedImage {
 public:
  RegistryImage(std::unique_ptr<transport::ImageSource> src, transport::ResolvedImage img,
                const RegistryWorkOptions& options)
      : m_src(std::move(src)), m_img(std::move(img)), m_options(options) {
    for (const auto& d : m_img.config.diff_ids) m_diff_ids.push_back(d.str());
  }

  const std::vector<std::string>& diff_ids() const override { return m_diff_ids; }

  Result<std::string> analyze_layer(size_t index) override {
    auto analysis = TRY(fleet::analyze_layer(*m_src, m_img, index));
    return encode(analysis);
  }

  Result<ImageRow> merge(std::vector<std::string> encoded) override {
    std::vector<LayerAnalysis> layers;
    for (size_t i = 0; i < encoded.size(); ++i)
      layers.push_back(TRY(decode(encoded[i])
                               .wrap("the stored analysis of layer " + std::to_string(i) + " (" +
                                     m_diff_ids[i] + ")")));
    ImageResults r = TRY(merge_image(m_src->describe(), m_img, std::move(layers), m_options.merge));
    ImageRow row;
    const auto& in = r.inspect;
    row.os = in.os ? in.os->pretty_name : "";
    row.platform = in.platform.str();
    row.compressed_size = in.compressed_size;
    row.uncompressed_size = in.uncompressed_size;
    row.content_size = in.content_size;
    row.files = in.files.entries;
    row.shells = static_cast<int>(in.surface.shells.size());
    row.runtime_errors = static_cast<int>(
        std::count_if(r.findings.begin(), r.findings.end(), [](const lint::Finding& f) {
          return f.id.starts_with("PL1") && f.severity == lint::Severity::error;
        }));
    row.inspect = report::json_text(report::to_json(in), 2);
    lint::LintReport lint_report{in, r.findings};
    row.findings = report::json_text(lint::to_json(lint_report), 2);
    row.sbom_spdx = TRY(sbom::render(r.sbom, sbom::Format::spdx_json));
    row.sbom_cyclonedx = TRY(sbom::render(r.sbom, sbom::Format::cyclonedx_json));
    // Attached before the row is stored: a worker that dies in between attaches it again, and
    // the same SBOM is the same referrer (its digest listed once).
    if (m_options.attach_sbom) {
      auto ref = TRY(transport::parse_reference(m_src->describe()));
      const std::string& document =
          *m_options.attach_sbom == sbom::Format::spdx_json ? row.sbom_spdx : row.sbom_cyclonedx;
      TRY(sbom::attach_referrer(ref, m_img.descriptor.digest, *m_options.attach_sbom, document,
                                r.sbom.created, m_options.registry)
              .wrap("attaching the SBOM"));
    }
    for (const auto& p : in.packages)
      row.packages.push_back({std::string(catalog::type_name(p.package.type)), p.package.name,
                              p.package.version, p.package.purl});
    return row;
  }

 private:
  std::unique_ptr<transport::ImageSource> m_src;
  transport::ResolvedImage m_img;
  const RegistryWorkOptions& m_options;
  std::vector<std::string> m_diff_ids;
};

class RegistryImageWork final : public ImageWork {
 public:
  explicit RegistryImageWork(RegistryWorkOptions options) : m_options(std::move(options)) {}

  Result<std::unique_ptr<OpenedImage>> open(const Claim& claim) override {
    auto ref = TRY(transport::parse_reference(claim.source));
    transport::RegistryOptions options = m_options.registry;
    if (!claim.registry_auth.empty())
      options.creds = TRY(creds_from_authorization(claim.registry_auth));
    auto src = TRY(transport::open_source(ref, options));
    auto img = TRY(transport::resolve_image(*src, std::nullopt));
    if (img.descriptor.digest.str() != claim.digest)
      return make_error(claim.source + ": the manifest read is " + img.descriptor.digest.str() +
                        ", not " + claim.digest);
    return std::unique_ptr<OpenedImage>(
        std::make_unique<RegistryImage>(std::move(src), std::move(img), m_options));
  }

 private:
  RegistryWorkOptions m_options;
};

}  // namespace

std::unique_ptr<ImageWork> registry_image_work(RegistryWorkOptions options) {
  return std::make_unique<RegistryImageWork>(std::move(options));
}

Result<std::string> creds_from_authorization(std::string_view header) {
  constexpr std::string_view basic = "basic ";
  if (header.size() < basic.size() || !ascii_iequals(header.substr(0, basic.size()), basic))
    return make_error("a registry authorization other than Basic (USER:PASSWORD) is not supported");
  auto decoded =
      TRY(registry::base64_decode(header.substr(basic.size())).wrap("the registry authorization"));
  if (decoded.find(':') == std::string::npos)
    return make_error("the registry authorization: not USER:PASSWORD");
  return decoded;
}

}  // namespace pith::fleet
