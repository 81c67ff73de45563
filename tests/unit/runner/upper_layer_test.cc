// An upper dir built by hand as overlayfs leaves it, written as a layer tar.
#include "runner/upper_layer.h"

#include <gtest/gtest.h>

#include "runner_test_util.h"

namespace pith::runner {
namespace {

std::string describe(const tar::Entry& e) {
  std::string line = std::string(1, tar::type_char(e.type)) + " " + e.path + " " +
                     std::to_string(e.mode) + " " + std::to_string(e.uid) + ":" +
                     std::to_string(e.gid) + " " + std::to_string(e.size);
  if (!e.link_target.empty()) line += " -> " + e.link_target;
  return line;
}

class UpperLayer : public ::testing::Test {
 protected:
  void SetUp() override {
    lower = scratch.dir() + "/lower";
    upper = scratch.dir() + "/upper";
    test::make_file(lower + "/etc/issue", "Debian\n");
    test::make_file(lower + "/usr/share/doc/a", "a\n");
    test::make_file(lower + "/opt", "a file below\n");
    test::make_dir(upper);
  }

  std::vector<test::Read> layer(const LayerOptions& options) {
    test::StringSink sink;
    auto written = write_upper_layer(upper, LowerView({lower}), options, sink);
    EXPECT_TRUE(written.ok()) << written.error().message;
    auto entries = test::read_entries(sink.data());
    EXPECT_TRUE(entries.ok());
    return entries.ok() ? *entries : std::vector<test::Read>{};
  }

  test::Scratch scratch;
  std::string lower;
  std::string upper;
};

TEST_F(UpperLayer, OverlayMarksBecomeLayerWhiteouts) {
  test::make_dir(upper + "/etc");
  ASSERT_TRUE(test::make_whiteout(upper + "/etc/issue"));
  ASSERT_TRUE(test::make_opaque(upper + "/usr/share/doc"));  // rm -r doc; mkdir doc
  test::make_dir(upper + "/usr/share/doc/x", 0750);
  ASSERT_TRUE(test::make_opaque(upper + "/brand-new"));  // nothing below: hides nothing
  ASSERT_TRUE(test::make_opaque(upper + "/opt"));        // a file below, not a directory
  ::chmod((upper + "/usr/share/doc").c_str(), 0755);
  ::chmod((upper + "/brand-new").c_str(), 0700);
  ::chmod((upper + "/opt").c_str(), 0755);
  ::chmod((upper + "/etc").c_str(), 0755);

  std::vector<std::string> got;
  for (const auto& r : layer({})) got.push_back(describe(r.entry));
  std::vector<std::string> expected = {
      "d brand-new 448 0:0 0",
      "d etc 493 0:0 0",
      "- etc/.wh.issue 0 0:0 0",
      "d opt 493 0:0 0",
      "d usr 493 0:0 0",
      "d usr/share 493 0:0 0",
      "d usr/share/doc 493 0:0 0",
      "- usr/share/doc/.wh..wh..opq 493 0:0 0",
      "d usr/share/doc/x 488 0:0 0",
  };
  EXPECT_EQ(got, expected);
}

TEST_F(UpperLayer, FilesLinksOwnersAndXattrs) {
  test::make_file(upper + "/new", "hi\n", 0644);
  ASSERT_EQ(::link((upper + "/new").c_str(), (upper + "/new2").c_str()), 0);
  ASSERT_EQ(::chmod((upper + "/new").c_str(), 04644), 0);
  ASSERT_EQ(::symlink("new", (upper + "/link").c_str()), 0);
  test::make_dir(upper + "/home/u", 0700);
  ASSERT_EQ(::chown((upper + "/home/u").c_str(), 1000, 1000), 0);
  ASSERT_EQ(::setxattr((upper + "/new").c_str(), "user.k", "v", 1, 0), 0);
  ASSERT_EQ(::setxattr((upper + "/home").c_str(), "trusted.overlay.impure", "y", 1, 0), 0);
  test::make_dir(upper + "/proc");  // a stub of the init layer, left out
  ASSERT_EQ(::mkfifo((upper + "/fifo").c_str(), 0600), 0);

  LayerOptions options;
  options.source_date_epoch = 100;
  options.skip = {"proc"};
  auto entries = layer(options);
  std::vector<std::string> got;
  for (const auto& r : entries) got.push_back(describe(r.entry));
  std::vector<std::string> expected = {
      "p fifo 384 0:0 0",        "d home 493 0:0 0", "d home/u 448 1000:1000 0",
      "l link 511 0:0 0 -> new", "- new 2468 0:0 3", "h new2 2468 0:0 0 -> new",
  };
  EXPECT_EQ(got, expected);
  for (const auto& r : entries) {
    EXPECT_LE(r.entry.mtime, 100) << r.entry.path;
    for (const auto& [key, value] : r.entry.xattrs)
      EXPECT_FALSE(key.starts_with("trusted.overlay.")) << r.entry.path;
  }
  EXPECT_EQ(entries[4].content, "hi\n");
  EXPECT_EQ(entries[4].entry.xattrs.at("user.k"), "v");
}

TEST_F(UpperLayer, StopsWhenCancelled) {
  test::make_file(upper + "/a", "a");
  LayerOptions options;
  options.cancelled = [] { return true; };
  test::StringSink sink;
  auto written = write_upper_layer(upper, LowerView({lower}), options, sink);
  ASSERT_FALSE(written.ok());
  EXPECT_NE(written.error().message.find("interrupted"), std::string::npos);
}

}  // namespace
}  // namespace pith::runner
