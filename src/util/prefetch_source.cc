// Read-ahead over a bounded queue of chunks.
#include "util/prefetch_source.h"

#include <cstring>

namespace pith {

PrefetchSource::PrefetchSource(std::unique_ptr<ByteSource> inner, size_t chunk, size_t depth)
    : m_inner(std::move(inner)), m_chunk(chunk), m_depth(depth), m_thread([this] { produce(); }) {}

PrefetchSource::~PrefetchSource() {
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_changed.notify_all();
  m_thread.join();
}

void PrefetchSource::produce() {
  for (;;) {
    // Chunks are recycled: a fresh 1 MiB buffer per read costs a memset and page faults.
    std::vector<std::byte> buf;
    {
      std::lock_guard lock(m_mutex);
      if (!m_free.empty()) {
        buf = std::move(m_free.back());
        m_free.pop_back();
      }
    }
    buf.resize(m_chunk);
    auto n = m_inner->read(buf);
    std::unique_lock lock(m_mutex);
    if (!n) {
      m_error = std::move(n).error();
      m_changed.notify_all();
      return;
    }
    buf.resize(*n);
    bool end = *n == 0;
    m_changed.wait(lock, [this] { return m_stop || m_ready.size() < m_depth; });
    if (m_stop) return;
    m_ready.push_back(std::move(buf));
    m_changed.notify_all();
    if (end) return;
  }
}

Result<size_t> PrefetchSource::read(std::span<std::byte> out) {
  if (m_finished || out.empty()) return size_t{0};
  if (m_offset == m_current.size()) {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [this] { return !m_ready.empty() || m_error; });
    if (m_ready.empty()) return *m_error;  // chunks read before an error are still delivered
    if (m_current.capacity() != 0) m_free.push_back(std::move(m_current));
    m_current = std::move(m_ready.front());
    m_ready.pop_front();
    m_offset = 0;
    m_changed.notify_all();
    if (m_current.empty()) {
      m_finished = true;
      return size_t{0};
    }
  }
  size_t n = std::min(out.size(), m_current.size() - m_offset);
  std::memcpy(out.data(), m_current.data() + m_offset, n);
  m_offset += n;
  return n;
}

}  // namespace pith
