// Typed instructions from parsed nodes, with BuildKit's checks and messages (see
// instructions.h).
#include "dockerfile/instructions.h"

#include <algorithm>
#include <cctype>
#include <initializer_list>

#include "dockerfile/go_text.h"
#include "dockerfile/instruction_parts.h"
#include "util/ascii.h"

namespace pith::dockerfile {

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

struct KindName {
  Kind kind;
  std::string_view name;
};
constexpr KindName k_kinds[] = {
    {Kind::from, "FROM"},
    {Kind::run, "RUN"},
    {Kind::cmd, "CMD"},
    {Kind::entrypoint, "ENTRYPOINT"},
    {Kind::copy, "COPY"},
    {Kind::add, "ADD"},
    {Kind::env, "ENV"},
    {Kind::arg, "ARG"},
    {Kind::workdir, "WORKDIR"},
    {Kind::user, "USER"},
    {Kind::label, "LABEL"},
    {Kind::expose, "EXPOSE"},
    {Kind::volume, "VOLUME"},
    {Kind::stopsignal, "STOPSIGNAL"},
    {Kind::healthcheck, "HEALTHCHECK"},
    {Kind::shell, "SHELL"},
    {Kind::onbuild, "ONBUILD"},
    {Kind::maintainer, "MAINTAINER"},
};

Error exactly_one(std::string_view cmd) {
  return Error{std::string(cmd) + " requires exactly one argument"};
}

// parseKvps: ENV and LABEL key, value, separator triples.
Result<std::vector<KeyValue>> key_values(const Node& node, std::string_view cmd) {
  if (node.args.empty()) return at_least_one(cmd);
  if (node.args.size() % 3 != 0)
    return Error{"Bad input to " + std::string(cmd) + ", too many arguments"};
  std::vector<KeyValue> out;
  for (size_t i = 0; i < node.args.size(); i += 3) {
    if (node.args[i].empty()) return Error{std::string(cmd) + " names can not be blank"};
    out.push_back({node.args[i], node.args[i + 1], node.args[i + 2].empty()});
  }
  return out;
}

// MustParseHeredoc: the heredoc a word opens, errors read as none.
std::optional<Heredoc> heredoc_marker(std::string_view word) {
  if (word.find("<<") == std::string_view::npos) return std::nullopt;
  auto h = parse_heredoc_marker(word);
  if (!h) return std::nullopt;
  return std::move(*h);
}

// ChompHeredocContent: leading tabs removed from every line.
std::string chomp(std::string_view s) {
  std::string out;
  bool line_start = true;
  for (char c : s) {
    if (line_start && c == '\t') continue;
    line_start = c == '\n';
    out += c;
  }
  return out;
}

// parseSourcesAndDest: heredoc sources become inline files; the destination cannot be one.
Result<void> sources_and_dest(const Node& node, std::string_view cmd, Instruction& ins) {
  if (node.args.size() < 2) {
    return Error{std::string(cmd) +
                 " requires at least two arguments, but only one was provided. Destination "
                 "could not be determined"};
  }
  const std::string& dest = node.args.back();
  if (heredoc_marker(dest)) {
    return Error{std::string(cmd) + " cannot accept a heredoc as a destination"};
  }
  for (size_t i = 0; i + 1 < node.args.size(); ++i) {
    const std::string& src = node.args[i];
    auto marker = heredoc_marker(src);
    if (!marker) {
      ins.args.push_back(src);
      continue;
    }
    // The body read for that name (none, in exec form: BuildKit reads no bodies there).
    std::string content;
    for (const Heredoc& h : node.heredocs) {
      if (h.name == marker->name) content = h.content;
    }
    ins.inline_sources.push_back(
        {marker->name, marker->chomp ? chomp(content) : content, marker->expand});
  }
  ins.args.push_back(dest);
  return {};
}

Result<void> onbuild(const Node& node, Instruction& ins) {
  if (!node.sub) return at_least_one("ONBUILD");
  ins.flags = TRY(parse_flags(node.flags, {}));
  std::string trigger = upper(trim_go_space(node.sub->command));
  if (trigger == "ONBUILD") return Error{"Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"};
  if (trigger == "MAINTAINER" || trigger == "FROM") {
    return Error{trigger + " isn't allowed as an ONBUILD trigger"};
  }
  // (?i)^\s*ONBUILD\s* removed from the original line.
  std::string_view text = node.original;
  auto is_s = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; };
  size_t i = 0;
  while (i < text.size() && is_s(text[i])) ++i;
  if (ascii_lower(text.substr(i, 7)) == "onbuild") {
    i += 7;
    while (i < text.size() && is_s(text[i])) ++i;
    text.remove_prefix(i);
  }
  ins.onbuild_expression = std::string(text);
  for (const Heredoc& h : node.heredocs) {
    ins.onbuild_expression += "\n" + h.content + h.name;
  }
  ins.trigger = node.sub;
  return {};
}

