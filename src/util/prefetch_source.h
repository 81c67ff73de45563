// Reads a source ahead on its own thread, so the work below it (file reads, hashing,
// decompression) overlaps the work of the consumer (tar parsing, cataloguing). A one-layer
// image then still uses two cores.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "util/byte_source.h"

namespace pith {

class PrefetchSource final : public ByteSource {
 public:
  // Keeps at most `depth` chunks of `chunk` bytes read ahead.
  explicit PrefetchSource(std::unique_ptr<ByteSource> inner, size_t chunk = 1 << 20,
                          size_t depth = 4);
  ~PrefetchSource() override;  // stops and joins the reader
  PrefetchSource(const PrefetchSource&) = delete;
  PrefetchSource& operator=(const PrefetchSource&) = delete;

  Result<size_t> read(std::span<std::byte> out) override;
  // The rest of the current chunk, without a copy; valid until the next call.
  Result<std::span<const std::byte>> read_view(std::span<std::byte> scratch) override;

 private:
  // Chunk storage is left uninitialised: the reader overwrites it, and zeroing 1 MiB per chunk
  // cost as much as hashing it.
  struct Chunk {
    std::unique_ptr<std::byte[]> data;
    size_t size = 0;  // bytes filled; 0 marks the end of the stream
  };

  void produce();
  // Fills `chunk` from the inner source until it is full or the stream ends.
  Result<void> fill(Chunk& chunk);
  // Makes m_current a chunk with unread bytes; false at end of stream.
  Result<bool> next_chunk();

  std::unique_ptr<ByteSource> m_inner;
  size_t m_chunk;
  size_t m_depth;
  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::deque<Chunk> m_ready;
  std::optional<Error> m_error;  // set by the reader; ends the stream after the chunks before it
  std::vector<Chunk> m_free;     // chunks handed back by the consumer, for reuse
  bool m_stop = false;
  Chunk m_current;  // the chunk being handed out
  size_t m_offset = 0;
  bool m_finished = false;
  std::thread m_thread;  // last: starts once everything above exists
};

}  // namespace pith
