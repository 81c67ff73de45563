// The stage graph and ARG scopes (see stages.h), step by step as BuildKit's toDispatchState:
// split into global ARGs and stages, global ARG values, FROM lines, dependencies, cycles,
// target, the needed stages.
#include "dockerfile/stages.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "dockerfile/limits.h"
#include "util/ascii.h"

namespace pith::dockerfile {

namespace {

std::string where(std::string_view file, int line) {
  return std::string(file) + ":" + std::to_string(line);
}

// BuildKit's predefined proxy ARGs: usable without declaration, never reported as unused.
bool is_predefined(std::string_view key) {
  static const char* const k_names[] = {
      "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY",        "ftp_proxy",
      "NO_PROXY",   "no_proxy",   "ALL_PROXY",   "all_proxy",   "SOURCE_DATE_EPOCH"};
  for (const char* n : k_names) {
    if (key == n) return true;
  }
  return false;
}

// The `from=` of a RUN --mount value (a CSV of key=value fields).
std::optional<std::string> mount_from(std::string_view spec) {
  size_t start = 0;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    std::string_view field = spec.substr(start, comma == spec.npos ? spec.npos : comma - start);
    size_t eq = field.find('=');
    if (eq != field.npos && ascii_lower(field.substr(0, eq)) == "from") {
      return std::string(field.substr(eq + 1));
    }
    if (comma == spec.npos) break;
    start = comma + 1;
  }
  return std::nullopt;
}

class GraphBuilder {
 public:
  GraphBuilder(const StageOptions& options, std::string_view file)
      : m_options(options), m_file(file) {}

  Result<StageGraph> run(const std::vector<Instruction>& instructions) {
    // 1. Global ARGs (before the first FROM), then stages.
    std::vector<const Instruction*> global_arg_lines;
    for (const Instruction& ins : instructions) {
      if (m_graph.stages.empty()) {
        if (ins.kind == Kind::arg) {
          global_arg_lines.push_back(&ins);
          for (const ArgDecl& a : ins.arg_decls) m_graph.global_args.push_back(a);
          continue;
        }
        if (ins.kind != Kind::from) {
          return Error{where(m_file, ins.start_line) + ": no build stage in current context"};
        }
      }
      if (ins.kind == Kind::from) {
        if (m_graph.stages.size() >= k_max_stages) {
          return Error{where(m_file, ins.start_line) + ": more than " +
                       std::to_string(k_max_stages) + " stages"};
        }
        Stage s;
        s.index = m_graph.stages.size();
        s.name = ins.stage_name;
        s.base = ins.args.empty() ? std::string() : ins.args[0];
        s.platform = ins.flag("platform").value_or("");
        s.line = ins.start_line;
        m_graph.stages.push_back(std::move(s));
        continue;
      }
      m_graph.stages.back().instructions.push_back(ins);
    }
    if (m_graph.stages.empty()) return Error{"dockerfile contains no stages to build"};

    // 2. The FROM lines' variables: platform ARGs, then the global ARGs in order.
    std::string target_name =
        m_options.target.empty() ? m_graph.stages.back().name : m_options.target;
    m_graph.globals = platform_args(m_options, target_name);
    for (const Instruction* ins : global_arg_lines) {
      for (const ArgDecl& a : ins->arg_decls) {
        auto given = m_options.build_args.find(a.key);
        if (given != m_options.build_args.end()) {
          m_graph.globals[a.key] = given->second;
        } else if (a.default_value) {
          auto v = process_word(*a.default_value, m_graph.globals);
          if (!v) return std::move(v).error().wrap(where(m_file, ins->start_line));
          m_graph.globals[a.key] = *v;
        }
      }
    }

    // 3. FROM lines: base names and platforms substituted; a base naming an earlier stage.
    std::map<std::string, size_t> by_name;
    for (Stage& s : m_graph.stages) {
      auto base = process_word(s.base, m_graph.globals);
      if (!base) return std::move(base).error().wrap(where(m_file, s.line));
      if (base->empty()) {
        return Error{where(m_file, s.line) + ": base name (" + s.base + ") should not be blank"};
      }
      s.base = *base;
      if (!s.platform.empty()) {
        std::string text = s.platform;
        auto p = process_word(text, m_graph.globals);
        if (!p) {
          return std::move(p).error().wrap(where(m_file, s.line) +
                                           ": failed to process arguments for platform");
        }
        if (p->empty()) {
          return Error{where(m_file, s.line) + ": empty platform value from expression " + text};
        }
        auto parsed = parse_platform(*p);
        if (!parsed) {
          return std::move(parsed).error().wrap(where(m_file, s.line) +
                                                ": failed to parse platform " + text);
        }
        s.platform = format_platform(*parsed);
      }
      if (auto it = by_name.find(s.base); it != by_name.end()) s.base_stage = it->second;
      if (!s.name.empty()) by_name[s.name] = s.index;
    }

    // 4. --from dependencies (any stage, by lower-case name or index; else an image).
    for (Stage& s : m_graph.stages) {
      for (const Instruction& ins : s.instructions) {
        std::vector<std::string> refs;
        if (ins.kind == Kind::copy) {
          if (auto f = ins.flag("from"); f && !f->empty()) refs.push_back(*f);
        } else if (ins.kind == Kind::run) {
          for (const std::string& m : ins.flag_values("mount")) {
            if (auto f = mount_from(m); f && !f->empty()) refs.push_back(*f);
          }
        }
        for (const std::string& ref : refs) {
          TRY_CTX(where(m_file, ins.start_line), add_dependency(s, ref, by_name));
        }
      }
      std::sort(s.needs.begin(), s.needs.end());
      s.needs.erase(std::unique(s.needs.begin(), s.needs.end()), s.needs.end());
    }

    // 5. Cycles, then the target and what it needs.
    build_edges();
    TRY(check_cycles());
    if (m_options.target.empty()) {
      m_graph.target = m_graph.stages.size() - 1;
    } else {
      auto it = by_name.find(ascii_lower(m_options.target));
      if (it == by_name.end()) {
        return Error{"target stage \"" + m_options.target + "\" could not be found"};
      }
      m_graph.target = it->second;
    }
    std::vector<char> done(m_graph.stages.size(), 0);
    visit(m_graph.target, done);
    m_graph.unused_build_args = unused_build_args();
    return std::move(m_graph);
  }

