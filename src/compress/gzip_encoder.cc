// Deterministic parallel gzip: libdeflate over fixed-size chunks on every core, joined into
// one gzip member (RFC 1952), the way pigz and Go's pgzip (skopeo's) write theirs.
//
// The input is cut into k_gzip_chunk-byte chunks (the last one shorter). Each chunk is deflated
// on its own by libdeflate, made joinable (deflate_blocks.h: its final block made non-final,
// then an empty stored block, as a sync flush ends), and the runs are written in input order
// between one header and one trailer, whose CRC-32 is the chunks' CRCs combined. Chunk
// boundaries depend only on the input, never on the number of threads or on how the source
// hands its bytes over, so the same input and level give the same bytes on any machine with
// the same libdeflate (a different libdeflate version may choose other blocks).
#include <libdeflate.h>
#include <sched.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "compress/deflate_blocks.h"
#include "compress/filters.h"
#include "util/huge_pages.h"

namespace pith::compress {

namespace {

// Chunks in flight (read, being compressed, or compressed and waiting for their turn) at most:
// each holds k_gzip_chunk bytes of input and about as much output.
constexpr size_t k_max_jobs = 64;

// magic, deflate, no flags (no name), mtime 0, XFL 0, OS 255 "unknown": nothing taken from
// the host or the clock.
constexpr std::byte k_header[] = {
    std::byte{0x1f}, std::byte{0x8b}, std::byte{0x08}, std::byte{0x00}, std::byte{0x00},
    std::byte{0x00}, std::byte{0x00}, std::byte{0x00}, std::byte{0x00}, std::byte{0xff}};

struct CompressorFree {
  void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
};
using Compressor = std::unique_ptr<libdeflate_compressor, CompressorFree>;

// Room for a chunk's run: libdeflate's bound over any compressor (a null one asks for that),
// and the bytes make_joinable adds.
const size_t k_out_capacity =
    libdeflate_deflate_compress_bound(nullptr, k_gzip_chunk) + k_join_slack;

// A chunk's input and its output share one buffer of huge pages (util/huge_pages.h: filling a
// fresh megabyte in 4 KiB pages cost ~3 ms on the VMs measured, more than compressing it),
// reused from chunk to chunk; the input first, the output after it.
struct Job {
  std::byte* in() const { return buffer.data(); }
  std::byte* out() const { return buffer.data() + k_gzip_chunk; }

  HugeBuffer buffer{k_gzip_chunk + k_out_capacity};
  size_t in_size = 0;
  size_t out_size = 0;
  uint32_t crc = 0;
  std::optional<Error> error;
  bool done = false;
};

// Deflates one chunk into a joinable run of blocks and computes its CRC-32.
Result<void> deflate_chunk(libdeflate_compressor* compressor, Job& job) {
  size_t n = libdeflate_deflate_compress(compressor, job.in(), job.in_size, job.out(),
                                         k_out_capacity - k_join_slack);
  if (n == 0) return make_error("gzip: libdeflate found no room for its output");
  job.out_size = TRY(make_joinable(std::span(job.out(), k_out_capacity), n).wrap("gzip"));
  job.crc = libdeflate_crc32(0, job.in(), job.in_size);
  return {};
}

// The chunks in flight, in input order, and the workers compressing them: what the pull
// encoder (a source read through) and the push one (a sink written to) share. Chunk boundaries
// are every k_gzip_chunk bytes of input in both, so both write the same bytes.
class ChunkPipeline {
 public:
  ChunkPipeline(unsigned threads, int level)
      : m_level(level),
        m_threads(std::max(threads, 1u)),
        m_max_jobs(std::min<size_t>(2 * size_t{m_threads}, k_max_jobs)) {
    // A compressor is 650 KiB at level 2, touched afresh by each worker of each pipeline (a
    // build has two or three at once): in huge pages too. libdeflate's allocator is global, set
    // once before its first compressor (every one pith makes is made by a pipeline).
    static std::once_flag allocator;
    std::call_once(allocator,
                   [] { libdeflate_set_memory_allocator(huge_pages_malloc, huge_pages_free); });
  }

  ~ChunkPipeline() {
    {
      std::lock_guard lock(m_mutex);
      m_stop = true;
    }
    m_work.notify_all();
    for (auto& t : m_workers) t.join();
  }
  ChunkPipeline(const ChunkPipeline&) = delete;
  ChunkPipeline& operator=(const ChunkPipeline&) = delete;

  bool full() const { return m_in_flight.size() >= m_max_jobs; }
  bool empty() const { return m_in_flight.empty(); }

