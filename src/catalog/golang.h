// Go binaries: the build info the Go linker embeds (Go version, main module, dependencies),
// turned into golang packages the way trivy reports them.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/lang_common.h"
#include "util/result.h"

namespace pith::catalog {

struct GoModule {
  std::string path;
  std::string version;
  std::string sum;
  bool replaced = false;  // a "=>" line followed: the replacement is what was built
  std::string replace_path;
  std::string replace_version;
};

// runtime/debug.BuildInfo, as far as the catalog needs it.
struct GoBuildInfo {
  std::string go_version;  // "go1.22.1 X:loopvar"
  std::string path;        // the main package path ("path" line)
  GoModule main;           // "mod" line; main.path is empty when there is none
  std::vector<GoModule> deps;
  std::vector<std::pair<std::string, std::string>> settings;  // "build" lines, values unquoted
};

// Finds and decodes the build info of an ELF executable in memory: both the inline format of
// Go >= 1.18 and the older one that points at Go string headers in the data segment.
Result<GoBuildInfo> read_go_build_info(std::string_view elf_bytes);

// Parses modinfo text (sentinels already removed), as runtime/debug.ParseBuildInfo does.
Result<GoBuildInfo> parse_go_modinfo(std::string_view modinfo);

// Packages of a Go binary, in trivy's order: the main module (if any; version per
// choose_go_main_version), "stdlib" at the Go version, then dependencies by name and version
// (replacements win, "(devel)" becomes ""). Errors: not ELF, not a Go executable, bad modinfo.
Result<Findings> parse_go_binary(std::string_view bytes, std::string_view location);

// Whether a file may be a Go binary: ELF magic (the path does not matter).
bool looks_like_go_binary(std::string_view path, std::string_view first_bytes);

// Pieces of the main-module version logic, exposed for tests.
std::string go_stdlib_version(std::string_view go_version);  // "go1.22.1 X:foo" -> "v1.22.1"
bool is_go_semver(std::string_view v);                       // golang.org/x/mod/semver.IsValid
bool is_go_pseudo_version(std::string_view v);               // module.IsPseudoVersion
std::vector<std::string> split_shell_words(std::string_view s);
// The version set by -X flags (trivy's ParseLDFlags); "" when none or ambiguous.
std::string go_ldflags_version(std::string_view module, const std::vector<std::string>& flags);
// Picks a version among -X style (key, value) pairs by trivy's tiers: keys under
// <module>/cmd/, then keys whose last element starts main/common/version/cmd, then any other;
// only keys ending ".version"/".ver" with semver values count; "" when a tier is ambiguous.
std::string go_pick_version(std::string_view module,
                            const std::vector<std::pair<std::string, std::string>>& key_values);
// The version stamped into `<key>.str` symbols of an unstripped ELF (trivy's fallback when
// -trimpath hid -ldflags); "" when none or ambiguous.
std::string go_elf_symbol_version(std::string_view elf_bytes, std::string_view module);
std::string choose_go_main_version(std::string_view version, std::string_view ldflags_version,
                                   std::string_view elf_version);

}  // namespace pith::catalog
