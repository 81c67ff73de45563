// What `pith build` is asked to make: the settings of flags and of a pith.yaml file, in one
// struct, and how a file's settings and the command line's are combined.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pith::build {

// A file or directory to copy: from the root (`--add SRC[:DST]`) or from the host
// (`--add-host SRC:DST`). An empty `to` means the same path as `from`.
struct AddSpec {
  std::string from;
  std::string to;
  bool operator==(const AddSpec&) const = default;
};

enum class LayerMode { split, single };  // base, libs, app layers; or one layer

struct BuildSpec {
  std::string from = "/";  // a directory, or an image reference
  std::string entrypoint;  // path inside the root, or a host path ("./app")
  std::vector<std::string> cmd;
  std::vector<AddSpec> add;
  std::vector<AddSpec> add_host;
  std::vector<std::string> env;  // K=V
  std::string workdir;
  std::string user;  // UID[:GID] or a name from the generated /etc/passwd; "" = 65532
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::vector<std::string> expose;  // PORT[/PROTO]
  std::string stop_signal;
  std::string ca_bundle;  // host file; "" = the root's bundle when it has one
  bool no_ca_certs = false;
  bool tzdata = false;
  std::string locale;  // "" = none; "C.UTF-8"
  std::string platform;
  std::string compress;  // "" = each destination's default (gzip; docker-archive: none)
  LayerMode layers = LayerMode::split;
  bool allow_missing = false;
  bool no_verify = false;  // write the image even when a run-time rule fails (PL107)
  std::vector<std::string> outputs;
};

// Reads a pith.yaml: the same settings as the flags, with the flags' long names as keys
// (`entrypoint`, `cmd`, `add`, `env`, `labels`, `outputs`, ...). Unknown keys are errors.
// Relative host paths in a file are the file's folder's (see `relative_to_folder`), unless it
// is no regular file (a pipe: `-f <(...)`, /dev/stdin), whose paths are the current directory's.
Result<BuildSpec> load_spec_file(const std::string& path);
Result<BuildSpec> parse_spec_yaml(std::string_view text, const std::string& name);

// Rewrites the host paths of `spec` that are relative (the entrypoint's host program,
// `add-host` sources, `ca-bundle`, the paths of `from` and `outputs` references) so they name,
// from the current directory, what they name from `folder`, as docker-compose and kustomize
// read the paths of their files. A host entrypoint stays a relative path: that is what makes it
// a host program.
void relative_to_folder(BuildSpec& spec, const std::string& folder);

// How flags combine with a file (one rule for every field): a flag replaces the file's value
// of what defines the command (entrypoint, cmd) and of every single value (from, workdir,
// user, ...); list and map flags (add, add-host, env, labels, annotations, expose, outputs)
// add to the file's, a key the file has (env, labels, annotations) taking the flag's value
// in place. `--ca-bundle` and `--no-ca-certs` replace each other. `given` tells which settings
// the command line gave, by key ("cmd", "stop-signal").
BuildSpec combine(BuildSpec file, const BuildSpec& flags,
                  const std::function<bool(std::string_view key)>& given);

// Parses "SRC[:DST]" (`--add`) or "SRC:DST" (`--add-host`, where DST is required).
Result<AddSpec> parse_add(std::string_view text, bool need_destination);
// "LAYERS" option: "base,libs,app" (the default) or "single".
Result<LayerMode> parse_layer_mode(std::string_view text);

// Checks what a build cannot go without (an entrypoint, an output, valid values).
Result<void> validate(const BuildSpec& spec);

// Whether runtimes take `text` as a stop signal, as Docker and podman parse one: a number from
// 1 to 64, or a Linux signal name in any case, with or without "SIG" (TERM, SIGRTMIN+3).
bool is_stop_signal(std::string_view text);

}  // namespace pith::build