  // A job to fill: the buffers of one whose output was handed out, or new ones.
  std::unique_ptr<Job> take_job() {
    std::unique_ptr<Job> job;
    if (m_free.empty()) {
      job = std::make_unique<Job>();
    } else {
      job = std::move(m_free.back());
      m_free.pop_back();
    }
    job->in_size = 0;
    job->done = false;
    job->error.reset();
    return job;
  }

  // Queues a filled job for the workers; `last` with nothing in flight (a small input's one
  // chunk) compresses it right here, with no thread started.
  Result<void> submit(std::unique_ptr<Job> job, bool last) {
    if (m_threads == 1 || (last && m_in_flight.empty())) {
      TRY(compress_here(*job));
    } else {
      start_workers();
      std::lock_guard lock(m_mutex);
      m_queue.push_back(job.get());
      m_work.notify_one();
    }
    m_in_flight.push_back(std::move(job));
    return {};
  }

  // The oldest job's compressed run, once done, its CRC and size folded into the trailer's;
  // valid until the next call (its buffers are then reused).
  Result<std::span<const std::byte>> next_run() {
    if (m_current) m_free.push_back(std::move(m_current));
    m_current = std::move(m_in_flight.front());
    m_in_flight.pop_front();
    {
      std::unique_lock lock(m_mutex);
      m_done.wait(lock, [&] { return m_current->done; });
    }
    if (m_current->error) return *m_current->error;
    m_crc = static_cast<uint32_t>(
        crc32_combine(m_crc, m_current->crc, static_cast<z_off_t>(m_current->in_size)));
    m_size += static_cast<uint32_t>(m_current->in_size);  // ISIZE is the size modulo 2^32
    return std::span<const std::byte>(m_current->out(), m_current->out_size);
  }

  // The final empty block, the CRC-32 and ISIZE: the member's last bytes.
  std::span<const std::byte> trailer() {
    std::copy(std::begin(k_deflate_final_empty_block), std::end(k_deflate_final_empty_block),
              m_trailer.begin());
    size_t at = sizeof(k_deflate_final_empty_block);
    for (uint32_t v : {m_crc, m_size})  // both little-endian (RFC 1952 2.3.1)
      for (int shift = 0; shift < 32; shift += 8) m_trailer[at++] = std::byte(v >> shift);
    return m_trailer;
  }

 private:
  Result<void> compress_here(Job& job) {
    if (!m_compressor) m_compressor.reset(libdeflate_alloc_compressor(m_level));
    if (!m_compressor) return make_error("gzip: out of memory");
    auto r = deflate_chunk(m_compressor.get(), job);
    job.done = true;
    if (!r) job.error = std::move(r).error();
    return {};
  }

  void start_workers() {
    if (!m_workers.empty()) return;
    for (unsigned i = 0; i < m_threads; ++i) m_workers.emplace_back([this] { work(); });
  }

  void work() {
    Compressor compressor(libdeflate_alloc_compressor(m_level));
    for (;;) {
      Job* job = nullptr;
      {
        std::unique_lock lock(m_mutex);
        m_work.wait(lock, [&] { return m_stop || !m_queue.empty(); });
        if (m_stop) return;
        job = m_queue.front();
        m_queue.pop_front();
      }
      auto r = compressor ? deflate_chunk(compressor.get(), *job)
                          : Result<void>(make_error("gzip: out of memory"));
      {
        std::lock_guard lock(m_mutex);
        if (!r) job->error = std::move(r).error();
        job->done = true;
      }
      m_done.notify_all();
    }
  }

  int m_level;
  unsigned m_threads;
  size_t m_max_jobs;
  std::deque<std::unique_ptr<Job>> m_in_flight;  // in input order
  std::vector<std::unique_ptr<Job>> m_free;      // buffers for reuse
  Compressor m_compressor;                       // for chunks compressed on the caller's thread
  std::unique_ptr<Job> m_current;                // the job whose run was handed out last
  std::array<std::byte, 10> m_trailer{};         // final empty block, CRC-32, ISIZE
  uint32_t m_crc = 0;
  uint32_t m_size = 0;

  std::mutex m_mutex;  // guards m_queue, m_stop and every Job's done and error
  std::condition_variable m_work;
  std::condition_variable m_done;
  std::deque<Job*> m_queue;  // chunks waiting for a worker
  bool m_stop = false;
  std::vector<std::thread> m_workers;
};

// The pull form: reads its source a chunk at a time, hands out the member.
class GzipEncoder final : public StickyErrorDecoder {
 public:
  GzipEncoder(std::unique_ptr<ByteSource> src, unsigned threads, int level)
      : m_src(std::move(src)), m_chunks(threads, level) {}

