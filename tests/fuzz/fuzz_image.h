// Images made from fuzz inputs, for the end-to-end targets (layouts, archives, squashing):
// the digests and sizes that tie an image's files together are computed here, so mutations
// reach the manifest, config, layer and whiteout logic behind the digest checks instead of
// all dying at them.
//
// Files are sections (fuzz_sections.h) headed "=== PATH[ FILTER...]":
//  - "$Dk" in a content or PATH becomes "sha256:<hex>" of section k as stored, "$Hk" the hex
//    alone, "$Sk" its size in bytes, "$Uk" the sha256 of its bytes before compression (a
//    diff_id); k is one digit. A content refers to later sections only (they are made first);
//    a PATH to any. Other "$" are kept as they are.
//  - FILTERs apply in order: "tar" turns entry lines (below) into a tar, "gzip" and "zstd"
//    compress.
// Entry lines, one entry each: "T PATH", "l PATH -> TARGET", "h PATH -> TARGET" or
// "- PATH = CONTENT", T being - d l h c b p as `ls -l` prints types. PATH is kept as written
// ("..", "/", ".wh." and all): what a tar can hold.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "compress/compression.h"
#include "fs/efficiency.h"
#include "fs/tree.h"
#include "fuzz_sections.h"
#include "tar/entry.h"
#include "tar/writer.h"
#include "util/byte_source.h"
#include "util/sha256.h"

namespace pith::fuzz {

inline void check(bool ok) {
  if (!ok) std::abort();
}

struct File {
  std::string path;
  std::string bytes;  // as stored (after every filter)
};

// Collects what a tar::Writer writes.
class StringSink final : public ByteSink {
 public:
  Result<void> write(std::span<const std::byte> data) override {
    m_bytes.append(reinterpret_cast<const char*>(data.data()), data.size());
    return {};
  }
  std::string& bytes() { return m_bytes; }

 private:
  std::string m_bytes;
};

struct LineEntry {
  tar::Entry entry;
  std::string content;  // a regular file's bytes
};

// One entry per line that names a known type and holds no NUL; the others are skipped.
inline std::vector<LineEntry> parse_entry_lines(std::string_view text) {
  std::vector<LineEntry> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.size() < 3 || line[1] != ' ') continue;
    LineEntry le;
    tar::Entry& e = le.entry;
    std::string_view rest = line.substr(2);
    switch (line[0]) {
      case '-':
        e.type = tar::EntryType::regular;
        e.mode = 0644;
        break;
      case 'd':
        e.type = tar::EntryType::directory;
        e.mode = 0755;
        break;
      case 'l':
        e.type = tar::EntryType::symlink;
        e.mode = 0777;
        break;
      case 'h':
        e.type = tar::EntryType::hardlink;
        e.mode = 0644;
        break;
      case 'c':
        e.type = tar::EntryType::char_device;
        e.mode = 0666;
        break;
      case 'b':
        e.type = tar::EntryType::block_device;
        e.mode = 0660;
        break;
      case 'p':
        e.type = tar::EntryType::fifo;
        e.mode = 0644;
        break;
      default:
        continue;
    }
    std::string_view split = e.type == tar::EntryType::regular ? " = " : " -> ";
    size_t at = rest.find(split);
    bool has_tail = e.type == tar::EntryType::regular || e.type == tar::EntryType::symlink ||
                    e.type == tar::EntryType::hardlink;
    if (has_tail && at != std::string_view::npos) {
      std::string tail(rest.substr(at + split.size()));
      rest = rest.substr(0, at);
      if (e.type == tar::EntryType::regular) {
        e.size = tail.size();
        le.content = std::move(tail);
      } else {
        e.link_target = std::move(tail);
      }
    }
    e.path = std::string(rest);
    // A tar name ends at its first NUL: no entry can hold one.
    if (e.path.find('\0') != std::string::npos || e.link_target.find('\0') != std::string::npos)
      continue;
    out.push_back(std::move(le));
  }
  return out;
}

// The tar of entry lines as pith's writer makes it (entries it refuses are left out).
inline std::string make_tar(std::string_view lines) {
  StringSink sink;
  tar::Writer writer(sink);
  for (auto& le : parse_entry_lines(lines)) {
    MemorySource content(std::move(le.content));
    (void)writer.add(le.entry, &content);
  }
  (void)writer.finish();
  return std::move(sink.bytes());
}

inline std::string apply_filter(std::string_view filter, std::string bytes) {
  if (filter == "tar") return make_tar(bytes);
  auto c = filter == "gzip"   ? compress::Compression::gzip
           : filter == "zstd" ? compress::Compression::zstd
                              : compress::Compression::none;
  if (c == compress::Compression::none) return bytes;
  auto packed = compress::compress(std::make_unique<MemorySource>(std::move(bytes)), c);
  auto out = read_all(*packed, uint64_t{1} << 30);
  check(out.ok());  // compressing bytes in memory cannot fail
  return std::move(*out);
}

