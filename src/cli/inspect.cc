// `pith inspect IMAGE`: manifest, platform, layers and configuration of an image.
#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/options.h"
#include "transport/resolve.h"

namespace pith::cli {

namespace {

struct InspectArgs {
  std::string image;
  std::string platform;
  bool json = false;
};

std::string human_size(uint64_t bytes) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1000 && u < 4) {
    v /= 1000;
    ++u;
  }
  return u == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", v, units[u]);
}

nlohmann::json report_json(const std::string& reference, const transport::ResolvedImage& img) {
  uint64_t compressed = img.manifest.config.size;
  nlohmann::json layers = nlohmann::json::array();
  auto history = oci::layer_history(img.config);
  for (size_t i = 0; i < img.manifest.layers.size(); ++i) {
    const auto& l = img.manifest.layers[i];
    compressed += l.size;
    nlohmann::json j = {{"digest", l.digest.str()},
                        {"diff_id", img.config.diff_ids[i].str()},
                        {"media_type", l.media_type},
                        {"size", l.size}};
    j["created_by"] = history.size() == img.manifest.layers.size() ? history[i]->created_by : "";
    layers.push_back(j);
  }
  oci::Platform p{img.config.os, img.config.architecture, img.config.variant, ""};
  return {{"reference", reference},
          {"digest", img.raw.digest.str()},
          {"media_type", oci::effective_media_type(img.manifest)},
          {"platform", p.str()},
          {"created", img.config.created},
          {"config_digest", img.manifest.config.digest.str()},
          {"size", {{"compressed", compressed}}},
          {"layers", layers},
          {"config",
           {{"user", img.config.user},
            {"entrypoint", img.config.entrypoint},
            {"cmd", img.config.cmd},
            {"env", img.config.env},
            {"working_dir", img.config.working_dir}}}};
}

Result<void> run_inspect(const InspectArgs& args) {
  auto ref = TRY(transport::parse_reference(args.image));
  auto src = TRY(transport::open_source(ref));
  auto img = TRY(transport::resolve_image(*src, TRY(parse_platform_option(args.platform))));
  nlohmann::json j = report_json(src->describe(), img);
  if (args.json) {
    std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return {};
  }
  std::string out;
  out += fmt::format("Image      {}\n", j["reference"].get<std::string>());
  out += fmt::format("Digest     {}\n", j["digest"].get<std::string>());
  out += fmt::format("Platform   {}\n", j["platform"].get<std::string>());
  out +=
      fmt::format("Size       {} compressed, {} layers\n",
                  human_size(j["size"]["compressed"].get<uint64_t>()), img.manifest.layers.size());
  if (!img.config.entrypoint.empty() || !img.config.cmd.empty()) {
    std::string cmd;
    for (const auto& a : img.config.entrypoint) cmd += a + " ";
    for (const auto& a : img.config.cmd) cmd += a + " ";
    out += fmt::format("Command    {}\n", cmd);
  }
  out += fmt::format("User       {}\n", img.config.user.empty() ? "(root)" : img.config.user);
  out += "Layers\n";
  for (const auto& l : j["layers"])
    out += fmt::format("  {}  {:>9}  {}\n", l["digest"].get<std::string>().substr(0, 19),
                       human_size(l["size"].get<uint64_t>()), l["created_by"].get<std::string>());
  std::fwrite(out.data(), 1, out.size(), stdout);
  return {};
}

}  // namespace

Runner setup_inspect(CLI::App& app) {
  auto args = std::make_shared<InspectArgs>();
  app.add_option("image", args->image, "Image reference")->required();
  app.add_option("--platform", args->platform, "os/arch[/variant] to pick from an index");
  app.add_flag("--json", args->json, "JSON output");
  return [args] {
    auto r = run_inspect(*args);
    return r ? k_exit_ok : report(r.error());
  };
}

}  // namespace pith::cli
