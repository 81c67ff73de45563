// A bounded hand-over of chunks between the producer's thread and the reader.
#include "util/produced_source.h"

#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace pith {

namespace {

class ProducedSource final : public ByteSource {
 public:
  ProducedSource(Producer producer, size_t chunk, size_t depth)
      : m_chunk(std::max<size_t>(chunk, 1)), m_depth(std::max<size_t>(depth, 1)) {
    m_thread = std::thread([this, p = std::move(producer)] { run(p); });
  }

  ~ProducedSource() override {
    {
      std::lock_guard lock(m_mutex);
      m_closed = true;
    }
    m_changed.notify_all();
    m_thread.join();
  }

  Result<size_t> read(std::span<std::byte> out) override {
    while (m_offset == m_current.size()) {
      std::unique_lock lock(m_mutex);
      m_changed.wait(lock, [&] { return !m_ready.empty() || m_done; });
      if (m_ready.empty()) {
        if (m_error) return *m_error;
        return size_t{0};
      }
      // The chunk read is the producer's next buffer: memory already touched, where a new
      // one costs a page fault per 4 KiB (a quarter of a small build's time on a VM).
      if (m_current.capacity() != 0 && m_spare.empty()) {
        m_current.clear();
        m_spare.push_back(std::move(m_current));
      }
      m_current = std::move(m_ready.front());
      m_ready.pop_front();
      m_offset = 0;
      m_changed.notify_all();
    }
    size_t n = std::min(out.size(), m_current.size() - m_offset);
    std::memcpy(out.data(), m_current.data() + m_offset, n);
    m_offset += n;
    return n;
  }

 private:
  // The producer's side: bytes gathered into chunks, each handed over when full.
  class Writer final : public ByteSink {
   public:
    explicit Writer(ProducedSource& s) : m_source(s) {}
    Result<void> write(std::span<const std::byte> data) override {
      while (!data.empty()) {
        if (m_pending.capacity() < m_source.m_chunk) take_spare();
        size_t n = std::min(data.size(), m_source.m_chunk - m_pending.size());
        m_pending.insert(m_pending.end(), data.begin(), data.begin() + n);
        data = data.subspan(n);
        if (m_pending.size() == m_source.m_chunk) TRY(hand_over());
      }
      return {};
    }
    Result<void> hand_over() {
      if (m_pending.empty()) return {};
      std::unique_lock lock(m_source.m_mutex);
      m_source.m_changed.wait(
          lock, [&] { return m_source.m_ready.size() < m_source.m_depth || m_source.m_closed; });
      if (m_source.m_closed) return make_error("the reader stopped");
      m_source.m_ready.push_back(std::move(m_pending));
      m_pending = {};
      m_source.m_changed.notify_all();
      return {};
    }

   private:
    void take_spare() {
      {
        std::lock_guard lock(m_source.m_mutex);
        if (!m_source.m_spare.empty() && m_pending.empty()) {
          m_pending = std::move(m_source.m_spare.back());
          m_source.m_spare.pop_back();
        }
      }
      m_pending.reserve(m_source.m_chunk);
    }

    ProducedSource& m_source;
    std::vector<std::byte> m_pending;
  };

  void run(const Producer& producer) {
    Writer writer(*this);
    auto r = producer(writer);
    // What was written before a failure is delivered before it.
    auto handed = writer.hand_over();
    if (r && !handed) r = std::move(handed);
    std::lock_guard lock(m_mutex);
    if (!r) m_error = std::move(r).error();
    m_done = true;
    m_changed.notify_all();
  }

  size_t m_chunk;
  size_t m_depth;
  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::deque<std::vector<std::byte>> m_ready;
  std::vector<std::vector<std::byte>> m_spare;  // a chunk read, for the producer to fill again
  std::optional<Error> m_error;
  bool m_done = false;               // the producer returned
  bool m_closed = false;             // the reader is gone
  std::vector<std::byte> m_current;  // the chunk being read
  size_t m_offset = 0;
  std::thread m_thread;  // last: starts once everything above exists
};

}  // namespace

std::unique_ptr<ByteSource> produced_source(Producer producer, size_t chunk, size_t depth) {
  return std::make_unique<ProducedSource>(std::move(producer), chunk, depth);
}

}  // namespace pith