// ^[a-z][a-z0-9-_.]*$ (Go reads the '-' after the range 0-9 as a literal).
bool valid_stage_name(std::string_view s) {
  if (s.empty() || s[0] < 'a' || s[0] > 'z') return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

Result<void> fill(const Node& node, Kind kind, Instruction& ins) {
  const std::vector<std::string>& a = node.args;
  switch (kind) {
    case Kind::env:
    case Kind::label:
      ins.flags = TRY(parse_flags(node.flags, {}));
      ins.pairs = TRY(key_values(node, kind == Kind::env ? "ENV" : "LABEL"));
      return {};
    case Kind::maintainer:
      if (a.size() != 1) return exactly_one("MAINTAINER");
      ins.flags = TRY(parse_flags(node.flags, {}));
      ins.args = a;
      return {};
    case Kind::add:
      if (a.size() < 2) return sources_and_dest(node, "ADD", ins);
      ins.flags = TRY(parse_flags(node.flags, {{"chown", FlagType::string},
                                               {"chmod", FlagType::string},
                                               {"link", FlagType::boolean},
                                               {"keep-git-dir", FlagType::boolean},
                                               {"checksum", FlagType::string},
                                               {"unpack", FlagType::boolean},
                                               {"exclude", FlagType::strings}}));
      ins.json = node.json;
      return sources_and_dest(node, "ADD", ins);
    case Kind::copy:
      if (a.size() < 2) return sources_and_dest(node, "COPY", ins);
      ins.flags = TRY(parse_flags(node.flags, {{"chown", FlagType::string},
                                               {"from", FlagType::string},
                                               {"chmod", FlagType::string},
                                               {"link", FlagType::boolean},
                                               {"exclude", FlagType::strings},
                                               {"parents", FlagType::boolean}}));
      ins.json = node.json;
      return sources_and_dest(node, "COPY", ins);
    case Kind::from: {
      if (a.size() == 3 && ascii_lower(a[1]) == "as") {
        ins.stage_name = ascii_lower(a[2]);
        if (!valid_stage_name(ins.stage_name)) {
          return Error{"invalid name for build stage: " + go_quote(a[2]) +
                       ", name can't start with a number or contain symbols"};
        }
      } else if (a.size() != 1) {
        return Error{"FROM requires either one or three arguments"};
      }
      ins.flags = TRY(parse_flags(node.flags, {{"platform", FlagType::string}}));
      ins.args = {a[0]};
      return {};
    }
    case Kind::onbuild:
      return onbuild(node, ins);
    case Kind::workdir:
    case Kind::user:
      if (a.size() != 1) return exactly_one(kind == Kind::user ? "USER" : "WORKDIR");
      ins.flags = TRY(parse_flags(node.flags, {}));
      ins.args = a;
      return {};
    case Kind::run:
      ins.flags = TRY(parse_flags(node.flags, {{"mount", FlagType::strings},
                                               {"network", FlagType::string},
                                               {"security", FlagType::string},
                                               {"device", FlagType::strings}}));
      ins.args = command_line(node);
      ins.json = node.json;
      ins.heredocs = node.heredocs;
      return {};
    case Kind::cmd:
    case Kind::entrypoint:
      ins.flags = TRY(parse_flags(node.flags, {}));
      ins.args = command_line(node);
      ins.json = node.json;
      ins.heredocs = node.heredocs;
      return {};
    case Kind::healthcheck:
      return fill_healthcheck(node, ins);
    case Kind::expose:
      if (a.empty()) return at_least_one("EXPOSE");
      ins.flags = TRY(parse_flags(node.flags, {}));
      ins.args = a;
      std::sort(ins.args.begin(), ins.args.end());
      return {};
    case Kind::volume:
      if (a.empty()) return at_least_one("VOLUME");
      ins.flags = TRY(parse_flags(node.flags, {}));
      for (const std::string& v : a) {
        std::string_view t = trim_go_space(v);
        if (t.empty()) return Error{"VOLUME specified can not be an empty string"};
        ins.args.emplace_back(t);
      }
      ins.json = node.json;
      return {};
    case Kind::stopsignal:
      // BuildKit reads no flags here (any are ignored).
      if (a.size() != 1) return exactly_one("STOPSIGNAL");
      ins.args = a;
      return {};
    case Kind::arg:
      // Nor here.
      if (a.empty()) return at_least_one("ARG");
      for (const std::string& w : a) {
        size_t eq = w.find('=');
        if (eq == std::string::npos) {
          ins.arg_decls.push_back({w, std::nullopt});
          continue;
        }
        if (eq == 0) return Error{"ARG names can not be blank"};
        ins.arg_decls.push_back({w.substr(0, eq), w.substr(eq + 1)});
      }
      return {};
    case Kind::shell: {
      ins.flags = TRY(parse_flags(node.flags, {}));
      std::vector<std::string> line = command_line(node);
      if (line.empty()) return at_least_one("SHELL");
      if (!node.json) return Error{"SHELL requires the arguments to be in JSON form"};
      ins.args = line;
      ins.json = true;
      return {};
    }
  }
  return {};
}

}  // namespace

