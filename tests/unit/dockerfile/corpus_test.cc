// Real Dockerfiles from the shared corpus (the projects pith is measured against ship them as
// test fixtures): every one parses, gets its meaning, and gives a stage graph.
#include <gtest/gtest.h>

#include <filesystem>

#include "dockerfile/instructions.h"
#include "dockerfile/parser.h"
#include "dockerfile/stages.h"
#include "test_paths.h"

namespace pith::dockerfile {
namespace {

namespace fs = std::filesystem;

bool is_dockerfile(const fs::path& p) {
  std::string name = p.filename().string();
  return name == "Dockerfile" || name == "Containerfile" || name.rfind("Dockerfile.", 0) == 0 ||
         (name.size() > 11 && name.substr(name.size() - 11) == ".Dockerfile");
}

TEST(Corpus, RealDockerfilesParse) {
  fs::path root = test::corpus("");
  if (!fs::exists(root)) GTEST_SKIP() << "no shared corpus at " << root;
  size_t seen = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(
           root, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec || !it->is_regular_file() || !is_dockerfile(it->path())) continue;
    ++seen;
    SCOPED_TRACE(it->path().string());
    auto parsed = parse_dockerfile(test::slurp(it->path()));
    ASSERT_TRUE(parsed) << parsed.error().message;
    auto ins = to_instructions(*parsed);
    ASSERT_TRUE(ins) << ins.error().message;
    auto graph = build_stage_graph(*ins, {});
    ASSERT_TRUE(graph) << graph.error().message;
    EXPECT_EQ(graph->order.back(), graph->target);
  }
  EXPECT_GE(seen, 10u);
}

}  // namespace
}  // namespace pith::dockerfile
