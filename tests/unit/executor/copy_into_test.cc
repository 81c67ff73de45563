// COPY/ADD's writes: copy_into from a context made in a scratch directory into another one
// standing for the stage's mounted root (the tests run as root, as pith build does), and
// --chmod's parser. The rules are Docker's (see copy_files.h); the sources are cited where a
// rule is not obvious.
#include <gtest/gtest.h>

#include "executor/copy_files.h"
#include "executor_test_util.h"
#include "shell.h"

namespace pith::executor {
namespace {

using Names = std::vector<std::string>;

class CopyInto : public ::testing::Test {
 protected:
  void SetUp() override {
    ctx = scratch.dir() + "/ctx";
    root = scratch.dir() + "/root";
    test::make_dir(root, 0755);
    test::make_file(ctx + "/a.txt", "a");
    test::make_file(ctx + "/b.txt", "bb");
    test::make_dir(ctx + "/dir", 0750);
    test::make_file(ctx + "/dir/m.txt", "m", 0600);
    test::make_dir(ctx + "/dir/sub", 0700);
    test::make_file(ctx + "/dir/sub/y", "y", 0755);
  }

  // Chooses `sources` from the context and copies them to `dest` with `target`'s options.
  Result<void> copy(const std::vector<std::string>& sources, const std::string& dest,
                    CopyTarget target = {}) {
    SourceTree tree;
    tree.root = ctx;
    auto selection = choose_sources(tree, sources);
    if (!selection) return selection.error();
    target.root = root;
    target.dest = dest;
    return copy_into(*selection, target);
  }

  std::string in_root(const std::string& path) const { return root + path; }
  std::string content(const std::string& path) const { return test::slurp(in_root(path)); }
  std::string owner(const std::string& path) const {
    auto st = test::lstat_of(in_root(path));
    return std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid);
  }

