// A deflate block walker (RFC 1951 section 3.2): decodes every Huffman code to find where the
// blocks start and end, without producing any output.
#include "compress/deflate_blocks.h"

#include <array>
#include <bit>
#include <cstring>
#include <string>

namespace pith::compress {

namespace {

constexpr unsigned k_max_code_bits = 15;

// Reads bits LSB first. Bits past the end read as zero; callers check `overrun()` once per
// symbol, so a truncated stream is caught before anything depends on the zeros.
class BitReader {
 public:
  explicit BitReader(std::span<const std::byte> data) : m_data(data) {}

  // At least 56 valid bits from the current position.
  uint64_t peek() const {
    size_t at = m_pos >> 3;
    uint64_t word = 0;
    if (at + 8 <= m_data.size()) {
      if constexpr (std::endian::native == std::endian::little) {
        std::memcpy(&word, m_data.data() + at, 8);
      } else {
        for (size_t i = 0; i < 8; ++i)
          word |= uint64_t(std::to_integer<uint8_t>(m_data[at + i])) << (8 * i);
      }
    } else {
      for (size_t i = 0; at + i < m_data.size(); ++i)
        word |= uint64_t(std::to_integer<uint8_t>(m_data[at + i])) << (8 * i);
    }
    return word >> (m_pos & 7);
  }
  uint32_t take(unsigned n) {
    auto v = static_cast<uint32_t>(peek() & ((uint64_t{1} << n) - 1));
    m_pos += n;
    return v;
  }
  void skip(uint64_t n) { m_pos += n; }
  void align() { m_pos = (m_pos + 7) & ~uint64_t{7}; }
  uint64_t pos() const { return m_pos; }
  bool overrun() const { return m_pos > uint64_t{m_data.size()} * 8; }

