// Parsed nodes -> typed instructions, with BuildKit's checks (frontend/dockerfile/instructions/
// parse.go): which flags each instruction takes, argument counts, stage names, ONBUILD
// triggers, HEALTHCHECK options. Values are kept as written: variable substitution happens
// later, per stage, with the variables in scope (stages.h, shell_lex.h).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dockerfile/parser.h"
#include "util/result.h"

namespace pith::dockerfile {

enum class Kind {
  from,
  run,
  cmd,
  entrypoint,
  copy,
  add,
  env,
  arg,
  workdir,
  user,
  label,
  expose,
  volume,
  stopsignal,
  healthcheck,
  shell,
  onbuild,
  maintainer,
};

// "RUN", "COPY", ...
std::string_view kind_name(Kind kind);

// A builder flag as given: `--link` is ("link", "true"), `--from=build` is ("from", "build").
struct Flag {
  std::string name;
  std::string value;
};

struct KeyValue {
  std::string key;
  std::string value;
  bool legacy = false;  // `ENV k v` (no '='): BuildKit's linter warns about it
};

struct ArgDecl {
  std::string key;
  std::optional<std::string> default_value;  // `ARG k` has none; `ARG k=` has ""
};

// HEALTHCHECK: test is {"NONE"}, {"CMD", args...} (exec form) or {"CMD-SHELL", text}.
struct Healthcheck {
  std::vector<std::string> test;
  int64_t interval_ns = 0;  // 0: not given (the image's or Docker's default applies)
  int64_t timeout_ns = 0;
  int64_t start_period_ns = 0;
  int64_t start_interval_ns = 0;
  int retries = 0;
};

// A file a COPY/ADD heredoc provides (`COPY <<EOF /dest`).
struct InlineSource {
  std::string name;
  std::string data;  // chomped (`<<-`) already
  bool expand = true;
};

struct Instruction {
  Kind kind = Kind::run;
  std::string keyword;   // as written ("run")
  std::string original;  // the logical line
  int start_line = 0;
  int end_line = 0;
  std::vector<Flag> flags;
  // Exec (JSON) form: RUN/CMD/ENTRYPOINT/HEALTHCHECK CMD run `args` directly; otherwise
  // `args` is one shell text for the image's SHELL.
  bool json = false;
  // FROM: {image}; RUN/CMD/ENTRYPOINT/SHELL: the command; COPY/ADD: sources (paths, without
  // heredocs) then the destination last; EXPOSE: ports (sorted, as BuildKit sorts them);
  // VOLUME: paths; WORKDIR/USER/STOPSIGNAL/MAINTAINER: {value}.
  std::vector<std::string> args;
  std::string stage_name;                    // FROM ... AS name (lower case)
  std::vector<KeyValue> pairs;               // ENV, LABEL
  std::vector<ArgDecl> arg_decls;            // ARG
  std::vector<InlineSource> inline_sources;  // COPY/ADD heredocs
  std::vector<Heredoc> heredocs;             // RUN heredocs (files the shell reads)
  Healthcheck health;                        // HEALTHCHECK
  // ONBUILD: the trigger as BuildKit stores it in the image config's OnBuild (the text after
  // ONBUILD, heredoc bodies appended), and the trigger as parsed (checked only when an image
  // built FROM this one runs it, as BuildKit does).
  std::string onbuild_expression;
  std::shared_ptr<const Node> trigger;
  // MAINTAINER: BuildKit sets the image config's author (not a label) to args[0].

  // The last value given for a flag, if any (`--from`, `--chown`, `--platform`, ...).
  std::optional<std::string> flag(std::string_view name) const;
  // Every value of a repeatable flag (`--mount`, `--exclude`), in order.
  std::vector<std::string> flag_values(std::string_view name) const;
  // A boolean flag (`--link`, `--parents`): given and not "false".
  bool flag_true(std::string_view name) const;
};

// One node; errors read "<name>:<line>: <cause>", e.g. "Dockerfile:7: unknown instruction: FRON".
Result<Instruction> to_instruction(const Node& node, std::string_view file_name = "Dockerfile");
// Every node of a file, in order; the first error stops.
Result<std::vector<Instruction>> to_instructions(const ParsedDockerfile& file,
                                                 std::string_view file_name = "Dockerfile");

// Go's time.ParseDuration (HEALTHCHECK --interval=5s), in nanoseconds.
Result<int64_t> parse_go_duration(std::string_view text);

}  // namespace pith::dockerfile
