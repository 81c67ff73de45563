// The build store: layer blobs written under their digest (checked against sha256sum and
// `gzip -dc` of the file written), and the cache entries that name them.
#include "executor/store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "executor_test_util.h"
#include "shell.h"
#include "tar/writer.h"
#include "util/file.h"

namespace pith::executor {
namespace {

using tar::EntryType;

// A small layer tar: a directory and a file.
Result<void> write_tar(ByteSink& out, const std::string& text) {
  tar::Writer writer(out);
  TRY(writer.add(test::entry("etc", EntryType::directory, 0755)));
  MemorySource content(text);
  TRY(writer.add(test::entry("etc/motd", EntryType::regular, 0644, text.size()), &content));
  return writer.finish();
}

std::string sha256sum(const std::string& command) {
  std::string out = test::run_capture(command + " | sha256sum");
  return "sha256:" + out.substr(0, 64);
}

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

class Store : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = BuildStore::open(scratch.dir() + "/store");
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store.emplace(std::move(*opened));
  }
  Result<LayerRef> put(const std::string& text, compress::Compression c) {
    return store->put_layer([&](ByteSink& out) { return write_tar(out, text); }, c);
  }
  std::string key(char c) const { return std::string(64, c); }

  test::Scratch scratch;
  std::optional<BuildStore> store;
};

TEST_F(Store, OpenMakesItsFolders) {
  for (const char* sub : {"images/blobs/sha256", "cache", "runs", "layers"})
    EXPECT_TRUE(std::filesystem::is_directory(scratch.dir() + "/store/" + sub)) << sub;
  EXPECT_EQ(store->layout_dir(), scratch.dir() + "/store/images");
}

TEST_F(Store, AGzipLayersDigestIsItsBlobsAndItsDiffIdTheTarsSha256) {
  auto layer = put("hello\n", compress::Compression::gzip);
  ASSERT_TRUE(layer.ok()) << layer.error().message;
  std::string blob = store->blob_path(layer->blob.digest);
  EXPECT_EQ(blob, scratch.dir() + "/store/images/blobs/sha256/" + layer->blob.digest.hex);
  ASSERT_TRUE(std::filesystem::is_regular_file(blob));
  EXPECT_EQ(layer->blob.digest.str(), sha256sum("cat " + test::shell_quote(blob)));
  EXPECT_EQ(layer->diff_id.str(), sha256sum("gzip -dc " + test::shell_quote(blob)));
  EXPECT_EQ(layer->blob.size, std::filesystem::file_size(blob));
  EXPECT_EQ(layer->blob.media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
  EXPECT_TRUE(store->has_blob(layer->blob.digest));

  // What `tar -t` lists in it.
  EXPECT_EQ(test::run_capture("tar -tzf " + test::shell_quote(blob)), "etc/\netc/motd\n");
}

TEST_F(Store, AnUncompressedLayersDigestIsItsDiffId) {
  auto layer = put("plain\n", compress::Compression::none);
  ASSERT_TRUE(layer.ok()) << layer.error().message;
  EXPECT_EQ(layer->blob.digest, layer->diff_id);
  EXPECT_EQ(layer->blob.media_type, "application/vnd.oci.image.layer.v1.tar");
  EXPECT_EQ(layer->diff_id.str(),
            sha256sum("cat " + test::shell_quote(store->blob_path(layer->blob.digest))));
}

TEST_F(Store, TheSameLayerTwiceIsOneBlobAndTheSameRef) {
  auto first = put("same\n", compress::Compression::gzip);
  auto second = put("same\n", compress::Compression::gzip);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(*first, *second);
  auto other = put("other\n", compress::Compression::gzip);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->diff_id, first->diff_id);
  // Nothing but the two blobs: no temporary file left behind.
  std::vector<std::string> expected = {first->blob.digest.hex, other->blob.digest.hex};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(files_in(scratch.dir() + "/store/images/blobs/sha256"), expected);
}

TEST_F(Store, AFailingWriterLeavesNoBlob) {
  auto failed =
      store->put_layer([](ByteSink&) -> Result<void> { return make_error("disk on fire"); },
                       compress::Compression::gzip);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("disk on fire"), std::string::npos)
      << failed.error().message;
  EXPECT_EQ(files_in(scratch.dir() + "/store/images/blobs/sha256"), std::vector<std::string>{});
}

