// Read-ahead over a bounded queue of recycled chunks.
#include "util/prefetch_source.h"

#include <algorithm>
#include <cstring>

namespace pith {

PrefetchSource::PrefetchSource(std::unique_ptr<ByteSource> inner, size_t chunk, size_t depth)
    : m_inner(std::move(inner)),
      m_chunk(std::max<size_t>(chunk, 1)),
      m_depth(std::max<size_t>(depth, 1)),
      m_thread([this] { produce(); }) {}

PrefetchSource::~PrefetchSource() {
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_changed.notify_all();
  m_thread.join();
}

Result<void> PrefetchSource::fill(Chunk& chunk) {
  // Full chunks: a decompressor returns a few hundred KiB per call, and every hand-over to the
  // consumer costs a lock and a wake-up.
  chunk.size = 0;
  while (chunk.size < m_chunk) {
    size_t n = TRY(m_inner->read(std::span(chunk.data.get() + chunk.size, m_chunk - chunk.size)));
    if (n == 0) break;
    chunk.size += n;
  }
  return {};
}

void PrefetchSource::produce() {
  for (;;) {
    Chunk chunk;
    {
      std::lock_guard lock(m_mutex);
      if (!m_free.empty()) {
        chunk = std::move(m_free.back());
        m_free.pop_back();
      }
    }
    if (!chunk.data) chunk.data = std::make_unique_for_overwrite<std::byte[]>(m_chunk);
    auto filled = fill(chunk);
    bool end = filled && chunk.size < m_chunk;  // short of full: the stream ended
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [this] { return m_stop || m_ready.size() < m_depth; });
    if (m_stop) return;
    // Bytes read before an error are still delivered, then the error.
    if (chunk.size > 0) m_ready.push_back(std::move(chunk));
    if (!filled) m_error = std::move(filled).error();
    if (end) m_ready.push_back(Chunk{});
    m_changed.notify_all();
    if (end || m_error) return;
  }
}

Result<bool> PrefetchSource::next_chunk() {
  if (m_finished) return false;
  if (m_offset < m_current.size) return true;
  std::unique_lock lock(m_mutex);
  m_changed.wait(lock, [this] { return !m_ready.empty() || m_error; });
  if (m_current.data) m_free.push_back(std::move(m_current));
  m_current = Chunk{};
  if (m_ready.empty()) return *m_error;
  m_current = std::move(m_ready.front());
  m_ready.pop_front();
  m_offset = 0;
  m_changed.notify_all();
  if (m_current.size == 0) {
    m_finished = true;
    return false;
  }
  return true;
}

Result<size_t> PrefetchSource::read(std::span<std::byte> out) {
  if (out.empty() || !TRY(next_chunk())) return size_t{0};
  size_t n = std::min(out.size(), m_current.size - m_offset);
  std::memcpy(out.data(), m_current.data.get() + m_offset, n);
  m_offset += n;
  return n;
}

Result<std::span<const std::byte>> PrefetchSource::read_view(std::span<std::byte>) {
  if (!TRY(next_chunk())) return std::span<const std::byte>();
  std::span<const std::byte> view(m_current.data.get() + m_offset, m_current.size - m_offset);
  m_offset = m_current.size;
  return view;
}

}  // namespace pith
