// ELF's on-disk records as plain structs pinned to their sizes, and the one way to read them:
// memcpy out of bounds-checked bytes, then each field put in host order.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace pith::elf::records {

struct Ehdr64 {
  uint8_t ident[16];
  uint16_t type, machine;
  uint32_t version;
  uint64_t entry, phoff, shoff;
  uint32_t flags;
  uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct Ehdr32 {
  uint8_t ident[16];
  uint16_t type, machine;
  uint32_t version, entry, phoff, shoff, flags;
  uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct Phdr64 {
  uint32_t type, flags;
  uint64_t offset, vaddr, paddr, filesz, memsz, align;
};
struct Phdr32 {
  uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
};
struct Shdr64 {
  uint32_t name, type;
  uint64_t flags, addr, offset, size;
  uint32_t link, info;
  uint64_t addralign, entsize;
};
struct Shdr32 {
  uint32_t name, type, flags, addr, offset, size, link, info, addralign, entsize;
};
struct Sym64 {
  uint32_t name;
  uint8_t info, other;
  uint16_t shndx;
  uint64_t value, size;
};
struct Sym32 {
  uint32_t name, value, size;
  uint8_t info, other;
  uint16_t shndx;
};
// d_tag is signed in the ABI; it is kept unsigned here and sign-extended by the reader.
struct Dyn64 {
  uint64_t tag, val;
};
struct Dyn32 {
  uint32_t tag, val;
};
// The symbol versioning records have one layout in both classes.
struct Verdef {
  uint16_t version, flags, ndx, cnt;
  uint32_t hash, aux, next;
};
struct Verdaux {
  uint32_t name, next;
};
struct Verneed {
  uint16_t version, cnt;
  uint32_t file, aux, next;
};
struct Vernaux {
  uint32_t hash;
  uint16_t flags, other;
  uint32_t name, next;
};
static_assert(sizeof(Ehdr64) == 64 && sizeof(Ehdr32) == 52);
static_assert(sizeof(Phdr64) == 56 && sizeof(Phdr32) == 32);
static_assert(sizeof(Shdr64) == 64 && sizeof(Shdr32) == 40);
static_assert(sizeof(Sym64) == 24 && sizeof(Sym32) == 16);
static_assert(sizeof(Dyn64) == 16 && sizeof(Dyn32) == 8);
static_assert(sizeof(Verdef) == 20 && sizeof(Verdaux) == 8);
static_assert(sizeof(Verneed) == 16 && sizeof(Vernaux) == 16);

// Copies the record at `offset` of `b` into `out`; false (and `out` untouched) when it does not
// fit. Its fields are still in the file's byte order: pass them to to_host().
template <class T>
bool load(std::string_view b, uint64_t offset, T* out) {
  if (offset > b.size() || sizeof(T) > b.size() - offset) return false;
  std::memcpy(out, b.data() + offset, sizeof(T));
  return true;
}

template <class T>
void swap_one(T& v) {
  if constexpr (sizeof(T) == 2) v = __builtin_bswap16(v);
  if constexpr (sizeof(T) == 4) v = __builtin_bswap32(v);
  if constexpr (sizeof(T) == 8) v = __builtin_bswap64(v);
}

// Puts every field in host order: byte-swaps them when `swap` (the file's byte order is not
// the host's).
template <class... T>
void to_host(bool swap, T&... fields) {
  if (swap) (swap_one(fields), ...);
}

}  // namespace pith::elf::records
