// Fuzz target for the Dockerfile frontend: any bytes are parsed (dumped, typed, turned into a
// stage graph whose ARG/ENV scopes are walked and whose words are expanded as a build would),
// lexed as one word, read as a .dockerignore matched against a few paths, and as a RUN --mount
// value (BuildKit's parseMount and what the executor asks of its result). Errors are
// fine; crashes, hangs and unbounded memory are not.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "dockerfile/dockerignore.h"
#include "dockerfile/instructions.h"
#include "dockerfile/parser.h"
#include "dockerfile/run_mount.h"
#include "dockerfile/shell_lex.h"
#include "dockerfile/stages.h"

using namespace pith::dockerfile;

namespace {

void frontend(std::string_view text) {
  auto parsed = parse_dockerfile(text);
  if (!parsed) return;
  std::string d = dump(*parsed);
  auto again = parse_dockerfile(text);
  if (!again || dump(*again) != d) std::abort();  // deterministic
  auto ins = to_instructions(*parsed);
  if (!ins) return;
  StageOptions opt;
  opt.build_args = {{"A", "x y"}, {"TARGETARCH", "arm64"}};
  auto g = build_stage_graph(*ins, opt);
  if (!g) return;
  if (g->order.empty() || g->order.back() != g->target) std::abort();
  for (size_t i : g->order) {
    StageScope scope(*g, opt, {{"PATH", "/usr/bin"}});
    LexOptions lex;
    lex.escape = parsed->escape;
    for (const Instruction& in : g->stages[i].instructions) {
      if (!scope.apply(in, parsed->escape)) break;
      if (in.kind == Kind::run || in.kind == Kind::cmd || in.kind == Kind::entrypoint) continue;
      for (const std::string& a : in.args) (void)process_words(a, scope.vars(), lex);
    }
  }
}

void word(std::string_view text) {
  Vars env = {{"PWD", "/home"}, {"EMPTY", ""}, {"X", "a*b/c"}};
  (void)expand(text, env);
  LexOptions raw;
  raw.raw_quotes = raw.raw_escapes = raw.skip_unset_env = true;
  (void)expand(text, env, raw);
}

void ignore(std::string_view text) {
  auto m = IgnoreMatcher::from_dockerignore(text);
  if (!m) return;
  for (const char* path : {"a", "a/b/c.txt", "Dockerfile", ".dockerignore", "x/y/z/w"}) {
    (void)m->excluded(path);
    (void)m->must_enter(path);
  }
}

void mount(std::string_view text) {
  (void)check_run_mount(text);
  auto m = parse_run_mount(text);
  if (!m) return;
  (void)mount_target(*m, "/work");
  (void)cache_id(*m);
  (void)cache_dir_mode(*m);
  if (m->type == MountType::secret) (void)secret_use(*m);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  frontend(text);
  word(text);
  ignore(text);
  mount(text);
  return 0;
}
