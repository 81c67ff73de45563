// Fuzz target: for_each_entry over arbitrary bytes, reading every entry's content.
#include <cstddef>
#include <cstdint>
#include <string>

#include "tar/layer_reader.h"
#include "util/byte_source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pith::MemorySource src(std::string(reinterpret_cast<const char*>(data), size));
  auto r = pith::tar::for_each_entry(
      src, [](const pith::tar::Entry& e, pith::ByteSource& content) -> pith::Result<void> {
        std::string path_check;
        // Entries handed out are already normalised; normalising again must be a no-op.
        if (!pith::tar::normalize_path(e.path, path_check) || path_check != e.path)
          __builtin_trap();
        (void)pith::tar::mode_string(e);
        TRY(pith::read_all(content, uint64_t{1} << 26));
        return {};
      });
  (void)r;
  return 0;
}
