// The stage graph and ARG scopes: global ARGs in FROM lines, per-stage redeclaration, platform
// ARGs, --build-arg, names, --from by name/index/image, --target and the stages it needs,
// cycles; and the instruction checks BuildKit makes (unknown instructions, ONBUILD triggers).
#include <gtest/gtest.h>

#include "dockerfile/instructions.h"
#include "dockerfile/parser.h"
#include "dockerfile/stages.h"

namespace pith::dockerfile {
namespace {

Result<StageGraph> graph(std::string_view text, const StageOptions& opt = {}) {
  auto parsed = parse_dockerfile(text);
  if (!parsed) return std::move(parsed).error();
  auto ins = to_instructions(*parsed);
  if (!ins) return std::move(ins).error();
  return build_stage_graph(*ins, opt);
}

std::string error_of(std::string_view text, const StageOptions& opt = {}) {
  auto g = graph(text, opt);
  return g ? std::string("no error") : g.error().message;
}

TEST(Instructions, Errors) {
  EXPECT_EQ(error_of("FROM a\nRUN x\n\n\n\n\nFRON b\n"), "Dockerfile:7: unknown instruction: FRON");
  EXPECT_EQ(error_of("FROM a\nONBUILD ONBUILD RUN x\n"),
            "Dockerfile:2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  EXPECT_EQ(error_of("FROM a\nONBUILD FROM b\n"),
            "Dockerfile:2: FROM isn't allowed as an ONBUILD trigger");
  EXPECT_EQ(error_of("FROM a\nonbuild maintainer me\n"),
            "Dockerfile:2: MAINTAINER isn't allowed as an ONBUILD trigger");
  EXPECT_EQ(error_of("FROM a\nCOPY --form=x a b\n"), "Dockerfile:2: unknown flag: --form");
  EXPECT_EQ(error_of("FROM a\nCOPY --chown a b\n"),
            "Dockerfile:2: missing a value on flag: --chown");
  EXPECT_EQ(error_of("FROM a\nCOPY --link=maybe a b\n"),
            "Dockerfile:2: expecting boolean value for flag --link, not: maybe");
  EXPECT_EQ(error_of("FROM a\nCOPY a\n"),
            "Dockerfile:2: COPY requires at least two arguments, but only one was provided. "
            "Destination could not be determined");
  EXPECT_EQ(error_of("FROM a\nSHELL sh -c\n"),
            "Dockerfile:2: SHELL requires the arguments to be in JSON form");
  EXPECT_EQ(error_of("FROM a AS 1st\n"),
            "Dockerfile:1: invalid name for build stage: \"1st\", name can't start with a number "
            "or contain symbols");
  EXPECT_EQ(error_of("FROM a b\n"), "Dockerfile:1: FROM requires either one or three arguments");
  EXPECT_EQ(error_of("FROM a\nHEALTHCHECK --retries=-1 CMD x\n"),
            "Dockerfile:2: --retries cannot be negative (-1)");
  EXPECT_EQ(error_of("FROM a\nUSER\n"), "Dockerfile:2: USER requires exactly one argument");
  EXPECT_EQ(error_of("FROM a\nENV PATH\n"), "Dockerfile:2: ENV must have two arguments");
  EXPECT_EQ(error_of("RUN x\n"), "Dockerfile:1: no build stage in current context");
}

TEST(Instructions, Forms) {
  auto parsed = parse_dockerfile(
      "FROM --platform=$BUILDPLATFORM golang:1.22 AS Build\n"
      "ENV A=1 B=\"two words\"\nENV C 3 4\n"
      "ARG X Y=2\n"
      "COPY --from=build --chown=1:1 --chmod=755 --link --exclude=*.md --exclude=*.txt a b /dst/\n"
      "ADD --checksum=sha256:abc --keep-git-dir https://x/y.tar /\n"
      "RUN --mount=type=cache,target=/root/.cache --network=none make\n"
      "CMD [\"/app\", \"-v\"]\nENTRYPOINT exec app\n"
      "VOLUME [\"/a\", \"/b\"]\nVOLUME /c /d\nEXPOSE 80/tcp 443\n"
      "HEALTHCHECK --interval=5s --timeout=3s --retries=3 CMD curl -f http://x/\n"
      "HEALTHCHECK NONE\nSTOPSIGNAL SIGTERM\nMAINTAINER me <me@x>\n"
      "SHELL [\"/bin/bash\", \"-c\"]\nWORKDIR /w\nUSER 1000:1000\nLABEL a=b \"c d\"=e\n"
      "ONBUILD COPY . /src\n");
  ASSERT_TRUE(parsed) << parsed.error().message;
  auto ins = to_instructions(*parsed);
  ASSERT_TRUE(ins) << ins.error().message;
  const auto& v = *ins;
  ASSERT_EQ(v.size(), 21u);
  EXPECT_EQ(v[0].stage_name, "build");
  EXPECT_EQ(*v[0].flag("platform"), "$BUILDPLATFORM");
  ASSERT_EQ(v[1].pairs.size(), 2u);
  EXPECT_EQ(v[1].pairs[1].value, "\"two words\"");  // quotes stay for the lexer
  EXPECT_TRUE(v[2].pairs[0].legacy);
  EXPECT_EQ(v[2].pairs[0].value, "3 4");
  ASSERT_EQ(v[3].arg_decls.size(), 2u);
  EXPECT_FALSE(v[3].arg_decls[0].default_value);
  EXPECT_EQ(*v[3].arg_decls[1].default_value, "2");
  EXPECT_EQ(*v[4].flag("from"), "build");
  EXPECT_TRUE(v[4].flag_true("link"));
  EXPECT_EQ(v[4].flag_values("exclude"), (std::vector<std::string>{"*.md", "*.txt"}));
  EXPECT_EQ(v[4].args, (std::vector<std::string>{"a", "b", "/dst/"}));
  EXPECT_TRUE(v[5].flag_true("keep-git-dir"));
  EXPECT_EQ(v[6].flag_values("mount"), std::vector<std::string>{"type=cache,target=/root/.cache"});
  EXPECT_EQ(v[6].args, std::vector<std::string>{"make"});
  EXPECT_FALSE(v[6].json);
  EXPECT_TRUE(v[7].json);
  EXPECT_EQ(v[7].args, (std::vector<std::string>{"/app", "-v"}));
  EXPECT_EQ(v[8].args, std::vector<std::string>{"exec app"});
  EXPECT_EQ(v[9].args, (std::vector<std::string>{"/a", "/b"}));
  EXPECT_EQ(v[10].args, (std::vector<std::string>{"/c", "/d"}));
  EXPECT_EQ(v[11].args, (std::vector<std::string>{"443", "80/tcp"}));  // sorted, as BuildKit
  EXPECT_EQ(v[12].health.test, (std::vector<std::string>{"CMD-SHELL", "curl -f http://x/"}));
  EXPECT_EQ(v[12].health.interval_ns, 5000000000);
  EXPECT_EQ(v[12].health.retries, 3);
  EXPECT_EQ(v[13].health.test, std::vector<std::string>{"NONE"});
  EXPECT_EQ(v[15].args, std::vector<std::string>{"me <me@x>"});
  EXPECT_EQ(v[16].args, (std::vector<std::string>{"/bin/bash", "-c"}));
  EXPECT_EQ(v[19].pairs[1].key, "\"c d\"");
  EXPECT_EQ(v[20].onbuild_expression, "COPY . /src");
}

TEST(Stages, GlobalArgsInFromAndScopes) {
  StageOptions opt;
  opt.build_args = {{"VERSION", "3.19"}, {"UNUSED", "x"}};
  auto g = graph(
      "ARG BASE=alpine\nARG VERSION=3.18\nARG REG=${BASE}-mirror\n"
      "FROM ${BASE}:${VERSION} AS one\n"
      "ARG VERSION\nARG BASE\nARG LOCAL=l-$VERSION\nENV E=$BASE-$LOCAL\n"
      "FROM $REG\nRUN echo $VERSION\n",
      opt);
  ASSERT_TRUE(g) << g.error().message;
  ASSERT_EQ(g->stages.size(), 2u);
  EXPECT_EQ(g->stages[0].base, "alpine:3.19");  // --build-arg beats the default
  EXPECT_EQ(g->stages[1].base, "alpine-mirror");
  EXPECT_EQ(g->unused_build_args, std::vector<std::string>{"UNUSED"});

  StageScope scope(*g, opt);
  for (const Instruction& ins : g->stages[0].instructions) ASSERT_TRUE(scope.apply(ins));
  EXPECT_EQ(scope.vars().at("VERSION"), "3.19");
  EXPECT_EQ(scope.vars().at("BASE"), "alpine");  // redeclared: the global value
  EXPECT_EQ(scope.vars().at("LOCAL"), "l-3.19");
  EXPECT_EQ(scope.env().at("E"), "alpine-l-3.19");
  EXPECT_EQ(scope.env().count("LOCAL"), 0u);  // ARGs are not image ENV

  // Not redeclared in the second stage: the global ARG is not in scope there.
  StageScope second(*g, opt);
  for (const Instruction& ins : g->stages[1].instructions) ASSERT_TRUE(second.apply(ins));
  EXPECT_EQ(second.vars().count("VERSION"), 0u);
}

// FROM <stage> continues from that stage's scope, ARGs included, as BuildKit does.
TEST(Stages, ChildStageContinuesItsParentsScope) {
  auto g = graph("FROM a AS parent\nARG X=1\nENV E=e\nFROM parent\nARG Y=$X$E\n");
  ASSERT_TRUE(g);
  ASSERT_EQ(*g->stages[1].base_stage, 0u);
  StageScope parent(*g, {});
  for (const Instruction& ins : g->stages[0].instructions) ASSERT_TRUE(parent.apply(ins));
  StageScope child = parent;
  for (const Instruction& ins : g->stages[1].instructions) ASSERT_TRUE(child.apply(ins));
  EXPECT_EQ(child.vars().at("Y"), "1e");
  EXPECT_EQ(child.env().count("X"), 0u);
}

TEST(Stages, EnvLineSeesTheValuesBeforeIt) {
  auto g = graph("FROM a\nENV A=1\nENV A=2 B=$A\n");
  ASSERT_TRUE(g);
  StageScope s(*g, {});
  for (const Instruction& ins : g->stages[0].instructions) ASSERT_TRUE(s.apply(ins));
  EXPECT_EQ(s.env().at("B"), "1");
}

// ENV doubling itself line after line stops at the expansion bound, not at the memory's end.
TEST(Stages, DoublingEnvIsBounded) {
  std::string text = "FROM a\nENV A=0123456789abcdef\n";
  for (int i = 0; i < 40; ++i) text += "ENV A=$A$A\n";
  auto g = graph(text);
  ASSERT_TRUE(g);
  StageScope s(*g, {});
  Result<void> r;
  for (const Instruction& ins : g->stages[0].instructions) {
    r = s.apply(ins);
    if (!r) break;
  }
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("expansion too large"), std::string::npos);
}

TEST(Stages, PlatformArgs) {
  StageOptions opt;
  opt.build_platform = *parse_platform("linux/amd64");
  opt.target_platform = *parse_platform("linux/arm/v7");
  auto g = graph(
      "FROM --platform=$BUILDPLATFORM a AS b\nARG TARGETARCH TARGETVARIANT\n"
      "FROM ${TARGETOS}-${TARGETARCH}\n",
      opt);
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(g->stages[0].platform, "linux/amd64");
  EXPECT_EQ(g->stages[1].base, "linux-arm");
  EXPECT_EQ(g->globals.at("TARGETPLATFORM"), "linux/arm/v7");
  StageScope s(*g, opt);
  for (const Instruction& ins : g->stages[0].instructions) ASSERT_TRUE(s.apply(ins));
  EXPECT_EQ(s.vars().at("TARGETARCH"), "arm");
  EXPECT_EQ(s.vars().at("TARGETVARIANT"), "v7");
  EXPECT_EQ(s.vars().count("TARGETOS"), 0u);
  EXPECT_EQ(format_platform(*parse_platform("linux/aarch64")), "linux/arm64");
  EXPECT_EQ(format_platform(*parse_platform("linux/arm64/v8")), "linux/arm64");
  EXPECT_EQ(format_platform(*parse_platform("linux/arm")), "linux/arm/v7");
  EXPECT_FALSE(parse_platform("linux//amd64"));
}

TEST(Stages, TargetAndNeededStages) {
  const char* text =
      "FROM alpine AS base\n"
      "FROM base AS Builder\nRUN make\n"
      "FROM alpine AS unused\n"
      "FROM busybox AS tools\n"
      "FROM scratch AS final\nCOPY --from=BUILDER /app /app\nCOPY --from=3 /bin/sh /sh\n"
      "COPY --from=nginx:latest /etc/nginx /etc/nginx\n"
      "RUN --mount=type=bind,from=tools,target=/t true\n";
  auto g = graph(text);
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_EQ(g->target, 4u);
  EXPECT_EQ(*g->stages[1].base_stage, 0u);
  EXPECT_EQ(g->stages[4].needs, (std::vector<size_t>{1, 3}));
  EXPECT_EQ(g->stages[4].images, std::vector<std::string>{"nginx:latest"});
  EXPECT_EQ(g->order, (std::vector<size_t>{0, 1, 3, 4}));  // "unused" is skipped

  StageOptions opt;
  opt.target = "BUILDER";
  auto t = graph(text, opt);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->order, (std::vector<size_t>{0, 1}));
  opt.target = "nope";
  EXPECT_EQ(error_of(text, opt), "target stage \"nope\" could not be found");
}

