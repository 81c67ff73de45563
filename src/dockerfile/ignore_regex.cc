// A small regular-expression parser and NFA for the expressions .dockerignore patterns become
// (see ignore_regex.h).
#include "dockerfile/ignore_regex.h"

#include <cstdint>
#include <utility>
#include <vector>

#include "dockerfile/go_text.h"

namespace pith::dockerfile {

namespace {

struct Range {
  char32_t lo, hi;
};

struct Class {
  std::vector<Range> ranges;
  bool negated = false;
  bool contains(char32_t r) const {
    bool in = false;
    for (const Range& x : ranges) {
      if (r >= x.lo && r <= x.hi) {
        in = true;
        break;
      }
    }
    return in != negated;
  }
};

// NFA instructions: a rune test, a fork, an assertion, the end.
struct Inst {
  enum Op { rune, split, jump, begin, end, match } op;
  int cls = -1;        // rune: index into classes
  int x = -1, y = -1;  // successors
};

}  // namespace

struct IgnoreRegex::Program {
  std::vector<Class> classes;
  std::vector<Inst> code;
  int start = 0;
};

namespace {

// Go's parseEscape for what the supported subset needs; d s w (and upper case) are classes.
Result<std::vector<Range>> escape_ranges(std::string_view& s, bool* negated) {
  // s starts after the backslash.
  if (s.empty()) return Error{"trailing backslash at end of expression"};
  Rune r = decode_rune(s, 0);
  s.remove_prefix(r.width);
  char32_t c = r.value;
  *negated = false;
  if (c < 0x80 && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
    return std::vector<Range>{{c, c}};
  }
  switch (c) {
    case 'a':
      return std::vector<Range>{{7, 7}};
    case 'f':
      return std::vector<Range>{{12, 12}};
    case 't':
      return std::vector<Range>{{9, 9}};
    case 'n':
      return std::vector<Range>{{10, 10}};
    case 'r':
      return std::vector<Range>{{13, 13}};
    case 'v':
      return std::vector<Range>{{11, 11}};
    case 'D':
      *negated = true;
      [[fallthrough]];
    case 'd':
      return std::vector<Range>{{'0', '9'}};
    case 'S':
      *negated = true;
      [[fallthrough]];
    case 's':
      return std::vector<Range>{{'\t', '\n'}, {'\f', '\r'}, {' ', ' '}};
    case 'W':
      *negated = true;
      [[fallthrough]];
    case 'w':
      return std::vector<Range>{{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
    default: {
      std::string e = "invalid escape sequence: \\";
      append_rune(e, c);
      return Error{e};
    }
  }
}

// The complement of sorted-or-not ranges, for a negated \D inside a class.
std::vector<Range> complement(std::vector<Range> in) {
  std::vector<Range> out;
  char32_t next = 0;
  // Sort by lo (tiny vectors).
  for (size_t i = 0; i < in.size(); ++i) {
    for (size_t j = i + 1; j < in.size(); ++j) {
      if (in[j].lo < in[i].lo) std::swap(in[i], in[j]);
    }
  }
  for (const Range& r : in) {
    if (r.lo > next) out.push_back({next, r.lo - 1});
    if (r.hi + 1 > next) next = r.hi + 1;
  }
  if (next <= 0x10FFFF) out.push_back({next, 0x10FFFF});
  return out;
}

class Parser {
 public:
  Parser(std::string_view s, IgnoreRegex::Program& p) : m_s(s), m_p(p) {}

  Result<void> run() {
    auto [start, exits] = TRY(sequence(false));
    int m = emit({Inst::match});
    patch(exits, m);
    m_p.start = start;
    return {};
  }

 private:
  using Exits = std::vector<std::pair<int, bool>>;  // (instruction, which successor: y?)

  int emit(Inst i) {
    m_p.code.push_back(i);
    return static_cast<int>(m_p.code.size()) - 1;
  }
  void patch(const Exits& exits, int to) {
    for (auto [i, second] : exits) (second ? m_p.code[i].y : m_p.code[i].x) = to;
  }

  // A sequence of quantified atoms, up to ')' (in a group) or the end.
  Result<std::pair<int, Exits>> sequence(bool in_group) {
    // Start with a jump that the first atom's entry patches into.
    int head = emit({Inst::jump});
    Exits exits{{head, false}};
    while (!m_s.empty()) {
      if (m_s[0] == ')') {
        if (!in_group) return Error{"unexpected ): `" + std::string(m_s) + "`"};
        m_s.remove_prefix(1);
        return std::pair{head, exits};
      }
      auto [start, atom_exits] = TRY(atom());
      if (!m_s.empty() && (m_s[0] == '*' || m_s[0] == '?')) {
        char q = m_s[0];
        m_s.remove_prefix(1);
        int fork = emit({Inst::split});
        m_p.code[fork].x = start;
        if (q == '*') {
          patch(atom_exits, fork);
          patch(exits, fork);
          exits = {{fork, true}};
        } else {
          patch(exits, fork);
          atom_exits.push_back({fork, true});
          exits = std::move(atom_exits);
        }
        continue;
      }
      patch(exits, start);
      exits = std::move(atom_exits);
    }
    if (in_group) return Error{"missing closing ): `" + std::string(m_s) + "`"};
    return std::pair{head, exits};
  }

  int rune_inst(Class c) {
    m_p.classes.push_back(std::move(c));
    return emit({Inst::rune, static_cast<int>(m_p.classes.size()) - 1});
  }

  Result<std::pair<int, Exits>> atom() {
    char c = m_s[0];
    if (c == '(') {
      m_s.remove_prefix(1);
      return sequence(true);
    }
    if (c == '*' || c == '?' || c == '+') return Error{"missing argument to repetition operator"};
    int i = -1;
    if (c == '^' || c == '$') {
      m_s.remove_prefix(1);
      i = emit({c == '^' ? Inst::begin : Inst::end});
    } else if (c == '.') {
      m_s.remove_prefix(1);
      // Go's `.` matches anything but a newline.
      i = rune_inst(Class{{{'\n', '\n'}}, true});
    } else if (c == '[') {
      m_s.remove_prefix(1);
      Class cls = TRY(char_class());
      i = rune_inst(std::move(cls));
    } else if (c == '\\') {
      m_s.remove_prefix(1);
      bool negated = false;
      auto ranges = TRY(escape_ranges(m_s, &negated));
      i = rune_inst(Class{std::move(ranges), negated});
    } else {
      Rune r = decode_rune(m_s, 0);
      m_s.remove_prefix(r.width);
      i = rune_inst(Class{{{r.value, r.value}}, false});
    }
    return std::pair{i, Exits{{i, false}}};
  }

  // Go's parseClass (Perl mode): ']' first is literal, '-' is literal where it cannot make a
  // range, a range must not run backwards.
  Result<Class> char_class() {
    Class cls;
    if (!m_s.empty() && m_s[0] == '^') {
      cls.negated = true;
      m_s.remove_prefix(1);
    }
    bool first = true;
    while (m_s.empty() || m_s[0] != ']' || first) {
      if (m_s.empty()) return Error{"missing closing ]"};
      first = false;
      char32_t lo = 0;
      if (m_s[0] == '\\') {
        m_s.remove_prefix(1);
        bool negated = false;
        auto ranges = TRY(escape_ranges(m_s, &negated));
        if (ranges.size() != 1 || ranges[0].lo != ranges[0].hi || negated) {
          auto add = negated ? complement(ranges) : ranges;
          cls.ranges.insert(cls.ranges.end(), add.begin(), add.end());
          continue;
        }
        lo = ranges[0].lo;
      } else {
        Rune r = decode_rune(m_s, 0);
        m_s.remove_prefix(r.width);
        lo = r.value;
      }
      char32_t hi = lo;
      if (m_s.size() >= 2 && m_s[0] == '-' && m_s[1] != ']') {
        m_s.remove_prefix(1);
        if (m_s[0] == '\\') {
          m_s.remove_prefix(1);
          bool negated = false;
          auto ranges = TRY(escape_ranges(m_s, &negated));
          if (ranges.size() != 1 || negated) return Error{"invalid character class range"};
          hi = ranges[0].lo;
        } else {
          Rune r = decode_rune(m_s, 0);
          m_s.remove_prefix(r.width);
          hi = r.value;
        }
        if (hi < lo) return Error{"invalid character class range"};
      }
      cls.ranges.push_back({lo, hi});
    }
    m_s.remove_prefix(1);
    return cls;
  }

  std::string_view m_s;
  IgnoreRegex::Program& m_p;
};

}  // namespace

IgnoreRegex::IgnoreRegex(std::unique_ptr<Program> p) : m_program(std::move(p)) {}
IgnoreRegex::IgnoreRegex(IgnoreRegex&&) noexcept = default;
IgnoreRegex& IgnoreRegex::operator=(IgnoreRegex&&) noexcept = default;
IgnoreRegex::~IgnoreRegex() = default;

Result<IgnoreRegex> IgnoreRegex::compile(std::string_view expr) {
  auto p = std::make_unique<Program>();
  Parser parser(expr, *p);
  auto r = parser.run();
  if (!r) return Error{"error parsing regexp: " + r.error().message};
  return IgnoreRegex(std::move(p));
}

bool IgnoreRegex::matches(std::string_view text) const {
  const Program& p = *m_program;
  // Runes of the text (Go decodes invalid bytes as U+FFFD).
  std::vector<char32_t> runes;
  for (size_t pos = 0; pos < text.size();) {
    Rune r = decode_rune(text, pos);
    runes.push_back(r.value);
    pos += r.width;
  }
  size_t n = runes.size();
  std::vector<int> current, next, stack;
  std::vector<size_t> seen(p.code.size(), SIZE_MAX);
  // The states reachable from `from` at position pos without reading (assertions checked).
  auto add = [&](std::vector<int>& set, int from, size_t pos) {
    stack.push_back(from);
    while (!stack.empty()) {
      int i = stack.back();
      stack.pop_back();
      if (i < 0 || seen[static_cast<size_t>(i)] == pos) continue;
      seen[static_cast<size_t>(i)] = pos;
      const Inst& in = p.code[static_cast<size_t>(i)];
      switch (in.op) {
        case Inst::jump:
          stack.push_back(in.x);
          break;
        case Inst::split:
          stack.push_back(in.y);
          stack.push_back(in.x);
          break;
        case Inst::begin:
          if (pos == 0) stack.push_back(in.x);
          break;
        case Inst::end:
          if (pos == n) stack.push_back(in.x);
          break;
        default:
          set.push_back(i);
      }
    }
  };
  add(current, p.start, 0);
  for (size_t pos = 0; pos < n && !current.empty(); ++pos) {
    next.clear();
    for (int i : current) {
      const Inst& in = p.code[static_cast<size_t>(i)];
      if (in.op == Inst::rune && p.classes[static_cast<size_t>(in.cls)].contains(runes[pos])) {
        add(next, in.x, pos + 1);
      }
    }
    std::swap(current, next);
  }
  for (int i : current) {
    if (p.code[static_cast<size_t>(i)].op == Inst::match) return true;
  }
  return false;
}

}  // namespace pith::dockerfile
