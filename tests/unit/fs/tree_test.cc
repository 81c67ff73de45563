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
  t.for_each([&](const std::string& path, const Node& node) {
    out += path;
    out += node.entry.type == EntryType::directory ? "/" : "";
    out += node.implied ? "*" : "";
    out += " ";
  });
  return out;
}

Entry link(std::string path, std::string target) {
  Entry e;
  e.path = std::move(path);
  e.type = EntryType::symlink;
  e.mode = 0777;
  e.link_target = std::move(target);
  return e;
}

// Applies a layer that must be accepted.
void apply(Tree& t, size_t layer, const std::vector<Entry>& entries) {
  auto r = t.apply_layer(layer, entries);
  ASSERT_TRUE(r.ok()) << r.error().message;
}

TEST(Tree, ImpliedParentsAreDirectories) {
  Tree t;
  apply(t, 0, {file("a/b/c")});
  EXPECT_EQ(listing(t), "a/* a/b/* a/b/c ");
  EXPECT_EQ(t.find("a/b")->entry.mode, 0755u);
}

TEST(Tree, WhiteoutDeletesLowerFileAndSubtree) {
  Tree t;
  apply(t, 0, {dir("d"), file("d/x"), dir("d/sub"), file("d/sub/y"), file("dz")});
  apply(t, 1, {file("d/.wh.sub"), file(".wh.dz")});
  EXPECT_EQ(listing(t), "d/ d/x ");
}

TEST(Tree, WhiteoutDoesNotDeleteSameLayerEntry) {
  Tree t;
  apply(t, 0, {file("a")});
  apply(t, 1, {file(".wh.a"), file("a", 7)});
  ASSERT_NE(t.find("a"), nullptr);
  EXPECT_EQ(t.find("a")->entry.size, 7u);
  EXPECT_EQ(t.find("a")->layer, 1u);
}

TEST(Tree, OpaqueWhiteoutHidesOnlyLowerLayers) {
  Tree t;
  apply(t, 0, {dir("d"), file("d/old"), file("d2/keep")});
  apply(t, 1, {dir("d"), file("d/.wh..wh..opq"), file("d/new")});
  EXPECT_EQ(listing(t), "d/ d/new d2/* d2/keep ");
}

TEST(Tree, FileReplacesDirectoryAndItsChildren) {
  Tree t;
  apply(t, 0, {dir("x"), file("x/child"), file("xy")});
  apply(t, 1, {file("x")});
  EXPECT_EQ(listing(t), "x xy ");
}

TEST(Tree, DirectoryReplacesFile) {
  Tree t;
  apply(t, 0, {file("x")});
  apply(t, 1, {file("x/inner")});
  EXPECT_EQ(listing(t), "x/* x/inner ");
}

TEST(Tree, DirectoryOverDirectoryKeepsChildren) {
  Tree t;
  apply(t, 0, {dir("d"), file("d/a")});
  Entry d = dir("d");
  d.mode = 0700;
  apply(t, 1, {d});
  EXPECT_EQ(listing(t), "d/ d/a ");
  EXPECT_EQ(t.find("d")->entry.mode, 0700u);
}

TEST(Tree, RootWhiteoutAndAufsMetadata) {
  Tree t;
  apply(t, 0, {file("a"), file("b/c")});
  apply(t, 1, {file(".wh..wh..opq"), file(".wh..wh.plnk/123"), file("n")});
  EXPECT_EQ(listing(t), "n ");
}

TEST(Tree, PrefixSiblingsSurviveSubtreeDeletion) {
  // "a-b" and "a0" sort around "a/": deleting "a" must not touch them.
  Tree t;
  apply(t, 0, {dir("a"), file("a/x"), file("a-b"), file("a0"), file("a.txt")});
  apply(t, 1, {file(".wh.a")});
  EXPECT_EQ(listing(t), "a-b a.txt a0 ");
}

TEST(Tree, WhiteoutsOfTheDirectoryOrItsParentAreRefused) {
  // ".wh..." names "..": applied literally it deletes what holds the layer (issue 10, case 1).
  for (const char* bad : {".wh...", "d/.wh...", ".wh..", "d/.wh..", ".wh.", "d/.wh."}) {
    Tree t;
    apply(t, 0, {dir("d"), file("d/x"), file("y")});
    auto r = t.apply_layer(1, {file(bad)});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("would delete its own directory"), std::string::npos)
        << r.error().message;
    EXPECT_EQ(listing(t), "d/ d/x y ") << bad;
  }
}

