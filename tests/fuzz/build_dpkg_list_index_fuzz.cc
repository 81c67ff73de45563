// Fuzz target: the index of dpkg's file lists that `pith build` keeps in its cache
// (build/dpkg_list_index.h), read back from arbitrary bytes. A cache file is the user's own,
// but a damaged one (a full disk, another version's) must be refused, never trusted past its
// end: whatever parses is written back byte for byte, and queries stay within it.
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "build/dpkg_list_index.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string key = "root=/ info=1:2:3.4:5.6 status=1:3:3.4:5.6:100";
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto index = pith::build::detail::DpkgListIndex::parse(bytes, key);
  if (!index) return 0;
  check(index->serialize(key) == bytes);
  std::set<std::string, std::less<>> names = {"libc.so.6", "", "a", "curl"};
  for (const std::string& list : index->lists_naming(names)) check(index->has_list(list));
  return 0;
}