TEST(Stages, FromIsCaseSensitiveAndBackwardOnly) {
  // BuildKit stores names lower case and looks FROM's base up as written, among earlier stages.
  auto g = graph("FROM alpine AS base\nFROM Base\nFROM later\nFROM busybox AS later\n");
  ASSERT_TRUE(g);
  EXPECT_FALSE(g->stages[1].base_stage);
  EXPECT_FALSE(g->stages[2].base_stage);
}

TEST(Stages, Errors) {
  StageOptions buildkit;
  buildkit.forward_from = ForwardFrom::allow;
  EXPECT_EQ(
      error_of("FROM a AS x\nCOPY --from=y /a /b\nFROM b AS y\nCOPY --from=x /a /b\n", buildkit),
      "Dockerfile:1: circular dependency detected on stage: x");
  EXPECT_EQ(error_of("FROM a AS x\nCOPY --from=x /a /b\n", buildkit),
            "Dockerfile:1: circular dependency detected on stage: x");
  EXPECT_EQ(error_of("FROM a AS x\nCOPY --from=x /a /b\n"),
            "Dockerfile:2: --from=x refers to the stage it is in: only earlier stages can be "
            "copied from");
  EXPECT_EQ(
      error_of("FROM a\nCOPY --from=later /a /b\nFROM b AS later\n"),
      "Dockerfile:2: --from=later refers to a later stage (line 3): only earlier stages can be "
      "copied from");
  EXPECT_EQ(error_of("FROM a\nCOPY --from=1 /a /b\nFROM b\n"),
            "Dockerfile:2: --from=1 refers to a later stage (line 3): only earlier stages can be "
            "copied from");
  EXPECT_EQ(error_of("FROM a\nCOPY --from=5 /a /b\n"), "Dockerfile:2: invalid stage index 5");
  EXPECT_EQ(error_of("ARG S=x\nFROM a\nCOPY --from=$S /a /b\n"),
            "Dockerfile:3: variable expansion is not supported for --from, define a new stage "
            "with FROM using ARG from global scope as a workaround");
  EXPECT_EQ(error_of("ARG EMPTY\nFROM ${EMPTY}\n"),
            "Dockerfile:2: base name (${EMPTY}) should not be blank");
  // A later stage by name is fine in BuildKit's mode.
  EXPECT_EQ(error_of("FROM a\nCOPY --from=later /a /b\nFROM b AS later\n", buildkit), "no error");
}

}  // namespace
}  // namespace pith::dockerfile
