// What pith writes validates against the OCI JSON schemas (checked by python3-jsonschema,
// the validator the image-spec's own tests mirror).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "oci/config.h"
#include "oci/manifest.h"
#include "oci_test_util.h"
#include "test_paths.h"

namespace pith::oci {
namespace {

namespace fs = std::filesystem;

struct Written {
  std::vector<std::string> manifests, indexes, configs;
};

class SchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::system("python3 -c 'import jsonschema, referencing' >/dev/null 2>&1") != 0)
      GTEST_SKIP() << "python3 with jsonschema is not installed";
    m_dir = fs::temp_directory_path() / ("pith-schema-" + std::to_string(::getpid()));
    fs::create_directories(m_dir);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(m_dir, ec);
  }

  std::string write(const std::string& name, const std::string& bytes) {
    std::string path = (m_dir / name).string();
    std::FILE* f = std::fopen(path.c_str(), "wb");
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
    return path;
  }

  // Runs the validator; returns its exit status and leaves its report in `output`.
  int validate(const std::string& schema, const std::vector<std::string>& files,
               std::string& output) {
    // Found from the test data directory, not __FILE__ (relative when ccache rewrites paths).
    std::string script = test::data("../unit/oci/validate_schema.py");
    std::string cmd =
        "python3 '" + script + "' '" + test::corpus("image-spec/schema") + "' " + schema;
    for (const auto& f : files) cmd += " '" + f + "'";
    std::FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
    if (p == nullptr) return -1;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) output.append(buf, n);
    return ::pclose(p);
  }

  fs::path m_dir;
};

// The schema requires a media type on every descriptor and at least one layer.
bool schema_complete(const Manifest& m) {
  if (m.layers.empty() || m.config.media_type.empty()) return false;
  for (const auto& l : m.layers)
    if (l.media_type.empty()) return false;
  return true;
}

TEST_F(SchemaTest, SerializedCorpusDocumentsValidate) {
  Written w;
  int n = 0;
  for (const auto& path : test::corpus_json_files()) {
    std::string bytes = test::slurp(path);
    std::string name = std::to_string(n++) + ".json";
    switch (sniff_document(bytes, "")) {
      case DocumentKind::manifest: {
        auto m = parse_manifest(bytes);
        ASSERT_TRUE(m) << path;
        if (schema_complete(*m)) w.manifests.push_back(write(name, serialize(*m)));
        break;
      }
      case DocumentKind::index:
        w.indexes.push_back(write(name, serialize(*parse_index(bytes))));
        break;
      case DocumentKind::unknown:
        if (auto c = parse_config(bytes); c && !c->architecture.empty() && !c->os.empty())
          w.configs.push_back(write(name, serialize(*c)));
        break;
    }
  }
  ASSERT_GE(w.manifests.size(), 50u);
  ASSERT_GE(w.indexes.size(), 20u);
  ASSERT_GE(w.configs.size(), 20u);
  for (const auto& [schema, files] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"image-manifest-schema.json", w.manifests},
           {"image-index-schema.json", w.indexes},
           {"config-schema.json", w.configs}}) {
    std::string output;
    EXPECT_EQ(validate(schema, files, output), 0) << schema << ":\n" << output;
  }
}

TEST_F(SchemaTest, TheValidatorRejectsBadDocuments) {
  // Guards against a validator that accepts everything.
  std::string bad =
      write("bad.json", R"({"schemaVersion":2,"config":{"digest":"x","size":-1},"layers":[]})");
  std::string output;
  EXPECT_NE(validate("image-manifest-schema.json", {bad}, output), 0) << output;
  EXPECT_NE(output.find("less than the minimum"), std::string::npos) << output;
}

}  // namespace
}  // namespace pith::oci