  test::Scratch scratch;
  std::string ctx;
  std::string root;
};

TEST_F(CopyInto, AFileBecomesTheDestinationWithoutATrailingSlash) {
  auto r = copy({"a.txt"}, "/dest");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(S_ISREG(test::lstat_of(in_root("/dest")).st_mode));
  EXPECT_EQ(content("/dest"), "a");
  EXPECT_EQ(test::perm_of(in_root("/dest")), 0644u);
}

TEST_F(CopyInto, AFileGoesIntoTheDestinationWithATrailingSlash) {
  auto r = copy({"a.txt"}, "/dest/");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(test::tree_of(root), (Names{"dest", "dest/a.txt"}));
  EXPECT_EQ(content("/dest/a.txt"), "a");
  EXPECT_EQ(test::perm_of(in_root("/dest")), 0755u);
}

TEST_F(CopyInto, AFileGoesIntoAnExistingDirectoryWhichKeepsItsMode) {
  test::make_dir(root + "/existing", 0700);
  auto r = copy({"a.txt"}, "/existing");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(content("/existing/a.txt"), "a");
  EXPECT_EQ(test::perm_of(in_root("/existing")), 0700u);
}

TEST_F(CopyInto, SeveralSourcesGoIntoTheDestinationAsADirectory) {
  auto r = copy({"a.txt", "b.txt"}, "/d");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(test::tree_of(root), (Names{"d", "d/a.txt", "d/b.txt"}));
  auto wild = copy({"a.*"}, "/w");
  ASSERT_TRUE(wild.ok()) << wild.error().message;
  EXPECT_EQ(content("/w/a.txt"), "a");
}

TEST_F(CopyInto, AFileReplacesAFileAtTheDestination) {
  test::make_file(root + "/etc/conf", "old and longer", 0600);
  auto r = copy({"b.txt"}, "/etc/conf");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(content("/etc/conf"), "bb");
  EXPECT_EQ(test::perm_of(in_root("/etc/conf")), 0644u);
}

// A directory's contents are copied, not the directory itself, each entry with its own mode.
TEST_F(CopyInto, ADirectorysContentsGoIntoANewDestination) {
  auto r = copy({"dir"}, "/new");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(test::tree_of(root), (Names{"new", "new/m.txt", "new/sub", "new/sub/y"}));
  EXPECT_EQ(test::perm_of(in_root("/new/m.txt")), 0600u);
  EXPECT_EQ(test::perm_of(in_root("/new/sub")), 0700u);
  EXPECT_EQ(test::perm_of(in_root("/new/sub/y")), 0755u);
  EXPECT_EQ(content("/new/sub/y"), "y");
  EXPECT_EQ(owner("/new"), "0:0");
}

// Regression test (a bug once in src/executor/copy_files.cc, copy_into line ~414 puts the source
// directory itself at DEST, so a DEST the copy makes takes the source's mode 0750; copy_files.h
// states the rule). Only Docker's classic builder does that (CopyWithTar untars the source's "."
// entry). BuildKit makes a missing DEST first, 0755 (or --chmod's mode) and --chown's owner, and
// keeps it: fsutil copy/copy.go prepareTargetDir (CopyDirContents && fiDest == nil ->
// MkdirAll(destPath, mode, c.chown, ...)), then copyDirectory finds it existing (created=false, no
// copyFileInfo). buildah 1.x (podman build) gives 0755 too: `COPY dir /new` with dir 0750 ->
// "drwxr-xr-x new/".
TEST_F(CopyInto, ANewDestinationForADirectoryIsMade0755AsBuildKitAndBuildahDo) {
  auto r = copy({"dir"}, "/new");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(test::perm_of(in_root("/new")), 0755u);
}

TEST_F(CopyInto, ADirectorysContentsMergeIntoAnExistingDirectoryThatKeepsItsMode) {
  test::make_dir(root + "/app", 0711);
  test::make_file(root + "/app/kept", "k");
  auto r = copy({"dir/"}, "/app/");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(test::tree_of(root), (Names{"app", "app/kept", "app/m.txt", "app/sub", "app/sub/y"}));
  EXPECT_EQ(test::perm_of(in_root("/app")), 0711u);
}

// Regression test (a bug once in src/executor/copy_files.cc, copy_into, line ~416): a directory
// copied to "/" (`COPY . /`, `COPY rootfs/ /`, or `COPY . .` under WORKDIR /) fails with ".: not an
// absolute path": the entries' paths are join("", rel) = "a.txt", relative, and Writer::parent_of
// asks RootDir for dir_path("a.txt") = ".". The entries belong at "/" + rel; the root keeps its own
// mode (an existing destination, as for any other directory).
TEST_F(CopyInto, ADirectoryCopiedToTheImageRootGoesIntoIt) {
  auto r = copy({"."}, "/");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(test::perm_of(root), 0755u);
  EXPECT_EQ(content("/a.txt"), "a");
  EXPECT_EQ(content("/dir/sub/y"), "y");
  EXPECT_EQ(test::perm_of(in_root("/dir")), 0750u);
  auto dir = copy({"dir/"}, "/");
  ASSERT_TRUE(dir.ok()) << dir.error().message;
  EXPECT_EQ(content("/sub/y"), "y");
}

TEST_F(CopyInto, AFileCopiedToTheImageRootGoesIntoIt) {
  auto r = copy({"a.txt"}, "/");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(content("/a.txt"), "a");
}

TEST_F(CopyInto, MissingParentsAreMade0755AndRootOwned) {
  auto r = copy({"a.txt"}, "/a/b/c/");
  ASSERT_TRUE(r.ok()) << r.error().message;
  for (const std::string p : {"/a", "/a/b", "/a/b/c"}) {
    EXPECT_EQ(test::perm_of(in_root(p)), 0755u) << p;
    EXPECT_EQ(owner(p), "0:0") << p;
  }
  EXPECT_EQ(content("/a/b/c/a.txt"), "a");
  auto dir = copy({"dir"}, "/x/y/z");
  ASSERT_TRUE(dir.ok()) << dir.error().message;
  EXPECT_EQ(test::perm_of(in_root("/x/y")), 0755u);
}

// Regression test (a bug once in src/executor/copy_files.cc, Writer::parent_of, line ~232:
// RootDir::open_dir makes missing parents root-owned whatever --chown says). Both of Docker's
// builders give the parents a file copy makes the --chown owner: the classic builder's copyFile
// (moby daemon/builder/dockerfile/copy.go) calls user.MkdirAllAndChown(filepath.Dir(dest),
// 0o755, identity.UID, identity.GID, user.WithOnlyNew); BuildKit's fsutil copy.Copy calls
// MkdirAll(ensureDstPath, perm, ci.Chown, ci.Utime), which Chowns each directory it makes
// (fsutil copy/mkdir.go). buildah 1.x (podman build) does the same: `COPY --chown=1000:1000
// t/a.txt /home/app/bin/` on scratch gives home/, home/app/, home/app/bin/ owned 1000/1000.
TEST_F(CopyInto, ParentsMadeForAFileTakeTheChownOwnerAsInDocker) {
  CopyTarget target;
  target.uid = 1000;
  target.gid = 1000;
  auto r = copy({"a.txt"}, "/home/app/bin/", target);
  ASSERT_TRUE(r.ok()) << r.error().message;
  for (const std::string p : {"/home", "/home/app", "/home/app/bin"}) {
    EXPECT_EQ(owner(p), "1000:1000") << p;
    EXPECT_EQ(test::perm_of(in_root(p)), 0755u) << p;
  }
}

// Owners: 0:0 from the context whoever owns the files there (Docker's classic builder: the
// root identity unless --chown; BuildKit: the client sends the context with Uid/Gid 0, see
// resetUIDAndGID in client/solve.go), the source's own from a stage or image (keep_owners),
// --chown's for everything copied.
TEST_F(CopyInto, OwnersAreRootFromTheContextKeptFromAStageOrChowned) {
  ASSERT_EQ(::lchown((ctx + "/dir/m.txt").c_str(), 1000, 1001), 0);
  ASSERT_EQ(::lchown((ctx + "/dir/sub").c_str(), 33, 34), 0);

  ASSERT_TRUE(copy({"dir"}, "/context").ok());
  EXPECT_EQ(owner("/context/m.txt"), "0:0");
  EXPECT_EQ(owner("/context/sub"), "0:0");

  CopyTarget keep;
  keep.keep_owners = true;
  ASSERT_TRUE(copy({"dir"}, "/stage", keep).ok());
  EXPECT_EQ(owner("/stage/m.txt"), "1000:1001");
  EXPECT_EQ(owner("/stage/sub"), "33:34");
  EXPECT_EQ(owner("/stage/sub/y"), "0:0");

  CopyTarget chown;
  chown.uid = 5;
  chown.gid = 6;
  chown.keep_owners = true;  // --chown wins over the source's owners
  ASSERT_TRUE(copy({"dir"}, "/chowned", chown).ok());
  for (const std::string p : {"/chowned", "/chowned/m.txt", "/chowned/sub", "/chowned/sub/y"})
    EXPECT_EQ(owner(p), "5:6") << p;
}

TEST_F(CopyInto, ChmodSetsEveryModeCopied) {
  CopyTarget target;
  target.chmod = 0640;
  ASSERT_TRUE(copy({"dir"}, "/m", target).ok());
  EXPECT_EQ(test::perm_of(in_root("/m/m.txt")), 0640u);
  EXPECT_EQ(test::perm_of(in_root("/m/sub")), 0640u);
  EXPECT_EQ(test::perm_of(in_root("/m/sub/y")), 0640u);
  ASSERT_TRUE(copy({"a.txt"}, "/f", target).ok());
  EXPECT_EQ(test::perm_of(in_root("/f")), 0640u);
}

// chown(2) clears setuid and setgid: the mode must be set after the owner.
// From the build context, a file's setuid and setgid bits are cleared: podman 4.3 and Docker
// 20.10 both do (tests/data/dockerfile-conformance/53-setuid-context); a directory's setgid is
// kept, as Docker keeps it (80-setgid-dir-context); from a stage or an image (keep_owners) they
// are kept, after the chown that would clear them.
TEST_F(CopyInto, SetuidAndSetgidBitsFromTheContextAreClearedFromAStageKept) {
  test::make_file(ctx + "/su", "#!", 04755);
  test::make_dir(ctx + "/tree/shared", 02775);
  CopyTarget target;
  target.uid = 1000;
  target.gid = 1000;
  ASSERT_TRUE(copy({"su"}, "/bin/", target).ok());
  EXPECT_EQ(test::perm_of(in_root("/bin/su")), 0755u);
  EXPECT_EQ(owner("/bin/su"), "1000:1000");
  ASSERT_TRUE(copy({"tree"}, "/data", target).ok());
  EXPECT_EQ(test::perm_of(in_root("/data/shared")), 02775u);
  EXPECT_EQ(owner("/data/shared"), "1000:1000");

  CopyTarget stage;
  stage.keep_owners = true;
  stage.uid = 1000;
  stage.gid = 1000;
  ASSERT_TRUE(copy({"su"}, "/usr/bin/su", stage).ok());  // chowned, then the mode
  EXPECT_EQ(test::perm_of(in_root("/usr/bin/su")), 04755u);

  CopyTarget chmod;
  chmod.chmod = 06711;
  chmod.uid = 7;
  ASSERT_TRUE(copy({"a.txt"}, "/sbin/x", chmod).ok());
  EXPECT_EQ(test::perm_of(in_root("/sbin/x")), 06711u);
}

TEST_F(CopyInto, HardLinksWithinOneCopyStayOneInode) {
  ASSERT_EQ(::link((ctx + "/dir/m.txt").c_str(), (ctx + "/dir/sub/m2").c_str()), 0);
  ASSERT_TRUE(copy({"dir"}, "/h").ok());
  auto a = test::lstat_of(in_root("/h/m.txt"));
  auto b = test::lstat_of(in_root("/h/sub/m2"));
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_EQ(a.st_nlink, 2u);
  EXPECT_EQ(content("/h/sub/m2"), "m");
}

TEST_F(CopyInto, SymlinksAreCopiedAsLinks) {
  test::make_link("../a.txt", ctx + "/dir/l");
  test::make_link("/nowhere", ctx + "/dir/dangling");
  ASSERT_TRUE(copy({"dir"}, "/s").ok());
  EXPECT_TRUE(S_ISLNK(test::lstat_of(in_root("/s/l")).st_mode));
  EXPECT_EQ(test::link_of(in_root("/s/l")), "../a.txt");
  EXPECT_EQ(test::link_of(in_root("/s/dangling")), "/nowhere");
  EXPECT_EQ(owner("/s/l"), "0:0");
}

// A symlink on the destination's path is followed inside the root, as a chroot would (Docker's
// classic builder: symlink.FollowSymlinkInScope; BuildKit: fs.RootPath), never out of it.
TEST_F(CopyInto, SymlinksInTheDestinationPathResolveInsideTheRoot) {
  test::make_dir(root + "/usr/lib");
  test::make_link("usr/lib", root + "/lib");
  ASSERT_TRUE(copy({"a.txt"}, "/lib/x/").ok());
  EXPECT_EQ(content("/usr/lib/x/a.txt"), "a");
  EXPECT_EQ(test::link_of(in_root("/lib")), "usr/lib");

  ASSERT_TRUE(copy({"dir"}, "/lib").ok());  // an existing directory through the link
  EXPECT_EQ(content("/usr/lib/sub/y"), "y");
  EXPECT_EQ(test::link_of(in_root("/lib")), "usr/lib");

  ASSERT_TRUE(copy({"b.txt"}, "/lib").ok());  // a file into the directory the link names
  EXPECT_EQ(content("/usr/lib/b.txt"), "bb");
}

TEST_F(CopyInto, AnAbsoluteOrDotDotSymlinkNeverLeadsOutOfTheRoot) {
  test::make_link("/", root + "/escape");
  test::make_link("../../../../..", root + "/up");
  std::string outside = scratch.dir() + "/etc";
  ASSERT_TRUE(copy({"a.txt"}, "/escape/etc/").ok());
  EXPECT_EQ(content("/etc/a.txt"), "a");
  ASSERT_TRUE(copy({"dir"}, "/up/etc/d").ok());
  EXPECT_EQ(content("/etc/d/sub/y"), "y");
  ASSERT_TRUE(copy({"b.txt"}, "/up/../escape/b").ok());
  EXPECT_EQ(content("/b"), "bb");
  ASSERT_TRUE(copy({"a.txt"}, "/../../../dotdot").ok());  // ".." in DEST stops at the root
  EXPECT_EQ(content("/dotdot"), "a");
  // A last component linking to a host path: whatever is written stays inside the root.
  test::make_link(scratch.dir() + "/outside-target", root + "/esc");
  ASSERT_TRUE(copy({"a.txt"}, "/esc").ok());
  EXPECT_FALSE(std::filesystem::exists(scratch.dir() + "/outside-target"));
  EXPECT_FALSE(std::filesystem::exists(outside));
  EXPECT_FALSE(std::filesystem::exists(scratch.dir() + "/b"));
  EXPECT_FALSE(std::filesystem::exists("/etc/a.txt"));
  for (const auto& p : test::tree_of(scratch.dir()))
    EXPECT_TRUE(p.starts_with("root") || p.starts_with("ctx")) << p;
}

// Regression test (a bug once in src/executor/copy_files.cc, copy_into, lines ~427-438 then
// Writer::put's remove at ~262): a file copied onto a symlink to a file replaces the link with the
// file. Docker follows the link inside the root and writes the file it names, leaving the link:
// BuildKit's fsutil copy.Copy resolves dst with fs.RootPath(dstRoot, filepath.Clean(dst)) before
// copying; the classic builder's copyInfo.fullPath uses symlink.FollowSymlinkInScope for the
// destination too (moby daemon/builder/dockerfile/copy.go). Real case: Debian's nginx has
// /etc/nginx/sites-enabled/default -> /etc/nginx/sites-available/default. Note: buildah 1.x
// (podman build) replaces the link as pith does (checked: etc/alt became a regular file), so
// this is Docker's rule against podman's; the lead decides.
TEST_F(CopyInto, AFileCopiedOntoASymlinkIsWrittenWhereTheLinkPointsAsInDocker) {
  test::make_file(root + "/etc/nginx/sites-available/default", "stock");
  test::make_link("/etc/nginx/sites-available/default", root + "/etc/nginx/sites-enabled/default");
  auto r = copy({"a.txt"}, "/etc/nginx/sites-enabled/default");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(test::link_of(in_root("/etc/nginx/sites-enabled/default")),
            "/etc/nginx/sites-available/default");
  EXPECT_EQ(content("/etc/nginx/sites-available/default"), "a");
}

class AddArchive : public CopyInto {
 protected:
  // A tar made by GNU tar from ctx/tree, owners as given.
  void make_archive(const std::string& name, const std::string& compress_flag) {
    test::make_file(ctx + "/tree/etc/app.conf", "conf", 0640);
    test::make_file(ctx + "/tree/bin/tool", "#!", 04755);
    test::make_link("tool", ctx + "/tree/bin/alias");
    int status = -1;
    test::run_capture("tar -C " + test::shell_quote(ctx + "/tree") + " " + compress_flag +
                          " --numeric-owner --owner=1000 --group=2000 -cf " +
                          test::shell_quote(ctx + "/" + name) + " etc bin",
                      &status);
    ASSERT_EQ(status, 0);
  }
  CopyTarget add() const {
    CopyTarget t;
    t.extract_archives = true;
    return t;
  }
};

// ADD extracts a local tar archive into the destination, owners as the archive says (Docker's
// classic builder: archiver.Untar without ChownOpts; BuildKit: chrootarchive.Untar).
TEST_F(AddArchive, ExtractsAPlainTarWithItsOwners) {
  make_archive("t.tar", "");
  auto r = copy({"t.tar"}, "/opt/", add());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(test::tree_of(root + "/opt"),
            (Names{"bin", "bin/alias", "bin/tool", "etc", "etc/app.conf"}));
  EXPECT_EQ(content("/opt/etc/app.conf"), "conf");
  EXPECT_EQ(test::perm_of(in_root("/opt/etc/app.conf")), 0640u);
  EXPECT_EQ(owner("/opt/etc/app.conf"), "1000:2000");
  EXPECT_EQ(test::perm_of(in_root("/opt/bin/tool")), 04755u);
  EXPECT_EQ(test::link_of(in_root("/opt/bin/alias")), "tool");
  EXPECT_EQ(owner("/opt"), "0:0");
}

TEST_F(AddArchive, ExtractsAGzipTarIntoADestinationWithoutSlash) {
  make_archive("t.tar.gz", "-z");
  auto r = copy({"t.tar.gz"}, "/srv", add());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(content("/srv/etc/app.conf"), "conf");
  EXPECT_EQ(owner("/srv/bin/tool"), "1000:2000");
  EXPECT_EQ(test::perm_of(in_root("/srv/bin/tool")), 04755u);
}

TEST_F(AddArchive, CopyDoesNotExtract) {
  make_archive("t.tar.gz", "-z");
  ASSERT_TRUE(copy({"t.tar.gz"}, "/srv/").ok());
  EXPECT_EQ(test::tree_of(root + "/srv"), (Names{"t.tar.gz"}));
}

// Regression test (a bug once in src/executor/copy_files.cc, is_archive, line ~386): any gzip or
// zstd file counts as an archive, so ADD of a compressed file that is not a tar fails in the
// extraction. Docker copies it as it is: BuildKit's isArchivePath (solver/llbsolver/file/unpack.go)
// and the classic builder's archive.IsArchivePath both decompress and need
// tar.NewReader(...).Next() to succeed. buildah 1.x too: `ADD notes.txt.gz /doc/` gives
// doc/notes.txt.gz.
TEST_F(AddArchive, ACompressedFileThatIsNotATarIsCopiedAsIs) {
  test::make_file(ctx + "/notes.txt", "just text\n");
  int status = -1;
  test::run_capture("gzip -k " + test::shell_quote(ctx + "/notes.txt"), &status);
  ASSERT_EQ(status, 0);
  auto r = copy({"notes.txt.gz"}, "/doc/", add());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(test::tree_of(root + "/doc"), (Names{"notes.txt.gz"}));
  EXPECT_EQ(content("/doc/notes.txt.gz"), test::slurp(ctx + "/notes.txt.gz"));
}

// Regression test (a bug once in src/executor/copy_files.cc, is_archive/compress::detect: gzip and
// zstd only): Docker's ADD also extracts bzip2 and xz tars (moby/go-archive
// compression.DecompressStream, used by both isArchivePath and the Untar), and so does buildah
// (`ADD t.tar.xz /xz/` gives xz/etc/app.conf); pith copies them as files.
TEST_F(AddArchive, ExtractsAnXzTarAsDockerDoes) {
  make_archive("t.tar.xz", "-J");
  auto r = copy({"t.tar.xz"}, "/x/", add());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(content("/x/etc/app.conf"), "conf");
}

// Regression test (a bug once in src/executor/copy_files.cc, copy_into's extraction, line ~420: the
// destination is made by RootDir::open_dir, root-owned, whatever --chown says). `ADD --chown=7:8
// t.tar /own/`: buildah 1.x makes own/ 7/8 (checked; the entries keep the archive's 1000/2000),
// BuildKit too (unpack() in solver/llbsolver/file/unpack.go: copy.MkdirAll(dest, 0755, ch, tm)).
// What the entries get differs (BuildKit also sets TarOptions.ChownOpts; buildah and the classic
// builder keep the archive's owners, as pith does), so only the directory is asserted.
TEST_F(AddArchive, TheDestinationAnAddMakesTakesTheChownOwner) {
  make_archive("t.tar", "");
  CopyTarget target = add();
  target.uid = 7;
  target.gid = 8;
  auto r = copy({"t.tar"}, "/own/", target);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(owner("/own"), "7:8");
  EXPECT_EQ(owner("/own/etc/app.conf"), "1000:2000");
}

TEST(ParseChmod, AcceptsOctalModesUpTo7777) {
  EXPECT_EQ(*parse_chmod("755"), 0755u);
  EXPECT_EQ(*parse_chmod("0644"), 0644u);
  EXPECT_EQ(*parse_chmod("4755"), 04755u);
  EXPECT_EQ(*parse_chmod("7777"), 07777u);
  EXPECT_EQ(*parse_chmod("0"), 0u);
  EXPECT_EQ(*parse_chmod("07777"), 07777u);
}

TEST(ParseChmod, RefusesAnythingElse) {
  for (const std::string bad :
       {"8", "99999", "u+x", "", "17777", "-755", " 755", "0x1ed", "777777"}) {
    auto m = parse_chmod(bad);
    EXPECT_FALSE(m.ok()) << "\"" << bad << "\"";
  }
  EXPECT_EQ(parse_chmod("8").error().message, "--chmod=8: expected an octal mode such as 755");
  EXPECT_EQ(parse_chmod("17777").error().message, "--chmod=17777: beyond 7777");
}

}  // namespace
}  // namespace pith::executor
