// What `pith build` is asked to make: the settings of flags and of a pith.yaml file, in one
// struct, and how a file's settings and the command line's are combined.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
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
Result<BuildSpec> load_spec_file(const std::string& path);
Result<BuildSpec> parse_spec_yaml(std::string_view text, const std::string& name);

// Parses "SRC[:DST]" (`--add`) or "SRC:DST" (`--add-host`, where DST is required).
Result<AddSpec> parse_add(std::string_view text, bool need_destination);
// "LAYERS" option: "base,libs,app" (the default) or "single".
Result<LayerMode> parse_layer_mode(std::string_view text);

// Checks what a build cannot go without (an entrypoint, an output, valid values).
Result<void> validate(const BuildSpec& spec);

}  // namespace pith::build
