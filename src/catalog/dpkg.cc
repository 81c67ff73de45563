// dpkg status stanzas to Packages: which stanzas count as installed, and the checks that keep
// a damaged stanza out of the catalog.
#include "catalog/dpkg.h"

#include <algorithm>
#include <climits>
#include <functional>

#include "catalog/control_fields.h"
#include "catalog/db_text.h"
#include "catalog/os_purl.h"
#include "catalog/relations.h"

namespace pith::catalog {
namespace {

enum class MissingStatus { installed, not_installed };

bool is_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// dpkg's pkg_name_is_illegal: an alphanumeric first, then alphanumerics and "-+._".
bool valid_package_name(std::string_view name) {
  if (name.empty() || !is_alnum(name.front())) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return is_alnum(c) || c == '-' || c == '+' || c == '.' || c == '_';
  });
}

// deb-version(7): [epoch:]upstream[-revision]. Returns the problem, or "" when valid. Stricter
// than dpkg's lax status reader on characters: a version that cannot be compared is useless to
// vulnerability matching, and trivy drops such packages as well.
std::string version_problem(std::string_view v) {
  if (v.empty()) return "empty version";
  std::string_view rest = v;
  size_t colon = v.find(':');
  if (colon != std::string_view::npos) {
    auto epoch = db_text::parse_u64(v.substr(0, colon));
    if (!epoch) return "epoch is not a number";
    if (*epoch > INT_MAX) return "epoch too big";
    rest = v.substr(colon + 1);
    if (rest.empty()) return "nothing after the epoch";
  }
  size_t dash = rest.rfind('-');
  std::string_view upstream = rest.substr(0, dash);
  if (upstream.empty()) return "empty upstream version";
  for (char c : upstream) {
    if (!is_alnum(c) && c != '.' && c != '+' && c != '~' && c != '-' && c != ':') {
      return "invalid character in upstream version";
    }
  }
  if (dash != std::string_view::npos) {
    std::string_view revision = rest.substr(dash + 1);
    if (revision.empty()) return "empty revision";
    for (char c : revision) {
      if (!is_alnum(c) && c != '.' && c != '+' && c != '~') {
        return "invalid character in revision";
      }
    }
  }
  return "";
}

