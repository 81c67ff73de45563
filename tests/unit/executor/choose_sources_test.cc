// COPY/ADD's sources: what choose_sources picks from a context made in a scratch directory, and
// what selection_digest (the cache key's part for them) sees and ignores.
#include <gtest/gtest.h>

#include <fcntl.h>

#include "dockerfile/dockerignore.h"
#include "executor/copy_files.h"
#include "executor_test_util.h"

namespace pith::executor {
namespace {

using Names = std::vector<std::string>;

class ChooseSources : public ::testing::Test {
 protected:
  void SetUp() override {
    ctx = scratch.dir() + "/ctx";
    test::make_file(ctx + "/a.txt", "a");
    test::make_file(ctx + "/b.txt", "bb");
    test::make_file(ctx + "/c.md", "c");
    test::make_file(ctx + "/dir/z", "z");
    test::make_file(ctx + "/dir/m.txt", "m");
    test::make_file(ctx + "/dir/sub/y", "y");
    test::make_file(scratch.dir() + "/outside.txt", "outside");
  }

  Result<CopySelection> choose(const std::vector<std::string>& sources,
                               const dockerfile::IgnoreMatcher* ignore = nullptr,
                               std::vector<std::string> excludes = {}) {
    SourceTree tree;
    tree.root = ctx;
    tree.ignore = ignore;
    tree.excludes = std::move(excludes);
    return choose_sources(tree, sources);
  }

