// ArchiveIndex: walks the headers of an uncompressed tar, recording where each member's data
// lies. Reads only headers (and small long-name/pax data), never member contents.
#include "tar/archive_index.h"

#include <cstring>
#include <functional>
#include <optional>

#include "tar/entry.h"
#include "tar/pax.h"
#include "tar/ustar.h"
#include "util/file.h"

namespace pith::tar {

namespace {

// Long names and pax headers are read into memory; no honest one comes near this.
constexpr uint64_t k_max_meta_size = 1 << 20;
constexpr int k_max_link_hops = 16;

using ReadAt = std::function<Result<std::string>(uint64_t offset, uint64_t len)>;

Result<std::vector<Member>> walk(uint64_t file_size, const ReadAt& read_at) {
  std::vector<Member> members;
  Pending pending;
  uint64_t offset = 0;
  for (;;) {
    // A tar that ends exactly on a block boundary without the zero blocks is accepted, as
    // GNU tar does.
    if (offset == file_size) break;
    if (file_size - offset < k_block)
      return make_error("truncated header at offset " + std::to_string(offset));
    std::string block = TRY(read_at(offset, k_block));
    if (is_zero_block(block)) break;
    UstarHeader h;
    std::memcpy(&h, block.data(), k_block);
    if (!checksum_ok(h))
      return make_error("bad header checksum at offset " + std::to_string(offset));

    char type = h.typeflag;
    auto field_size = parse_numeric(std::string_view(h.size, sizeof(h.size)));
    if (!field_size) return make_error("bad size field at offset " + std::to_string(offset));
    uint64_t size = pending.size && type != 'x' && type != 'g' && type != 'L' && type != 'K'
                        ? *pending.size
                        : *field_size;
    if (has_no_data(type)) size = 0;
    uint64_t data_offset = offset + k_block;
    if (size > file_size - data_offset)
      return make_error(header_name(h) + ": data runs past the end of the archive");
    auto padded = padded_size(size);
    if (!padded) return make_error(header_name(h) + ": size overflows");

    if (type == 'L' || type == 'K' || type == 'x') {
      if (size > k_max_meta_size)
        return make_error("extension header at offset " + std::to_string(offset) +
                          " is too large (" + std::to_string(size) + " bytes)");
      std::string data = TRY(read_at(data_offset, size));
      if (type == 'L') pending.path = until_nul(data);
      if (type == 'K') pending.link = until_nul(data);
      if (type == 'x')
        TRY_CTX("pax header at offset " + std::to_string(offset), apply_pax(data, pending));
    } else if (type != 'g') {
      members.push_back(TRY(member_from_header(h, type, pending, data_offset, size)));
      pending = Pending{};
    }
    // The final member's padding may be missing; that ends the archive.
    if (*padded >= file_size - data_offset) break;
    offset = data_offset + *padded;
  }
  return members;
}

std::string parent_dir(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

}  // namespace

Result<ArchiveIndex> ArchiveIndex::read(int fd, uint64_t file_size) {
  ReadAt read_at = [fd](uint64_t offset, uint64_t len) { return pread_exact(fd, offset, len); };
  ArchiveIndex index;
  index.m_members = TRY(walk(file_size, read_at));
  for (size_t i = 0; i < index.m_members.size(); ++i) index.m_by_name[index.m_members[i].name] = i;
  return index;
}

Result<ArchiveIndex> ArchiveIndex::parse(std::string_view bytes) {
  ReadAt read_at = [bytes](uint64_t offset, uint64_t len) -> Result<std::string> {
    if (offset > bytes.size() || len > bytes.size() - offset)
      return make_error("unexpected end of data");
    return std::string(bytes.substr(offset, len));
  };
  ArchiveIndex index;
  index.m_members = TRY(walk(bytes.size(), read_at));
  for (size_t i = 0; i < index.m_members.size(); ++i) index.m_by_name[index.m_members[i].name] = i;
  return index;
}

const Member* ArchiveIndex::find_file(std::string_view name) const {
  std::string current;
  if (!normalize_path(name, current)) return nullptr;
  for (int hop = 0; hop <= k_max_link_hops; ++hop) {
    auto it = m_by_name.find(current);
    if (it == m_by_name.end()) return nullptr;
    const Member& m = m_members[it->second];
    if (m.type == '0') return &m;
    if (m.type == '1') {
      current = m.link;
    } else if (m.type == '2') {
      // Absolute targets are taken relative to the archive root; either way the result must
      // stay inside it.
      std::string target = m.link.starts_with('/') ? m.link : parent_dir(current) + "/" + m.link;
      if (!normalize_path(target, current)) return nullptr;
    } else {
      return nullptr;
    }
  }
  return nullptr;
}

}  // namespace pith::tar
