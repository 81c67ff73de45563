// Parallel layer reading over a shared work counter; results land in per-layer slots.
#include "fs/layers.h"

#include <array>
#include <atomic>
#include <cstring>
#include <thread>

#include "tar/layer_reader.h"
#include "transport/layer.h"
#include "util/limits.h"
#include "util/sha256.h"

namespace pith::fs {

namespace {

constexpr char k_elf_magic[] =
    "\x7f"
    "ELF";

// Reads an entry's content into one allocation of its known size (appending in chunks would
// double large files' footprint while the string grows).
Result<std::string> read_content(ByteSource& content, uint64_t size, std::string_view prefix) {
  std::string out(prefix);
  size_t have = out.size();
  out.resize(size);
  while (have < size) {
    size_t n = TRY(content.read(std::as_writable_bytes(std::span(out.data() + have, size - have))));
    if (n == 0) return make_error("content shorter than its header says");
    have += n;
  }
  return out;
}

// Up to `n` first bytes (fewer at the end of the content).
Result<std::string> read_head(ByteSource& content, size_t n) {
  std::string head(n, '\0');
  size_t got = 0;
  while (got < n) {
    size_t r = TRY(content.read(std::as_writable_bytes(std::span(head.data() + got, n - got))));
    if (r == 0) break;
    got += r;
  }
  head.resize(got);
  return head;
}

// A regular file's SHA-256 as its content streams by. A sparse file's holes read as zeros and
// are hashed as such, but they cost no input: an exabyte of holes would hash for ever. Holes
// hashed are counted over the whole image against k_max_hashed_hole_bytes; a file whose holes
// pass that bound is left unhashed (`whole` false) and its remaining bytes only read.
struct FileHash {
  Sha256 sha;
  std::atomic<uint64_t>& holes;
  bool whole = true;

