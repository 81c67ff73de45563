// Fuzz target: MemberStream over arbitrary bytes, read in small pieces, must agree with
// ArchiveIndex::parse (the random-access parser) on every member and its bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "tar/archive_index.h"
#include "tar/member_stream.h"

namespace {

// Hands out at most 7 bytes a read, so members straddle reads everywhere.
class Trickle final : public pith::ByteSource {
 public:
  explicit Trickle(std::string_view data) : m_data(data) {}
  pith::Result<size_t> read(std::span<std::byte> out) override {
    size_t n = std::min({out.size(), m_data.size() - m_pos, size_t{7}});
    std::memcpy(out.data(), m_data.data() + m_pos, n);
    m_pos += n;
    return n;
  }

 private:
  std::string_view m_data;
  size_t m_pos = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto index = pith::tar::ArchiveIndex::parse(bytes);
  pith::tar::MemberStream stream(std::make_unique<Trickle>(bytes));
  size_t i = 0;
  for (;; ++i) {
    auto m = stream.next();
    if (!m) {
      if (index) __builtin_trap();  // the index parser accepted what the stream refused
      return 0;
    }
    if (!*m) break;
    // Every other member is read whole and compared; the others are skipped.
    if (i % 2 == 0) {
      auto content = pith::read_all(stream.data(), size);
      if (!content) {
        if (index) __builtin_trap();
        return 0;
      }
      if (index && (*m)->type == '0' && *content != bytes.substr((*m)->offset, (*m)->size))
        __builtin_trap();
    }
    if (!index) continue;
    if (i >= index->members().size()) __builtin_trap();
    const auto& want = index->members()[i];
    if (want.name != (*m)->name || want.offset != (*m)->offset || want.size != (*m)->size ||
        want.type != (*m)->type || want.link != (*m)->link)
      __builtin_trap();
  }
  if (index && i != index->members().size()) __builtin_trap();
  return 0;
}
