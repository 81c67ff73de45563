// Fuzz target for image references: whatever parses must print as text that parses back to
// the same reference.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "transport/reference.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pith::transport;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto r = parse_reference(text)) {
    std::string s = r->str();
    auto again = parse_reference(s);
    if (!again || again->str() != s || again->kind != r->kind) std::abort();
  }
  if (auto n = parse_docker_name(text)) {
    auto again = parse_docker_name(n->str());
    if (!again || again->str() != n->str()) std::abort();
  }
  return 0;
}
