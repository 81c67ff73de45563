#include "lint/rules.h"

#include <array>

namespace pith::lint {

namespace {

constexpr std::array k_rules = {
    Rule{"PL100", Severity::error, "no-command", "the image has no ENTRYPOINT or CMD"},
    Rule{"PL101", Severity::error, "program-missing", "the program to run is not in the image"},
    Rule{"PL102", Severity::error, "program-not-executable",
         "the program is not a regular file with an execute bit"},
    Rule{"PL103", Severity::error, "interpreter-missing",
         "the ELF interpreter (dynamic loader) is not in the image"},
    Rule{"PL104", Severity::error, "library-missing", "a needed shared library is not found"},
    Rule{"PL105", Severity::error, "symbol-version-missing",
         "a library lacks a symbol version the program needs"},
    Rule{"PL106", Severity::error, "wrong-architecture",
         "an ELF file's machine or class is not the image's platform"},
    Rule{"PL107", Severity::error, "unreachable", "the image's user cannot reach a file it runs"},
    Rule{"PL108", Severity::error, "user-unknown", "USER names a user or group the image lacks"},
    Rule{"PL109", Severity::error, "user-not-numeric",
         "USER is a name: runAsNonRoot cannot verify it"},
    Rule{"PL110", Severity::warn, "root-user", "the program runs as root"},
    Rule{"PL111", Severity::error, "ca-bundle-missing",
         "a TLS client with no CA certificates where its library looks"},
    Rule{"PL112", Severity::warn, "zoneinfo-missing",
         "TZ names a time zone and the image has no zoneinfo"},
    Rule{"PL113", Severity::warn, "passwd-missing",
         "a program looks users up and the image has no /etc/passwd"},
    Rule{"PL114", Severity::error, "shell-missing",
         "a shell-form command in an image without /bin/sh"},
    Rule{"PL115", Severity::error, "workdir-not-directory", "WORKDIR is not a directory"},
    Rule{"PL116", Severity::error, "script-interpreter-missing",
         "a script's #! interpreter is not in the image"},
    Rule{"PL117", Severity::warn, "shell-command-missing",
         "a program a shell-form command runs is not in the image"},
    Rule{"PL201", Severity::warn, "shell", "a shell is in the image"},
    Rule{"PL202", Severity::warn, "package-manager", "a package manager is in the image"},
    Rule{"PL203", Severity::warn, "setuid", "a setuid or setgid file"},
    Rule{"PL204", Severity::warn, "world-writable", "a file or directory anyone may write"},
    Rule{"PL205", Severity::warn, "private-key", "a private key is in the image"},
    Rule{"PL206", Severity::warn, "cloud-credentials", "cloud or registry credentials"},
    Rule{"PL207", Severity::warn, "git-directory", "a .git directory is in the image"},
    Rule{"PL208", Severity::warn, "registry-token", "a .npmrc, .pypirc or .netrc with a token"},
    Rule{"PL209", Severity::warn, "secret-env", "an ENV value looks like a secret"},
    Rule{"PL301", Severity::info, "wasted-bytes", "layers hold bytes the final image hides"},
    Rule{"PL302", Severity::info, "unowned-files",
         "files owned by no package in an image with package records"},
};

}  // namespace

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::info:
      return "info";
    case Severity::warn:
      return "warn";
    case Severity::error:
      return "error";
  }
  return "error";
}

std::optional<Severity> parse_severity(std::string_view name) {
  for (Severity s : {Severity::info, Severity::warn, Severity::error})
    if (severity_name(s) == name) return s;
  if (name == "warning") return Severity::warn;
  return std::nullopt;
}

std::span<const Rule> all_rules() {
  return k_rules;
}

const Rule* find_rule(std::string_view id) {
  for (const Rule& r : k_rules)
    if (r.id == id) return &r;
  return nullptr;
}

Finding finding(std::string_view id, std::string path, std::string message) {
  const Rule* rule = find_rule(id);
  return Finding{std::string(id), rule ? rule->severity : Severity::error, std::move(path),
                 std::move(message)};
}

}  // namespace pith::lint