  test::Scratch scratch;
  std::string ctx;
};

TEST_F(ChooseSources, AFileIsOneEntryNamedAfterIt) {
  auto s = choose({"a.txt"});
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_FALSE(s->many);
  ASSERT_EQ(s->sources.size(), 1u);
  EXPECT_EQ(s->sources[0].name, "a.txt");
  EXPECT_FALSE(s->sources[0].is_dir());
  ASSERT_EQ(s->sources[0].entries.size(), 1u);
  EXPECT_EQ(s->sources[0].entries[0].rel, "");
  EXPECT_EQ(s->sources[0].entries[0].host, ctx + "/a.txt");
  EXPECT_EQ(s->sources[0].entries[0].st.st_size, 1);
}

TEST_F(ChooseSources, ADirectoryListsItselfThenItsTreeParentsFirstInNameOrder) {
  for (const std::string written : {"dir", "dir/", "./dir/."}) {
    auto s = choose({written});
    ASSERT_TRUE(s.ok()) << written << ": " << s.error().message;
    EXPECT_FALSE(s->many) << written;
    ASSERT_EQ(s->sources.size(), 1u);
    EXPECT_EQ(s->sources[0].name, "dir") << written;
    EXPECT_TRUE(s->sources[0].is_dir());
    EXPECT_EQ(test::rels_of(s->sources[0]), (Names{"", "m.txt", "sub", "sub/y", "z"})) << written;
    EXPECT_EQ(s->sources[0].entries[3].host, ctx + "/dir/sub/y");
  }
}

TEST_F(ChooseSources, TheContextRootIsADirectorySource) {
  auto s = choose({"."});
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_EQ(s->sources.size(), 1u);
  EXPECT_EQ(test::rels_of(s->sources[0]), (Names{"", "a.txt", "b.txt", "c.md", "dir", "dir/m.txt",
                                                 "dir/sub", "dir/sub/y", "dir/z"}));
}

TEST_F(ChooseSources, SeveralSourcesMakeTheDestinationADirectory) {
  auto s = choose({"a.txt", "c.md"});
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_TRUE(s->many);
  EXPECT_EQ(test::names_of(*s), (Names{"a.txt", "c.md"}));
}

// Wildcards match one path component each as Go's filepath.Match does ('*' stops at '/');
// a wildcard always makes the destination a directory (BuildKit: fsutil copy.ResolveWildcards;
// Docker's classic builder: copier.calcCopyInfo).
TEST_F(ChooseSources, WildcardsMatchNamesInOrder) {
  auto txt = choose({"*.txt"});
  ASSERT_TRUE(txt.ok()) << txt.error().message;
  EXPECT_TRUE(txt->many);
  EXPECT_EQ(test::names_of(*txt), (Names{"a.txt", "b.txt"}));

  auto below = choose({"dir/*"});
  ASSERT_TRUE(below.ok()) << below.error().message;
  EXPECT_EQ(test::names_of(*below), (Names{"m.txt", "sub", "z"}));
  EXPECT_EQ(test::rels_of(below->sources[1]), (Names{"", "y"}));

  auto klass = choose({"[ab]*"});
  ASSERT_TRUE(klass.ok()) << klass.error().message;
  EXPECT_EQ(test::names_of(*klass), (Names{"a.txt", "b.txt"}));

  auto one = choose({"?.md"});
  ASSERT_TRUE(one.ok()) << one.error().message;
  EXPECT_TRUE(one->many);  // one match, still a wildcard
  EXPECT_EQ(test::names_of(*one), (Names{"c.md"}));
}

TEST_F(ChooseSources, APatternMatchingNothingBesideOneThatMatchesIsFine) {
  auto s = choose({"*.none", "a.txt"});
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(test::names_of(*s), (Names{"a.txt"}));
  auto two = choose({"*.none", "*.md"});
  ASSERT_TRUE(two.ok()) << two.error().message;
  EXPECT_EQ(test::names_of(*two), (Names{"c.md"}));
}

// Docker's classic builder (moby daemon/builder/dockerfile/copy.go,
// getCopyInfosForSourcePaths): `len(infos) == 0` -> "no source files were specified".
// (BuildKit's frontend sets AllowEmptyWildcard and copies nothing instead.)
TEST_F(ChooseSources, PatternsMatchingNothingAtAllAreAnError) {
  for (const auto& sources : std::vector<Names>{{"*.none"}, {"*.none", "x*/*.y"}}) {
    auto s = choose(sources);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().message, "no source files were specified");
  }
}

TEST_F(ChooseSources, AMissingSourceIsAnError) {
  auto s = choose({"a.txt", "nope"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "\"nope\": no such file or directory");
}

// ".." stops at the context's root and an absolute source is read from it, as BuildKit's
// fs.RootPath (containerd/continuity) scopes every source path to the root.
TEST_F(ChooseSources, DotDotAndAbsoluteSourcesStayInsideTheRoot) {
  for (const std::string written : {"../../a.txt", "/a.txt", "dir/../../a.txt"}) {
    auto s = choose({written});
    ASSERT_TRUE(s.ok()) << written << ": " << s.error().message;
    EXPECT_EQ(s->sources[0].entries[0].host, ctx + "/a.txt") << written;
    EXPECT_EQ(s->sources[0].name, "a.txt") << written;
  }
  auto up = choose({"../outside.txt"});
  ASSERT_FALSE(up.ok());
  EXPECT_EQ(up.error().message, "\"../outside.txt\": no such file or directory");

  auto root = choose({".."});
  ASSERT_TRUE(root.ok()) << root.error().message;
  EXPECT_EQ(root->sources[0].entries[0].host, ctx + "/");
  EXPECT_EQ(root->sources[0].entries.size(), 9u);
}

// The source itself is followed when it is a symlink, inside the root (fsutil copy: rootPath
// with FollowLinks, which the Dockerfile frontend sets), and keeps the name it was given.
TEST_F(ChooseSources, ATopLevelSymlinkIsFollowedInsideTheRoot) {
  test::make_link("a.txt", ctx + "/link");
  test::make_link("/etc/hostname", ctx + "/abs");
  test::make_file(ctx + "/etc/hostname", "context's own");
  test::make_link("../../../../c.md", ctx + "/up");
  test::make_link("../outside.txt", ctx + "/out");
  test::make_link("dir", ctx + "/dirlink");

  auto s = choose({"link"});
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->sources[0].name, "link");
  EXPECT_EQ(s->sources[0].entries[0].host, ctx + "/a.txt");
  EXPECT_TRUE(S_ISREG(s->sources[0].entries[0].st.st_mode));

  auto abs = choose({"abs"});
  ASSERT_TRUE(abs.ok()) << abs.error().message;
  EXPECT_EQ(abs->sources[0].entries[0].host, ctx + "/etc/hostname");

  auto up = choose({"up"});
  ASSERT_TRUE(up.ok()) << up.error().message;
  EXPECT_EQ(up->sources[0].entries[0].host, ctx + "/c.md");

  auto out = choose({"out"});  // ctx/outside.txt does not exist
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().message, "\"out\": no such file or directory");

  auto dir = choose({"dirlink"});
  ASSERT_TRUE(dir.ok()) << dir.error().message;
  EXPECT_EQ(dir->sources[0].name, "dirlink");
  EXPECT_TRUE(dir->sources[0].is_dir());
  EXPECT_EQ(test::rels_of(dir->sources[0]), (Names{"", "m.txt", "sub", "sub/y", "z"}));
}

// Below the source, symlinks are entries of their own (copied as links, never followed).
TEST_F(ChooseSources, SymlinksBelowTheSourceAreNotFollowed) {
  test::make_link("../a.txt", ctx + "/dir/l");
  auto s = choose({"dir"});
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(test::rels_of(s->sources[0]), (Names{"", "l", "m.txt", "sub", "sub/y", "z"}));
  EXPECT_TRUE(S_ISLNK(s->sources[0].entries[1].st.st_mode));
  EXPECT_EQ(s->sources[0].entries[1].host, ctx + "/dir/l");
}

