// The byte format of what fleet stores per layer: a writer of varints and strings, a reader that
// treats its input as hostile (every length checked against the bytes left and against a
// bound, every enum against its range, one error naming the field and the offset), and the
// (de)serialisers of the records a layer's analysis holds. Every field round-trips.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "catalog/package.h"
#include "elf/dynamic.h"
#include "fs/layers.h"
#include "lint/image.h"
#include "report/packages.h"
#include "tar/entry.h"
#include "util/limits.h"
#include "util/result.h"

namespace pith::fleet {

class RecordWriter {
 public:
  void u64(uint64_t v);  // LEB128
  void i64(int64_t v);   // zigzag, then LEB128
  void boolean(bool v) { u64(v ? 1 : 0); }
  void bytes(std::string_view s);  // length, then the bytes
  // A path, as the length it shares with the previous path() written and the rest: sorted
  // paths take a few bytes each.
  void path(std::string_view s);
  void raw(std::string_view s) { m_out += s; }

  std::string& out() { return m_out; }

 private:
  std::string m_out;
  std::string m_last_path;
};

// The bytes every path() of one record may expand to: the entries' paths and link targets, and
// as many again for the paths the catalogers and lint kept (file lists, map keys).
inline constexpr uint64_t k_max_path_expansion = 2 * k_max_path_bytes_total + k_max_kept_bytes;

class RecordReader {
 public:
  explicit RecordReader(std::string_view in) : m_in(in) {}

  Result<uint64_t> u64(std::string_view what);
  Result<uint64_t> u64(std::string_view what, uint64_t max);
  Result<int64_t> i64(std::string_view what);
  Result<bool> boolean(std::string_view what);
  // At most `max` bytes (and never more than are left).
  Result<std::string> bytes(std::string_view what, uint64_t max);
  Result<std::string> path(std::string_view what);
  Result<std::string_view> raw(std::string_view what, size_t n);
  // An element count: at most `max`, and at most the bytes left (each element takes one).
  Result<size_t> count(std::string_view what, uint64_t max);

  bool at_end() const { return m_pos == m_in.size(); }
  size_t offset() const { return m_pos; }
  Error error(std::string_view what, std::string_view why) const;

 private:
  std::string_view m_in;
  size_t m_pos = 0;
  std::string m_last_path;
  uint64_t m_path_bytes = 0;
};

// What the decoders of one record have read so far, against the bounds every image is held to
// (util/limits.h): entries, the bytes of their paths and link targets, and the bytes of kept
// contents (databases, system files, lint's files, copyright files).
struct DecodeBudget {
  uint64_t entries = 0;
  uint64_t path_bytes = 0;
  uint64_t kept_bytes = 0;
};

void put(RecordWriter& w, const tar::Entry& e);
Result<tar::Entry> get_entry(RecordReader& r, DecodeBudget& budget);

void put(RecordWriter& w, const fs::CapturedFile& f);
Result<fs::CapturedFile> get_captured_file(RecordReader& r, DecodeBudget& budget);

void put(RecordWriter& w, const report::DpkgFileList& l);
Result<report::DpkgFileList> get_dpkg_file_list(RecordReader& r, DecodeBudget& budget);

void put(RecordWriter& w, const catalog::Package& p);
Result<catalog::Package> get_package(RecordReader& r, DecodeBudget& budget);

void put(RecordWriter& w, const elf::DynamicInfo& d);
Result<elf::DynamicInfo> get_dynamic_info(RecordReader& r, DecodeBudget& budget);

void put(RecordWriter& w, const lint::ElfFacts& f);
Result<lint::ElfFacts> get_elf_facts(RecordReader& r, DecodeBudget& budget);

void put_strings(RecordWriter& w, const std::vector<std::string>& v);
Result<std::vector<std::string>> get_strings(RecordReader& r, std::string_view what,
                                             DecodeBudget& budget);

// Maps keyed by path, written sorted (unordered maps too: the same map, the same bytes).
void put(RecordWriter& w, const std::map<std::string, std::string>& m);
void put(RecordWriter& w, const std::unordered_map<std::string, std::string>& m);
template <class Map>
Result<Map> get_string_map(RecordReader& r, std::string_view what, DecodeBudget& budget);

// A sha256 (64 lower-case hex digits) as its 32 bytes.
void put_sha256_hex(RecordWriter& w, std::string_view hex);
Result<std::string> get_sha256_hex(RecordReader& r);

}  // namespace pith::fleet