  void update(std::span<const std::byte> bytes) {
    if (whole) sha.update(bytes);
  }
  void update(std::string_view bytes) { update(std::as_bytes(std::span(bytes))); }
  void zeros(uint64_t n) {
    if (!whole) return;
    if ((holes += n) > k_max_hashed_hole_bytes) {
      whole = false;
      return;
    }
    static constexpr std::array<std::byte, 64 * 1024> k_zeros{};
    while (n > 0) {
      size_t take = static_cast<size_t>(std::min<uint64_t>(n, k_zeros.size()));
      sha.update(std::span(k_zeros.data(), take));
      n -= take;
    }
  }
};

// Hashes the rest of an entry's `size` bytes, of which `done` were hashed already. By stored
// runs, in place, when nothing was read yet; else on with read() (the two cannot be mixed).
Result<void> hash_rest(tar::EntryContent& content, uint64_t size, uint64_t done, FileHash& hash) {
  if (done == 0) {
    for (;;) {
      auto block = TRY(content.read_block());
      if (!block) break;
      if (block->offset < done || block->offset > size || block->data.size() > size - block->offset)
        return make_error("sparse data runs out of order or past the file's size");
      hash.zeros(block->offset - done);
      hash.update(block->data);
      done = block->offset + block->data.size();
    }
    hash.zeros(size - done);
    return {};
  }
  std::array<std::byte, 64 * 1024> buf;
  for (;;) {
    size_t n = TRY(content.read(buf));
    if (n == 0) break;
    hash.update(std::span(buf.data(), n));
    done += n;
  }
  if (done != size) return make_error("content shorter than its header says");
  return {};
}

void keep(size_t layer, CapturedFile&& file, const ScanOptions& options, LayerEntries& out) {
  if (options.consume)
    options.consume(layer, std::move(file));
  else
    out.captured.push_back(std::move(file));
}

// Keeps the entry's content if the policy asks for it and it fits, and hashes it into `hash`
// when that is given (all of it, whatever was kept).
Result<void> capture(size_t layer, const tar::Entry& e, tar::EntryContent& content,
                     const ScanOptions& options, LayerEntries& out, FileHash* hash) {
  Want want = Want::nothing;
  if (options.capture && e.type == tar::EntryType::regular) want = options.capture(e);
  if (want != Want::nothing && e.size > options.max_capture_bytes) {
    out.warnings.push_back("/" + e.path + ": " + std::to_string(e.size) +
                           " bytes is too large to analyse; skipped");
    want = Want::nothing;
  }
  if (want == Want::nothing ||
      ((want == Want::content_if_elf || want == Want::elf_or_shebang) && e.size < 4)) {
    if (hash) TRY(hash_rest(content, e.size, 0, *hash));
    return {};
  }
  if (want == Want::content_if_elf || want == Want::elf_or_shebang) {
    std::string head = TRY(read_head(content, 4));
    if (head.size() < 4) {
      if (hash) return make_error("content shorter than its header says");
      return {};
    }
    if (std::memcmp(head.data(), k_elf_magic, 4) == 0) {
      std::string bytes = TRY(read_content(content, e.size, head));
      if (hash) hash->update(bytes);
      keep(layer, CapturedFile{e.path, std::move(bytes), e.mode}, options, out);
      return {};
    }
    uint64_t done = head.size();
    if (want == Want::elf_or_shebang && head.starts_with("#!")) {
      head += TRY(read_head(content, std::min<uint64_t>(e.size, k_max_shebang_line) - 4));
      done = head.size();
      if (hash) hash->update(head);
      keep(layer, CapturedFile{e.path, head.substr(0, head.find('\n')), e.mode}, options, out);
    } else if (hash) {
      hash->update(head);
    }
    if (hash) TRY(hash_rest(content, e.size, done, *hash));
    return {};
  }
  std::string bytes = TRY(read_content(content, e.size, ""));
  if (hash) hash->update(bytes);
  keep(layer, CapturedFile{e.path, std::move(bytes), e.mode}, options, out);
  return {};
}

}  // namespace

Result<void> check_image_totals(uint64_t entries, uint64_t path_bytes) {
  if (entries > k_max_entries)
    return make_error("more than " + std::to_string(k_max_entries) + " entries in the image");
  if (path_bytes > k_max_path_bytes_total)
    return make_error("the paths of the image's entries take more than " +
                      std::to_string(k_max_path_bytes_total) + " bytes");
  return {};
}

Result<LayerEntries> read_layer(transport::ImageSource& src, const transport::ResolvedImage& img,
                                size_t index, const ScanOptions& options) {
  const auto& desc = img.manifest.layers.at(index);
  auto stream = TRY(transport::open_layer(src, desc, img.config.diff_ids.at(index)));
  CountingSource counted(*stream);
  LayerEntries out;
  std::atomic<size_t> own_entries{0};
  std::atomic<uint64_t> own_bytes{0};
  auto& entries_read = options.entries_read ? *options.entries_read : own_entries;
  std::atomic<uint64_t> own_holes{0};
  auto& holes_hashed = options.holes_hashed ? *options.holes_hashed : own_holes;
  auto& path_bytes = options.path_bytes_read ? *options.path_bytes_read : own_bytes;
  TRY(tar::for_each_entry(
          counted,
          [&](const tar::Entry& e, tar::EntryContent& content) -> Result<void> {
            // Millions of tiny entries, or of long paths, compress to almost
            // nothing: their count and their bytes bound what is kept.
            TRY(check_image_totals(++entries_read,
                                   path_bytes += e.path.size() + e.link_target.size()));
            out.entries.push_back(e);
            bool hashed = options.digest && options.on_digest &&
                          e.type == tar::EntryType::regular && options.digest(e);
            if (!hashed) return capture(index, e, content, options, out, nullptr);
            FileHash hash{.sha = {}, .holes = holes_hashed};
            TRY(capture(index, e, content, options, out, &hash));
            if (hash.whole)
              options.on_digest(index, e, hash.sha.hex_digest());
            else
              out.warnings.push_back("/" + e.path + ": not hashed: the image's sparse files hold " +
                                     "more than " + std::to_string(k_max_hashed_hole_bytes) +
                                     " bytes of holes");
            return {};
          })
          .wrap("layer " + std::to_string(index) + " (" + desc.digest.short_str() + ")"));
  out.uncompressed_size = counted.bytes();
  return out;
}

Result<std::vector<LayerEntries>> read_layers(transport::ImageSource& src,
                                              const transport::ResolvedImage& img,
                                              const ScanOptions& options) {
  size_t n = img.manifest.layers.size();
  unsigned threads = options.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<size_t>(threads, std::max<size_t>(n, 1)));
  std::vector<std::optional<Result<LayerEntries>>> slots(n);
  std::atomic<size_t> next{0};
  std::atomic<size_t> entries_read{0};
  std::atomic<uint64_t> path_bytes_read{0};
  ScanOptions shared = options;
  shared.entries_read = &entries_read;
  shared.path_bytes_read = &path_bytes_read;
  std::atomic<uint64_t> holes_hashed{0};
  shared.holes_hashed = &holes_hashed;
  auto worker = [&] {
    for (size_t i = next++; i < n; i = next++) {
      slots[i] = read_layer(src, img, i, shared);
      if (options.on_layer_done && *slots[i])
        options.on_layer_done(i, slots[i]->value().uncompressed_size);
    }
  };
  std::vector<std::jthread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  pool.clear();  // joins
  std::vector<LayerEntries> out;
  out.reserve(n);
  for (auto& slot : slots) {
    if (!*slot) return std::move(*slot).error();
    out.push_back(std::move(*slot).value());
  }
  return out;
}

}  // namespace pith::fs
