#include "lint/output.h"

#include <map>

#include "util/escape.h"

namespace pith::lint {

namespace {

std::string counts(const std::vector<Finding>& findings) {
  std::map<Severity, size_t> n;
  for (const auto& f : findings) ++n[f.severity];
  auto part = [&](Severity s, const char* one, const char* many) {
    return std::to_string(n[s]) + " " + (n[s] == 1 ? one : many);
  };
  return part(Severity::error, "error", "errors") + ", " +
         part(Severity::warn, "warning", "warnings") + ", " + part(Severity::info, "note", "notes");
}

// SARIF's level for a severity.
std::string_view sarif_level(Severity s) {
  switch (s) {
    case Severity::error:
      return "error";
    case Severity::warn:
      return "warning";
    case Severity::info:
      return "note";
  }
  return "error";
}

}  // namespace

std::string render_text(const LintReport& r) {
  std::string out;
  for (const auto& f : r.findings)
    out +=
        std::string(severity_name(f.severity)) + " " + f.id + " " + escape_text(f.message) + "\n";
  out += escape_text(r.image.reference) + ": " + counts(r.findings) + "\n";
  return out;
}

nlohmann::json to_json(const LintReport& r) {
  nlohmann::json findings = nlohmann::json::array();
  std::map<Severity, size_t> n;
  for (const auto& f : r.findings) {
    ++n[f.severity];
    findings.push_back({{"id", f.id},
                        {"severity", severity_name(f.severity)},
                        {"path", f.path},
                        {"message", f.message}});
  }
  return {
      {"reference", r.image.reference},
      {"digest", r.image.digest.str()},
      {"findings", findings},
      {"summary",
       {{"error", n[Severity::error]}, {"warn", n[Severity::warn]}, {"info", n[Severity::info]}}}};
}

nlohmann::json to_sarif(const LintReport& r) {
  nlohmann::json rules = nlohmann::json::array();
  std::map<std::string, size_t> index;
  for (const Rule& rule : all_rules()) {
    index[std::string(rule.id)] = rules.size();
    rules.push_back({{"id", rule.id},
                     {"name", rule.name},
                     {"shortDescription", {{"text", rule.summary}}},
                     {"help", {{"text", "docs/rules/" + std::string(rule.id) + ".md"}}},
                     {"defaultConfiguration", {{"level", sarif_level(rule.severity)}}}});
  }
  nlohmann::json results = nlohmann::json::array();
  for (const auto& f : r.findings) {
    nlohmann::json result = {{"ruleId", f.id},
                             {"ruleIndex", index[f.id]},
                             {"level", sarif_level(f.severity)},
                             {"message", {{"text", f.message}}}};
    // The file inside the image, relative to its root (SARIF's uri is a URI reference).
    std::string uri = f.path.empty() ? "image-config.json" : f.path.substr(1);
    result["locations"] = {{{"physicalLocation", {{"artifactLocation", {{"uri", uri}}}}}}};
    results.push_back(std::move(result));
  }
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs",
           {{{"tool", {{"driver", {{"name", "pith"}, {"rules", rules}}}}},
             {"results", results},
             {"properties", {{"image", r.image.reference}, {"digest", r.image.digest.str()}}}}}}};
}

}  // namespace pith::lint
