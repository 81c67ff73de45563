// RUN --mount values: go-csvvalue's fields, BuildKit's parseMount checks and messages,
// dispatchRunMounts' target and cache id, dispatchSecret's id and file.
#include "dockerfile/run_mount.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "dockerfile/go_path.h"
#include "util/ascii.h"

namespace pith::dockerfile {

namespace {

// encoding/csv's ParseError text for one line.
Error csv_error(size_t pos, std::string_view cause) {
  return make_error("failed to parse csv mounts: parse error on line 1, column " +
                    std::to_string(pos + 1) + ": " + std::string(cause));
}

constexpr std::string_view k_bare_quote = "bare \" in non-quoted-field";
constexpr std::string_view k_extraneous_quote = "extraneous or missing \" in quoted-field";

// csvvalue.Fields with the default parser (comma, strict quotes): one record.
Result<std::vector<std::string>> csv_fields(std::string_view line) {
  if (!line.empty() && line.back() == '\n') {
    line.remove_suffix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  }
  if (line.empty()) return make_error("failed to parse csv mounts: EOF");
  std::vector<std::string> fields;
  size_t pos = 0;
  for (;;) {
    if (line.empty() || line[0] != '"') {
      size_t comma = line.find(',');
      std::string_view field = line.substr(0, comma);
      if (size_t quote = field.find('"'); quote != std::string_view::npos)
        return csv_error(pos + quote, k_bare_quote);
      fields.emplace_back(field);
      if (comma == std::string_view::npos) break;
      line.remove_prefix(comma + 1);
      pos += comma + 1;
      continue;
    }
    // A quoted field: "" is a quote; the closing quote ends the line or precedes a comma.
    line.remove_prefix(1);
    pos += 1;
    fields.emplace_back();
    bool next_field = false;
    while (!next_field) {
      size_t quote = line.find('"');
      if (quote == std::string_view::npos) return csv_error(pos, k_extraneous_quote);
      fields.back() += line.substr(0, quote);
      line.remove_prefix(quote + 1);
      pos += quote + 1;
      if (!line.empty() && line[0] == '"') {
        fields.back() += '"';
        line.remove_prefix(1);
        pos += 1;
      } else if (!line.empty() && line[0] == ',') {
        line.remove_prefix(1);
        pos += 1;
        next_field = true;
      } else if (line.empty()) {
        return fields;
      } else {
        return csv_error(pos - 1, k_extraneous_quote);
      }
    }
  }
  return fields;
}

// agext/levenshtein's Distance with unit costs (on bytes: keys and types are ASCII).
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// BuildKit's suggest.WrapError (case-sensitive): the closest option under distance 3 appended
// as " (did you mean X?)"; none when the value is itself an option.
template <size_t N>
Error suggest(std::string message, std::string_view value,
              const std::array<std::string_view, N>& options) {
  std::string_view match;
  size_t best = 3;
  for (auto option : options) {
    if (value == option) return make_error(std::move(message));
    size_t d = edit_distance(value, option);
    if (d < best) {
      best = d;
      match = option;
    }
  }
  if (!match.empty()) message += " (did you mean " + std::string(match) + "?)";
  return make_error(std::move(message));
}

constexpr std::array<std::string_view, 5> k_types = {"bind", "cache", "tmpfs", "secret", "ssh"};
constexpr std::array<std::string_view, 3> k_sharing = {"shared", "private", "locked"};
constexpr std::array<std::string_view, 19> k_keys = {
    "type", "from", "source", "target", "readonly",    "id", "sharing", "required",  "size", "mode",
    "uid",  "gid",  "src",    "dst",    "destination", "ro", "rw",      "readwrite", "env"};

// strconv.ParseBool.
std::optional<bool> parse_bool(std::string_view s) {
  for (std::string_view t : {"1", "t", "T", "TRUE", "true", "True"})
    if (s == t) return true;
  for (std::string_view f : {"0", "f", "F", "FALSE", "false", "False"})
    if (s == f) return false;
  return std::nullopt;
}

// strconv.ParseUint(s, base, 32) for base 8 or 10: digits only, no sign, prefix or '_'.
std::optional<uint32_t> parse_uint32(std::string_view s, unsigned base) {
  if (s.empty()) return std::nullopt;
  uint64_t value = 0;
  for (char c : s) {
    if (c < '0' || c >= static_cast<char>('0' + base)) return std::nullopt;
    value = value * base + static_cast<unsigned>(c - '0');
    if (value > UINT32_MAX) return std::nullopt;
  }
  return static_cast<uint32_t>(value);
}

// strconv.ParseFloat for decimal text: [+-] digits [. digits] [e [+-] digits] (hex floats,
// "inf" and "nan" are not sizes anyone writes).
std::optional<double> parse_decimal(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t digits = 0;
  auto skip_digits = [&] {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  digits += skip_digits();
  if (i < s.size() && s[i] == '.') {
    ++i;
    digits += skip_digits();
  }
  if (digits == 0) return std::nullopt;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (skip_digits() == 0) return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  return std::strtod(std::string(s).c_str(), nullptr);
}

// docker/go-units v0.5.0 RAMInBytes: a number, an optional space, then b, or k/m/g/t/p
// (powers of 1024) with an optional "b" or "ib", case-insensitive. Sizes past int64 (which
// Go's conversion makes negative) are refused.
std::optional<int64_t> ram_in_bytes(std::string_view text) {
  size_t sep = text.find_last_of("0123456789. ");
  if (sep == std::string_view::npos) return std::nullopt;
  std::string_view number = text.substr(0, text[sep] == ' ' ? sep : sep + 1);
  std::string suffix = ascii_lower(text.substr(sep + 1));
  auto size = parse_decimal(number);
  if (!size || *size < 0) return std::nullopt;
  if (!suffix.empty() && suffix != "b") {
    if (suffix.size() > 3) return std::nullopt;
    static constexpr std::string_view k_units = "kmgtp";
    size_t power = k_units.find(suffix[0]);
    if (power == std::string_view::npos) return std::nullopt;
    if (suffix.size() == 2 && suffix[1] != 'b') return std::nullopt;
    if (suffix.size() == 3 && suffix.substr(1) != "ib") return std::nullopt;
    *size *= std::pow(1024.0, static_cast<double>(power + 1));
  }
  if (!(*size < 9223372036854775808.0)) return std::nullopt;
  return static_cast<int64_t>(*size);
}

Error invalid_value(std::string_view key, std::string_view value) {
  return make_error("invalid value for " + std::string(key) + ": " + std::string(value));
}

Error unexpected_key(std::string_view key, MountType type) {
  return make_error("unexpected key '" + std::string(key) + "' for mount type '" +
                    std::string(mount_type_name(type)) + "'");
}

bool takes_file_info(MountType type) {
  return type == MountType::secret || type == MountType::ssh || type == MountType::cache;
}

}  // namespace

std::string_view mount_type_name(MountType type) {
  return k_types[static_cast<size_t>(type)];
}

Result<void> check_run_mount(std::string_view value) {
  for (const auto& field : TRY(csv_fields(value))) {
    size_t eq = field.find('=');
    if (eq == std::string::npos || ascii_lower(field.substr(0, eq)) != "from") continue;
    std::string_view from = std::string_view(field).substr(eq + 1);
    size_t dollar = from.find('$');
    if (dollar != std::string_view::npos && dollar != from.size() - 1)
      return make_error("'from' doesn't support variable expansion, define alias stage instead");
  }
  return {};
}

Result<RunMount> parse_run_mount(std::string_view text, const WordExpander& expand) {
  RunMount m;
  bool read_only_auto = true;
  for (const auto& field : TRY(csv_fields(text))) {
    size_t eq = field.find('=');
    std::string key = ascii_lower(std::string_view(field).substr(0, eq));
    if (eq == std::string::npos) {
      if (key == "readonly" || key == "ro" || key == "readwrite" || key == "rw") {
        m.read_only = key == "readonly" || key == "ro";
        read_only_auto = false;
      } else if (key == "required") {
        if (m.type != MountType::secret && m.type != MountType::ssh)
          return unexpected_key(key, m.type);
        m.required = true;
      } else {
        return make_error("invalid field '" + field + "' must be a key=value pair");
      }
      continue;
    }
    std::string value = field.substr(eq + 1);
    if (expand) value = TRY(expand(value));

    if (key == "type") {
      std::string lower = ascii_lower(value);
      size_t i = 0;
      while (i < k_types.size() && k_types[i] != lower) ++i;
      if (i == k_types.size())
        return suggest("unsupported mount type \"" + value + "\"", value, k_types);
      m.type = static_cast<MountType>(i);
    } else if (key == "from") {
      m.from = value;
    } else if (key == "source" || key == "src") {
      m.source = value;
    } else if (key == "target" || key == "dst" || key == "destination") {
      m.target = value;
    } else if (key == "readonly" || key == "ro" || key == "readwrite" || key == "rw") {
      auto b = parse_bool(value);
      if (!b) return invalid_value(key, value);
      m.read_only = (key == "readonly" || key == "ro") ? *b : !*b;
      read_only_auto = false;
    } else if (key == "required") {
      if (m.type != MountType::secret && m.type != MountType::ssh)
        return unexpected_key(key, m.type);
      auto b = parse_bool(value);
      if (!b) return invalid_value(key, value);
      m.required = *b;
    } else if (key == "size") {
      if (m.type != MountType::tmpfs) return unexpected_key(key, m.type);
      auto size = ram_in_bytes(value);
      if (!size) return invalid_value(key, value);
      m.size_limit = *size;
    } else if (key == "id") {
      m.id = value;
    } else if (key == "sharing") {
      std::string lower = ascii_lower(value);
      size_t i = 0;
      while (i < k_sharing.size() && k_sharing[i] != lower) ++i;
      if (i == k_sharing.size())
        return suggest("unsupported sharing value \"" + value + "\"", value, k_sharing);
      m.sharing = static_cast<MountSharing>(i);
    } else if (key == "mode" || key == "uid" || key == "gid") {
      auto number = parse_uint32(value, key == "mode" ? 8 : 10);
      if (!number) return make_error("invalid value " + value + " for " + key);
      (key == "mode" ? m.mode : key == "uid" ? m.uid : m.gid) = *number;
    } else if (key == "env") {
      m.env = value;
    } else {
      return suggest("unexpected key '" + key + "' in '" + field + "'", key, k_keys);
    }
  }

  if (!takes_file_info(m.type)) {
    std::string quoted = "\"" + std::string(mount_type_name(m.type)) + "\"";
    if (m.mode) return make_error("mode not allowed for " + quoted + " type mounts");
    if (m.uid) return make_error("uid not allowed for " + quoted + " type mounts");
    if (m.gid) return make_error("gid not allowed for " + quoted + " type mounts");
  }
  if (read_only_auto) m.read_only = m.type != MountType::cache && m.type != MountType::tmpfs;
  if (m.type == MountType::secret) {
    if (!m.from.empty()) return make_error("secret mount should not have a from");
    if (m.sharing) return make_error("secret mount should not define sharing");
    if (m.source.empty() && m.target.empty() && m.id.empty())
      return make_error("invalid secret mount. one of source, target required");
    if (!m.source.empty() && !m.id.empty()) return make_error("both source and id can't be set");
  }
  if (m.sharing && m.type != MountType::cache)
    return make_error("invalid cache sharing set for " + std::string(mount_type_name(m.type)) +
                      " mount");
  return m;
}

Result<std::string> mount_target(const RunMount& mount, std::string_view workdir) {
  std::string target = clean_path(mount.target);
  if (target.empty() || target[0] != '/')
    target = clean_path("/" + std::string(workdir) + "/" + mount.target);
  if (target == "/") return make_error("invalid mount target \"/\"");
  return target;
}

std::string cache_id(const RunMount& mount) {
  return mount.id.empty() ? clean_path(mount.target) : mount.id;
}

CacheDirMode cache_dir_mode(const RunMount& mount) {
  return {mount.uid.value_or(0), mount.gid.value_or(0), mount.mode.value_or(0755)};
}

Result<SecretUse> secret_use(const RunMount& mount) {
  SecretUse use;
  use.id = !mount.source.empty() ? mount.source : mount.id;
  if (use.id.empty()) {
    if (mount.target.empty()) return make_error("one of source, target required");
    use.id = clean_path(mount.target);
    use.id = use.id.substr(use.id.rfind('/') + 1);
  }
  if (!mount.target.empty()) use.target = mount.target;
  if (!mount.env) {
    std::string base = clean_path(use.id);
    use.target =
        mount.target.empty() ? "/run/secrets/" + base.substr(base.rfind('/') + 1) : mount.target;
  }
  use.env = mount.env;
  use.required = mount.required;
  use.uid = mount.uid.value_or(0);
  use.gid = mount.gid.value_or(0);
  use.mode = mount.mode.value_or(0400);
  return use;
}

}  // namespace pith::dockerfile
