// `pith slim --trace`: the input run under runc (no daemon) with pith-tracer recording every
// path its process tree opens, stats, execs or reads as a link, failed lookups included, while
// the probes run: HTTP probes from the host (the port waited for, the path fetched) and probe
// commands inside the container. What it records joins the static set.
#pragma once

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "slim/keep.h"
#include "util/result.h"
#include "util/root_dir.h"

namespace pith::slim {

struct HttpProbe {
  int port = 0;
  std::string path;                                       // "/index.html"
  static Result<HttpProbe> parse(std::string_view text);  // "PORT/PATH"
};

struct TraceSpec {
  std::string root_dir;           // the unpacked input: the overlay's lower layer
  std::vector<std::string> argv;  // the container's command
  std::vector<std::string> env;
  std::string cwd;
  std::string user;  // the config's User
  std::vector<std::vector<std::string>> probe_cmds;
  std::vector<HttpProbe> http_probes;
  // How long the program may take to open its port and answer an HTTP probe; with no probe,
  // how long it runs before it is stopped.
  std::chrono::seconds wait = std::chrono::seconds(30);
};

struct ProbeAnswer {
  std::string probe;  // "80/index.html"
  int status = 0;     // HTTP status, 0 when nothing answered
  uint64_t bytes = 0;
};

struct TraceResult {
  std::set<std::string> paths;  // absolute, as the processes named them
  std::vector<ProbeAnswer> answers;
  std::string status;  // the tracer's: "exit N" or "killed"
};

// Fails when the run cannot start, or an HTTP probe gets no answer within `wait`.
Result<TraceResult> trace(const TraceSpec& spec);

// The recorded paths into `keep`: a file (or a link to one) kept; a directory kept empty; a
// path the root lacks (a lookup that failed, a file the program creates) keeps its nearest
// directory that exists. /proc, /sys, /dev and the tracer's own paths are left out.
Result<void> keep_traced(const RootDir& root, const std::set<std::string>& paths, Keep& keep);

}  // namespace pith::slim
