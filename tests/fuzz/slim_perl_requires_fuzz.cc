// Fuzz target for the Perl `use`/`require` scanner `pith slim` runs on a fat image's modules:
// any bytes give a bounded list of module names made of word characters and "::".
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "slim/keep.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto modules = pith::slim::perl_requires(text);
  check(modules.size() <= pith::slim::k_max_modules);
  for (const auto& m : modules) {
    check(!m.empty() && m.size() <= size);
    check(std::isalpha(static_cast<unsigned char>(m.front())) || m.front() == '_');
    for (char c : m) check(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':');
  }
  return 0;
}
