// deb822 stanza splitting, following dpkg's own reader where the format is loose: only an
// empty line ends a stanza, a blank-only line inside one is an empty continuation line.
#include "catalog/control_fields.h"

#include <algorithm>

#include "catalog/db_text.h"

namespace pith::catalog::control {
namespace {

// Real stanzas have a few dozen fields; more means garbage, and the cap keeps the duplicate
// check cheap.
constexpr size_t k_max_fields = 1000;

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool iless(std::string_view a, std::string_view b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [](char x, char y) { return lower(x) < lower(y); });
}

// deb822 field names: printable ASCII without ':' and blanks, not starting with '-' or '#'.
bool valid_field_name(std::string_view name) {
  if (name.empty() || name.front() == '-' || name.front() == '#') return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

std::string_view trim_value(std::string_view v) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!v.empty() && blank(v.front())) v.remove_prefix(1);
  while (!v.empty() && blank(v.back())) v.remove_suffix(1);
  return v;
}

// Builds one stanza at a time; `bytes` anchors the value views.
class StanzaBuilder {
 public:
  explicit StanzaBuilder(std::string_view bytes) : m_bytes(bytes) {}

  bool open() const { return m_open; }

  void add_line(std::string_view line, size_t line_no) {
    if (!m_open) {
      m_open = true;
      m_stanza = Stanza{};
      m_stanza.line = line_no;
    }
    if (!m_stanza.problem.empty()) return;  // the stanza is lost already; skip to its end
    if (line.find('\0') != std::string_view::npos) {
      fail("NUL byte on line " + std::to_string(line_no));
    } else if (line.front() == ' ' || line.front() == '\t') {
      if (m_stanza.fields.empty()) {
        fail("continuation line without a field on line " + std::to_string(line_no) + ": " +
             db_text::quote(line));
      } else {
        extend(line);
      }
    } else if (line.front() != '#') {  // '#' lines are deb822 comments
      add_field(line, line_no);
    }
  }

  // Ends the current stanza, if any, and appends it to `out`.
  void close(std::vector<Stanza>& out) {
    if (!m_open) return;
    m_open = false;
    if (m_stanza.problem.empty()) check_duplicates();
    out.push_back(std::move(m_stanza));
  }

 private:
  size_t offset_of(std::string_view part) const {
    return static_cast<size_t>(part.data() - m_bytes.data());
  }

  void fail(std::string problem) {
    m_stanza.problem = std::move(problem);
    m_stanza.fields.clear();
  }

  void add_field(std::string_view line, size_t line_no) {
    size_t colon = line.find(':');
    std::string_view name = colon == std::string_view::npos ? line : line.substr(0, colon);
    if (colon == std::string_view::npos || !valid_field_name(name)) {
      fail("not a field on line " + std::to_string(line_no) + ": " + db_text::quote(line));
      return;
    }
    if (m_stanza.fields.size() >= k_max_fields) {
      fail("more than " + std::to_string(k_max_fields) + " fields");
      return;
    }
    std::string_view rest = line.substr(colon + 1);
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
    m_value_begin = offset_of(rest);
    m_stanza.fields.push_back({name, rest});
  }

  // A continuation line: the last value now runs through the end of `line`.
  void extend(std::string_view line) {
    size_t end = offset_of(line) + line.size();
    m_stanza.fields.back().value = m_bytes.substr(m_value_begin, end - m_value_begin);
  }

  // dpkg refuses a stanza that repeats a field; sorting keeps the check O(n log n).
  void check_duplicates() {
    std::vector<std::string_view> names;
    names.reserve(m_stanza.fields.size());
    for (const Field& f : m_stanza.fields) names.push_back(f.name);
    std::sort(names.begin(), names.end(), iless);
    for (size_t i = 1; i < names.size(); ++i) {
      if (iequal(names[i - 1], names[i])) {
        fail("duplicate field " + db_text::quote(names[i]));
        return;
      }
    }
  }

  std::string_view m_bytes;
  Stanza m_stanza;
  bool m_open = false;
  size_t m_value_begin = 0;
};

}  // namespace

std::optional<std::string_view> Stanza::get(std::string_view name) const {
  if (auto v = raw(name)) return trim_value(*v);
  return std::nullopt;
}

std::optional<std::string_view> Stanza::raw(std::string_view name) const {
  for (const Field& f : fields) {
    if (iequal(f.name, name)) return f.value;
  }
  return std::nullopt;
}

std::vector<Stanza> split_stanzas(std::string_view bytes) {
  std::vector<Stanza> out;
  StanzaBuilder builder(bytes);
  std::string_view rest = bytes;
  std::string_view line;
  size_t line_no = 0;
  while (db_text::next_line(rest, line)) {
    ++line_no;
    if (line.empty()) {
      builder.close(out);
    } else if (!builder.open() && db_text::trim(line).empty()) {
      continue;  // blank-only lines between stanzas, as dpkg skips them
    } else {
      builder.add_line(line, line_no);
    }
  }
  builder.close(out);
  return out;
}

}  // namespace pith::catalog::control
