#include "slim/summary.h"

#include <sys/stat.h>

#include <algorithm>

#include "report/render.h"
#include "util/limits.h"

namespace pith::slim {

namespace {

std::string top_directory(const std::string& path) {
  size_t first = path.find('/', 1);
  if (first == std::string::npos) return "/";
  size_t second = path.find('/', first + 1);
  return second == std::string::npos ? path.substr(0, first) : path.substr(0, second);
}

void count(Tally& t, bool kept, uint64_t bytes) {
  if (kept) {
    ++t.kept_files;
    t.kept_bytes += bytes;
  } else {
    ++t.removed_files;
    t.removed_bytes += bytes;
  }
}

nlohmann::json tally_json(const Tally& t) {
  return {{"kept_files", t.kept_files},
          {"kept_bytes", t.kept_bytes},
          {"removed_files", t.removed_files},
          {"removed_bytes", t.removed_bytes}};
}

void render_rows(std::string& out, const char* title, const std::map<std::string, Tally>& rows,
                 size_t top) {
  std::vector<std::pair<std::string, Tally>> sorted(rows.begin(), rows.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second.removed_bytes > b.second.removed_bytes;
  });
  char line[512];
  std::snprintf(line, sizeof line, "\n%-40s %10s %7s %10s %7s\n", title, "kept", "files", "removed",
                "files");
  out += line;
  for (size_t i = 0; i < sorted.size() && i < top; ++i) {
    const auto& [name, t] = sorted[i];
    std::snprintf(
        line, sizeof line, "%-40.40s %10s %7llu %10s %7llu\n",
        name.empty() ? "(no package)" : name.c_str(), report::human_size(t.kept_bytes).c_str(),
        static_cast<unsigned long long>(t.kept_files), report::human_size(t.removed_bytes).c_str(),
        static_cast<unsigned long long>(t.removed_files));
    out += line;
  }
  if (sorted.size() > top) out += "... " + std::to_string(sorted.size() - top) + " more\n";
}

}  // namespace

Result<std::map<std::string, uint64_t>> regular_files(const RootDir& root) {
  std::map<std::string, uint64_t> out;
  std::vector<std::string> stack{"/"};
  size_t entries = 0;
  while (!stack.empty()) {
    std::string dir = std::move(stack.back());
    stack.pop_back();
    for (const auto& name : TRY(root.list(dir))) {
      if (++entries > k_max_entries)
        return make_error("more than " + std::to_string(k_max_entries) + " entries in the image");
      std::string path = (dir == "/" ? "" : dir) + "/" + name;
      struct stat st = TRY(root.lstat(path));
      if (S_ISDIR(st.st_mode))
        stack.push_back(path);
      else if (S_ISREG(st.st_mode))
        out[path] = static_cast<uint64_t>(st.st_size);
    }
  }
  return out;
}

Summary summarize(const std::map<std::string, uint64_t>& files, const std::set<std::string>& kept,
                  const std::map<std::string, std::string>& owners) {
  Summary s;
  for (const auto& [path, size] : files) {
    bool k = kept.count(path) > 0;
    auto owner = owners.find(path);
    std::string package = owner == owners.end() ? "" : owner->second;
    count(s.total, k, size);
    count(s.by_package[package], k, size);
    count(s.by_directory[top_directory(path)], k, size);
    if (!k) s.removed[path] = package;
  }
  return s;
}

nlohmann::json to_json(const Summary& s) {
  nlohmann::json j;
  j["input"] = s.input;
  j["total"] = tally_json(s.total);
  j["input_layer_bytes"] = s.input_bytes;
  j["output_layer_bytes"] = s.output_bytes;
  auto& packages = j["packages"] = nlohmann::json::object();
  for (const auto& [name, t] : s.by_package)
    packages[name.empty() ? "(none)" : name] = tally_json(t);
  auto& dirs = j["directories"] = nlohmann::json::object();
  for (const auto& [name, t] : s.by_directory) dirs[name] = tally_json(t);
  auto& removed = j["removed"] = nlohmann::json::array();
  for (const auto& [path, package] : s.removed)
    removed.push_back({{"path", path}, {"package", package}});
  j["packages_recorded"] = s.packages_recorded;
  j["kept_because"] = s.reasons;
  j["traced"] = s.traced;
  j["traced_paths"] = s.traced_paths;
  auto& probes = j["http_probes"] = nlohmann::json::array();
  for (const auto& p : s.probes)
    probes.push_back({{"probe", p.probe}, {"status", p.status}, {"bytes", p.bytes}});
  return j;
}

std::string render(const Summary& s, size_t top) {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line,
                "Kept %llu files (%s) of %llu (%s); removed %llu files (%s). Layers: %s -> %s\n",
                static_cast<unsigned long long>(s.total.kept_files),
                report::human_size(s.total.kept_bytes).c_str(),
                static_cast<unsigned long long>(s.total.kept_files + s.total.removed_files),
                report::human_size(s.total.kept_bytes + s.total.removed_bytes).c_str(),
                static_cast<unsigned long long>(s.total.removed_files),
                report::human_size(s.total.removed_bytes).c_str(),
                report::human_size(s.input_bytes).c_str(),
                report::human_size(s.output_bytes).c_str());
  out += line;
  render_rows(out, "PACKAGE", s.by_package, top);
  render_rows(out, "DIRECTORY", s.by_directory, top);
  return out;
}

}  // namespace pith::slim