 private:
  Result<void> add_dependency(Stage& s, const std::string& ref,
                              const std::map<std::string, size_t>& by_name) {
    Vars none;
    auto plain = process_word(ref, none);
    if (!plain || *plain != ref) {
      return Error{
          "variable expansion is not supported for --from, define a new stage with FROM using "
          "ARG from global scope as a workaround"};
    }
    bool digits = std::all_of(ref.begin(), ref.end(), [](char c) { return c >= '0' && c <= '9'; });
    bool number = !ref.empty() && (digits || ((ref[0] == '-' || ref[0] == '+') && ref.size() > 1 &&
                                              std::all_of(ref.begin() + 1, ref.end(), [](char c) {
                                                return c >= '0' && c <= '9';
                                              })));
    if (number) {
      // strconv.Atoi: an index into the stages.
      long long index = ref.size() > 18 ? -1 : std::stoll(ref);
      if (index < 0 || index >= static_cast<long long>(m_graph.stages.size())) {
        return Error{"invalid stage index " + (ref.size() > 18 ? ref : std::to_string(index))};
      }
      return need(s, static_cast<size_t>(index), ref);
    }
    if (auto it = by_name.find(ascii_lower(ref)); it != by_name.end())
      return need(s, it->second, ref);
    if (std::find(s.images.begin(), s.images.end(), ref) == s.images.end()) s.images.push_back(ref);
    return {};
  }

  Result<void> need(Stage& s, size_t index, const std::string& ref) {
    if (index >= s.index && m_options.forward_from == ForwardFrom::refuse) {
      const Stage& to = m_graph.stages[index];
      return Error{"--from=" + ref + " refers to " +
                   (index == s.index ? std::string("the stage it is in")
                                     : "a later stage (line " + std::to_string(to.line) + ")") +
                   ": only earlier stages can be copied from"};
    }
    s.needs.push_back(index);
    return {};
  }

  // What each stage needs (--from stages and its FROM stage), sorted, computed once so the
  // walks below are linear in the edges.
  void build_edges() {
    m_edges.clear();
    for (const Stage& s : m_graph.stages) {
      std::vector<size_t> e = s.needs;
      if (s.base_stage) e.push_back(*s.base_stage);
      std::sort(e.begin(), e.end());
      e.erase(std::unique(e.begin(), e.end()), e.end());
      m_edges.push_back(std::move(e));
    }
  }

  // A stage that needs itself, directly or not: iterative depth-first search (0 new, 1 on the
  // path, 2 done) so a long chain of stages cannot exhaust the stack.
  Result<void> check_cycles() const {
    size_t n = m_graph.stages.size();
    std::vector<int> state(n, 0);
    for (size_t root = 0; root < n; ++root) {
      if (state[root]) continue;
      std::vector<std::pair<size_t, size_t>> stack{{root, 0}};
      state[root] = 1;
      while (!stack.empty()) {
        auto& [at, next] = stack.back();
        const std::vector<size_t>& e = m_edges[at];
        if (next >= e.size()) {
          state[at] = 2;
          stack.pop_back();
          continue;
        }
        size_t to = e[next++];
        if (state[to] == 1) {
          const Stage& s = m_graph.stages[root];
          std::string name = s.name.empty() ? "stage-" + std::to_string(s.index) : s.name;
          return Error{where(m_file, s.line) + ": circular dependency detected on stage: " + name};
        }
        if (state[to] == 0) {
          state[to] = 1;
          stack.push_back({to, 0});
        }
      }
    }
    return {};
  }

