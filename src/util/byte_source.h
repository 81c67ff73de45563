// Pull-style byte streams: every blob, layer and archive member flows through a ByteSource,
// so hashing, decompression and parsing compose as filters and nothing is staged on disk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"
#include "util/sha256.h"

namespace pith {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to out.size() bytes; 0 means end of stream.
  virtual Result<size_t> read(std::span<std::byte> out) = 0;

  // Reads without copying where the bytes are in memory already (read-ahead chunks): the next
  // bytes of the stream, valid until the next call on this source; empty at end of stream.
  // Sources that hold no bytes read into `scratch` (this default), so the caller always gets a
  // view. Filters that only look at the bytes (hashing, counting) pass views through, so a
  // gigabyte layer reaches the tar parser without a copy per stage.
  virtual Result<std::span<const std::byte>> read_view(std::span<std::byte> scratch) {
    size_t n = TRY(read(scratch));
    return std::span<const std::byte>(scratch.first(n));
  }
};

// Reads the whole stream, failing once it exceeds `limit` bytes (hostile sizes).
Result<std::string> read_all(ByteSource& src, uint64_t limit);
// Reads and discards the rest of the stream; returns the number of bytes skipped.
Result<uint64_t> drain(ByteSource& src);

class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string data) : m_data(std::move(data)) {}
  Result<size_t> read(std::span<std::byte> out) override;

 private:
  std::string m_data;
  size_t m_pos = 0;
};

// Counts and hashes (SHA-256) everything read through it.
class HashingSource final : public ByteSource {
 public:
  explicit HashingSource(ByteSource& inner) : m_inner(inner) {}
  Result<size_t> read(std::span<std::byte> out) override;
  Result<std::span<const std::byte>> read_view(std::span<std::byte> scratch) override;
  uint64_t bytes() const { return m_bytes; }
  // Call once, at end of stream.
  std::string hex_digest() { return m_hash.hex_digest(); }

 private:
  ByteSource& m_inner;
  Sha256 m_hash;
  uint64_t m_bytes = 0;
};

// Counts what is read through it (no hashing).
class CountingSource final : public ByteSource {
 public:
  explicit CountingSource(ByteSource& inner) : m_inner(inner) {}
  Result<size_t> read(std::span<std::byte> out) override {
    size_t n = TRY(m_inner.read(out));
    m_bytes += n;
    return n;
  }
  Result<std::span<const std::byte>> read_view(std::span<std::byte> scratch) override {
    auto view = TRY(m_inner.read_view(scratch));
    m_bytes += view.size();
    return view;
  }
  uint64_t bytes() const { return m_bytes; }

 private:
  ByteSource& m_inner;
  uint64_t m_bytes = 0;
};

// A source that owns the sources it is stacked on (e.g. file -> verifier -> decompressor).
class OwningSource final : public ByteSource {
 public:
  OwningSource(std::vector<std::unique_ptr<ByteSource>> chain) : m_chain(std::move(chain)) {}
  Result<size_t> read(std::span<std::byte> out) override { return m_chain.back()->read(out); }
  Result<std::span<const std::byte>> read_view(std::span<std::byte> scratch) override {
    return m_chain.back()->read_view(scratch);
  }

 private:
  std::vector<std::unique_ptr<ByteSource>> m_chain;
};

// Reads through to a source owned elsewhere, for filters that take ownership.
class BorrowedSource final : public ByteSource {
 public:
  explicit BorrowedSource(ByteSource& inner) : m_inner(inner) {}
  Result<size_t> read(std::span<std::byte> out) override { return m_inner.read(out); }
  Result<std::span<const std::byte>> read_view(std::span<std::byte> scratch) override {
    return m_inner.read_view(scratch);
  }

 private:
  ByteSource& m_inner;
};

// Destination of bytes (files being written, hashers, counters).
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Result<void> write(std::span<const std::byte> data) = 0;
  Result<void> write(std::string_view s) {
    return write(std::as_bytes(std::span(s.data(), s.size())));
  }
};

// Passes bytes on to `inner`, counting and hashing (SHA-256) them.
class HashingSink final : public ByteSink {
 public:
  explicit HashingSink(ByteSink& inner) : m_inner(inner) {}
  Result<void> write(std::span<const std::byte> data) override {
    m_hash.update(data);
    m_bytes += data.size();
    return m_inner.write(data);
  }
  using ByteSink::write;
  uint64_t bytes() const { return m_bytes; }
  // Call once, at the end.
  std::string hex_digest() { return m_hash.hex_digest(); }

 private:
  ByteSink& m_inner;
  Sha256 m_hash;
  uint64_t m_bytes = 0;
};

// Copies src into dst until end of stream; returns the bytes copied.
Result<uint64_t> pump(ByteSource& src, ByteSink& dst);

}  // namespace pith