TEST_F(ChooseSources, DockerignoreLeavesPathsOut) {
  auto ignore = dockerfile::IgnoreMatcher::from_dockerignore("*.md\ndir/z\n");
  ASSERT_TRUE(ignore.ok()) << ignore.error().message;
  auto all = choose({"."}, &*ignore);
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(test::rels_of(all->sources[0]),
            (Names{"", "a.txt", "b.txt", "dir", "dir/m.txt", "dir/sub", "dir/sub/y"}));

  // Paths below a directory source are matched as the context names them.
  auto dir = choose({"dir"}, &*ignore);
  ASSERT_TRUE(dir.ok()) << dir.error().message;
  EXPECT_EQ(test::rels_of(dir->sources[0]), (Names{"", "m.txt", "sub", "sub/y"}));

  auto star = choose({"*"}, &*ignore);
  ASSERT_TRUE(star.ok()) << star.error().message;
  EXPECT_EQ(test::names_of(*star), (Names{"a.txt", "b.txt", "dir"}));

  auto named = choose({"c.md"}, &*ignore);
  ASSERT_FALSE(named.ok());
  EXPECT_EQ(named.error().message, "\"c.md\": not found (excluded by .dockerignore)");

  auto only = choose({"*.md"}, &*ignore);
  ASSERT_FALSE(only.ok());
  EXPECT_EQ(only.error().message, "no source files were specified");
}

// An exception below an excluded directory: the walker still enters it, and the directories
// on the way are kept (moby/patternmatcher: the last matching pattern decides).
TEST_F(ChooseSources, DockerignoreExceptionsBringPathsBack) {
  auto ignore = dockerfile::IgnoreMatcher::from_dockerignore("dir\n!dir/sub/y\n*.txt\n!b.txt\n");
  ASSERT_TRUE(ignore.ok()) << ignore.error().message;
  auto all = choose({"."}, &*ignore);
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(test::rels_of(all->sources[0]),
            (Names{"", "b.txt", "c.md", "dir", "dir/sub", "dir/sub/y"}));

  auto dir = choose({"dir"}, &*ignore);  // excluded, but an exception lies below it
  ASSERT_TRUE(dir.ok()) << dir.error().message;
  EXPECT_EQ(test::rels_of(dir->sources[0]), (Names{"", "sub", "sub/y"}));

  auto y = choose({"dir/sub/y"}, &*ignore);
  ASSERT_TRUE(y.ok()) << y.error().message;
  EXPECT_EQ(y->sources[0].entries[0].host, ctx + "/dir/sub/y");
}

TEST_F(ChooseSources, ExcludePatternsLeaveContextPathsOut) {
  auto all = choose({"."}, nullptr, {"*.txt", "dir/sub"});
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(test::rels_of(all->sources[0]), (Names{"", "c.md", "dir", "dir/m.txt", "dir/z"}));

  auto star = choose({"*"}, nullptr, {"*.txt"});
  ASSERT_TRUE(star.ok()) << star.error().message;
  EXPECT_EQ(test::names_of(*star), (Names{"c.md", "dir"}));

  auto with_exception = choose({"."}, nullptr, {"*.txt", "!b.txt"});
  ASSERT_TRUE(with_exception.ok()) << with_exception.error().message;
  EXPECT_EQ(test::rels_of(with_exception->sources[0]),
            (Names{"", "b.txt", "c.md", "dir", "dir/m.txt", "dir/sub", "dir/sub/y", "dir/z"}));
}

// Regression test (a bug once in src/executor/copy_files.cc, Walker::walk, line ~121): --exclude
// patterns are matched against the path relative to the context root ("dir3/file-301.mp3"), but
// BuildKit matches them against the path relative to the source being copied: fsutil copy/copy.go,
// copier.copy() checks c.exclude(srcComponents, ...) where srcComponents starts at "" for each
// source. BuildKit's own test (frontend/dockerfile/exclude_patterns_test.go,
// testExcludedFilesOnCopy) has `ADD --exclude=*.mp3 dir3/ /3/` leave /3/file-301.mp3 out and
// `COPY --exclude=*.mp3 ... dir* /4/` leave /4/file-301.mp3 out. pith copies both.
TEST_F(ChooseSources, ExcludePatternsAreRelativeToTheSourceAsInBuildKit) {
  test::make_file(ctx + "/dir3/file-301.mp3", "9");
  test::make_file(ctx + "/dir3/file-302.mpeg", "10");
  auto s = choose({"dir3/"}, nullptr, {"*.mp3"});
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(test::rels_of(s->sources[0]), (Names{"", "file-302.mpeg"}));

  auto wild = choose({"dir*"}, nullptr, {"*.mp3", "*.txt", "sub"});
  ASSERT_TRUE(wild.ok()) << wild.error().message;
  ASSERT_EQ(test::names_of(*wild), (Names{"dir", "dir3"}));
  EXPECT_EQ(test::rels_of(wild->sources[0]), (Names{"", "z"}));
  EXPECT_EQ(test::rels_of(wild->sources[1]), (Names{"", "file-302.mpeg"}));
}