std::string_view kind_name(Kind kind) {
  for (const KindName& k : k_kinds) {
    if (k.kind == kind) return k.name;
  }
  return "?";
}

std::optional<std::string> Instruction::flag(std::string_view name) const {
  std::optional<std::string> out;
  for (const Flag& f : flags) {
    if (f.name == name) out = f.value;
  }
  return out;
}

std::vector<std::string> Instruction::flag_values(std::string_view name) const {
  std::vector<std::string> out;
  for (const Flag& f : flags) {
    if (f.name == name) out.push_back(f.value);
  }
  return out;
}

bool Instruction::flag_true(std::string_view name) const {
  auto v = flag(name);
  return v && *v == "true";
}

Result<Instruction> to_instruction(const Node& node, std::string_view file_name) {
  std::string where = std::string(file_name) + ":" + std::to_string(node.start_line);
  std::string cmd = upper(node.command);
  const KindName* found = nullptr;
  for (const KindName& k : k_kinds) {
    if (k.name == cmd) found = &k;
  }
  if (!found) return Error{where + ": unknown instruction: " + node.command};
  Instruction ins;
  ins.kind = found->kind;
  ins.keyword = node.command;
  ins.original = node.original;
  ins.start_line = node.start_line;
  ins.end_line = node.end_line;
  auto filled = fill(node, ins.kind, ins);
  if (!filled) return std::move(filled).error().wrap(where);
  return ins;
}

Result<std::vector<Instruction>> to_instructions(const ParsedDockerfile& file,
                                                 std::string_view file_name) {
  std::vector<Instruction> out;
  out.reserve(file.nodes.size());
  for (const Node& n : file.nodes) out.push_back(TRY(to_instruction(n, file_name)));
  return out;
}

}  // namespace pith::dockerfile
