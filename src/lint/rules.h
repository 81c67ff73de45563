// The rules `pith lint` applies, by stable ID: PL1xx whether the image's program can start and
// do its job, PL2xx its attack surface, PL3xx hygiene. Each has a page in docs/rules/.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pith::lint {

enum class Severity { info, warn, error };
std::string_view severity_name(Severity s);
std::optional<Severity> parse_severity(std::string_view name);

struct Rule {
  std::string_view id;
  Severity severity;
  std::string_view name;     // kebab-case, as SARIF's rule name
  std::string_view summary;  // one line: what is wrong
};

std::span<const Rule> all_rules();
const Rule* find_rule(std::string_view id);

struct Finding {
  std::string id;
  Severity severity = Severity::error;
  std::string path;     // the file it names ("" for the config)
  std::string message;  // one line
  friend bool operator==(const Finding&, const Finding&) = default;
};

// A finding of rule `id` (its severity from the table).
Finding finding(std::string_view id, std::string path, std::string message);

}  // namespace pith::lint
