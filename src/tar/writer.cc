// Deterministic tar writer: one ustar header per entry, preceded by a pax header only for
// the fields ustar cannot hold.
#include "tar/writer.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "tar/pax.h"
#include "tar/ustar.h"

namespace pith::tar {

namespace {

constexpr size_t k_copy_chunk = 256 * 1024;

// Writes `v` as zero-padded octal filling all but the field's final NUL. False when it does
// not fit, in which case the field is left zero and a pax record carries the value.
template <size_t N>
bool put_octal(char (&field)[N], uint64_t v) {
  constexpr size_t digits = N - 1;
  if (digits < 22 && v >> (3 * digits)) return false;
  for (size_t i = digits; i-- > 0;) {
    field[i] = static_cast<char>('0' + (v & 7));
    v >>= 3;
  }
  field[digits] = '\0';
  return true;
}

template <size_t N>
bool put_text(char (&field)[N], std::string_view s) {
  if (s.size() > N) return false;
  std::memcpy(field, s.data(), s.size());
  return true;
}

char typeflag(EntryType t) {
  switch (t) {
    case EntryType::regular:
      return '0';
    case EntryType::hardlink:
      return '1';
    case EntryType::symlink:
      return '2';
    case EntryType::char_device:
      return '3';
    case EntryType::block_device:
      return '4';
    case EntryType::directory:
      return '5';
    case EntryType::fifo:
      return '6';
  }
  return '0';
}

// Places `name` in the name field, or splits it at a '/' into prefix and name; false when
// neither fits.
bool put_name(UstarHeader& h, std::string_view name) {
  if (put_text(h.name, name)) return true;
  for (size_t slash = name.find('/'); slash != std::string_view::npos;
       slash = name.find('/', slash + 1)) {
    if (slash > sizeof(h.prefix)) return false;
    std::string_view rest = name.substr(slash + 1);
    if (rest.empty() || rest.size() > sizeof(h.name)) continue;
    put_text(h.prefix, name.substr(0, slash));
    put_text(h.name, rest);
    return true;
  }
  return false;
}

void finish_header(UstarHeader& h) {
  std::memcpy(h.magic, "ustar\0", 6);
  std::memcpy(h.version, "00", 2);
  std::memset(h.chksum, ' ', sizeof(h.chksum));
  unsigned char bytes[k_block];
  std::memcpy(bytes, &h, k_block);
  uint32_t sum = 0;
  for (unsigned char b : bytes) sum += b;
  // Six octal digits, NUL, space: the traditional layout every reader accepts.
  char six[7];
  put_octal(six, sum);
  std::memcpy(h.chksum, six, 7);
  h.chksum[7] = ' ';
}

std::string_view base_name(std::string_view path) {
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// The ustar header for `e`, and the pax records for whatever did not fit.
UstarHeader build_header(const Entry& e, const std::string& name, PaxRecords& pax) {
  UstarHeader h{};
  if (!put_name(h, name)) {
    pax.emplace_back("path", name);
    put_text(h.name, std::string_view(name).substr(0, sizeof(h.name)));
  }
  bool has_link = e.type == EntryType::symlink || e.type == EntryType::hardlink;
  if (has_link && !put_text(h.linkname, e.link_target)) {
    pax.emplace_back("linkpath", e.link_target);
    put_text(h.linkname, std::string_view(e.link_target).substr(0, sizeof(h.linkname)));
  }
  put_octal(h.mode, e.mode & 07777);
  if (!put_octal(h.uid, e.uid)) pax.emplace_back("uid", std::to_string(e.uid));
  if (!put_octal(h.gid, e.gid)) pax.emplace_back("gid", std::to_string(e.gid));
  uint64_t size = e.type == EntryType::regular ? e.size : 0;
  if (!put_octal(h.size, size)) {
    pax.emplace_back("size", std::to_string(size));
    put_octal(h.size, 0);
  }
  if (e.mtime < 0 || !put_octal(h.mtime, static_cast<uint64_t>(e.mtime))) {
    pax.emplace_back("mtime", std::to_string(e.mtime));
    put_octal(h.mtime, 0);
  }
  h.typeflag = typeflag(e.type);
  if (!put_text(h.uname, e.uname)) pax.emplace_back("uname", e.uname);
  if (!put_text(h.gname, e.gname)) pax.emplace_back("gname", e.gname);
  if (e.type == EntryType::char_device || e.type == EntryType::block_device) {
    if (!put_octal(h.devmajor, e.dev_major))
      pax.emplace_back("SCHILY.devmajor", std::to_string(e.dev_major));
    if (!put_octal(h.devminor, e.dev_minor))
      pax.emplace_back("SCHILY.devminor", std::to_string(e.dev_minor));
  }
  for (const auto& [key, value] : e.xattrs) pax.emplace_back("SCHILY.xattr." + key, value);
  return h;
}

}  // namespace

Result<void> Writer::write(std::span<const std::byte> data) {
  TRY(m_out.write(data));
  m_written += data.size();
  return {};
}

Result<void> Writer::add(const Entry& e, ByteSource* content) {
  std::string name = e.path;
  if (e.type == EntryType::directory) name = name.empty() ? "./" : name + "/";
  if (name.empty()) return make_error("tar: entry without a path");

  PaxRecords pax;
  UstarHeader h = build_header(e, name, pax);
  if (!pax.empty()) {
    std::string data;
    for (const auto& [key, value] : pax) data += pax_record(key, value);
    // The pax header's own fields are fixed or copied from the entry, never from the host.
    Entry meta;
    meta.path = "PaxHeaders/" + std::string(base_name(name));
    meta.mode = 0644;
    meta.mtime = e.mtime;
    meta.uname = e.uname;
    meta.gname = e.gname;
    PaxRecords ignored;
    constexpr size_t k_name_field = sizeof(UstarHeader::name);
    UstarHeader ph = build_header(meta, meta.path.substr(0, k_name_field), ignored);
    ph.typeflag = 'x';
    put_octal(ph.size, data.size());
    finish_header(ph);
    TRY(write(std::as_bytes(std::span(&ph, 1))));
    data.resize(*padded_size(data.size()), '\0');
    TRY(write(std::as_bytes(std::span(data.data(), data.size()))));
  }
  finish_header(h);
  TRY(write(std::as_bytes(std::span(&h, 1))));
  if (e.type != EntryType::regular) return {};

  // Copy exactly e.size bytes: a source that is shorter or longer would corrupt the archive.
  uint64_t left = e.size;
  while (left > 0) {
    if (!content)
      return make_error(e.path + ": no content given for " + std::to_string(e.size) + " bytes");
    // One buffer for every entry, not zeroed: each byte handed on is read into it first.
    if (!m_copy) m_copy = std::make_unique_for_overwrite<std::byte[]>(k_copy_chunk);
    size_t want = static_cast<size_t>(std::min<uint64_t>(left, k_copy_chunk));
    size_t n = TRY(content->read(std::span(m_copy.get(), want)).wrap(e.path));
    if (n == 0)
      return make_error(e.path + ": content ended after " + std::to_string(e.size - left) + " of " +
                        std::to_string(e.size) + " bytes");
    TRY(write(std::span(m_copy.get(), n)));
    left -= n;
  }
  if (content) {
    std::byte extra[1];
    size_t n = TRY(content->read(std::span(extra)).wrap(e.path));
    if (n != 0)
      return make_error(e.path + ": content is longer than its size of " + std::to_string(e.size) +
                        " bytes");
  }
  size_t pad = static_cast<size_t>(*padded_size(e.size) - e.size);
  std::vector<std::byte> zeros(pad);
  TRY(write(zeros));
  return {};
}

Result<void> Writer::finish() {
  std::vector<std::byte> zeros(2 * k_block);
  return write(zeros);
}

}  // namespace pith::tar
