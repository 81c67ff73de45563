// The treemap's data: sizes summed by directory, the largest children kept, the rest merged,
// the node budget, and the package that owns most of each node's bytes.
#include "report_html/treemap.h"

#include <gtest/gtest.h>

#include <map>

namespace pith::report_html {
namespace {

class TreemapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir("usr");
    dir("usr/bin");
    file("usr/bin/bash", 1000);
    file("usr/bin/ls", 300);
    dir("usr/lib");
    file("usr/lib/libc.so", 2000);
    file("usr/lib/tiny", 1);
    dir("etc");
    file("etc/passwd", 100);
    tar::Entry link;
    link.path = "bin";
    link.type = tar::EntryType::symlink;
    link.link_target = "usr/bin";
    m_entries.push_back(link);
    ASSERT_TRUE(m_tree.apply_layer(0, m_entries));
  }
  void dir(const std::string& path) {
    tar::Entry e;
    e.path = path;
    e.type = tar::EntryType::directory;
    e.mode = 0755;
    m_entries.push_back(e);
  }
  void file(const std::string& path, uint64_t size) {
    tar::Entry e;
    e.path = path;
    e.mode = 0644;
    e.size = size;
    m_entries.push_back(e);
  }
  TreemapNode build(const TreemapLimits& limits = {}) {
    std::map<std::string, size_t> owners = {
        {"usr/bin/bash", 0}, {"usr/bin/ls", 1}, {"usr/lib/libc.so", 2}};
    return build_treemap(
        m_tree,
        [&](const std::string& path) -> std::optional<size_t> {
          auto it = owners.find(path);
          return it == owners.end() ? std::nullopt : std::optional<size_t>(it->second);
        },
        limits);
  }
  std::vector<tar::Entry> m_entries;
  fs::Tree m_tree;
};

// "name kind bytes entries package" of each child.
std::vector<std::string> shown(const TreemapNode& n) {
  std::vector<std::string> out;
  for (const auto& c : n.children) {
    char kind = c.kind == TreemapNode::Kind::directory ? 'd'
                : c.kind == TreemapNode::Kind::file    ? 'f'
                                                       : 'o';
    out.push_back(c.name + " " + kind + " " + std::to_string(c.bytes) + " " +
                  std::to_string(c.entries) + " " + (c.package ? std::to_string(*c.package) : "-") +
                  (c.kind == TreemapNode::Kind::other ? " m" + std::to_string(c.merged) : "") +
                  (c.opened ? " open" : ""));
  }
  return out;
}

TEST_F(TreemapTest, SizesByDirectoryLargestFirst) {
  TreemapNode root = build();
  EXPECT_EQ(root.bytes, 3401u);
  EXPECT_EQ(root.entries, 10u);  // every path but "/"
  EXPECT_TRUE(root.opened);
  EXPECT_EQ(root.package, std::optional<size_t>(2));  // libc.so's 2000 of 3401 bytes
  // "bin", a symlink, holds no bytes: merged.
  EXPECT_EQ(shown(root),
            (std::vector<std::string>{"usr d 3301 7 2 open", "etc d 100 2 - open", " o 0 1 - m1"}));
  const TreemapNode& usr = root.children[0];
  EXPECT_EQ(shown(usr), (std::vector<std::string>{"lib d 2001 3 2 open", "bin d 1300 3 0 open"}));
  // tiny: 1 byte, under 0.2% of lib's 2001.
  EXPECT_EQ(shown(usr.children[0]),
            (std::vector<std::string>{"libc.so f 2000 1 2", " o 1 1 - m1"}));
  EXPECT_EQ(shown(usr.children[1]), (std::vector<std::string>{"bash f 1000 1 0", "ls f 300 1 1"}));
}

TEST_F(TreemapTest, TooManyChildrenMergeIntoOther) {
  TreemapLimits limits;
  limits.max_children = 1;
  TreemapNode root = build(limits);
  EXPECT_EQ(shown(root), (std::vector<std::string>{"usr d 3301 7 2 open", " o 100 3 - m2"}));
}

TEST_F(TreemapTest, TheNodeBudgetStopsOpening) {
  TreemapLimits limits;
  limits.max_nodes = 4;  // the root and its three children
  TreemapNode root = build(limits);
  EXPECT_EQ(shown(root),
            (std::vector<std::string>{"usr d 3301 7 2", "etc d 100 2 -", " o 0 1 - m1"}));
  limits.max_nodes = 6;  // usr (the largest) opens; etc would need a seventh
  root = build(limits);
  EXPECT_EQ(shown(root),
            (std::vector<std::string>{"usr d 3301 7 2 open", "etc d 100 2 -", " o 0 1 - m1"}));
  EXPECT_EQ(shown(root.children[0]),
            (std::vector<std::string>{"lib d 2001 3 2", "bin d 1300 3 0"}));
}

TEST_F(TreemapTest, TheDepthLimit) {
  TreemapLimits limits;
  limits.max_depth = 1;
  TreemapNode root = build(limits);
  EXPECT_EQ(shown(root),
            (std::vector<std::string>{"usr d 3301 7 2", "etc d 100 2 -", " o 0 1 - m1"}));
}

TEST(Treemap, AnEmptyTree) {
  fs::Tree tree;
  TreemapNode root = build_treemap(tree, [](const std::string&) { return std::nullopt; });
  EXPECT_EQ(root.bytes, 0u);
  EXPECT_EQ(root.entries, 0u);
  EXPECT_FALSE(root.opened);
  EXPECT_FALSE(root.package);
}

}  // namespace
}  // namespace pith::report_html