bool printable_token(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Installed-Size: dpkg writes KiB as a bare number. Some generators of distroless status.d
// files write units ("4KB"); those are honoured as syft does (kB = 1000, KiB = 1024).
std::optional<uint64_t> parse_installed_size(std::string_view s) {
  size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  auto number = db_text::parse_u64(s.substr(0, digits));
  if (!number) return std::nullopt;
  std::string unit;
  for (char c : db_text::trim(s.substr(digits))) unit += lower(c);
  uint64_t factor = 0;
  if (unit.empty() || unit == "kib") {
    factor = 1024;
  } else if (unit == "b") {
    factor = 1;
  } else if (unit == "k" || unit == "kb") {
    factor = 1000;
  } else if (unit == "m" || unit == "mb") {
    factor = 1000 * 1000;
  } else if (unit == "mib") {
    factor = 1024 * 1024;
  } else if (unit == "g" || unit == "gb") {
    factor = 1000 * 1000 * 1000;
  } else if (unit == "gib") {
    factor = 1024 * 1024 * 1024;
  } else {
    return std::nullopt;
  }
  uint64_t bytes = 0;
  if (__builtin_mul_overflow(*number, factor, &bytes)) return std::nullopt;
  return bytes;
}

// "Source: name (version)": the name only; a source version leaves Package.version alone.
std::string_view source_name(std::string_view source) {
  size_t end = source.find_first_of(" \t(");
  return db_text::trim(source.substr(0, end));
}

// Conffiles lines are " <path> <md5> [obsolete|remove-on-upgrade]" (the first line is empty).
std::vector<std::string> conffile_paths(std::string_view value) {
  std::vector<std::string> paths;
  std::string_view line;
  while (db_text::next_line(value, line)) {
    line = db_text::trim(line);
    std::string_view path = line.substr(0, line.find_first_of(" \t"));
    if (path.size() > 1 && path.front() == '/') paths.emplace_back(path);
  }
  return paths;
}

enum class Verdict { package, not_installed, skipped };

// One stanza to a Package; `why` gets the reason a stanza is skipped.
Verdict to_package(const control::Stanza& s, std::string_view location, const OsContext& os,
                   MissingStatus missing_status, Package& p, std::string& why) {
  if (auto status = s.get("Status")) {
    std::vector<std::string_view> words;
    std::string_view rest = *status;
    while (!rest.empty() && words.size() < 4) {
      size_t end = rest.find_first_of(" \t");
      words.push_back(rest.substr(0, end));
      rest = db_text::trim(end == std::string_view::npos ? std::string_view{} : rest.substr(end));
    }
    if (words.size() != 3) {
      why = "Status is not three words: " + db_text::quote(*status);
      return Verdict::skipped;
    }
    if (words[2] != "installed") return Verdict::not_installed;
  } else if (missing_status == MissingStatus::not_installed) {
    return Verdict::not_installed;
  }

  std::string_view name = s.get("Package").value_or("");
  if (name.empty()) {
    why = "no Package";
    return Verdict::skipped;
  }
  if (!valid_package_name(name)) {
    why = "invalid package name " + db_text::quote(name);
    return Verdict::skipped;
  }
  std::string_view version = s.get("Version").value_or("");
  if (version.empty()) {
    why = "package " + std::string(name) + ": no Version";
    return Verdict::skipped;
  }
  if (std::string problem = version_problem(version); !problem.empty()) {
    why = "package " + std::string(name) + ": " + problem + " in " + db_text::quote(version);
    return Verdict::skipped;
  }
  std::string_view arch = s.get("Architecture").value_or("");
  if (!printable_token(arch)) {
    why = "package " + std::string(name) + ": invalid Architecture " + db_text::quote(arch);
    return Verdict::skipped;
  }

  p = Package{};
  p.type = PackageType::deb;
  p.name = name;
  p.version = version;
  p.arch = arch;
  if (auto source = s.get("Source")) p.source_package = source_name(*source);
  if (auto size = s.get("Installed-Size")) {
    // A bad size costs the size, not the package.
    if (auto bytes = parse_installed_size(*size)) {
      p.installed_size = *bytes;
    } else {
      why = "package " + p.name + ": Installed-Size is no size: " + db_text::quote(*size);
    }
  }
  p.location = location;
  // trivy's form: the epoch as a qualifier, the version without it.
  auto [epoch, bare_version] = split_deb_epoch(p.version);
  p.purl = os_package_purl(PackageType::deb, p.name, bare_version, epoch, p.arch, os);
  if (auto conffiles = s.raw("Conffiles")) p.files = conffile_paths(*conffiles);
  for (const char* field : {"Pre-Depends", "Depends"})
    if (auto deps = s.get(field))
      for (auto& d : parse_dpkg_depends(*deps)) p.depends.push_back(std::move(d));
  if (auto provides = s.get("Provides")) p.provides = parse_dpkg_provides(*provides);
  return Verdict::package;
}

// Hands each installed package, with the stanza it came from, to `keep`.
using KeepStanza = std::function<void(Package&&, const control::Stanza&)>;

Result<void> parse_stanzas(std::string_view bytes, std::string_view location, const OsContext& os,
                           MissingStatus missing_status, std::vector<Warning>* warnings,
                           const KeepStanza& keep, const StanzaFilter& wanted = {}) {
  db_text::Warnings warn(warnings, location);
  size_t malformed = 0;
  size_t well_formed = 0;
  for (const control::Stanza& s : control::split_stanzas(bytes)) {
    if (!s.problem.empty()) {
      ++malformed;
      warn.add("stanza at line " + std::to_string(s.line) + " skipped: " + s.problem);
      continue;
    }
    ++well_formed;
    if (wanted && !wanted(s.get("Package").value_or(""), s.get("Architecture").value_or("")))
      continue;
    Package p;
    std::string why;
    Verdict v = to_package(s, location, os, missing_status, p, why);
    if (v == Verdict::skipped) {
      warn.add("stanza at line " + std::to_string(s.line) + " skipped: " + why);
    } else if (v == Verdict::package) {
      if (!why.empty()) warn.add(why);
      keep(std::move(p), s);
    }
  }
  warn.finish();
  if (well_formed == 0 && malformed > 0) {
    return make_error(std::string(location) + ": not a dpkg status file (" +
                      std::to_string(malformed) + " malformed stanzas, none readable)");
  }
  return {};
}

Result<std::vector<Package>> parse_packages(std::string_view bytes, std::string_view location,
                                            const OsContext& os, MissingStatus missing_status,
                                            std::vector<Warning>* warnings) {
  std::vector<Package> packages;
  TRY(parse_stanzas(
      bytes, location, os, missing_status, warnings,
      [&](Package&& p, const control::Stanza&) { packages.push_back(std::move(p)); }));
  return packages;
}

}  // namespace

bool is_dpkg_status_d_control_file(std::string_view name) {
  // The control files dpkg keeps in its info directory, by the suffix it gives them.
  for (std::string_view suffix :
       {".md5sums", ".preinst", ".postinst", ".prerm", ".postrm", ".conffiles", ".list", ".shlibs",
        ".symbols", ".triggers", ".templates", ".config"})
    if (name.size() > suffix.size() && name.ends_with(suffix)) return true;
  return false;
}

Result<std::vector<Package>> parse_dpkg_status(std::string_view bytes, std::string_view location,
                                               const OsContext& os,
                                               std::vector<Warning>* warnings) {
  return parse_packages(bytes, location, os, MissingStatus::not_installed, warnings);
}

Result<std::vector<Package>> parse_dpkg_status_d(std::string_view bytes, std::string_view location,
                                                 const OsContext& os,
                                                 std::vector<Warning>* warnings) {
  return parse_packages(bytes, location, os, MissingStatus::installed, warnings);
}

Result<std::vector<DpkgStanza>> parse_dpkg_status_stanzas(std::string_view bytes,
                                                          std::string_view location,
                                                          const OsContext& os,
                                                          std::vector<Warning>* warnings,
                                                          const StanzaFilter& wanted) {
  std::vector<DpkgStanza> stanzas;
  TRY(parse_stanzas(
      bytes, location, os, MissingStatus::not_installed, warnings,
      [&](Package&& p, const control::Stanza& s) {
        DpkgStanza& out = stanzas.emplace_back();
        out.package = std::move(p);
        for (const control::Field& f : s.fields) {
          out.fields.push_back({std::string(f.name), std::string(f.value)});
        }
      },
      wanted));
  return stanzas;
}

}  // namespace pith::catalog
