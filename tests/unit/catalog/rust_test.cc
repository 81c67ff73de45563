// cargo-auditable data in a real ELF: gcc builds a program, Python's zlib compresses the JSON
// written here, objcopy adds it as .dep-v0, exactly where cargo-auditable puts it.
#include "catalog/rust.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "shell.h"
#include "test_paths.h"

namespace pith::catalog {
namespace {

namespace fs = std::filesystem;

using test::slurp;

const char* const k_json =
    R"({"packages":[)"
    R"({"name":"hello","version":"0.1.0","source":"local","dependencies":[1,2],"root":true},)"
    R"({"name":"serde","version":"1.0.193","source":"crates.io"},)"
    R"({"name":"cc","version":"1.0.83","source":"crates.io","kind":"build"},)"
    R"({"name":"nameless"}]})";

class RustBinary : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pith-rust-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    m_dir = tmpl;
  }
  void TearDown() override { fs::remove_all(m_dir); }
  // Builds an ELF whose .dep-v0 holds `payload` compressed by zlib.
  std::string build(const std::string& payload) {
    std::ofstream(m_dir / "main.c") << "int main(void) { return 0; }\n";
    std::ofstream(m_dir / "deps.json") << payload;
    int status = 0;
    test::run_capture(
        "cd " + test::shell_quote(m_dir.string()) +
            " && gcc -o app main.c && python3 -c 'import zlib,sys; "
            "sys.stdout.buffer.write(zlib.compress(open(\"deps.json\",\"rb\").read()))' > deps.z "
            "&& objcopy --add-section .dep-v0=deps.z --set-section-flags .dep-v0=noload,readonly "
            "app app-audited 2>&1",
        &status);
    EXPECT_EQ(status, 0);
    return slurp(m_dir / "app-audited");
  }
  fs::path m_dir;
};

TEST_F(RustBinary, DepV0Section) {
  std::string bytes = build(k_json);
  ASSERT_TRUE(looks_like_rust_binary("/usr/bin/hello", bytes.substr(0, 4)));
  auto r = parse_rust_binary(bytes, "/usr/bin/hello");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->packages.size(), 2u);
  EXPECT_EQ(r->packages[0].name, "hello");
  EXPECT_EQ(r->packages[0].version, "0.1.0");
  EXPECT_EQ(r->packages[0].purl, "pkg:cargo/hello@0.1.0");
  EXPECT_EQ(r->packages[1].purl, "pkg:cargo/serde@1.0.193");
  EXPECT_EQ(r->packages[1].type, PackageType::cargo);
  EXPECT_EQ(r->packages[1].location, "/usr/bin/hello");
  ASSERT_EQ(r->warnings.size(), 1u);  // "nameless"
}

TEST_F(RustBinary, ZlibBombIsCapped) {
  std::string big = R"({"packages":[],"pad":")" + std::string(9 << 20, 'a') + "\"}";
  auto r = parse_rust_binary(build(big), "x");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("larger than"), std::string::npos);
}

TEST(Rust, HostileInputs) {
  std::string plain = slurp("/bin/true");
  EXPECT_FALSE(parse_rust_binary(plain, "/bin/true"));  // no .dep-v0
  EXPECT_FALSE(parse_rust_binary("garbage", "x"));
  EXPECT_FALSE(parse_cargo_auditable_json("", "x"));
  EXPECT_FALSE(parse_cargo_auditable_json("[]", "x"));
  EXPECT_FALSE(parse_cargo_auditable_json(R"({"packages":{}})", "x"));
  auto odd = parse_cargo_auditable_json(R"({"packages":[1,{"name":2,"version":"1"}]})", "x");
  ASSERT_TRUE(odd);
  EXPECT_TRUE(odd->packages.empty());
  EXPECT_EQ(odd->warnings.size(), 2u);
}

}  // namespace
}  // namespace pith::catalog
