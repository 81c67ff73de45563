// Forward-only reading of an image archive that arrives as a stream (a daemon's `docker save`
// over a socket): one member after another, each member's data as a bounded stream, with no
// random access and nothing buffered beyond a header. Headers follow the same rules as
// ArchiveIndex (ustar, GNU 'L'/'K' long names, pax path/linkpath/size), every field checked;
// it is fuzzed (tests/fuzz/tar_member_stream_fuzz.cc).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "tar/archive_index.h"
#include "util/byte_source.h"
#include "util/result.h"

namespace pith::tar {

class MemberStream {
 public:
  explicit MemberStream(std::unique_ptr<ByteSource> in);
  MemberStream(const MemberStream&) = delete;
  MemberStream& operator=(const MemberStream&) = delete;

  // The next member (Member::offset is where its data starts in the stream), after skipping
  // whatever of the current member's data was not read. nullopt at the end of the archive.
  Result<std::optional<Member>> next();
  // The current member's data; reads return 0 at its end.
  ByteSource& data() { return m_data; }

 private:
  class Data final : public ByteSource {
   public:
    explicit Data(MemberStream& owner) : m_owner(owner) {}
    Result<size_t> read(std::span<std::byte> out) override;

   private:
    MemberStream& m_owner;
  };

  Result<size_t> read_some(std::span<std::byte> out);
  // Reads exactly n bytes; `eof_ok` lets a clean end before the first byte return "".
  Result<std::string> read_exact(uint64_t n, bool eof_ok);
  Result<void> skip(uint64_t n);
  // Consumes the current member's padding; false if the stream ended inside it.
  Result<bool> skip_padding();

  std::unique_ptr<ByteSource> m_in;
  Data m_data{*this};
  uint64_t m_position = 0;   // bytes consumed from m_in
  uint64_t m_remaining = 0;  // unread data of the current member
  uint64_t m_padding = 0;    // its padding to the next block
  bool m_ended = false;
};

}  // namespace pith::tar
