// Fuzz target: `pith lint` on an OCI layout held in memory (fuzz_layout.h): the inspect pass
// with lint's captures (ELF objects parsed in the worker, "#!" lines, the loader's and the
// users' files, dpkg's lists), then every rule on the squashed tree: the command resolved
// through hostile symlinks and PATHs, the loader emulated on the image's tree, the user's
// permissions, secrets, unowned files; then the three renderings.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_image.h"
#include "fuzz_layout.h"
#include "lint/lint.h"
#include "lint/output.h"
#include "report/render.h"
#include "transport/oci_layout.h"
#include "transport/resolve.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pith;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto src = transport::open_oci_layout_source(
      std::make_unique<fuzz::MemoryFiles>(fuzz::make_files(input)), "", "fuzz");
  if (!src) return 0;
  auto img = transport::resolve_image(**src, std::nullopt);
  if (!img) return 0;
  lint::LintOptions options;
  options.analyze.threads = 1;
  auto r = lint::lint_image(**src, *img, options);
  if (!r) return 0;
  for (const auto& f : r->findings) {
    const lint::Rule* rule = lint::find_rule(f.id);
    fuzz::check(rule != nullptr);
    fuzz::check(f.path.empty() || f.path.starts_with('/'));
  }
  // Every rendering of hostile names stays well-formed: one escaped line per finding.
  std::string text = lint::render_text(*r);
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  fuzz::check(lines == r->findings.size() + 1);
  (void)report::json_text(lint::to_json(*r), 2);
  (void)report::json_text(lint::to_sarif(*r), 2);
  return 0;
}
