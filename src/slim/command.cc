#include "slim/command.h"

#include <sys/stat.h>

#include "lint/command.h"
#include "slim/keep.h"
#include "util/path_text.h"

namespace pith::slim {

namespace {

constexpr int k_max_depth = 4;  // sh -c "env sh -c ..." nested this deep at most

// The file `name` runs: itself when it has a slash (relative to `workdir`), else the first
// PATH directory holding an executable regular file of that name. "" when none.
std::string find_program(const RootDir& root, const std::string& name,
                         const std::vector<std::string>& path, const std::string& workdir) {
  auto executable = [&](const std::string& p) {
    auto resolved = root.resolve(p);
    if (!resolved) return false;
    auto st = root.lstat(resolved->path);
    return st && S_ISREG(st->st_mode) && (st->st_mode & 0111) != 0;
  };
  if (name.empty()) return "";
  if (name.find('/') != std::string::npos) {
    std::string p = name.front() == '/' ? name : (workdir.empty() ? "/" : workdir) + "/" + name;
    return executable(p) ? p : "";
  }
  for (const auto& dir : path) {
    std::string p = (dir.empty() || dir.back() != '/' ? dir + "/" : dir) + name;
    if (!p.empty() && p.front() == '/' && executable(p)) return p;
  }
  return "";
}

bool is_shell(const std::string& program) {
  std::string n = std::string(path_base_name(program));
  return n == "sh" || n == "bash" || n == "dash" || n == "ash" || n == "zsh";
}

struct Walker {
  const RootDir& root;
  std::vector<std::string> path;
  std::string workdir;
  std::vector<Invocation> out;

  // `words` a command (argv); `must`: an unknown program is an error (the image's own command)
  // rather than a builtin to skip (a word of a shell line).
  Result<void> add(std::vector<std::string> words, bool must, int depth) {
    size_t i = lint::program_word(words);
    if (i >= words.size()) return {};
    std::string program = find_program(root, words[i], path, workdir);
    if (program.empty()) {
      if (must) return make_error("the image's command " + words[i] + ": not found in the image");
      return {};
    }
    Invocation inv{program, {words.begin() + static_cast<long>(i) + 1, words.end()}};
    out.push_back(inv);
    if (depth >= k_max_depth) return {};
    // env [-i] [NAME=VALUE]... PROGRAM ARGS
    if (path_base_name(program) == "env") {
      std::vector<std::string> rest;
      size_t j = 0;
      while (j < inv.args.size() &&
             (inv.args[j].front() == '-' || lint::is_assignment(inv.args[j])))
        ++j;
      rest.assign(inv.args.begin() + static_cast<long>(j), inv.args.end());
      if (!rest.empty()) TRY(add(rest, must, depth + 1));
    }
    // sh -c "LINE" [NAME ARGS...]
    if (is_shell(program) && inv.args.size() >= 2 && inv.args[0] == "-c") {
      for (auto& cmd : lint::shell_commands(inv.args[1]))
        TRY(add(std::move(cmd), false, depth + 1));
    }
    return {};
  }
};

}  // namespace

Result<std::vector<Invocation>> invocations(const RootDir& root,
                                            const std::vector<std::string>& argv,
                                            const std::vector<std::string>& env,
                                            const std::string& workdir) {
  if (argv.empty()) return make_error("the image has no command (no Entrypoint or Cmd)");
  Walker w{root, lint::path_dirs(env), workdir, {}};
  TRY(w.add(argv, true, 0));
  return std::move(w.out);
}

}  // namespace pith::slim
