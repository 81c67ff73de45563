// `pith build -f FILE`: whether FILE is read as a Dockerfile or as pith's own YAML spec.
#include <gtest/gtest.h>

#include "executor/executor.h"
#include "executor_test_util.h"

namespace pith::executor {
namespace {

class IsDockerfile : public ::testing::Test {
 protected:
  std::string file(const std::string& name, const std::string& text) {
    test::make_file(scratch.dir() + "/" + name, text);
    return scratch.dir() + "/" + name;
  }
  test::Scratch scratch;
};

// By name, whatever they hold (podman and docker look for Containerfile and Dockerfile;
// *.Dockerfile and Dockerfile.* are the usual names of the others).
TEST_F(IsDockerfile, KnownNamesAreDockerfilesWhateverTheyHold) {
  for (const std::string name :
       {"Dockerfile", "Containerfile", "dockerfile", "CONTAINERFILE", "x.Dockerfile",
        "build.containerfile", "Dockerfile.dev", "containerfile.prod"})
    EXPECT_TRUE(is_dockerfile(file(name, "not even an instruction\n"))) << name;
  EXPECT_TRUE(is_dockerfile(file("sub/Dockerfile", "")));
}

TEST_F(IsDockerfile, AnyNameWhoseFirstInstructionIsADockerfileOne) {
  EXPECT_TRUE(is_dockerfile(file("build", "FROM alpine:3.19\nRUN true\n")));
  EXPECT_TRUE(is_dockerfile(file("b2",
                                 "# syntax=docker/dockerfile:1\n# a comment\n\n"
                                 "ARG V=1\nFROM alpine:${V}\n")));
  EXPECT_TRUE(is_dockerfile(file("b3", "  from scratch\n")));
  EXPECT_TRUE(is_dockerfile(file("b4", "FROM \\\n  alpine\n")));
}

// pith.yaml is pith's spec, even if a line in it looks like an instruction.
TEST_F(IsDockerfile, YamlFilesAreNot) {
  EXPECT_FALSE(is_dockerfile(file("pith.yaml", "from: /\nentrypoint: [/app]\n")));
  EXPECT_FALSE(is_dockerfile(file("pith.yml", "FROM alpine\n")));
  EXPECT_FALSE(is_dockerfile(file("spec.YAML", "from: /\n")));
}

// BuildKit's parser takes the first word as the instruction: "from:" is none it knows
// (parser.splitCommand lower-cases cmdline[0]; instructions.Parse refuses "unknown
// instruction: from:"), so a spec named anything is still a spec.
TEST_F(IsDockerfile, AYamlSpecUnderAnotherNameIsNot) {
  EXPECT_FALSE(is_dockerfile(file("image-spec", "from: /\nentrypoint: [/app]\n")));
  EXPECT_FALSE(is_dockerfile(file("spec.txt", "# pith spec\nfrom: alpine\n")));
  EXPECT_FALSE(is_dockerfile(file("spec2", "FROM: alpine\n")));
}

TEST_F(IsDockerfile, EmptyCommentOnlyMissingOrScriptFilesAreNot) {
  EXPECT_FALSE(is_dockerfile(file("empty", "")));
  EXPECT_FALSE(is_dockerfile(file("blank", "\n\n   \n")));
  EXPECT_FALSE(is_dockerfile(file("comments", "# FROM alpine\n")));
  EXPECT_FALSE(is_dockerfile(file("build.sh", "#!/bin/sh\nset -e\nmake\n")));
  EXPECT_FALSE(is_dockerfile(scratch.dir() + "/missing"));
  EXPECT_FALSE(is_dockerfile(scratch.dir()));  // a directory
}

}  // namespace
}  // namespace pith::executor
