// The streamed archive FileSet (what docker-daemon: and containers-storage: read through):
// the same image as the random-access tar route, and the streams it needs, counted.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "oci/manifest.h"
#include "tar/writer.h"
#include "test_paths.h"
#include "transport/daemon.h"
#include "transport/docker_archive.h"

namespace pith::transport {
namespace {

class StringSink final : public ByteSink {
 public:
  using ByteSink::write;
  Result<void> write(std::span<const std::byte> data) override {
    m_data.append(reinterpret_cast<const char*>(data.data()), data.size());
    return {};
  }
  std::string m_data;
};

struct Opened {
  std::unique_ptr<FileSet> files;
  std::shared_ptr<std::atomic<uint64_t>> streams;
};

Opened open_bytes(const std::string& bytes) {
  auto streams = std::make_shared<std::atomic<uint64_t>>(0);
  ArchiveOpener open = [&bytes]() -> Result<std::unique_ptr<ByteSource>> {
    return std::unique_ptr<ByteSource>(std::make_unique<MemorySource>(bytes));
  };
  auto files = open_streamed_archive(open, "test archive", streams);
  EXPECT_TRUE(files) << files.error().message;
  return Opened{files ? std::move(files).value() : nullptr, streams};
}

// Every blob of an image's manifest, read whole (and so verified).
std::vector<std::string> read_blobs(ImageSource& src) {
  auto root = src.root();
  EXPECT_TRUE(root);
  auto m = oci::parse_manifest(root->bytes);
  EXPECT_TRUE(m);
  std::vector<std::string> out;
  std::vector<oci::Descriptor> all = {m->config};
  all.insert(all.end(), m->layers.begin(), m->layers.end());
  for (const auto& d : all) {
    auto blob = src.blob(d);
    EXPECT_TRUE(blob) << blob.error().message;
    auto bytes = read_all(**blob, 1 << 30);
    EXPECT_TRUE(bytes) << d.digest.str() << ": " << bytes.error().message;
    out.push_back(bytes ? *bytes : "");
  }
  return out;
}

TEST(StreamedArchive, DiveArchiveReadsAsTheTarFileDoes) {
  std::string path = test::corpus("dive/test-docker-image.tar");
  std::string bytes = test::slurp(path);
  ASSERT_FALSE(bytes.empty());
  Opened streamed = open_bytes(bytes);
  ASSERT_TRUE(streamed.files);
  auto via_stream = open_docker_archive_source(std::move(streamed.files), "", "stream");
  ASSERT_TRUE(via_stream) << via_stream.error().message;
  auto via_file = open_docker_archive_source(open_tar_files(path).value(), "", "file");
  ASSERT_TRUE(via_file) << via_file.error().message;

  EXPECT_EQ((*via_stream)->root()->bytes, (*via_file)->root()->bytes);
  auto blobs = read_blobs(**via_stream);
  EXPECT_EQ(blobs.size(), 15u);  // config + 14 layers
  EXPECT_EQ(blobs, read_blobs(**via_file));
  // One member (busybox's layer, 1,369,600 bytes) is larger than the 1 MiB kept in memory:
  // reading it takes the one further stream; every other member came from the indexing pass.
  EXPECT_EQ(streamed.streams->load(), 2u);
}

// An archive with members too large to keep: b (3 MiB), then a (2 MiB), then a symlink to b.
std::string large_archive(std::string& a, std::string& b) {
  a.assign(2 << 20, '\0');
  b.assign(3 << 20, '\0');
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<char>(i * 7 + i / 4096);
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<char>(i * 13 + i / 512);
  StringSink out;
  tar::Writer w(out);
  auto add = [&](const std::string& name, const std::string& content) {
    tar::Entry e;
    e.path = name;
    e.mode = 0644;
    e.size = content.size();
    MemorySource src(content);
    EXPECT_TRUE(w.add(e, &src));
  };
  add("b.bin", b);
  add("a.bin", a);
  add("small.json", "{}");
  tar::Entry link;
  link.path = "dir/b-link";
  link.type = tar::EntryType::symlink;
  link.link_target = "../b.bin";
  EXPECT_TRUE(w.add(link));
  EXPECT_TRUE(w.finish());
  return out.m_data;
}

std::string read_member(FileSet& files, const std::string& name) {
  auto src = files.open(name);
  EXPECT_TRUE(src) << src.error().message;
  auto bytes = read_all(**src, 1 << 30);
  EXPECT_TRUE(bytes) << bytes.error().message;
  return bytes ? *bytes : "";
}

TEST(StreamedArchive, InArchiveOrderOneMoreStream) {
  std::string a, b;
  std::string bytes = large_archive(a, b);
  Opened o = open_bytes(bytes);
  ASSERT_TRUE(o.files);
  EXPECT_EQ(*o.files->size("b.bin").value(), b.size());
  EXPECT_EQ(*o.files->size("dir/b-link").value(), b.size());
  EXPECT_FALSE(o.files->size("missing").value());
  EXPECT_EQ(read_member(*o.files, "small.json"), "{}");
  EXPECT_EQ(read_member(*o.files, "b.bin"), b);
  EXPECT_EQ(read_member(*o.files, "a.bin"), a);
  EXPECT_EQ(o.streams->load(), 2u);
}

TEST(StreamedArchive, OutOfOrderReadsStreamAgain) {
  std::string a, b;
  std::string bytes = large_archive(a, b);
  Opened o = open_bytes(bytes);
  ASSERT_TRUE(o.files);
  EXPECT_EQ(read_member(*o.files, "a.bin"), a);
  EXPECT_EQ(read_member(*o.files, "dir/b-link"), b);
  EXPECT_EQ(o.streams->load(), 3u);
  // A member abandoned half-way leaves its stream usable for what follows it.
  {
    auto src = o.files->open("b.bin").value();
    std::string half(1 << 20, '\0');
    auto n = src->read(std::as_writable_bytes(std::span(half)));
    ASSERT_TRUE(n);
  }
  EXPECT_EQ(read_member(*o.files, "a.bin"), a);
}

TEST(StreamedArchive, PeekingTheHeadCostsNoStream) {
  std::string a, b;
  std::string bytes = large_archive(a, b);
  Opened o = open_bytes(bytes);
  ASSERT_TRUE(o.files);
  auto src = o.files->open("a.bin").value();
  std::string head(16, '\0');
  ASSERT_EQ(src->read(std::as_writable_bytes(std::span(head))).value(), 16u);
  EXPECT_EQ(head, a.substr(0, 16));
  EXPECT_EQ(o.streams->load(), 1u);
}

TEST(StreamedArchive, ParallelReaders) {
  std::string a, b;
  std::string bytes = large_archive(a, b);
  Opened o = open_bytes(bytes);
  ASSERT_TRUE(o.files);
  std::string got_a, got_b;
  std::thread ta([&] { got_a = read_member(*o.files, "a.bin"); });
  std::thread tb([&] { got_b = read_member(*o.files, "b.bin"); });
  ta.join();
  tb.join();
  EXPECT_EQ(got_a, a);
  EXPECT_EQ(got_b, b);
}

TEST(StreamedArchive, ArchiveThatChangesIsAnError) {
  std::string a, b;
  std::string first = large_archive(a, b);
  std::string other = first;
  other[0] = 'c';  // "c.bin": another member where b.bin was
  // Fix the header checksum so only the name differs.
  unsigned sum = 0;
  for (size_t i = 0; i < 512; ++i)
    sum += (i >= 148 && i < 156) ? ' ' : static_cast<uint8_t>(other[i]);
  snprintf(other.data() + 148, 8, "%06o", sum);
  int calls = 0;
  ArchiveOpener open = [&]() -> Result<std::unique_ptr<ByteSource>> {
    return std::unique_ptr<ByteSource>(
        std::make_unique<MemorySource>(calls++ == 0 ? first : other));
  };
  auto files = open_streamed_archive(open, "test archive");
  ASSERT_TRUE(files);
  auto src = (*files)->open("a.bin").value();
  std::string all(a.size(), '\0');
  std::string err;
  for (;;) {
    auto n = src->read(std::as_writable_bytes(std::span(all)));
    if (!n) {
      err = n.error().message;
      break;
    }
    if (*n == 0) break;
  }
  EXPECT_EQ(err, "test archive: the image's archive changed between two reads");
}

TEST(StreamedArchive, TruncatedArchiveIsAnError) {
  std::string a, b;
  std::string bytes = large_archive(a, b).substr(0, 1 << 20);
  ArchiveOpener open = [&]() -> Result<std::unique_ptr<ByteSource>> {
    return std::unique_ptr<ByteSource>(std::make_unique<MemorySource>(bytes));
  };
  auto files = open_streamed_archive(open, "test archive");
  ASSERT_FALSE(files);
  EXPECT_EQ(files.error().message, "test archive: archive truncated at byte 1048576");
}

}  // namespace
}  // namespace pith::transport
