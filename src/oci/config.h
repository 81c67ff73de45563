// Image configuration (OCI image config / Docker container image JSON).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "oci/digest.h"
#include "util/result.h"

namespace pith::oci {

struct HistoryEntry {
  std::string created;
  std::string created_by;
  std::string author;
  std::string comment;
  bool empty_layer = false;
  bool operator==(const HistoryEntry&) const = default;
};

struct ImageConfig {
  nlohmann::json raw;  // the whole document, for fields pith does not model
  std::string architecture;
  std::string os;
  std::string variant;
  std::string created;
  std::vector<Digest> diff_ids;
  std::vector<HistoryEntry> history;
  // From "config":
  std::string user;
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env;
  std::string working_dir;
  std::map<std::string, std::string> labels;
};

// Fails on bad JSON, wrong field types, a missing "rootfs", or malformed diff_ids.
Result<ImageConfig> parse_config(std::string_view bytes);

// The history entries that belong to layers (those without empty_layer), in layer order;
// entry i describes layer i when the counts agree.
std::vector<const HistoryEntry*> layer_history(const ImageConfig& c);

// The config as JSON: `raw` with the modeled fields written over it (empty ones removed), so
// fields pith does not model survive. serialize() writes it as canonical JSON.
nlohmann::json to_json(const ImageConfig& c);
std::string serialize(const ImageConfig& c);

}  // namespace pith::oci
