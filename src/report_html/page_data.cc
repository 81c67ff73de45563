#include "report_html/page_data.h"

#include "lint/owners.h"

namespace pith::report_html {

namespace {

using nlohmann::json;

// The first `max` entries, and how many there were.
json capped_list(const std::vector<std::string>& items, size_t max) {
  json list = json::array();
  for (size_t i = 0; i < items.size() && i < max; ++i) list.push_back(items[i]);
  return {{"count", items.size()}, {"items", list}};
}

std::string_view kind_name(TreemapNode::Kind k) {
  switch (k) {
    case TreemapNode::Kind::directory:
      return "d";
    case TreemapNode::Kind::file:
      return "f";
    case TreemapNode::Kind::other:
      return "o";
  }
  return "o";
}

// Short keys: the treemap is most of the page's bytes.
json treemap_json(const TreemapNode& n) {
  json j = {{"n", n.name}, {"k", kind_name(n.kind)}, {"b", n.bytes}, {"e", n.entries}};
  if (n.package) j["p"] = *n.package;
  if (n.kind == TreemapNode::Kind::other) j["m"] = n.merged;
  if (n.opened) {
    json children = json::array();
    for (const auto& c : n.children) children.push_back(treemap_json(c));
    j["c"] = std::move(children);
  }
  return j;
}

}  // namespace

TreeFacts tree_facts(const report::InspectReport& report, const lint::ImageView& image,
                     const TreemapLimits& limits) {
  TreeFacts facts;
  lint::Owners owners = lint::package_owners(report, image);
  facts.visible_bytes.assign(report.layers.size(), 0);
  facts.package_bytes.assign(report.packages.size(), 0);
  facts.package_files.assign(report.packages.size(), 0);
  auto owner = [&](const std::string& path) -> std::optional<size_t> {
    auto it = owners.find(path);
    if (it == owners.end()) return std::nullopt;
    return it->second;
  };
  image.tree().for_each([&](const std::string& path, const fs::Node& node) {
    if (node.entry.type != tar::EntryType::regular) return;
    if (node.layer < facts.visible_bytes.size()) facts.visible_bytes[node.layer] += node.entry.size;
    if (auto p = owner(path)) {
      facts.package_bytes[*p] += node.entry.size;
      ++facts.package_files[*p];
    }
  });
  facts.treemap = build_treemap(image.tree(), owner, limits);
  return facts;
}

json image_data(const lint::LintReport& lint, const TreeFacts& facts) {
  const report::InspectReport& r = lint.image;
  json layers = json::array();
  for (size_t i = 0; i < r.layers.size(); ++i) {
    const auto& l = r.layers[i];
    uint64_t visible = i < facts.visible_bytes.size() ? facts.visible_bytes[i] : 0;
    std::string command = l.created_by.substr(0, k_max_command_bytes);
    layers.push_back({{"digest", l.descriptor.digest.str()},
                      {"size", l.descriptor.size},
                      {"uncompressed_size", l.uncompressed_size},
                      {"entries", l.entries},
                      {"added_bytes", l.added_bytes},
                      {"wasted_bytes", l.added_bytes > visible ? l.added_bytes - visible : 0},
                      {"created_by", command},
                      {"created_by_cut", command.size() < l.created_by.size()}});
  }
  json packages = json::array();
  for (size_t i = 0; i < r.packages.size() && i < k_max_packages_shown; ++i) {
    const auto& p = r.packages[i];
    packages.push_back({{"name", p.package.name},
                        {"version", p.package.version},
                        {"type", catalog::type_name(p.package.type)},
                        {"layer", p.layer},
                        {"installed_size", p.package.installed_size},
                        {"bytes", i < facts.package_bytes.size() ? facts.package_bytes[i] : 0},
                        {"files", i < facts.package_files.size() ? facts.package_files[i] : 0}});
  }
  json findings = json::array();
  json severities = {{"error", 0}, {"warn", 0}, {"info", 0}};
  for (const auto& f : lint.findings) {
    std::string severity(lint::severity_name(f.severity));
    severities[severity] = severities[severity].get<uint64_t>() + 1;
    if (findings.size() < k_max_findings_shown)
      findings.push_back(
          {{"id", f.id}, {"severity", severity}, {"path", f.path}, {"message", f.message}});
  }
  json os = nullptr;
  if (r.os) os = r.os->pretty_name.empty() ? r.os->id + " " + r.os->version_id : r.os->pretty_name;
  return {
      {"reference", r.reference},
      {"digest", r.digest.str()},
      {"platform", r.platform.str()},
      {"os", os},
      {"summary",
       {{"compressed_size", r.compressed_size},
        {"uncompressed_size", r.uncompressed_size},
        {"content_size", r.content_size},
        {"layers", r.layers.size()},
        {"packages", r.packages.size()},
        {"os_packages", r.os_package_count()},
        {"language_packages", r.language_package_count()},
        {"entries", r.files.entries},
        {"regular_files", r.files.regular},
        {"directories", r.files.directories},
        {"symlinks", r.files.symlinks},
        {"efficiency", r.efficiency.score},
        {"wasted_bytes", r.efficiency.wasted_bytes},
        {"reclaimable_bytes", r.efficiency.reclaimable_bytes},
        {"user", r.surface.user.empty() ? "root" : r.surface.user},
        {"shells", r.surface.shells.size()},
        {"findings", severities}}},
      {"layers", layers},
      {"packages", packages},
      {"packages_cut", r.packages.size() > k_max_packages_shown},
      {"surface",
       {{"user", r.surface.user},
        {"user_exists", r.surface.user_exists},
        {"shells", capped_list(r.surface.shells, k_max_surface_paths_shown)},
        {"package_managers", capped_list(r.surface.package_managers, k_max_surface_paths_shown)},
        {"setuid", capped_list(r.surface.setuid, k_max_surface_paths_shown)},
        {"world_writable", capped_list(r.surface.world_writable, k_max_surface_paths_shown)}}},
      {"findings", findings},
      {"findings_count", lint.findings.size()},
      {"treemap", treemap_json(facts.treemap)},
  };
}

}  // namespace pith::report_html
