// What a slim kept and removed of its input: bytes and files by package and by directory, as a
// table for the terminal and as JSON (`--json`, `--report FILE`), with every removed file and
// the package it belonged to.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/result.h"
#include "util/root_dir.h"

namespace pith::slim {

struct Tally {
  uint64_t kept_files = 0, kept_bytes = 0, removed_files = 0, removed_bytes = 0;
};

struct Summary {
  std::string input;
  Tally total;
  std::map<std::string, Tally> by_package;     // "libc6"; "" for files no package owns
  std::map<std::string, Tally> by_directory;   // the first two levels: "/usr/lib"
  std::map<std::string, std::string> removed;  // path -> owning package ("" when none)
  std::vector<std::string> packages_recorded;  // "name version" of the records written
  uint64_t input_bytes = 0;                    // the input's layers as stored
  uint64_t output_bytes = 0;                   // the output's layers as written
  std::vector<std::string> reasons;            // why paths were kept (Keep::reasons)
  bool traced = false;                         // --trace
  std::vector<std::string> traced_paths;       // what the tracer recorded, sorted
  struct Probe {
    std::string probe;  // "80/index.html"
    int status = 0;
    uint64_t bytes = 0;
  };
  std::vector<Probe> probes;  // the HTTP probes' answers
};

// Every regular file of `root` with its size, by canonical path (hard links counted once each
// name). Bounded by k_max_entries.
Result<std::map<std::string, uint64_t>> regular_files(const RootDir& root);

// `files`: regular_files of the input; `kept`: the canonical paths the image takes;
// `owners`: path -> package for the files packages own.
Summary summarize(const std::map<std::string, uint64_t>& files, const std::set<std::string>& kept,
                  const std::map<std::string, std::string>& owners);

nlohmann::json to_json(const Summary& s);
// The table: totals, then packages and directories by bytes removed (the `top` largest).
std::string render(const Summary& s, size_t top = 15);

}  // namespace pith::slim
