// The cached index of dpkg's file lists: what it answers, what it refuses to load.
#include "build/dpkg_list_index.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace pith::build::detail {
namespace {

const std::string k_key = "root=/ info=64768:3:1.2:1.2 status=64768:4:1.2:1.2:100";

DpkgListIndex made() {
  DpkgListIndex index;
  index.add("libc6:amd64",
            "/.\n/lib\n/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu/libc.so.6\n"
            "/usr/share/doc/libc6/copyright\n");
  index.add("zlib1g:amd64", "/usr/lib/x86_64-linux-gnu/libz.so.1\n/usr/share/doc/zlib1g/copyright");
  index.add("base-files", "/etc/os-release\n/usr/share/doc/base-files/\n");
  return index;
}

TEST(DpkgListIndex, NamesTheListsThatNameAFileOfThatName) {
  auto index = DpkgListIndex::parse(made().serialize(k_key), k_key);
  ASSERT_TRUE(index);
  EXPECT_TRUE(index->has_list("zlib1g:amd64"));
  EXPECT_FALSE(index->has_list("zlib1g"));
  using Names = std::set<std::string, std::less<>>;
  EXPECT_EQ(index->lists_naming(Names{"libc.so.6"}), std::set<std::string>{"libc6:amd64"});
  EXPECT_EQ(index->lists_naming(Names{"copyright", "libz.so.1"}),
            (std::set<std::string>{"libc6:amd64", "zlib1g:amd64"}));
  // A directory's line ends in '/': its last component is the name before it.
  EXPECT_EQ(index->lists_naming(Names{"base-files"}), std::set<std::string>{"base-files"});
  EXPECT_TRUE(index->lists_naming(Names{"libc.so", "x86_64-linux-gnu/libc.so.6"}).empty());
}

TEST(DpkgListIndex, WrittenOnceWhateverTheOrderOfAdding) {
  DpkgListIndex reversed;
  reversed.add("base-files", "/etc/os-release\n/usr/share/doc/base-files/\n");
  reversed.add("zlib1g:amd64",
               "/usr/share/doc/zlib1g/copyright\n/usr/lib/x86_64-linux-gnu/libz.so.1\n");
  reversed.add("libc6:amd64",
               "/lib/x86_64-linux-gnu/libc.so.6\n/usr/share/doc/libc6/copyright\n"
               "/lib/x86_64-linux-gnu\n/.\n/lib\n/lib/x86_64-linux-gnu/libc.so.6\n");
  EXPECT_EQ(reversed.serialize(k_key), made().serialize(k_key));
}

TEST(DpkgListIndex, AnotherKeyOrADamagedFileIsNotLoaded) {
  const std::string bytes = made().serialize(k_key);
  EXPECT_FALSE(DpkgListIndex::parse(bytes, k_key + "0"));
  EXPECT_FALSE(DpkgListIndex::parse(bytes, k_key.substr(0, k_key.size() - 1)));
  // Every truncation and every byte changed past the key is refused or reads back the same
  // bytes (a change inside a hash can still be a valid index, of another list).
  for (size_t n = 0; n < bytes.size(); ++n)
    EXPECT_FALSE(DpkgListIndex::parse(bytes.substr(0, n), k_key)) << n;
  EXPECT_FALSE(DpkgListIndex::parse(bytes + "x", k_key));
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string changed = bytes;
    changed[i] = static_cast<char>(changed[i] ^ 0x80);
    if (auto index = DpkgListIndex::parse(changed, k_key)) {
      EXPECT_EQ(index->serialize(k_key), changed) << i;
    }
  }
}

}  // namespace
}  // namespace pith::build::detail