// Regression test (a bug once in src/executor/copy_files.cc, expand_pattern, lines ~79-82): the
// directories a wildcard is matched in are stat'ed and listed by host path (::stat, opendir), so a
// symlink on the way is followed on the host: "abs -> /data" lists the host's /data, not the
// root's. BuildKit resolves the part before the wildcard inside the root first (fsutil
// copy.ResolveWildcards: rootPath(root, d1, followLinks) -> fs.RootPath). Images have such links
// (Debian's /var/run -> /run), which COPY --from reads; the names of a host directory also decide
// here which files are looked up.
TEST_F(ChooseSources, WildcardsBelowASymlinkAreMatchedInsideTheRoot) {
  test::make_file(ctx + "/data/p.txt", "p");
  test::make_file(ctx + "/data/q.txt", "q");
  test::make_link("/data", ctx + "/abs");
  auto s = choose({"abs/*.txt"});
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(test::names_of(*s), (Names{"p.txt", "q.txt"}));
  EXPECT_EQ(s->sources[0].entries[0].host, ctx + "/data/p.txt");

  test::make_file(ctx + "/etc/only-in-the-context", "");
  test::make_link("/etc", ctx + "/etclink");
  auto etc = choose({"etclink/*"});
  ASSERT_TRUE(etc.ok()) << etc.error().message;
  EXPECT_EQ(test::names_of(*etc), (Names{"only-in-the-context"}));
}

class SelectionDigest : public ChooseSources {
 protected:
  std::string digest(bool owners = false) {
    auto s = choose({"dir", "a.txt"});
    EXPECT_TRUE(s.ok()) << s.error().message;
    return s.ok() ? selection_digest(*s, owners) : "";
  }
  void set_mtime(const std::string& path, time_t seconds) {
    struct timespec t[2] = {{seconds, 0}, {seconds, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), t, AT_SYMLINK_NOFOLLOW), 0);
  }
};

TEST_F(SelectionDigest, IsAHexSha256AndStable) {
  std::string d = digest();
  EXPECT_EQ(d.size(), 64u);
  EXPECT_EQ(d.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(digest(), d);
}

// Times never count: BuildKit's contenthash leaves mtimes out of a file's checksum too.
TEST_F(SelectionDigest, IgnoresTimes) {
  std::string before = digest();
  set_mtime(ctx + "/a.txt", 1'000'000);
  set_mtime(ctx + "/dir/sub/y", 2'000'000);
  set_mtime(ctx + "/dir", 3'000'000);
  EXPECT_EQ(digest(), before);
}

TEST_F(SelectionDigest, ChangesWithAByteAModeOrALinkTarget) {
  test::make_link("z", ctx + "/dir/l");
  std::string before = digest();

  test::make_file(ctx + "/dir/sub/y", "Y");  // same size, one byte changed
  std::string byte = digest();
  EXPECT_NE(byte, before);

  ASSERT_EQ(::chmod((ctx + "/dir/z").c_str(), 0600), 0);
  std::string mode = digest();
  EXPECT_NE(mode, byte);

  ASSERT_EQ(::unlink((ctx + "/dir/l").c_str()), 0);
  test::make_link("m", ctx + "/dir/l");  // same length, another target
  std::string link = digest();
  EXPECT_NE(link, mode);

  test::make_file(ctx + "/dir/new", "");
  EXPECT_NE(digest(), link);
}

TEST_F(SelectionDigest, CountsOwnersOnlyWhenAsked) {
  std::string without = digest(false);
  std::string with = digest(true);
  EXPECT_NE(without, with);
  ASSERT_EQ(::lchown((ctx + "/dir/z").c_str(), 1000, 1000), 0);
  EXPECT_EQ(digest(false), without);
  EXPECT_NE(digest(true), with);
}

TEST_F(SelectionDigest, TellsOneSourceFromAWildcard) {
  auto one = choose({"c.md"});
  auto wild = choose({"c.m?"});
  ASSERT_TRUE(one.ok() && wild.ok());
  EXPECT_NE(selection_digest(*one, false), selection_digest(*wild, false));
}

}  // namespace
}  // namespace pith::executor