// The files of an image: sections with digests, sizes and filters applied.
inline std::vector<File> make_files(std::string_view input) {
  std::vector<Section> sections = split_sections(input);
  struct Made {
    std::string stored, stored_hex, plain_hex;
  };
  std::vector<Made> made(sections.size());
  // "$Dk" and friends, for sections from `first` on (made already).
  auto substitute = [&](std::string_view text, size_t first) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '$' && i + 2 < text.size() && text[i + 2] >= '0' && text[i + 2] <= '9') {
        size_t k = static_cast<size_t>(text[i + 2] - '0');
        if (k >= first && k < made.size()) {
          const Made& m = made[k];
          std::string value;
          switch (text[i + 1]) {
            case 'D':
              value = "sha256:" + m.stored_hex;
              break;
            case 'H':
              value = m.stored_hex;
              break;
            case 'S':
              value = std::to_string(m.stored.size());
              break;
            case 'U':
              value = "sha256:" + m.plain_hex;
              break;
            default:
              break;
          }
          if (!value.empty()) {
            out += value;
            i += 2;
            continue;
          }
        }
      }
      out += text[i];
    }
    return out;
  };
  for (size_t i = sections.size(); i-- > 0;) {
    std::vector<std::string_view> words = header_words(sections[i].header);
    std::string bytes = substitute(sections[i].content, i + 1);
    std::string plain_hex;
    for (size_t w = 1; w < words.size(); ++w) {
      if (words[w] == "gzip" || words[w] == "zstd") {
        if (plain_hex.empty()) plain_hex = Sha256::hex_of(bytes);
      }
      bytes = apply_filter(words[w], std::move(bytes));
    }
    made[i].stored_hex = Sha256::hex_of(bytes);
    made[i].plain_hex = plain_hex.empty() ? made[i].stored_hex : plain_hex;
    made[i].stored = std::move(bytes);
  }
  std::vector<File> files;
  for (size_t i = 0; i < sections.size(); ++i)
    files.push_back(
        {substitute(header_words(sections[i].header)[0], 0), std::move(made[i].stored)});
  return files;
}

// What a squashed tree promises whatever its layers held: normalised paths in strictly
// increasing byte order, no whiteout markers (a folder may have a whiteout's name only when
// implied by a deeper path, as containerd makes it), every path's parent a directory in the
// tree, and implied folders shown as one directory entry with no path.
inline void check_tree(const fs::Tree& tree, size_t layers) {
  std::string previous;
  size_t count = 0;
  tree.for_each([&](const std::string& path, const fs::Node& node) {
    ++count;
    check(!path.empty() && (count == 1 || previous < path) && node.layer < layers);
    previous = path;
    std::string normal;
    check(tar::normalize_path(path, normal) && normal == path);
    if (node.implied)
      check(node.entry.path.empty() && node.entry.type == tar::EntryType::directory);
    else
      check(tar::normalize_path(node.entry.path, normal) && normal == node.entry.path);
    check(!fs::is_whiteout(path) || node.implied);
    size_t slash = path.rfind('/');
    if (slash == std::string::npos) return;
    const fs::Node* parent = tree.find(path.substr(0, slash));
    check(parent != nullptr && parent->entry.type == tar::EntryType::directory);
  });
  check(count == tree.size());
}

// What the waste measures promise: a path is inefficient when seen as a leaf twice or more,
// at most twice a layer (as itself and as its ".wh." marker, which dive counts under the same
// path), listed by cumulative size; and no more bytes are reclaimable than the layers'
// regular files hold.
inline void check_efficiency(const fs::Efficiency& eff,
                             const std::vector<fs::LayerEntries>& layers) {
  uint64_t file_bytes = 0;
  for (const auto& l : layers)
    for (const auto& e : l.entries)
      if (e.type == tar::EntryType::regular)
        file_bytes = e.size > UINT64_MAX - file_bytes ? UINT64_MAX : file_bytes + e.size;
  check(eff.reclaimable_bytes <= file_bytes);
  for (size_t i = 0; i < eff.inefficient.size(); ++i) {
    check(eff.inefficient[i].count >= 2 && eff.inefficient[i].count <= 2 * layers.size());
    if (i > 0)
      check(static_cast<int64_t>(eff.inefficient[i - 1].cumulative_bytes) <=
            static_cast<int64_t>(eff.inefficient[i].cumulative_bytes));
  }
}

}  // namespace pith::fuzz