  // Post-order from the target (no cycles remain): each stage after what it needs.
  void visit(size_t root, std::vector<char>& done) {
    std::vector<std::pair<size_t, size_t>> stack{{root, 0}};
    done[root] = 1;
    while (!stack.empty()) {
      auto& [at, next] = stack.back();
      const std::vector<size_t>& e = m_edges[at];
      if (next >= e.size()) {
        m_graph.order.push_back(at);
        stack.pop_back();
        continue;
      }
      size_t to = e[next++];
      if (!done[to]) {
        done[to] = 1;
        stack.push_back({to, 0});
      }
    }
  }

  // --build-arg values no ARG of the FROM lines or of a needed stage declares (BuildKit warns
  // "one or more build-args were not consumed").
  std::vector<std::string> unused_build_args() const {
    std::set<std::string> declared;
    for (const ArgDecl& a : m_graph.global_args) declared.insert(a.key);
    for (size_t i : m_graph.order) {
      for (const Instruction& ins : m_graph.stages[i].instructions) {
        for (const ArgDecl& a : ins.arg_decls) declared.insert(a.key);
      }
    }
    std::vector<std::string> out;
    for (const auto& [k, v] : m_options.build_args) {
      (void)v;
      if (!declared.count(k) && !is_predefined(k) && !m_graph.globals.count(k)) out.push_back(k);
    }
    return out;
  }

  const StageOptions& m_options;
  std::string m_file;
  StageGraph m_graph;
  std::vector<std::vector<size_t>> m_edges;
};

}  // namespace

Vars platform_args(const StageOptions& options, std::string_view target_name) {
  const Platform& b = options.build_platform;
  const Platform& t = options.target_platform ? *options.target_platform : b;
  Vars out = {
      {"BUILDPLATFORM", format_platform(b)},
      {"BUILDOS", b.os},
      {"BUILDOSVERSION", ""},
      {"BUILDARCH", b.arch},
      {"BUILDVARIANT", b.variant},
      {"TARGETPLATFORM", format_platform(t)},
      {"TARGETOS", t.os},
      {"TARGETOSVERSION", ""},
      {"TARGETARCH", t.arch},
      {"TARGETVARIANT", t.variant},
      {"TARGETSTAGE", target_name.empty() ? std::string("default") : std::string(target_name)},
  };
  for (auto& [k, v] : out) {
    if (auto it = options.build_args.find(k); it != options.build_args.end()) v = it->second;
  }
  return out;
}

Result<StageGraph> build_stage_graph(const std::vector<Instruction>& instructions,
                                     const StageOptions& options, std::string_view file_name) {
  return GraphBuilder(options, file_name).run(instructions);
}

StageScope::StageScope(const StageGraph& graph, const StageOptions& options, Vars image_env)
    : m_graph(graph), m_options(options), m_vars(image_env), m_env(std::move(image_env)) {
  for (const auto& [k, v] : m_vars) m_bytes += k.size() + v.size();
}

Result<void> StageScope::apply(const Instruction& ins, char escape) {
  LexOptions lex;
  lex.escape = escape;
  const std::string at = ":" + std::to_string(ins.start_line);
  if (ins.kind == Kind::env) {
    // Every key and value of one ENV line sees the variables from before the line.
    std::vector<std::pair<std::string, std::string>> set;
    for (const KeyValue& kv : ins.pairs) {
      std::string key = TRY_CTX("line" + at, process_word(kv.key, m_vars, lex));
      std::string value = TRY_CTX("line" + at, process_word(kv.value, m_vars, lex));
      set.emplace_back(std::move(key), std::move(value));
    }
    for (auto& [k, v] : set) {
      TRY_CTX("line" + at, assign(k, v));
      m_env[k] = v;
    }
    return {};
  }
  if (ins.kind != Kind::arg) return {};
  for (const ArgDecl& a : ins.arg_decls) {
    // An ENV of the same name (the image's or the stage's) wins over the ARG, as in Docker.
    if (m_env.count(a.key)) continue;
    std::optional<std::string> value;
    if (auto it = m_options.build_args.find(a.key); it != m_options.build_args.end()) {
      value = it->second;
    } else if (a.default_value) {
      value = TRY_CTX("line" + at, process_word(*a.default_value, m_vars, lex));
    } else if (auto g = m_graph.globals.find(a.key); g != m_graph.globals.end()) {
      value = g->second;
    }
    if (value) TRY_CTX("line" + at, assign(a.key, *value));
  }
  return {};
}

Result<void> StageScope::assign(const std::string& key, const std::string& value) {
  auto it = m_vars.find(key);
  size_t old = it == m_vars.end() ? 0 : key.size() + it->second.size();
  m_bytes = m_bytes - old + key.size() + value.size();
  if (m_bytes > k_max_scope_bytes) {
    return Error{"variables of the stage larger than " + std::to_string(k_max_scope_bytes >> 20) +
                 " MiB"};
  }
  m_vars[key] = value;
  return {};
}

}  // namespace pith::dockerfile
