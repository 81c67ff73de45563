// The JSON form of an inspect report. Key names and meanings are fixed (docs/inspect.md).
#include <map>

#include "report/render.h"

namespace pith::report {

nlohmann::json to_json(const InspectReport& r) {
  using nlohmann::json;
  json layers = json::array();
  for (const auto& l : r.layers)
    layers.push_back({{"digest", l.descriptor.digest.str()},
                      {"diff_id", l.diff_id.str()},
                      {"media_type", l.descriptor.media_type},
                      {"size", l.descriptor.size},
                      {"uncompressed_size", l.uncompressed_size},
                      {"entries", l.entries},
                      {"added_bytes", l.added_bytes},
                      {"created_by", l.created_by}});
  json packages = json::array();
  std::map<std::string, size_t> by_type;
  for (const auto& p : r.packages) {
    const auto& k = p.package;
    by_type[std::string(catalog::type_name(k.type))]++;
    packages.push_back({{"type", catalog::type_name(k.type)},
                        {"name", k.name},
                        {"version", k.version},
                        {"arch", k.arch},
                        {"purl", k.purl},
                        {"layer", p.layer},
                        {"source", k.location},
                        {"source_package", k.source_package},
                        {"license", k.license},
                        {"installed_size", k.installed_size}});
  }
  json os = nullptr;
  if (r.os)
    os = {{"id", r.os->id}, {"version_id", r.os->version_id}, {"pretty_name", r.os->pretty_name}};
  const auto& e = r.efficiency;
  return {
      {"reference", r.reference},
      {"digest", r.digest.str()},
      {"config_digest", r.config_digest.str()},
      {"media_type", r.media_type},
      {"platform", r.platform.str()},
      {"os", os},
      {"size",
       {{"compressed", r.compressed_size},
        {"uncompressed", r.uncompressed_size},
        {"content", r.content_size}}},
      {"layers", layers},
      {"files",
       {{"entries", r.files.entries},
        {"regular", r.files.regular},
        {"directories", r.files.directories},
        {"symlinks", r.files.symlinks},
        {"hardlinks", r.files.hardlinks},
        {"other", r.files.other}}},
      {"efficiency",
       {{"score", e.score},
        {"wasted_bytes", e.wasted_bytes},
        {"user_wasted_percent", e.user_wasted_percent},
        {"reclaimable_bytes", e.reclaimable_bytes},
        {"size_bytes", e.size_bytes},
        {"user_size_bytes", e.user_size_bytes}}},
      {"packages", packages},
      {"package_counts",
       {{"os", r.os_package_count()},
        {"language", r.language_package_count()},
        {"by_type", by_type}}},
      {"surface",
       {{"user", r.surface.user},
        {"user_exists", r.surface.user_exists},
        {"shells", r.surface.shells},
        {"package_managers", r.surface.package_managers},
        {"setuid", r.surface.setuid},
        {"world_writable", r.surface.world_writable}}},
      {"config",
       {{"entrypoint", r.config.entrypoint},
        {"cmd", r.config.cmd},
        {"env", r.config.env},
        {"working_dir", r.config.working_dir},
        {"created", r.config.created}}},
      {"warnings", r.warnings},
  };
}

std::string json_text(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace pith::report
