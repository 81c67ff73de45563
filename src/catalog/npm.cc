// package.json of installed npm packages, parsed with nlohmann::json without exceptions.
#include "catalog/npm.h"

#include <nlohmann/json.hpp>

namespace pith::catalog {
namespace {

using nlohmann::json;

std::string string_field(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "MIT", {"type": "MIT", "url": ...}, or legacy [{"type": ...}, "ISC"].
std::string license_of(const json& pkg) {
  auto one = [](const json& v) -> std::string {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_object()) return string_field(v, "type");
    return {};
  };
  if (auto it = pkg.find("license"); it != pkg.end()) {
    std::string l = one(*it);
    if (!l.empty()) return l;
  }
  std::string joined;
  if (auto it = pkg.find("licenses"); it != pkg.end() && it->is_array()) {
    for (const json& v : *it) {
      std::string l = one(v);
      if (!l.empty()) joined += (joined.empty() ? "" : " OR ") + l;
    }
  }
  return joined;
}

}  // namespace

std::string npm_purl(std::string_view original_name, std::string_view version) {
  // purl-spec's npm type normalises scope and name to lower case (old packages such as
  // JSONStream have capitals), as trivy writes them.
  std::string lower = ascii_lower(original_name);
  std::string_view name = lower;
  if (name.starts_with('@')) {
    size_t slash = name.find('/');
    if (slash != std::string_view::npos)
      return make_purl("npm", name.substr(0, slash), name.substr(slash + 1), version);
  }
  return make_purl("npm", "", name, version);
}

bool looks_like_npm_package_json(std::string_view path, std::string_view /*first_bytes*/) {
  if (base_name(path) != "package.json") return false;
  // Walk up: <...>/node_modules/<name>/package.json or <...>/node_modules/@scope/<name>/...
  std::string_view dir = path.substr(0, path.size() - std::string_view("package.json").size());
  if (!dir.ends_with('/')) return false;
  dir.remove_suffix(1);
  size_t slash = dir.rfind('/');
  if (slash == std::string_view::npos) return false;
  std::string_view name = dir.substr(slash + 1);
  dir = dir.substr(0, slash);
  if (name.empty() || name.starts_with('.') || name.starts_with('@')) return false;
  std::string_view parent = base_name(dir);
  if (parent.starts_with('@') && parent.size() > 1) {
    dir = dir.substr(0, dir.size() - parent.size());
    if (dir.ends_with('/')) dir.remove_suffix(1);
    parent = base_name(dir);
  }
  return parent == "node_modules";
}

Result<Findings> parse_npm_package_json(std::string_view bytes, std::string_view location) {
  Findings out;
  if (!looks_like_npm_package_json(location, bytes)) return out;
  json pkg = json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  if (pkg.is_discarded()) return make_error("package.json is not valid JSON");
  if (!pkg.is_object()) return make_error("package.json is not a JSON object");
  Package p;
  p.type = PackageType::npm;
  p.name = string_field(pkg, "name");
  p.version = string_field(pkg, "version");
  if (p.name.empty() || p.version.empty())
    return make_error("package.json without name or version");
  p.license = license_of(pkg);
  p.purl = npm_purl(p.name, p.version);
  p.location = std::string(location);
  out.packages.push_back(std::move(p));
  return out;
}

}  // namespace pith::catalog
