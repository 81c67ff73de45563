// A FileSet over an archive that arrives as a stream: one indexing pass, small members kept,
// large ones read again from a stream skipped forward to them (streams reused in order).
#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <vector>

#include "oci/manifest.h"
#include "tar/entry.h"
#include "tar/member_stream.h"
#include "transport/daemon.h"

namespace pith::transport {

namespace {

// Members up to this size are kept whole from the indexing pass, up to k_keep_budget in all:
// manifest.json, configs, the legacy `json` files and small layers then need no second stream.
constexpr uint64_t k_keep_whole = 1 << 20;
constexpr uint64_t k_keep_budget = 64 << 20;
// Of the others, the first bytes are kept: enough to recognise a layer's compression.
constexpr uint64_t k_head_bytes = 512;
// Idle streams kept for reuse (each is an open connection the daemon waits on).
constexpr size_t k_max_idle_streams = 4;
constexpr int k_max_link_hops = 16;

struct StreamedMember {
  tar::Member member;
  std::optional<std::string> whole;
  std::string head;
};

// A stream of the archive with the members before `next` consumed; member next-1 is current.
struct Cursor {
  std::unique_ptr<tar::MemberStream> stream;
  size_t next = 0;
};

class StreamedArchive {
 public:
  StreamedArchive(ArchiveOpener open, std::string describe,
                  std::shared_ptr<std::atomic<uint64_t>> opened)
      : m_open(std::move(open)), m_describe(std::move(describe)), m_opened(std::move(opened)) {}

  // The indexing pass.
  Result<void> index() {
    auto stream = TRY(open_stream());
    uint64_t kept = 0;
    for (;;) {
      auto m = TRY(stream->next().wrap(m_describe));
      if (!m) break;
      StreamedMember sm{std::move(*m), std::nullopt, ""};
      bool json = sm.member.name.ends_with(".json") && sm.member.size <= oci::k_max_json_bytes;
      if (sm.member.type == '0' &&
          (json || (sm.member.size <= k_keep_whole && kept + sm.member.size <= k_keep_budget))) {
        sm.whole = TRY(read_all(stream->data(), sm.member.size).wrap(m_describe));
        kept += sm.member.size;
      } else if (sm.member.type == '0') {
        sm.head = TRY(read_prefix(stream->data(), k_head_bytes).wrap(m_describe));
      }
      m_by_name[sm.member.name] = m_members.size();
      m_members.push_back(std::move(sm));
    }
    return {};
  }

  const std::string& describe() const { return m_describe; }

  // The regular member `name` names, following links inside the archive (podman's legacy
  // `<id>/layer.tar` are symlinks); nullopt if absent.
  std::optional<size_t> find(const std::string& name) const {
    std::string current;
    if (!tar::normalize_path(name, current)) return std::nullopt;
    for (int hop = 0; hop <= k_max_link_hops; ++hop) {
      auto it = m_by_name.find(current);
      if (it == m_by_name.end()) return std::nullopt;
      const tar::Member& m = m_members[it->second].member;
      if (m.type == '0') return it->second;
      std::string target;
      if (m.type == '1') {
        target = m.link;
      } else if (m.type == '2') {
        size_t slash = current.rfind('/');
        std::string dir = slash == std::string::npos ? "" : current.substr(0, slash);
        target = m.link.starts_with('/') ? m.link : dir + "/" + m.link;
      } else {
        return std::nullopt;
      }
      if (!tar::normalize_path(target, current)) return std::nullopt;
    }
    return std::nullopt;
  }

  const StreamedMember& member(size_t i) const { return m_members[i]; }

  // A stream whose current member is `ordinal`: an idle one not past it, else a new one.
  Result<std::unique_ptr<Cursor>> acquire(size_t ordinal) {
    std::unique_ptr<Cursor> cursor;
    {
      std::lock_guard lock(m_mutex);
      auto best = m_idle.end();
      for (auto it = m_idle.begin(); it != m_idle.end(); ++it)
        if ((*it)->next <= ordinal && (best == m_idle.end() || (*it)->next > (*best)->next))
          best = it;
      if (best != m_idle.end()) {
        cursor = std::move(*best);
        m_idle.erase(best);
      }
    }
    if (!cursor) cursor = std::make_unique<Cursor>(Cursor{TRY(open_stream()), 0});
    while (cursor->next <= ordinal) {
      auto m = TRY(cursor->stream->next().wrap(m_describe));
      const tar::Member& want = m_members[cursor->next].member;
      if (!m || m->name != want.name || m->size != want.size)
        return make_error(m_describe + ": the image's archive changed between two reads");
      ++cursor->next;
    }
    return cursor;
  }

