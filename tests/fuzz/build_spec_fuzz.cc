// Fuzz target for pith.yaml: any bytes give a spec or an error, never a crash; a parsed spec
// can always be validated.
#include <cstdint>
#include <string_view>

#include "build/spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto spec = pith::build::parse_spec_yaml(text, "fuzz.yaml"))
    (void)pith::build::validate(*spec);
  return 0;
}
