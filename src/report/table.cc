// Terminal renderings: the one-image summary and the comparison table. Text that came from the
// image (names, paths, history, the reference) is escaped: it must not forge lines or reach the
// terminal as control sequences.
#include <fmt/format.h>

#include "report/render.h"
#include "util/escape.h"

namespace pith::report {

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

namespace {

std::string joined(const std::vector<std::string>& v, size_t max = 6) {
  if (v.empty()) return "none";
  std::string out;
  for (size_t i = 0; i < v.size() && i < max; ++i) out += (i ? ", " : "") + escape_text(v[i]);
  if (v.size() > max) out += fmt::format(" (+{} more)", v.size() - max);
  return out;
}

std::string user_text(const Surface& s) {
  std::string u = s.user.empty() ? "root (default)" : escape_text(s.user);
  return s.user_exists ? u : u + " (not in /etc/passwd)";
}

}  // namespace

std::string render_summary(const InspectReport& r) {
  std::string out;
  out += fmt::format("Image        {}\n", escape_text(r.reference));
  out += fmt::format("Digest       {}\n", r.digest.str());
  out += fmt::format("Platform     {}\n", escape_text(r.platform.str()));
  out += fmt::format(
      "OS           {}\n",
      escape_text(r.os ? (r.os->pretty_name.empty() ? r.os->id : r.os->pretty_name) : "none"));
  out += fmt::format("Size         {} compressed, {} uncompressed, {} of file content\n",
                     human_size(r.compressed_size), human_size(r.uncompressed_size),
                     human_size(r.content_size));
  out += fmt::format("Files        {} entries, {} regular, {} directories, {} symlinks\n",
                     r.files.entries, r.files.regular, r.files.directories, r.files.symlinks);
  out += fmt::format("Packages     {} OS, {} language\n", r.os_package_count(),
                     r.language_package_count());
  out += fmt::format("Efficiency   {:.4f} (dive), {} wasted, {} reclaimable\n", r.efficiency.score,
                     human_size(r.efficiency.wasted_bytes),
                     human_size(r.efficiency.reclaimable_bytes));
  out += fmt::format("User         {}\n", user_text(r.surface));
  out += fmt::format("Shells       {}\n", joined(r.surface.shells));
  out += fmt::format("Pkg managers {}\n", joined(r.surface.package_managers));
  out += fmt::format("Setuid       {}\n", joined(r.surface.setuid));
  out += "Layers\n";
  for (size_t i = 0; i < r.layers.size(); ++i) {
    const auto& l = r.layers[i];
    std::string by = escape_text(l.created_by);
    if (by.size() > 70) by = by.substr(0, 67) + "...";
    out +=
        fmt::format("  {:>2}  {}  {:>9}  {:>6} entries  {}\n", i, l.descriptor.digest.short_str(),
                    human_size(l.descriptor.size), l.entries, by);
  }
  if (!r.warnings.empty()) out += fmt::format("Warnings     {} (see --json)\n", r.warnings.size());
  return out;
}

nlohmann::json compare_json(const std::vector<InspectReport>& reports) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : reports)
    out.push_back({{"reference", r.reference},
                   {"digest", r.digest.str()},
                   {"compressed_size", r.compressed_size},
                   {"uncompressed_size", r.uncompressed_size},
                   {"layers", r.layers.size()},
                   {"os_packages", r.os_package_count()},
                   {"language_packages", r.language_package_count()},
                   {"entries", r.files.entries},
                   {"regular_files", r.files.regular},
                   {"shells", r.surface.shells.size()},
                   {"package_managers", r.surface.package_managers.size()},
                   {"setuid_files", r.surface.setuid.size()},
                   {"user", r.surface.user.empty() ? "root" : r.surface.user}});
  return out;
}

std::string render_compare(const std::vector<InspectReport>& reports) {
  std::vector<std::pair<std::string, std::vector<std::string>>> rows = {{"", {}},
                                                                        {"compressed", {}},
                                                                        {"uncompressed", {}},
                                                                        {"layers", {}},
                                                                        {"OS packages", {}},
                                                                        {"language packages", {}},
                                                                        {"entries", {}},
                                                                        {"regular files", {}},
                                                                        {"shells", {}},
                                                                        {"package managers", {}},
                                                                        {"setuid files", {}},
                                                                        {"user", {}}};
  for (const auto& r : reports) {
    std::vector<std::string> v = {escape_text(r.reference),
                                  human_size(r.compressed_size),
                                  human_size(r.uncompressed_size),
                                  std::to_string(r.layers.size()),
                                  std::to_string(r.os_package_count()),
                                  std::to_string(r.language_package_count()),
                                  std::to_string(r.files.entries),
                                  std::to_string(r.files.regular),
                                  std::to_string(r.surface.shells.size()),
                                  std::to_string(r.surface.package_managers.size()),
                                  std::to_string(r.surface.setuid.size()),
                                  r.surface.user.empty() ? "root" : escape_text(r.surface.user)};
    for (size_t i = 0; i < rows.size(); ++i) rows[i].second.push_back(v[i]);
  }
  size_t label = 0;
  for (const auto& [name, _] : rows) label = std::max(label, name.size());
  std::vector<size_t> widths(reports.size(), 0);
  for (const auto& [_, cells] : rows)
    for (size_t c = 0; c < cells.size(); ++c) widths[c] = std::max(widths[c], cells[c].size());
  std::string out;
  for (const auto& [name, cells] : rows) {
    out += fmt::format("{:<{}}", name, label);
    for (size_t c = 0; c < cells.size(); ++c) out += fmt::format("  {:>{}}", cells[c], widths[c]);
    out += "\n";
  }
  return out;
}

}  // namespace pith::report
