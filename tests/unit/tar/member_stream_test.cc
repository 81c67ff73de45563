// MemberStream (forward-only) against ArchiveIndex (random access) on real image archives:
// the same members at the same offsets, and the same bytes for each.
#include "tar/member_stream.h"

#include <gtest/gtest.h>

#include "tar/archive_index.h"
#include "test_paths.h"

namespace pith::tar {
namespace {

void expect_same_as_index(const std::string& path) {
  std::string bytes = test::slurp(path);
  ASSERT_FALSE(bytes.empty()) << path;
  auto index = ArchiveIndex::parse(bytes);
  ASSERT_TRUE(index) << index.error().message;
  MemberStream stream(std::make_unique<MemorySource>(bytes));
  size_t i = 0;
  for (;; ++i) {
    auto m = stream.next();
    ASSERT_TRUE(m) << path << ": " << m.error().message;
    if (!*m) break;
    ASSERT_LT(i, index->members().size()) << path;
    const Member& want = index->members()[i];
    EXPECT_EQ((*m)->name, want.name);
    EXPECT_EQ((*m)->type, want.type) << want.name;
    EXPECT_EQ((*m)->offset, want.offset) << want.name;
    EXPECT_EQ((*m)->size, want.size) << want.name;
    EXPECT_EQ((*m)->link, want.link) << want.name;
    if (i % 3 == 0) continue;  // skipped unread: the next member must still line up
    auto data = read_all(stream.data(), want.size);
    ASSERT_TRUE(data) << data.error().message;
    EXPECT_EQ(*data, bytes.substr(want.offset, want.size)) << want.name;
  }
  EXPECT_EQ(i, index->members().size()) << path;
}

TEST(TarMemberStream, DockerArchives) {
  expect_same_as_index(test::corpus("dive/test-docker-image.tar"));
  expect_same_as_index(test::corpus("go-containerregistry/pkg/v1/tarball/testdata/test_link.tar"));
  expect_same_as_index(
      test::corpus("go-containerregistry/pkg/v1/tarball/testdata/hello-world-v25.tar"));
  expect_same_as_index(test::corpus("oras-go/content/oci/testdata/hello-world-prefixed-path.tar"));
}

TEST(TarMemberStream, TruncatedMember) {
  std::string bytes =
      test::slurp(test::corpus("containers-image/docker/archive/fixtures/almostempty.tar"));
  ASSERT_GT(bytes.size(), 2000u);
  MemberStream stream(std::make_unique<MemorySource>(bytes.substr(0, 1000)));
  auto first = stream.next();
  ASSERT_TRUE(first && *first);
  EXPECT_EQ((*first)->size, 1294u);  // the config; its data is cut at byte 1000
  auto rest = read_all(stream.data(), 1 << 20);
  ASSERT_FALSE(rest);
  EXPECT_EQ(rest.error().message, "archive truncated at byte 1000");
  // Skipping instead of reading fails the same way.
  MemberStream again(std::make_unique<MemorySource>(bytes.substr(0, 1000)));
  ASSERT_TRUE(again.next());
  auto next = again.next();
  ASSERT_FALSE(next);
  EXPECT_EQ(next.error().message, "archive truncated at byte 1000");
}

}  // namespace
}  // namespace pith::tar
