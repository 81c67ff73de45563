// for_each_entry: libarchive reads the tar dialects, pith maps its entries to tar::Entry and
// feeds it from a ByteSource. libarchive never sees compressed data: it gets the tar formats
// and the 'none' filter only, because decompression happens (and is verified) below.
#include "tar/layer_reader.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pith::tar {

namespace {

constexpr size_t k_read_chunk = 128 * 1024;

struct ArchiveFree {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveFree>;

// What libarchive's read callback pulls from; keeps the source's own error, which libarchive
// would otherwise reduce to a generic message.
struct Feed {
  explicit Feed(ByteSource& s) : src(s), buf(k_read_chunk) {}
  ByteSource& src;
  std::vector<std::byte> buf;
  std::optional<Error> error;
};

la_ssize_t feed_read(archive* a, void* ctx, const void** out) {
  auto* feed = static_cast<Feed*>(ctx);
  // A view: read-ahead chunks reach libarchive without a copy (it keeps the pointer only until
  // its next call here, which is as long as the view is valid).
  auto view = feed->src.read_view(std::span(feed->buf));
  if (!view) {
    feed->error = view.error();
    archive_set_error(a, EIO, "%s", view.error().message.c_str());
    return -1;
  }
  *out = view->data();
  return static_cast<la_ssize_t>(view->size());
}

std::string archive_text(archive* a) {
  const char* s = archive_error_string(a);
  return s ? s : "unknown libarchive error";
}

// An entry's data, read through libarchive; errors keep the source's message when it has one.
class ContentSource final : public EntryContent {
 public:
  ContentSource(archive* a, Feed& feed, const std::string& path)
      : m_archive(a), m_feed(feed), m_path(path) {}
  Result<size_t> read(std::span<std::byte> out) override {
    la_ssize_t n = archive_read_data(m_archive, out.data(), out.size());
    if (n < 0) {
      if (m_feed.error) return m_feed.error->wrap(m_path);
      return make_error(m_path + ": " + archive_text(m_archive));
    }
    return static_cast<size_t>(n);
  }

  Result<std::optional<Block>> read_block() override {
    const void* data = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    int rc = archive_read_data_block(m_archive, &data, &size, &offset);
    if (rc == ARCHIVE_EOF) return std::optional<Block>();
    if (rc < ARCHIVE_WARN || offset < 0) {
      if (m_feed.error) return m_feed.error->wrap(m_path);
      return make_error(m_path + ": " + archive_text(m_archive));
    }
    return std::optional<Block>(
        Block{static_cast<uint64_t>(offset),
              std::span<const std::byte>(static_cast<const std::byte*>(data), size)});
  }

 private:
  archive* m_archive;
  Feed& m_feed;
  std::string m_path;
};

const char* either(const char* a, const char* b) {
  return a ? a : b;
}

Result<Entry> to_entry(archive_entry* ae) {
  const char* raw_path = either(archive_entry_pathname(ae), archive_entry_pathname_utf8(ae));
  if (!raw_path) return make_error("entry without a path");
  Entry e;
  if (!normalize_path(raw_path, e.path))
    return make_error(shown_path(raw_path) + ": path escapes the root");

  const char* hardlink = either(archive_entry_hardlink(ae), archive_entry_hardlink_utf8(ae));
  if (hardlink) {
    e.type = EntryType::hardlink;
    if (!normalize_path(hardlink, e.link_target))
      return make_error(shown_path(raw_path) + ": hard link target " + shown_path(hardlink) +
                        " escapes the root");
  } else {
    switch (archive_entry_filetype(ae)) {
      case AE_IFREG:
        e.type = EntryType::regular;
        break;
      case AE_IFDIR:
        e.type = EntryType::directory;
        break;
      case AE_IFLNK:
        e.type = EntryType::symlink;
        break;
      case AE_IFCHR:
        e.type = EntryType::char_device;
        break;
      case AE_IFBLK:
        e.type = EntryType::block_device;
        break;
      case AE_IFIFO:
        e.type = EntryType::fifo;
        break;
      default:
        return make_error(shown_path(raw_path) + ": unsupported entry type");
    }
  }
  if (e.type == EntryType::symlink) {
    const char* target = either(archive_entry_symlink(ae), archive_entry_symlink_utf8(ae));
    e.link_target = target ? target : "";
  }
  if (std::string why = check_limits(e); !why.empty())
    return make_error(shown_path(raw_path) + ": " + why);
  e.mode = static_cast<uint32_t>(archive_entry_perm(ae)) & 07777;
  la_int64_t uid = archive_entry_uid(ae);
  la_int64_t gid = archive_entry_gid(ae);
  e.uid = uid > 0 ? static_cast<uint64_t>(uid) : 0;
  e.gid = gid > 0 ? static_cast<uint64_t>(gid) : 0;
  e.uname = either(archive_entry_uname(ae), "");
  e.gname = either(archive_entry_gname(ae), "");
  if (e.type == EntryType::regular && archive_entry_size_is_set(ae)) {
    la_int64_t size = archive_entry_size(ae);
    e.size = size > 0 ? static_cast<uint64_t>(size) : 0;
  }
  e.mtime = archive_entry_mtime(ae);
  if (e.type == EntryType::char_device || e.type == EntryType::block_device) {
    e.dev_major = static_cast<uint32_t>(archive_entry_rdevmajor(ae));
    e.dev_minor = static_cast<uint32_t>(archive_entry_rdevminor(ae));
  }
  archive_entry_xattr_reset(ae);
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  while (archive_entry_xattr_next(ae, &name, &value, &size) == ARCHIVE_OK) {
    if (!name) continue;
    e.xattrs[name] = std::string(static_cast<const char*>(value), size);
  }
  return e;
}

}  // namespace

Result<void> for_each_entry(ByteSource& src, const EntryVisitor& visit, Filters filters) {
  ArchivePtr a(archive_read_new());
  if (!a) return make_error("tar: out of memory");
  archive_read_support_format_tar(a.get());
  // A zero-byte layer is an empty archive, not a format error.
  archive_read_support_format_empty(a.get());
  archive_read_support_filter_none(a.get());
  if (filters == Filters::any) {
    archive_read_support_filter_bzip2(a.get());
    archive_read_support_filter_xz(a.get());
    archive_read_support_filter_lzma(a.get());
  }
  Feed feed(src);
  // Format detection happens while opening, so a stream that is no tar fails here.
  if (archive_read_open(a.get(), &feed, nullptr, feed_read, nullptr) != ARCHIVE_OK) {
    if (feed.error) return *feed.error;
    return make_error("not a tar archive (" + archive_text(a.get()) + ")");
  }
  bool first = true;
  for (;;) {
    archive_entry* ae = nullptr;
    int rc = archive_read_next_header(a.get(), &ae);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) {
      if (feed.error) return *feed.error;
      if (first) return make_error("not a tar archive (" + archive_text(a.get()) + ")");
      return make_error("tar: " + archive_text(a.get()));
    }
    first = false;
    Entry entry = TRY(to_entry(ae));
    std::string label = entry.path.empty() ? "." : entry.path;
    ContentSource content(a.get(), feed, label);
    TRY(visit(entry, content));
  }
  // libarchive stops at the end-of-archive blocks; whatever follows (record padding) must
  // still pass through any hashing source underneath.
  TRY(drain(src));
  return {};
}

}  // namespace pith::tar
