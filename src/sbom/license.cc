// A small recursive-descent reading of declared licences into SPDX expressions.
#include "sbom/license.h"
#include "util/ascii.h"

#include <algorithm>
#include <array>

namespace pith::sbom {
namespace {

// The SPDX license list identifiers packages commonly declare (license list 3.x); others
// become LicenseRefs, which stay valid.
constexpr std::array k_known_ids = {
    "0BSD",
    "AFL-2.1",
    "AFL-3.0",
    "AGPL-3.0-only",
    "AGPL-3.0-or-later",
    "Apache-1.1",
    "Apache-2.0",
    "APSL-2.0",
    "Artistic-1.0",
    "Artistic-1.0-Perl",
    "Artistic-2.0",
    "Beerware",
    "BSD-1-Clause",
    "BSD-2-Clause",
    "BSD-2-Clause-Patent",
    "BSD-3-Clause",
    "BSD-4-Clause",
    "BSL-1.0",
    "bzip2-1.0.6",
    "CC-BY-3.0",
    "CC-BY-4.0",
    "CC-BY-SA-3.0",
    "CC-BY-SA-4.0",
    "CC0-1.0",
    "CDDL-1.0",
    "CDDL-1.1",
    "curl",
    "ECL-2.0",
    "EPL-1.0",
    "EPL-2.0",
    "EUPL-1.2",
    "FSFAP",
    "FSFUL",
    "FSFULLR",
    "FTL",
    "GFDL-1.2-only",
    "GFDL-1.2-or-later",
    "GFDL-1.3-only",
    "GFDL-1.3-or-later",
    "GPL-1.0-only",
    "GPL-1.0-or-later",
    "GPL-2.0-only",
    "GPL-2.0-or-later",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "HPND",
    "ICU",
    "IJG",
    "ISC",
    "LGPL-2.0-only",
    "LGPL-2.0-or-later",
    "LGPL-2.1-only",
    "LGPL-2.1-or-later",
    "LGPL-3.0-only",
    "LGPL-3.0-or-later",
    "Libpng",
    "libtiff",
    "MIT",
    "MIT-0",
    "MPL-1.1",
    "MPL-2.0",
    "NCSA",
    "NTP",
    "OFL-1.1",
    "OLDAP-2.8",
    "OpenSSL",
    "PHP-3.01",
    "PostgreSQL",
    "PSF-2.0",
    "Python-2.0",
    "Ruby",
    "Sleepycat",
    "TCL",
    "Unicode-DFS-2016",
    "Unicode-3.0",
    "Unlicense",
    "UPL-1.0",
    "Vim",
    "W3C",
    "WTFPL",
    "X11",
    "Zlib",
    "ZPL-2.1",
};

constexpr std::array k_known_exceptions = {
    "Autoconf-exception-3.0",     "Bison-exception-2.2", "Classpath-exception-2.0",
    "Font-exception-2.0",         "GCC-exception-2.0",   "GCC-exception-3.1",
    "LGPL-3.0-linking-exception", "Linux-syscall-note",  "LLVM-exception",
    "OpenSSL-exception",
};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// "GPL-2+", "GPLv2+", "LGPL-2.1", "AGPL-3.0-or-later", "gpl2" → the SPDX GNU identifier.
std::optional<std::string> gnu_id(std::string_view s) {
  std::string prefix;
  for (std::string_view p : {"AGPL", "LGPL", "GPL"}) {
    if (s.size() > p.size() && ascii_iequals(s.substr(0, p.size()), p)) {
      prefix = p;
      s.remove_prefix(p.size());
      break;
    }
  }
  if (prefix.empty()) return std::nullopt;
  if (!s.empty() && (s.front() == '-' || s.front() == 'v' || s.front() == 'V')) s.remove_prefix(1);
  if (s.empty() || !is_digit(s.front())) return std::nullopt;
  char major = s.front();
  s.remove_prefix(1);
  char minor = '0';
  if (s.size() >= 2 && s.front() == '.' && is_digit(s[1])) {
    minor = s[1];
    s.remove_prefix(2);
  }
  bool later = false;
  if (s == "+" || ascii_iequals(s, "-or-later")) {
    later = true;
  } else if (!s.empty() && !ascii_iequals(s, "-only")) {
    return std::nullopt;
  }
  std::string version{major, '.', minor};
  bool exists = (prefix == "GPL" && (version == "1.0" || version == "2.0" || version == "3.0")) ||
                (prefix == "LGPL" && (version == "2.0" || version == "2.1" || version == "3.0")) ||
                (prefix == "AGPL" && version == "3.0");
  if (!exists) return std::nullopt;
  return prefix + "-" + version + (later ? "-or-later" : "-only");
}

std::string ref_id(std::string_view name) {
  std::string out = "LicenseRef-";
  for (char c : name) {
    bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '.' || c == '-';
    out += ok ? c : '-';
  }
  return out;
}

enum class Op { none, and_, or_, with };

Op op_of(std::string_view t) {
  if (ascii_iequals(t, "and") || t == "&") return Op::and_;
  if (ascii_iequals(t, "or") || t == "|") return Op::or_;
  if (ascii_iequals(t, "with")) return Op::with;
  return Op::none;
}

class Parser {
 public:
  explicit Parser(std::vector<std::string> tokens) : m_tokens(std::move(tokens)) {}