  void release(std::unique_ptr<Cursor> cursor) {
    std::lock_guard lock(m_mutex);
    m_idle.push_back(std::move(cursor));
    if (m_idle.size() > k_max_idle_streams) m_idle.erase(m_idle.begin());
  }

 private:
  Result<std::unique_ptr<tar::MemberStream>> open_stream() {
    auto raw = TRY(m_open().wrap(m_describe));
    if (m_opened) ++*m_opened;
    return std::make_unique<tar::MemberStream>(std::move(raw));
  }

  static Result<std::string> read_prefix(ByteSource& src, uint64_t limit) {
    std::string out(limit, '\0');
    size_t have = 0;
    while (have < out.size()) {
      size_t n = TRY(src.read(std::as_writable_bytes(std::span(out).subspan(have))));
      if (n == 0) break;
      have += n;
    }
    out.resize(have);
    return out;
  }

  ArchiveOpener m_open;
  std::string m_describe;
  std::shared_ptr<std::atomic<uint64_t>> m_opened;
  std::vector<StreamedMember> m_members;
  std::map<std::string, size_t, std::less<>> m_by_name;
  std::mutex m_mutex;
  std::vector<std::unique_ptr<Cursor>> m_idle;
};

// One large member's bytes: its kept head first; the rest from a stream, taken only when a
// read goes past the head (so recognising compression costs no stream).
class MemberSource final : public ByteSource {
 public:
  MemberSource(std::shared_ptr<StreamedArchive> archive, size_t ordinal)
      : m_archive(std::move(archive)), m_ordinal(ordinal) {}
  ~MemberSource() override {
    if (m_cursor) m_archive->release(std::move(m_cursor));
  }

  Result<size_t> read(std::span<std::byte> out) override {
    const StreamedMember& sm = m_archive->member(m_ordinal);
    if (m_pos >= sm.member.size || out.empty()) return size_t{0};
    if (!m_cursor && m_pos < sm.head.size()) {
      size_t n = std::min(out.size(), sm.head.size() - static_cast<size_t>(m_pos));
      std::memcpy(out.data(), sm.head.data() + m_pos, n);
      m_pos += n;
      return n;
    }
    if (!m_cursor) {
      m_cursor = TRY(m_archive->acquire(m_ordinal));
      std::vector<std::byte> skip(64 * 1024);
      for (uint64_t left = m_pos; left > 0;) {
        size_t n = TRY(m_cursor->stream->data().read(
            std::span(skip).first(static_cast<size_t>(std::min<uint64_t>(left, skip.size())))));
        if (n == 0) return make_error(m_archive->describe() + ": member shorter than before");
        left -= n;
      }
    }
    auto n = m_cursor->stream->data().read(out);
    if (!n) {
      m_cursor.reset();  // a broken stream is not reused
      return n;
    }
    m_pos += *n;
    if (*n == 0 && m_pos < sm.member.size)
      return make_error(m_archive->describe() + ": " + sm.member.name + " ended early");
    if (m_pos >= sm.member.size) m_archive->release(std::move(m_cursor));
    return n;
  }

 private:
  std::shared_ptr<StreamedArchive> m_archive;
  size_t m_ordinal;
  uint64_t m_pos = 0;
  std::unique_ptr<Cursor> m_cursor;
};

class StreamedFiles final : public FileSet {
 public:
  explicit StreamedFiles(std::shared_ptr<StreamedArchive> archive)
      : m_archive(std::move(archive)) {}

  Result<std::optional<uint64_t>> size(const std::string& path) override {
    auto i = m_archive->find(path);
    if (!i) return std::optional<uint64_t>();
    return std::optional<uint64_t>(m_archive->member(*i).member.size);
  }

  Result<std::unique_ptr<ByteSource>> open(const std::string& path) override {
    auto i = m_archive->find(path);
    if (!i) return make_error(describe() + ": " + path + ": not in the archive");
    const StreamedMember& sm = m_archive->member(*i);
    if (sm.whole) return std::unique_ptr<ByteSource>(std::make_unique<MemorySource>(*sm.whole));
    return std::unique_ptr<ByteSource>(std::make_unique<MemberSource>(m_archive, *i));
  }

  std::string describe() const override { return m_archive->describe(); }

 private:
  std::shared_ptr<StreamedArchive> m_archive;
};

}  // namespace

Result<std::unique_ptr<FileSet>> open_streamed_archive(
    ArchiveOpener open, std::string describe,
    std::shared_ptr<std::atomic<uint64_t>> streams_opened) {
  auto archive = std::make_shared<StreamedArchive>(std::move(open), std::move(describe),
                                                   std::move(streams_opened));
  TRY(archive->index());
  return std::unique_ptr<FileSet>(std::make_unique<StreamedFiles>(std::move(archive)));
}

}  // namespace pith::transport
