// RUN --mount values: BuildKit's own cases (frontend/dockerfile/dockerfile_mount_test.go,
// dockerfile_secrets_test.go and docs/reference.md of moby/buildkit, Apache-2.0: the inputs
// and the messages they expect), then parseMount's other checks read from its source.
#include "dockerfile/run_mount.h"

#include <gtest/gtest.h>

#include "dockerfile/shell_lex.h"

namespace pith::dockerfile {
namespace {

RunMount parsed(std::string_view text, const WordExpander& expand = {}) {
  auto m = parse_run_mount(text, expand);
  EXPECT_TRUE(m) << text << ": " << m.error().message;
  return m ? *m : RunMount{};
}

std::string error_of(std::string_view text) {
  auto m = parse_run_mount(text);
  return m ? std::string("no error") : m.error().message;
}

// BuildKit's integration tests of RUN --mount, one value each.
TEST(RunMount, BuildKitCases) {
  // testMountContext: the default type is bind, read-only.
  RunMount context = parsed("target=/context");
  EXPECT_EQ(context.type, MountType::bind);
  EXPECT_TRUE(context.read_only);
  EXPECT_EQ(context.target, "/context");
  EXPECT_EQ(context.from, "");

  // testMountTmpfs, testMountTmpfsSize (size=128m is the kernel's size=131072k).
  RunMount tmpfs = parsed("target=/mytmp,type=tmpfs");
  EXPECT_EQ(tmpfs.type, MountType::tmpfs);
  EXPECT_FALSE(tmpfs.read_only);
  EXPECT_EQ(parsed("type=tmpfs,target=/dev/shm,size=128m").size_limit, 128 * 1024 * 1024);

  // testMountInvalid.
  EXPECT_EQ(error_of("typ=tmpfs"), "unexpected key 'typ' in 'typ=tmpfs' (did you mean type?)");
  EXPECT_EQ(error_of("type=tmp"), "unsupported mount type \"tmp\" (did you mean tmpfs?)");

  // testMountRWCache.
  RunMount rw = parsed("from=build,src=out,target=/out,rw");
  EXPECT_EQ(rw.type, MountType::bind);
  EXPECT_FALSE(rw.read_only);
  EXPECT_EQ(rw.from, "build");
  EXPECT_EQ(rw.source, "out");

  // testCacheMountUser: stat shows 1001 1002 and mode 41e9 (a directory, 0751).
  RunMount user = parsed("type=cache,target=/mycache,uid=1001,gid=1002,mode=0751");
  CacheDirMode dir = cache_dir_mode(user);
  EXPECT_EQ(dir.uid, 1001u);
  EXPECT_EQ(dir.gid, 1002u);
  EXPECT_EQ(dir.mode, 0751u);
  EXPECT_FALSE(user.read_only);

  // testCacheMountDefaultID: the target is the id; /mycache2 is another cache.
  EXPECT_EQ(cache_id(parsed("type=cache,target=/mycache")), "/mycache");
  EXPECT_EQ(cache_id(parsed("type=cache,target=/mycache2")), "/mycache2");
  // testMountEnvAcrossStages: an explicit id is shared by targets.
  EXPECT_EQ(cache_id(parsed("type=cache,id=mycache,target=/abcabc")), "mycache");

  // testMountEnvVar, testMountArg: values are expanded, keys are not.
  Vars vars = {{"SOME_PATH", "/mycache"}, {"MNT_TYPE", "cache"}};
  WordExpander expand = [&](std::string_view w) { return process_word(w, vars); };
  EXPECT_EQ(parsed("type=cache,target=$SOME_PATH", expand).target, "/mycache");
  EXPECT_EQ(parsed("type=$MNT_TYPE,target=/mycache2", expand).type, MountType::cache);

  // testMountFromError: caught when the instruction is parsed.
  EXPECT_EQ(check_run_mount("from=$ttt,type=cache,target=/tmp").error().message,
            "'from' doesn't support variable expansion, define alias stage instead");
  EXPECT_TRUE(check_run_mount("from=stage$,type=cache,target=/tmp"));  // '$' last: no variable

  // testMountDuplicate: a file of the context.
  EXPECT_EQ(parsed("source=b.txt,target=/tmp/b.txt").source, "b.txt");
}

TEST(RunMount, Secrets) {
  // docs/reference.md: the id's file under /run/secrets, or the target; env= alone is no file.
  SecretUse by_id = *secret_use(parsed("type=secret,id=aws"));
  EXPECT_EQ(by_id.id, "aws");
  EXPECT_EQ(by_id.target, "/run/secrets/aws");
  EXPECT_EQ(by_id.mode, 0400u);
  EXPECT_FALSE(by_id.required);

  SecretUse by_target = *secret_use(parsed("type=secret,target=/root/.aws/credentials"));
  EXPECT_EQ(by_target.id, "credentials");
  EXPECT_EQ(by_target.target, "/root/.aws/credentials");

  SecretUse env = *secret_use(parsed("type=secret,id=API_KEY,env=API_KEY"));
  EXPECT_EQ(env.env, "API_KEY");
  EXPECT_EQ(env.target, std::nullopt);
  SecretUse both = *secret_use(parsed("type=secret,id=k,env=K,target=/k"));
  EXPECT_EQ(both.env, "K");
  EXPECT_EQ(both.target, "/k");

  SecretUse source = *secret_use(parsed("type=secret,source=a/b,required,uid=5,mode=0440"));
  EXPECT_EQ(source.id, "a/b");
  EXPECT_EQ(source.target, "/run/secrets/b");
  EXPECT_TRUE(source.required);
  EXPECT_EQ(source.uid, 5u);
  EXPECT_EQ(source.gid, 0u);
  EXPECT_EQ(source.mode, 0440u);
  EXPECT_TRUE(parsed("type=secret,id=x").read_only);
  EXPECT_TRUE(parsed("type=secret,id=x,required=true").required);

  EXPECT_EQ(error_of("type=secret"), "invalid secret mount. one of source, target required");
  EXPECT_EQ(error_of("type=secret,source=a,id=b"), "both source and id can't be set");
  EXPECT_EQ(error_of("type=secret,id=a,from=x"), "secret mount should not have a from");
  EXPECT_EQ(error_of("type=secret,id=a,sharing=locked"), "secret mount should not define sharing");
}

// parseMount's other checks, in the order it makes them. Every message and size here is what
// BuildKit's parseMount (its source at 73ed682, built with its vendored csvvalue, go-units
// v0.5.0 and suggest) printed for the same value.
TEST(RunMount, Checks) {
  EXPECT_EQ(error_of("required,type=secret,id=a"),
            "unexpected key 'required' for mount type 'bind'");
  EXPECT_EQ(error_of("type=cache,required=true"),
            "unexpected key 'required' for mount type 'cache'");
  EXPECT_EQ(error_of("size=1m,type=tmpfs"), "unexpected key 'size' for mount type 'bind'");
  EXPECT_EQ(error_of("type=tmpfs,size=lots"), "invalid value for size: lots");
  EXPECT_EQ(error_of("type=tmpfs,size=-1"), "invalid value for size: -1");
  EXPECT_EQ(error_of("type=tmpfs,size=1kk"), "invalid value for size: 1kk");
  EXPECT_EQ(error_of("ro=yes"), "invalid value for ro: yes");
  EXPECT_EQ(error_of("type=cache,mode=0789"), "invalid value 0789 for mode");
  EXPECT_EQ(error_of("type=cache,uid=-1"), "invalid value -1 for uid");
  EXPECT_EQ(error_of("type=cache,gid=4294967296"), "invalid value 4294967296 for gid");
  EXPECT_EQ(error_of("target=/a,mode=0700"), "mode not allowed for \"bind\" type mounts");
  EXPECT_EQ(error_of("type=tmpfs,target=/a,uid=1"), "uid not allowed for \"tmpfs\" type mounts");
  EXPECT_EQ(error_of("target=/a,gid=1"), "gid not allowed for \"bind\" type mounts");
  EXPECT_EQ(error_of("target=/a,sharing=locked"), "invalid cache sharing set for bind mount");
  EXPECT_EQ(error_of("type=cache,sharing=lockd"),
            "unsupported sharing value \"lockd\" (did you mean locked?)");
  EXPECT_EQ(error_of("type=cache,target"), "invalid field 'target' must be a key=value pair");
  EXPECT_EQ(error_of("type=cache,,target=/a"), "invalid field '' must be a key=value pair");
  EXPECT_EQ(error_of("type=cache,tagret=/a"),
            "unexpected key 'tagret' in 'tagret=/a' (did you mean target?)");
  EXPECT_EQ(error_of("type=cache,whatever=/a"), "unexpected key 'whatever' in 'whatever=/a'");
  EXPECT_EQ(error_of("TYPE=Banana"), "unsupported mount type \"Banana\"");

  // Keys and types are case-insensitive; the last ro/rw wins.
  RunMount m = parsed("TYPE=Cache,Target=/c,RO,Sharing=PRIVATE,ID=x");
  EXPECT_EQ(m.type, MountType::cache);
  EXPECT_TRUE(m.read_only);
  EXPECT_EQ(m.sharing, MountSharing::private_);
  EXPECT_FALSE(parsed("target=/a,readonly=false").read_only);
  EXPECT_TRUE(parsed("target=/a,rw,readwrite=0").read_only);
  EXPECT_TRUE(parsed("type=cache,target=/a,ro=T").read_only);

  // go-units RAMInBytes: powers of 1024, b / ib optional, a space allowed, fractions cut.
  EXPECT_EQ(parsed("type=tmpfs,size=1024").size_limit, 1024);
  EXPECT_EQ(parsed("type=tmpfs,size=1k").size_limit, 1024);
  EXPECT_EQ(parsed("type=tmpfs,size=1KiB").size_limit, 1024);
  EXPECT_EQ(parsed("type=tmpfs,size=2 MB").size_limit, 2 * 1024 * 1024);
  EXPECT_EQ(parsed("type=tmpfs,size=1.5g").size_limit, 1536ll * 1024 * 1024);
  EXPECT_EQ(parsed("type=tmpfs,size=10b").size_limit, 10);
  EXPECT_EQ(parsed("type=tmpfs,size=1e3").size_limit, 1000);
  EXPECT_EQ(parsed("type=tmpfs,size=.5k").size_limit, 512);
  EXPECT_EQ(parsed("type=tmpfs,size=5.k").size_limit, 5120);
  EXPECT_EQ(parsed("type=tmpfs,size=5 ").size_limit, 5);
  EXPECT_EQ(error_of("type=tmpfs,size= 5"), "invalid value for size:  5");
  EXPECT_EQ(error_of("type=tmpfs,size=0x10"), "invalid value for size: 0x10");
}

TEST(RunMount, Csv) {
  RunMount quoted = parsed("\"target=/a,b\",type=cache");
  EXPECT_EQ(quoted.target, "/a,b");
  EXPECT_EQ(parsed("\"target=/a\"\"b\"").target, "/a\"b");
  EXPECT_EQ(error_of(""), "failed to parse csv mounts: EOF");
  EXPECT_EQ(error_of("target=/a\"b"),
            "failed to parse csv mounts: parse error on line 1, column 10: bare \" in "
            "non-quoted-field");
  EXPECT_EQ(error_of("\"target=/a"),
            "failed to parse csv mounts: parse error on line 1, column 2: extraneous or "
            "missing \" in quoted-field");
  EXPECT_EQ(error_of("\"target=/a\"x"),
            "failed to parse csv mounts: parse error on line 1, column 11: extraneous or "
            "missing \" in quoted-field");
  // A value expanded after the split: its commas are the value's.
  Vars vars = {{"DIR", "/a,b"}};
  EXPECT_EQ(parsed("target=$DIR", [&](std::string_view w) { return process_word(w, vars); }).target,
            "/a,b");
}

TEST(RunMount, Target) {
  EXPECT_EQ(*mount_target(parsed("target=/a/b/"), "/w"), "/a/b");
  EXPECT_EQ(*mount_target(parsed("target=rel"), "/w"), "/w/rel");
  EXPECT_EQ(*mount_target(parsed("type=cache"), "/w"), "/w");
  EXPECT_EQ(mount_target(parsed("type=cache"), "/").error().message, "invalid mount target \"/\"");
  EXPECT_EQ(mount_target(parsed("target=/"), "/w").error().message, "invalid mount target \"/\"");
}

}  // namespace
}  // namespace pith::dockerfile
