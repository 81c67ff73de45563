// Index of an uncompressed tar file that holds an image (oci-archive, docker-archive): where
// each member's bytes are, so blobs can be read in place, in any order, in parallel.
// Own small parser (ustar, GNU 'L'/'K' long names, pax path/linkpath/size): every field is
// bounds-checked; it is fuzzed (tests/fuzz/tar_archive_index_fuzz.cc).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pith::tar {

struct Member {
  std::string name;     // normalised (see normalize_path)
  char type = '0';      // tar typeflag: '0' file, '5' dir, '2' symlink, '1' hard link, ...
  uint64_t offset = 0;  // of the member's data in the archive
  uint64_t size = 0;    // data bytes
  std::string link;     // link target: normalised for hard links, as written for symlinks
};

class ArchiveIndex {
 public:
  // Reads every header of the tar in `fd` (size `file_size`). Fails on a malformed header,
  // a bad checksum, or data that runs past the end of the file.
  static Result<ArchiveIndex> read(int fd, uint64_t file_size);
  // Builds an index from an in-memory tar (tests, fuzzing).
  static Result<ArchiveIndex> parse(std::string_view bytes);

  const std::vector<Member>& members() const { return m_members; }
  // The regular-file member called `name` (normalised first), following symlinks and hard
  // links inside the archive (relative to the link's directory; at most 16 hops). nullptr if
  // absent, a directory, or a link that leaves the archive or loops.
  const Member* find_file(std::string_view name) const;

 private:
  std::vector<Member> m_members;
  std::map<std::string, size_t, std::less<>> m_by_name;  // last member of a name wins
};

}  // namespace pith::tar
