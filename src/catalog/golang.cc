// Go binary packages, and the main-module version heuristics trivy applies: a real semver from
// `go install` wins, then a version set with -ldflags -X, then one stamped in ELF symbols.
#include "catalog/golang.h"

#include <algorithm>
#include <tuple>

#include "elf/file.h"

namespace pith::catalog {
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
bool is_ident(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
  });
}
// Dot-separated identifiers; numeric ones without leading zeros when `strict_numbers`.
bool dotted_idents(std::string_view s, bool strict_numbers) {
  for (;;) {
    size_t dot = s.find('.');
    std::string_view id = s.substr(0, dot);
    if (!is_ident(id)) return false;
    if (strict_numbers && all_digits(id) && id.size() > 1 && id[0] == '0') return false;
    if (dot == std::string_view::npos) return true;
    s.remove_prefix(dot + 1);
  }
}
// A decimal without leading zeros at the front of `s`; consumed on success.
bool take_number(std::string_view& s) {
  size_t n = 0;
  while (n < s.size() && s[n] >= '0' && s[n] <= '9') ++n;
  if (n == 0 || (n > 1 && s[0] == '0')) return false;
  s.remove_prefix(n);
  return true;
}

}  // namespace

bool is_go_semver(std::string_view v) {
  if (!v.starts_with('v')) return false;
  v.remove_prefix(1);
  if (!take_number(v)) return false;
  if (v.empty()) return true;  // "v1" is shorthand for v1.0.0
  if (!v.starts_with('.')) return false;
  v.remove_prefix(1);
  if (!take_number(v)) return false;
  if (v.empty()) return true;
  if (!v.starts_with('.')) return false;
  v.remove_prefix(1);
  if (!take_number(v)) return false;
  size_t plus = v.find('+');
  std::string_view pre = v.substr(0, plus);
  if (!pre.empty() && (!pre.starts_with('-') || !dotted_idents(pre.substr(1), true))) return false;
  if (plus != std::string_view::npos && !dotted_idents(v.substr(plus + 1), false)) return false;
  return true;
}

bool is_go_pseudo_version(std::string_view v) {
  if (std::count(v.begin(), v.end(), '-') < 2 || !is_go_semver(v)) return false;
  v = v.substr(0, v.find('+'));
  // ...<14-digit UTC time>-<revision>, after "vX.0.0-", "vX.Y.Z-0." or "vX.Y.Z-pre.0.".
  size_t dash = v.rfind('-');
  std::string_view rev = v.substr(dash + 1);
  if (dash < 14 || !is_ident(rev) || rev.find('-') != std::string_view::npos) return false;
  std::string_view time = v.substr(dash - 14, 14);
  if (!all_digits(time)) return false;
  std::string_view prefix = v.substr(0, dash - 14);  // "v1.2.3-pre.0." or "v0.0.0-"
  std::string_view rest = prefix.substr(1);
  if (!take_number(rest) || !rest.starts_with('.')) return false;
  if (rest.substr(1) == "0.0-") return true;
  rest.remove_prefix(1);
  if (!take_number(rest) || !rest.starts_with('.')) return false;
  rest.remove_prefix(1);
  if (!take_number(rest) || !rest.starts_with('-')) return false;
  rest.remove_prefix(1);
  return rest == "0." || rest.ends_with(".0.");
}

std::string go_stdlib_version(std::string_view go_version) {
  std::string_view v = go_version;
  if (v.starts_with("go")) v.remove_prefix(2);
  v = v.substr(0, v.find(' '));    // a vendor suffix or " X:exp" (Go <= 1.25)
  v = v.substr(0, v.find("-X:"));  // the experiments list of Go >= 1.26
  return "v" + std::string(v);
}

std::string choose_go_main_version(std::string_view version, std::string_view ldflags_version,
                                   std::string_view elf_version) {
  if (!version.empty() && !is_go_pseudo_version(version)) return std::string(version);
  if (!ldflags_version.empty()) return std::string(ldflags_version);
  if (!elf_version.empty()) return std::string(elf_version);
  return std::string(version);
}

std::string go_elf_symbol_version(std::string_view elf_bytes, std::string_view module) {
  auto elf = elf::File::parse(elf_bytes);
  if (!elf) return {};
  auto symbols = elf->symbols();
  if (!symbols) return {};
  std::vector<std::pair<std::string, std::string>> found;
  for (const elf::Symbol& sym : *symbols) {
    if (!sym.name.ends_with(".str") || sym.size == 0) continue;
    std::string_view key = sym.name.substr(0, sym.name.size() - 4);
    if (sym.section_index >= elf->sections().size()) continue;
    const elf::Section& sec = elf->sections()[sym.section_index];
    if (sym.value < sec.addr) continue;
    auto data = elf->section_data(sec);
    if (!data || sec.type == elf::k_sht_nobits ||
        !in_bounds(sym.value - sec.addr, sym.size, data->size()))
      continue;
    std::string_view value = data->substr(sym.value - sec.addr, sym.size);
    while (!value.empty() && value.back() == '\0') value.remove_suffix(1);
    if (!value.empty()) found.emplace_back(key, value);
  }
  return go_pick_version(module, found);
}

Result<Findings> parse_go_binary(std::string_view bytes, std::string_view location) {
  GoBuildInfo bi = TRY(read_go_build_info(bytes));
  auto make = [&](std::string name, std::string version) {
    Package p;
    p.type = PackageType::golang;
    // Local replacement paths ("./x", "../x") name no fetchable module, so no purl.
    if (!name.starts_with("./") && !name.starts_with("../")) {
      std::string lower = ascii_lower(name);  // as trivy: golang purls are lowercased
      size_t slash = lower.rfind('/');
      p.purl = slash == std::string::npos
                   ? make_purl("golang", "", lower, version)
                   : make_purl("golang", lower.substr(0, slash), lower.substr(slash + 1), version);
    }
    p.name = std::move(name);
    p.version = std::move(version);
    p.location = std::string(location);
    return p;
  };
  auto devel = [](const std::string& v) { return v == "(devel)" ? std::string() : v; };

  Findings out;
  std::vector<Package> deps;
  for (const GoModule& dep : bi.deps) {
    if (dep.path.empty()) continue;  // old toolchains list the main module as {"", "(devel)"}
    deps.push_back(dep.replaced ? make(dep.replace_path, devel(dep.replace_version))
                                : make(dep.path, devel(dep.version)));
  }
  std::sort(deps.begin(), deps.end(), [](const Package& a, const Package& b) {
    return std::tie(a.name, a.version) < std::tie(b.name, b.version);
  });
  if (!bi.main.path.empty()) {
    std::string ldflags_version;
    for (const auto& [key, value] : bi.settings)
      if (key == "-ldflags") {
        ldflags_version = go_ldflags_version(bi.main.path, split_shell_words(value));
        break;
      }
    std::string version = devel(bi.main.version);
    // The symbol table is read only when the build info has no real version.
    if (version.empty() || is_go_pseudo_version(version))
      version = choose_go_main_version(version, ldflags_version,
                                       go_elf_symbol_version(bytes, bi.main.path));
    out.packages.push_back(make(bi.main.path, std::move(version)));
  }
  out.packages.push_back(make("stdlib", go_stdlib_version(bi.go_version)));
  for (Package& p : deps) out.packages.push_back(std::move(p));
  return out;
}

bool looks_like_go_binary(std::string_view /*path*/, std::string_view first_bytes) {
  return elf::has_elf_magic(first_bytes);
}

}  // namespace pith::catalog
