#include "lint/surface.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <unordered_map>

#include "lint/owners.h"
#include "util/ascii.h"

namespace pith::lint {

namespace {

constexpr std::string_view k_secret_words[] = {"PASSWORD",   "PASSWD",      "SECRET",
                                               "TOKEN",      "API_KEY",     "APIKEY",
                                               "ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL"};
// Names that carry the word but, by convention, hold no secret.
constexpr std::string_view k_reference_suffixes[] = {"_FILE", "_PATH", "_DIR",     "_URL", "_HOST",
                                                     "_USER", "_NAME", "_VERSION", "_TYPE"};
constexpr std::string_view k_placeholders[] = {"changeme", "change-me", "xxx",  "none",
                                               "null",     "false",     "true", "example",
                                               "secret",   "password"};

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string base_name(const std::string& path) {
  return path.substr(path.rfind('/') + 1);
}

bool has(std::string_view text, std::string_view what) {
  return text.find(what) != std::string_view::npos;
}

}  // namespace

bool looks_like_secret(std::string_view entry) {
  size_t eq = entry.find('=');
  if (eq == std::string_view::npos) return false;
  std::string name = upper(entry.substr(0, eq));
  std::string_view value = entry.substr(eq + 1);
  if (std::none_of(std::begin(k_secret_words), std::end(k_secret_words),
                   [&](std::string_view w) { return has(name, w); }))
    return false;
  for (std::string_view s : k_reference_suffixes)
    if (name.ends_with(s)) return false;
  if (value.size() < 4 || value.starts_with('/') || value.starts_with('$')) return false;
  if (has(value, "://") && !has(value, "@")) return false;
  for (std::string_view p : k_placeholders)
    if (ascii_lower(value) == p) return false;
  return true;
}

std::vector<Finding> check_surface(const report::InspectReport& report, const ImageView& image) {
  std::vector<Finding> out;
  const report::Surface& s = report.surface;
  for (const auto& p : s.shells)
    out.push_back(finding("PL201", p, p + ": a shell (an attacker's first tool)"));
  for (const auto& p : s.package_managers)
    out.push_back(finding("PL202", p, p + ": a package manager"));
  for (const auto& p : s.setuid) out.push_back(finding("PL203", p, p + ": setuid or setgid"));
  for (const auto& p : s.world_writable)
    out.push_back(finding("PL204", p, p + ": writable by every user"));
  image.tree().for_each([&](const std::string& path, const fs::Node& node) {
    std::string abs = "/" + path;
    std::string name = base_name(path);
    if (node.entry.type == tar::EntryType::directory && name == ".git") {
      out.push_back(finding("PL207", abs,
                            abs + ": a git repository (history, remotes, maybe "
                                  "credentials)"));
      return;
    }
    if (node.entry.type != tar::EntryType::regular || !is_secret_file(path)) return;
    auto bytes = image.file(abs);
    if (!bytes) return;
    if (has(*bytes, "PRIVATE KEY-----") || has(*bytes, "BEGIN OPENSSH PRIVATE KEY"))
      out.push_back(finding("PL205", abs, abs + ": a private key"));
    else if (path.ends_with(".aws/credentials") && has(*bytes, "aws_secret_access_key"))
      out.push_back(finding("PL206", abs, abs + ": AWS credentials"));
    else if (path.ends_with(".docker/config.json") && has(*bytes, "\"auth\""))
      out.push_back(finding("PL206", abs, abs + ": registry credentials"));
    else if ((name == ".npmrc" && has(*bytes, "_authToken")) ||
             (name == ".pypirc" && has(*bytes, "password")) ||
             (name == ".netrc" && has(*bytes, "password")))
      out.push_back(finding("PL208", abs, abs + ": a package registry token or password"));
  });
  for (const auto& e : report.config.env)
    if (looks_like_secret(e))
      out.push_back(finding("PL209", "",
                            "ENV " + e.substr(0, e.find('=')) +
                                ": its value looks like a secret (image configs "
                                "are public to whoever pulls the image)"));
  return out;
}

namespace {

// Package-manager state and caches: owned by no package by design.
constexpr std::string_view k_unowned_by_design[] = {
    "/var/lib/dpkg/", "/var/lib/apt/",          "/var/cache/",  "/var/log/",
    "/var/lib/rpm/",  "/usr/lib/sysimage/rpm/", "/lib/apk/db/", "/etc/apk/"};

}  // namespace

std::vector<Finding> check_hygiene(const report::InspectReport& report, const ImageView& image) {
  std::vector<Finding> out;
  if (report.os_package_count() > 0) {
    Owners owned = package_owners(report, image);
    uint64_t files = 0, bytes = 0;
    std::vector<std::string> examples;
    image.tree().for_each([&](const std::string& path, const fs::Node& node) {
      // Every name of a file counts (dpkg lists each hard link); its bytes once.
      if (node.entry.type != tar::EntryType::regular && node.entry.type != tar::EntryType::hardlink)
        return;
      std::string abs = "/" + path;
      for (std::string_view prefix : k_unowned_by_design)
        if (abs.starts_with(prefix)) return;
      if (owned.contains(path)) return;
      ++files;
      bytes += node.entry.size;
      if (examples.size() < 3) examples.push_back(abs);
    });
    if (files > 0) {
      std::string list;
      for (const auto& e : examples) list += (list.empty() ? "" : ", ") + e;
      out.push_back(finding("PL302", "",
                            std::to_string(files) + " files (" + std::to_string(bytes) +
                                " bytes) are owned by no package, e.g. " + list +
                                ": scanners that read package records do not see "
                                "them"));
    }
  }
  uint64_t wasted = report.efficiency.reclaimable_bytes;
  if (wasted > k_wasted_bytes_reported && wasted * 10 > report.content_size)
    out.push_back(finding("PL301", "",
                          std::to_string(wasted) +
                              " bytes in the layers are overwritten or deleted by "
                              "later layers (squash them, or clean up in the same "
                              "step)"));
  return out;
}

}  // namespace pith::lint
