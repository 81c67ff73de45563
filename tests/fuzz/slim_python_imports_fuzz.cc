// Fuzz target for the Python import scanner `pith slim` runs on a fat image's modules: any
// bytes give a bounded list of imports with names made of the source's own characters.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "slim/python_imports.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto imports = pith::slim::python_imports(text);
  check(imports.size() <= pith::slim::k_max_python_imports);
  for (const auto& imp : imports) {
    check(!imp.module.empty() || imp.level > 0);
    check(imp.module.size() <= size);
    check(imp.module.empty() || (imp.module.front() != '.' && imp.module.back() != '.'));
    for (const auto& n : imp.names) check(!n.empty() && n.size() <= size);
  }
  return 0;
}