TEST_F(Store, RememberedLayersComeBackFromTheCache) {
  auto layer = put("cached\n", compress::Compression::gzip);
  ASSERT_TRUE(layer.ok());
  EXPECT_EQ(store->cached(key('a')), std::nullopt);
  ASSERT_TRUE(store->remember(key('a'), *layer).ok());
  auto back = store->cached(key('a'));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, *layer);
  // Another store object on the same directory (the next build) sees it too.
  auto again = BuildStore::open(scratch.dir() + "/store");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->cached(key('a')), *layer);
  // Remembered again under the same key: the newest wins.
  auto other = put("newer\n", compress::Compression::gzip);
  ASSERT_TRUE(store->remember(key('a'), *other).ok());
  EXPECT_EQ(store->cached(key('a')), *other);
}

TEST_F(Store, ACacheEntryWhoseBlobIsGoneIsAMiss) {
  auto layer = put("gone\n", compress::Compression::gzip);
  ASSERT_TRUE(layer.ok());
  ASSERT_TRUE(store->remember(key('b'), *layer).ok());
  ASSERT_TRUE(std::filesystem::remove(store->blob_path(layer->blob.digest)));
  EXPECT_EQ(store->cached(key('b')), std::nullopt);
}

TEST_F(Store, MalformedKeysNeverNameAFile) {
  auto layer = put("keys\n", compress::Compression::gzip);
  ASSERT_TRUE(layer.ok());
  for (const std::string& bad :
       {std::string(""), std::string("abc"), std::string(64, 'A'), std::string(63, 'a'),
        std::string(65, 'a'), "../" + std::string(61, 'a'), std::string(63, 'a') + "/"}) {
    EXPECT_FALSE(store->remember(bad, *layer).ok()) << bad;
    EXPECT_EQ(store->cached(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(files_in(scratch.dir() + "/store/cache"), std::vector<std::string>{});
  // A file put there by hand under a malformed name is not read either.
  test::make_file(scratch.dir() + "/store/cache/ABC", "{}");
  EXPECT_EQ(store->cached("ABC"), std::nullopt);
}

TEST_F(Store, CorruptCacheEntriesAreMisses) {
  auto layer = put("corrupt\n", compress::Compression::gzip);
  ASSERT_TRUE(layer.ok());
  std::string blob = nlohmann::json(oci::to_json(layer->blob)).dump();
  const std::vector<std::string> corrupt = {
      "",
      "not json",
      "[]",
      "{}",
      "{\"blob\": " + blob + "}",
      "{\"blob\": " + blob + ", \"diff_id\": \"sha256:xyz\"}",
      "{\"blob\": {\"digest\": \"nope\"}, \"diff_id\": \"" + layer->diff_id.str() + "\"}",
      "{\"blob\": " + blob.substr(0, blob.size() / 2),
  };
  for (size_t i = 0; i < corrupt.size(); ++i) {
    std::string k = key(static_cast<char>('0' + i));
    test::make_file(scratch.dir() + "/store/cache/" + k, corrupt[i]);
    EXPECT_EQ(store->cached(k), std::nullopt) << corrupt[i];
  }
  // The well-formed entry next to them is a hit.
  test::make_file(scratch.dir() + "/store/cache/" + key('f'),
                  "{\"blob\": " + blob + ", \"diff_id\": \"" + layer->diff_id.str() + "\"}");
  EXPECT_EQ(store->cached(key('f')), *layer);
}

TEST_F(Store, ACacheEntryWithABlobOfAnotherTypeIsAMiss) {
  auto layer = put("typed\n", compress::Compression::gzip);
  ASSERT_TRUE(layer.ok());
  for (const std::string blob : {"7", "null", "[]", "\"sha256:x\""}) {
    test::make_file(scratch.dir() + "/store/cache/" + key('e'),
                    "{\"blob\": " + blob + ", \"diff_id\": \"" + layer->diff_id.str() + "\"}");
    EXPECT_EQ(store->cached(key('e')), std::nullopt) << blob;
  }
}

// Regression test (a bug once in src/executor/store.cc, BuildStore::cached, line ~105):
// doc.value("diff_id", "") throws nlohmann::json::type_error (302, "type must be string, but is
// number") when the entry holds a diff_id that is not a string; nothing catches it, so one bad file
// in cache/ ends the build with an uncaught exception instead of a cache miss (the function's
// contract: nullopt for anything it cannot use).
TEST_F(Store, ACacheEntryWithADiffIdOfAnotherTypeIsAMiss) {
  auto layer = put("typed\n", compress::Compression::gzip);
  ASSERT_TRUE(layer.ok());
  std::string blob = nlohmann::json(oci::to_json(layer->blob)).dump();
  for (const std::string diff_id : {"7", "null", "[]", "{}"}) {
    test::make_file(scratch.dir() + "/store/cache/" + key('e'),
                    "{\"blob\": " + blob + ", \"diff_id\": " + diff_id + "}");
    EXPECT_EQ(store->cached(key('e')), std::nullopt) << diff_id;
  }
}

}  // namespace
}  // namespace pith::executor