 private:
  std::span<const std::byte> m_data;
  uint64_t m_pos = 0;
};

// One decoding table entry per value of the next `bits` input bits: what the code there is and
// how many bits to skip for it (code plus extra bits), packed in a byte. Kind 0 is no code.
enum Kind : uint8_t { k_invalid = 0, k_literal = 1, k_length = 2, k_end = 3 };
constexpr uint8_t entry(Kind kind, unsigned skip) {
  return static_cast<uint8_t>(kind << 5 | skip);
}
constexpr Kind kind_of(uint8_t e) { return static_cast<Kind>(e >> 5); }
constexpr unsigned skip_of(uint8_t e) { return e & 31; }

struct Table {
  std::vector<uint16_t> entries;  // uint16 so the code-length code can hold its symbol
  uint64_t mask = 0;
};

// Builds the canonical Huffman code of `lens` (RFC 1951 3.2.2) into a table indexed by the
// next bits of input (codes are packed bit-reversed). `value(sym, len)` is the entry for a
// symbol. Over-subscribed codes are errors; incomplete ones are allowed (their holes decode
// as invalid).
template <class Value>
Result<void> build(std::span<const uint8_t> lens, Table& table, Value value) {
  std::array<unsigned, k_max_code_bits + 1> count{};
  for (uint8_t len : lens) ++count[len];
  count[0] = 0;
  int left = 1;
  unsigned max_len = 1;
  for (unsigned len = 1; len <= k_max_code_bits; ++len) {
    left = (left << 1) - static_cast<int>(count[len]);
    if (left < 0) return make_error("over-subscribed Huffman code");
    if (count[len] > 0) max_len = len;
  }
  std::array<unsigned, k_max_code_bits + 1> next{};
  for (unsigned len = 2; len <= k_max_code_bits; ++len)
    next[len] = (next[len - 1] + count[len - 1]) << 1;
  size_t size = size_t{1} << max_len;
  table.entries.assign(size, 0);
  table.mask = size - 1;
  for (size_t sym = 0; sym < lens.size(); ++sym) {
    unsigned len = lens[sym];
    if (len == 0) continue;
    unsigned code = next[len]++;
    unsigned reversed = 0;
    for (unsigned i = 0; i < len; ++i) reversed |= ((code >> i) & 1) << (len - 1 - i);
    uint16_t e = value(static_cast<unsigned>(sym), len);
    for (size_t k = reversed; k < size; k += size_t{1} << len) table.entries[k] = e;
  }
  return {};
}

// Extra bits after each length symbol (257..285) and distance symbol (0..29).
constexpr unsigned length_extra(unsigned sym) {
  if (sym < 265 || sym == 285) return 0;
  return (sym - 261) / 4;
}
constexpr unsigned distance_extra(unsigned sym) { return sym < 4 ? 0 : (sym - 2) / 2; }

Result<void> build_litlen(std::span<const uint8_t> lens, Table& table) {
  return build(lens, table, [](unsigned sym, unsigned len) -> uint16_t {
    if (sym < 256) return entry(k_literal, len);
    if (sym == 256) return entry(k_end, len);
    if (sym <= 285) return entry(k_length, len + length_extra(sym));
    return entry(k_invalid, 0);
  });
}

Result<void> build_distance(std::span<const uint8_t> lens, Table& table) {
  return build(lens, table, [](unsigned sym, unsigned len) -> uint16_t {
    return sym < 30 ? entry(k_literal, len + distance_extra(sym)) : entry(k_invalid, 0);
  });
}

struct Codes {
  Table litlen;
  Table distance;
};

// The codes of block type 01 (RFC 1951 3.2.6), built once.
const Codes& fixed_codes() {
  static const Codes codes = [] {
    Codes c;
    std::array<uint8_t, 288> lit{};
    for (size_t i = 0; i < lit.size(); ++i) lit[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
    std::array<uint8_t, 32> dist{};
    dist.fill(5);
    (void)build_litlen(lit, c.litlen);
    (void)build_distance(dist, c.distance);
    return c;
  }();
  return codes;
}

// Reads the code definitions of a block of type 10 (RFC 1951 3.2.7).
Result<void> read_dynamic_codes(BitReader& in, Codes& codes) {
  unsigned n_lit = in.take(5) + 257, n_dist = in.take(5) + 1, n_clen = in.take(4) + 4;
  if (n_lit > 286 || n_dist > 30) return make_error("too many length or distance codes");
  constexpr std::array<uint8_t, 19> k_order = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                               11, 4,  12, 3, 13, 2, 14, 1, 15};
  std::array<uint8_t, 19> clen{};
  for (unsigned i = 0; i < n_clen; ++i) clen[k_order[i]] = static_cast<uint8_t>(in.take(3));
  Table clen_table;
  TRY(build(clen, clen_table, [](unsigned sym, unsigned len) -> uint16_t {
    return static_cast<uint16_t>(sym << 4 | len);
  }));
  std::array<uint8_t, 286 + 30> lens{};
  unsigned have = 0;
  while (have < n_lit + n_dist) {
    uint16_t e = clen_table.entries[in.peek() & clen_table.mask];
    if ((e & 15) == 0) return make_error("invalid code length code");
    in.skip(e & 15);
    unsigned sym = e >> 4;
    unsigned repeat = 1;
    uint8_t len = 0;
    if (sym < 16) {
      len = static_cast<uint8_t>(sym);
    } else if (sym == 16) {
      if (have == 0) return make_error("repeated code length with no previous one");
      len = lens[have - 1];
      repeat = 3 + in.take(2);
    } else {
      repeat = sym == 17 ? 3 + in.take(3) : 11 + in.take(7);
    }
    if (have + repeat > n_lit + n_dist) return make_error("code lengths overflow");
    for (unsigned i = 0; i < repeat; ++i) lens[have++] = len;
    if (in.overrun()) return make_error("truncated block header");
  }
  if (lens[256] == 0) return make_error("no end-of-block code");
  TRY(build_litlen(std::span(lens).first(n_lit), codes.litlen));
  TRY(build_distance(std::span(lens).subspan(n_lit, n_dist), codes.distance));
  return {};
}

// Skips the symbols of one Huffman-coded block, through its end-of-block code.
Result<void> skip_symbols(BitReader& in, const Codes& codes) {
  const uint16_t* lit = codes.litlen.entries.data();
  const uint16_t* dist = codes.distance.entries.data();
  for (;;) {
    // One peek serves a length code (at most 15 + 5 bits) and its distance (15 + 13).
    uint64_t word = in.peek();
    auto e = static_cast<uint8_t>(lit[word & codes.litlen.mask]);
    unsigned n = skip_of(e);
    switch (kind_of(e)) {
      case k_literal:
        in.skip(n);
        break;
      case k_end:
        in.skip(n);
        if (in.overrun()) return make_error("truncated block");
        return {};
      case k_length: {
        auto d = static_cast<uint8_t>(dist[(word >> n) & codes.distance.mask]);
        if (kind_of(d) == k_invalid) return make_error("invalid distance code");
        in.skip(n + skip_of(d));
        break;
      }
      case k_invalid:
        return make_error("invalid literal/length code");
    }
    if (in.overrun()) return make_error("truncated block");
  }
}

Result<DeflateBlocks> walk(std::span<const std::byte> stream) {
  BitReader in(stream);
  Codes dynamic;
  for (;;) {
    uint64_t header = in.pos();
    bool final = in.take(1) != 0;
    switch (in.take(2)) {
      case 0: {  // stored: LEN and its complement on a byte boundary, then LEN bytes
        in.align();
        uint32_t len = in.take(16), nlen = in.take(16);
        if ((len ^ nlen) != 0xffff) return make_error("stored block length check failed");
        in.skip(uint64_t{len} * 8);
        if (in.overrun()) return make_error("truncated stored block");
        break;
      }
      case 1:
        TRY(skip_symbols(in, fixed_codes()));
        break;
      case 2:
        TRY(read_dynamic_codes(in, dynamic));
        TRY(skip_symbols(in, dynamic));
        break;
      default:
        return make_error("invalid block type 3");
    }
    if (final) return DeflateBlocks{header, in.pos()};
  }
}

}  // namespace

Result<DeflateBlocks> walk_deflate_blocks(std::span<const std::byte> stream) {
  return walk(stream).wrap("deflate");
}

Result<void> make_joinable(std::vector<std::byte>& stream) {
  DeflateBlocks blocks = TRY(walk_deflate_blocks(stream));
  if ((blocks.end_bit + 7) / 8 != stream.size())
    return make_error("deflate: " + std::to_string(stream.size() - (blocks.end_bit + 7) / 8) +
                      " bytes after the final block");
  auto bit_mask = [](uint64_t bit) { return std::byte(1u << (bit & 7)); };
  stream[blocks.final_header_bit >> 3] &= ~bit_mask(blocks.final_header_bit);
  // The padding bits after the last code become the empty stored block's header (BFINAL 0,
  // BTYPE 00): zero them, whatever the compressor left there.
  if (unsigned used = blocks.end_bit & 7; used != 0)
    stream.back() &= std::byte((1u << used) - 1);
  stream.resize((blocks.end_bit + 3 + 7) / 8, std::byte{0});
  for (uint8_t b : {0x00, 0x00, 0xff, 0xff}) stream.push_back(std::byte{b});
  return {};
}

}  // namespace pith::compress