 private:
  Result<size_t> read_some(std::span<std::byte> out) override {
    while (m_out_pos == m_out.size()) {
      if (m_finished) return size_t{0};
      TRY(next_output());
    }
    size_t n = std::min(out.size(), m_out.size() - m_out_pos);
    std::memcpy(out.data(), m_out.data() + m_out_pos, n);
    m_out_pos += n;
    return n;
  }

  // Makes m_out the next bytes of the member: the header, each chunk's run in order, then the
  // final empty block and the trailer.
  Result<void> next_output() {
    m_out_pos = 0;
    if (!m_header_done) {
      m_out = k_header;
      m_header_done = true;
      return {};
    }
    TRY(fill_pipeline());
    if (m_chunks.empty()) {
      m_out = m_chunks.trailer();
      m_finished = true;
      return {};
    }
    m_out = TRY(m_chunks.next_run());
    return {};
  }

  // Reads chunks and hands them on until the pipeline is full or the input ends.
  Result<void> fill_pipeline() {
    while (!m_eof && !m_chunks.full()) {
      std::unique_ptr<Job> job = m_chunks.take_job();
      size_t have = 0;
      while (have < k_gzip_chunk) {
        size_t n = TRY(m_src->read(std::span(job->in() + have, k_gzip_chunk - have)));
        if (n == 0) {
          m_eof = true;
          break;
        }
        have += n;
      }
      if (have == 0) break;
      job->in_size = have;
      TRY(m_chunks.submit(std::move(job), m_eof));
    }
    return {};
  }

  std::unique_ptr<ByteSource> m_src;
  ChunkPipeline m_chunks;
  std::span<const std::byte> m_out;  // bytes being handed out
  size_t m_out_pos = 0;
  bool m_header_done = false;
  bool m_eof = false;
  bool m_finished = false;
};

// The push form: what is written fills chunks in place (no copy through a pipe and no thread
// to feed it), and each chunk's run is written to `out` in order as the workers finish them.
class GzipSink final : public CompressingSink {
 public:
  GzipSink(ByteSink& out, unsigned threads, int level) : m_out(out), m_chunks(threads, level) {}

  Result<void> write(std::span<const std::byte> data) override {
    if (m_error) return *m_error;
    auto r = take(data);
    if (!r) m_error = r.error();
    return r;
  }

  Result<void> finish() override {
    if (m_error) return *m_error;
    auto r = finish_member();
    if (!r) m_error = r.error();
    return r;
  }

 private:
  Result<void> take(std::span<const std::byte> data) {
    while (!data.empty()) {
      // A full chunk goes once more input comes: the last one is compressed at finish(), right
      // here when it is the only one.
      if (m_job && m_job->in_size == k_gzip_chunk) TRY(hand_on(false));
      if (!m_job) m_job = m_chunks.take_job();
      size_t n = std::min(data.size(), k_gzip_chunk - m_job->in_size);
      std::memcpy(m_job->in() + m_job->in_size, data.data(), n);
      m_job->in_size += n;
      data = data.subspan(n);
    }
    return {};
  }

  // The chunk being filled goes to the workers; the oldest runs are written while the
  // pipeline is full.
  Result<void> hand_on(bool last) {
    TRY(m_chunks.submit(std::move(m_job), last));
    while (m_chunks.full()) TRY(write_oldest());
    return {};
  }

  // The header goes out with the first run (or the trailer of an empty member).
  Result<void> write_header_once() {
    if (m_header_done) return {};
    m_header_done = true;
    return m_out.write(std::span<const std::byte>(k_header));
  }

  Result<void> write_oldest() {
    TRY(write_header_once());
    return m_out.write(TRY(m_chunks.next_run()));
  }

  Result<void> finish_member() {
    if (m_job && m_job->in_size > 0) TRY(hand_on(true));
    while (!m_chunks.empty()) TRY(write_oldest());
    TRY(write_header_once());
    return m_out.write(m_chunks.trailer());
  }

  ByteSink& m_out;
  ChunkPipeline m_chunks;
  std::unique_ptr<Job> m_job;  // the chunk being filled
  bool m_header_done = false;
  std::optional<Error> m_error;
};

}  // namespace

unsigned default_threads() {
  // The CPUs this process may run on (a container's cpuset), not every CPU of the host.
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(CPU_COUNT(&set), 1);
  return std::max(std::thread::hardware_concurrency(), 1u);
}

std::unique_ptr<ByteSource> make_gzip_encoder(std::unique_ptr<ByteSource> src, unsigned threads,
                                              int level) {
  return std::make_unique<GzipEncoder>(std::move(src), threads, level);
}

std::unique_ptr<CompressingSink> make_gzip_sink(ByteSink& out, unsigned threads, int level) {
  return std::make_unique<GzipSink>(out, threads, level);
}

}  // namespace pith::compress