  // expression := term ((AND|OR|nothing) term)*
  bool expression(std::string& out, int depth) {
    if (depth > 16) return false;
    if (!term(out, depth)) return false;
    while (m_pos < m_tokens.size() && m_tokens[m_pos] != ")") {
      Op op = op_of(m_tokens[m_pos]);
      if (op == Op::with) return false;
      if (op != Op::none) ++m_pos;
      out += op == Op::or_ ? " OR " : " AND ";
      if (!term(out, depth)) return false;
    }
    return true;
  }

  // term := '(' expression ')' | licence [WITH exception]
  bool term(std::string& out, int depth) {
    if (m_pos >= m_tokens.size()) return false;
    const std::string& t = m_tokens[m_pos++];
    if (t == "(") {
      out += "(";
      if (!expression(out, depth + 1)) return false;
      if (m_pos >= m_tokens.size() || m_tokens[m_pos] != ")") return false;
      ++m_pos;
      out += ")";
      return true;
    }
    if (t == ")" || op_of(t) != Op::none) return false;
    if (m_pos < m_tokens.size() && op_of(m_tokens[m_pos]) == Op::with) {
      if (m_pos + 1 >= m_tokens.size()) return false;
      const std::string& e = m_tokens[m_pos + 1];
      auto it = std::find_if(k_known_exceptions.begin(), k_known_exceptions.end(),
                             [&](std::string_view k) { return ascii_iequals(k, e); });
      bool ends = m_pos + 2 >= m_tokens.size() || m_tokens[m_pos + 2] == ")" ||
                  op_of(m_tokens[m_pos + 2]) == Op::and_ || op_of(m_tokens[m_pos + 2]) == Op::or_;
      if (it != k_known_exceptions.end() && ends) {
        out += licence(t) + " WITH " + std::string(*it);
        m_pos += 2;
        return true;
      }
      // "GPL-3+ with Bison exception": an exception SPDX does not list, so the licence and its
      // exception, up to the next operator, are one LicenseRef.
      std::string name = t;
      while (m_pos < m_tokens.size() && m_tokens[m_pos] != ")" && m_tokens[m_pos] != "(" &&
             op_of(m_tokens[m_pos]) != Op::and_ && op_of(m_tokens[m_pos]) != Op::or_)
        name += " " + m_tokens[m_pos++];
      out += reference(name);
      return true;
    }
    out += licence(t);
    return true;
  }

  bool done() const { return m_pos == m_tokens.size(); }
  std::vector<LicenseRef> refs;

 private:
  std::string licence(const std::string& name) {
    if (auto id = known_license_id(name)) return *id;
    return reference(name);
  }

  std::string reference(const std::string& name) {
    LicenseRef r{ref_id(name), name};
    if (std::none_of(refs.begin(), refs.end(), [&](const LicenseRef& x) { return x.id == r.id; }))
      refs.push_back(r);
    return r.id;
  }

  std::vector<std::string> m_tokens;
  size_t m_pos = 0;
};

std::vector<std::string> tokenize(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) out.push_back(std::move(cur));
    cur.clear();
  };
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ';') {
      flush();
    } else if (c == '(' || c == ')') {
      flush();
      out.emplace_back(1, c);
    } else {
      cur += c;
    }
  }
  flush();
  return out;
}

}  // namespace

std::optional<std::string> known_license_id(std::string_view name) {
  for (std::string_view id : k_known_ids)
    if (ascii_iequals(id, name)) return std::string(id);
  if (auto gnu = gnu_id(name)) return gnu;
  if (ascii_iequals(name, "Expat")) return "MIT";
  if (ascii_iequals(name, "Apache-2")) return "Apache-2.0";
  // A known identifier with "+" (SPDX's "or later" operator).
  if (name.size() > 1 && name.back() == '+') {
    std::string_view base = name.substr(0, name.size() - 1);
    for (std::string_view id : k_known_ids)
      if (ascii_iequals(id, base) && !id.ends_with("-only") && !id.ends_with("-or-later"))
        return std::string(id) + "+";
  }
  return std::nullopt;
}

SpdxLicense to_spdx_license(std::string_view declared) {
  SpdxLicense out;
  std::vector<std::string> tokens = tokenize(declared);
  if (tokens.empty()) return out;
  Parser parser(tokens);
  std::string expr;
  if (parser.expression(expr, 0) && parser.done()) {
    out.expression = std::move(expr);
    out.refs = std::move(parser.refs);
  } else {
    std::string whole;
    for (const auto& t : tokens) whole += (whole.empty() ? "" : " ") + t;
    out.refs = {LicenseRef{ref_id(whole), whole}};
    out.expression = out.refs[0].id;
  }
  out.single = out.expression.find(' ') == std::string::npos &&
               out.expression.find('(') == std::string::npos;
  return out;
}

}  // namespace pith::sbom
