// Squashing layers: whiteouts, opaque directories, type changes and implied parents, with the
// results overlayfs gives for the same layers.
#include "fs/tree.h"

#include <gtest/gtest.h>

namespace pith::fs {
namespace {

using tar::Entry;
using tar::EntryType;

Entry file(std::string path, uint64_t size = 1) {
  Entry e;
  e.path = std::move(path);
  e.type = EntryType::regular;
  e.mode = 0644;
  e.size = size;
  return e;
}

Entry dir(std::string path) {
  Entry e;
  e.path = std::move(path);
  e.type = EntryType::directory;
  e.mode = 0755;
  return e;
}

std::string listing(const Tree& t) {
  std::string out;
  for (const auto& [path, node] : t.nodes()) {
    out += path;
    out += node.entry.type == EntryType::directory ? "/" : "";
    out += node.implied ? "*" : "";
    out += " ";
  }
  return out;
}

TEST(Tree, ImpliedParentsAreDirectories) {
  Tree t;
  t.apply_layer(0, {file("a/b/c")});
  EXPECT_EQ(listing(t), "a/* a/b/* a/b/c ");
  EXPECT_EQ(t.find("a/b")->entry.mode, 0755u);
}

TEST(Tree, WhiteoutDeletesLowerFileAndSubtree) {
  Tree t;
  t.apply_layer(0, {dir("d"), file("d/x"), dir("d/sub"), file("d/sub/y"), file("dz")});
  t.apply_layer(1, {file("d/.wh.sub"), file(".wh.dz")});
  EXPECT_EQ(listing(t), "d/ d/x ");
}

TEST(Tree, WhiteoutDoesNotDeleteSameLayerEntry) {
  Tree t;
  t.apply_layer(0, {file("a")});
  t.apply_layer(1, {file(".wh.a"), file("a", 7)});
  ASSERT_NE(t.find("a"), nullptr);
  EXPECT_EQ(t.find("a")->entry.size, 7u);
  EXPECT_EQ(t.find("a")->layer, 1u);
}

TEST(Tree, OpaqueWhiteoutHidesOnlyLowerLayers) {
  Tree t;
  t.apply_layer(0, {dir("d"), file("d/old"), file("d2/keep")});
  t.apply_layer(1, {dir("d"), file("d/.wh..wh..opq"), file("d/new")});
  EXPECT_EQ(listing(t), "d/ d/new d2/* d2/keep ");
}

TEST(Tree, FileReplacesDirectoryAndItsChildren) {
  Tree t;
  t.apply_layer(0, {dir("x"), file("x/child"), file("xy")});
  t.apply_layer(1, {file("x")});
  EXPECT_EQ(listing(t), "x xy ");
}

TEST(Tree, DirectoryReplacesFile) {
  Tree t;
  t.apply_layer(0, {file("x")});
  t.apply_layer(1, {file("x/inner")});
  EXPECT_EQ(listing(t), "x/* x/inner ");
}

TEST(Tree, DirectoryOverDirectoryKeepsChildren) {
  Tree t;
  t.apply_layer(0, {dir("d"), file("d/a")});
  Entry d = dir("d");
  d.mode = 0700;
  t.apply_layer(1, {d});
  EXPECT_EQ(listing(t), "d/ d/a ");
  EXPECT_EQ(t.find("d")->entry.mode, 0700u);
}

TEST(Tree, RootWhiteoutAndAufsMetadata) {
  Tree t;
  t.apply_layer(0, {file("a"), file("b/c")});
  t.apply_layer(1, {file(".wh..wh..opq"), file(".wh..wh.plnk/123"), file("n")});
  EXPECT_EQ(listing(t), "n ");
}

TEST(Tree, PrefixSiblingsSurviveSubtreeDeletion) {
  // "a-b" and "a0" sort around "a/": deleting "a" must not touch them.
  Tree t;
  t.apply_layer(0, {dir("a"), file("a/x"), file("a-b"), file("a0"), file("a.txt")});
  t.apply_layer(1, {file(".wh.a")});
  EXPECT_EQ(listing(t), "a-b a.txt a0 ");
}

TEST(Tree, WhiteoutDetection) {
  EXPECT_TRUE(is_whiteout(".wh.foo"));
  EXPECT_TRUE(is_whiteout("dir/.wh..wh..opq"));
  EXPECT_FALSE(is_whiteout("dir/foo.wh.bar"));
  EXPECT_FALSE(is_whiteout(".whx"));
}

}  // namespace
}  // namespace pith::fs
