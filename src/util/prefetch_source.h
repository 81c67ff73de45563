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

 private:
  void produce();

  std::unique_ptr<ByteSource> m_inner;
  size_t m_chunk;
  size_t m_depth;
  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::deque<std::vector<std::byte>> m_ready;  // an empty chunk marks the end of the stream
  std::optional<Error> m_error;                // set by the reader; ends the stream
  std::vector<std::vector<std::byte>> m_free;  // handed-out chunks, for reuse
  bool m_stop = false;
  std::vector<std::byte> m_current;  // the chunk being handed out
  size_t m_offset = 0;
  bool m_finished = false;
  std::thread m_thread;  // last: starts once everything above exists
};

}  // namespace pith
