// Byte-order-aware loads and checked offset arithmetic shared by the rpm database readers.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace pith::catalog::rpm_bytes {

// BerkeleyDB writes pages in the byte order of the machine that created them; NDB is always
// little endian; rpm header blobs are always big endian.
enum class Order { little, big };

inline uint32_t load32(const uint8_t (&b)[4], Order order) {
  if (order == Order::little) {
    return uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
  }
  return uint32_t(b[3]) | uint32_t(b[2]) << 8 | uint32_t(b[1]) << 16 | uint32_t(b[0]) << 24;
}

inline uint16_t load16(const uint8_t (&b)[2], Order order) {
  if (order == Order::little) return uint16_t(b[0] | b[1] << 8);
  return uint16_t(b[1] | b[0] << 8);
}

// True when [offset, offset + length) lies inside a buffer of `size` bytes (no overflow).
inline bool in_bounds(uint64_t size, uint64_t offset, uint64_t length) {
  return offset <= size && length <= size - offset;
}

// Copies sizeof(T) bytes at `offset` into a plain on-disk struct; nullopt when out of range.
template <class T>
std::optional<T> load_struct(std::string_view bytes, uint64_t offset) {
  if (!in_bounds(bytes.size(), offset, sizeof(T))) return std::nullopt;
  T out;
  std::memcpy(&out, bytes.data() + offset, sizeof(T));
  return out;
}

// a * b, or nullopt on overflow.
inline std::optional<uint64_t> mul(uint64_t a, uint64_t b) {
  uint64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

// a + b, or nullopt on overflow.
inline std::optional<uint64_t> add(uint64_t a, uint64_t b) {
  uint64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}

}  // namespace pith::catalog::rpm_bytes