TEST(Tree, ByteOrderAcrossDirectoryBoundaries) {
  // '-' and '.' sort before '/', '0' after it: "a-b" and "a.c" come between "a" and "a/x".
  Tree t;
  apply(t, 0,
        {dir("a"), file("a/x"), file("a-b"), file("a.c"), file("a0"), dir("a/y"), file("a/y/z"),
         file("a/y-1")});
  EXPECT_EQ(listing(t), "a/ a-b a.c a/x a/y/ a/y-1 a/y/z a0 ");
}

TEST(Tree, FileThroughSymlinkedParentLandsWhereTheLinkPoints) {
  // Merged /usr: a later layer writes lib/x.so with no "lib" entry of its own.
  Tree t;
  apply(t, 0, {dir("usr"), dir("usr/lib"), link("lib", "usr/lib")});
  apply(t, 1, {file("lib/x.so")});
  EXPECT_EQ(listing(t), "lib usr/ usr/lib/ usr/lib/x.so ");
  EXPECT_EQ(t.find("lib")->entry.type, EntryType::symlink);
  EXPECT_EQ(t.find("usr/lib/x.so")->entry.path, "lib/x.so");  // as the layer wrote it
  EXPECT_EQ(t.lookup("lib/x.so"), t.find("usr/lib/x.so"));
  EXPECT_EQ(t.find("lib/x.so"), nullptr);
}

TEST(Tree, AbsoluteAndDotDotTargetsStayInTheRoot) {
  Tree t;
  apply(t, 0, {dir("etc"), link("up", "../../../etc"), link("abs", "/etc")});
  apply(t, 1, {file("up/a"), file("abs/b")});
  EXPECT_EQ(listing(t), "abs etc/ etc/a etc/b up ");
}

TEST(Tree, DanglingSymlinkParentGetsItsTargetImplied) {
  Tree t;
  apply(t, 0, {link("l", "made/here")});
  apply(t, 1, {file("l/f")});
  EXPECT_EQ(listing(t), "l made/* made/here/* made/here/f ");
}

TEST(Tree, WhiteoutThroughSymlinkedParent) {
  Tree t;
  apply(t, 0, {dir("usr"), dir("usr/lib"), file("usr/lib/x"), link("lib", "usr/lib")});
  apply(t, 1, {file("lib/.wh.x")});
  EXPECT_EQ(listing(t), "lib usr/ usr/lib/ ");
}

TEST(Tree, SymlinkLoopIsAnError) {
  Tree t;
  apply(t, 0, {link("a", "b"), link("b", "a")});
  auto r = t.apply_layer(1, {file("a/f")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "a/f: a: too many levels of symbolic links");
  EXPECT_EQ(t.lookup("a/f"), nullptr);
}

TEST(Tree, DeepPathCostsLinearMemoryAndIsBounded) {
  // 2,048 levels, PATH_MAX's worth of "a/" (4095 bytes): accepted, one node per level.
  std::string deep;
  for (size_t i = 0; i < 2047; ++i) deep += "a/";
  Tree t;
  apply(t, 0, {file(deep + "f")});
  EXPECT_EQ(t.size(), 2048u);
  size_t visited = 0, longest = 0;
  t.for_each([&](const std::string& path, const Node&) {
    ++visited;
    longest = std::max(longest, path.size());
  });
  EXPECT_EQ(visited, 2048u);
  EXPECT_EQ(longest, 4095u);
  // A byte more is refused, and a symlink cannot take a path past the limit either.
  auto r = t.apply_layer(1, {file(deep + "bb")});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("longer than 4095 bytes once symlinks are followed"),
            std::string::npos)
      << r.error().message;
  Tree u;
  apply(u, 0, {file(deep + "f"), link("s", deep)});
  // "s/x" lands at a 4095-byte path (a/.../a/x), its child "y" would be 4097.
  EXPECT_FALSE(u.apply_layer(1, {file("s/x/y")}).ok());
  EXPECT_NE(u.find(deep + "x"), nullptr);
}

TEST(Tree, WhiteoutDetection) {
  EXPECT_TRUE(is_whiteout(".wh.foo"));
  EXPECT_TRUE(is_whiteout("dir/.wh..wh..opq"));
  EXPECT_FALSE(is_whiteout("dir/foo.wh.bar"));
  EXPECT_FALSE(is_whiteout(".whx"));
}

}  // namespace
}  // namespace pith::fs
