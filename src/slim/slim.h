// `pith slim`: an existing image made distroless. Its root is read (never run): the programs
// its command starts and their ELF closures inside that root, the interpreters' runtime rules,
// the files every program reads, and what --include and --include-package ask for; the package
// records of the files kept; the config kept. The result is checked by lint's run-time rules
// before it is written, and the summary says what was kept and removed, by package and folder.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "build/build.h"
#include "oci/digest.h"
#include "slim/summary.h"
#include "util/result.h"

namespace pith {
class TransferProgress;
}

namespace pith::slim {

struct SlimSpec {
  std::string input;                          // an image reference
  std::vector<std::string> outputs;           // as pith build's -o
  std::vector<std::string> entrypoint;        // replaces the image's entrypoint and cmd
  std::vector<std::string> include;           // paths kept whole
  std::vector<std::string> include_packages;  // packages whose files are all kept
  std::string platform;
  std::string compress;
  bool allow_missing = false;
  bool no_verify = false;  // write the image even when a run-time rule finds an error
  // --trace: the paths the command's processes touch while the probes run join the static set.
  bool trace = false;
  std::vector<std::string> probe_cmds;   // each a command line, split into words as sh would
  std::vector<std::string> http_probes;  // "PORT/PATH"
};

struct SlimResult {
  Summary summary;
  std::vector<std::pair<std::string, oci::Digest>> outputs;
};

Result<SlimResult> run_slim(const SlimSpec& spec, const build::WarningSink& warn,
                            const build::RegistryAccess& registries = {},
                            TransferProgress* progress = nullptr);

}  // namespace pith::slim
