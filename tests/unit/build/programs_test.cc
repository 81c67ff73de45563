// Script interpreters as the kernel and env find them, and the ELF files among added ones.
#include "build/programs.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace pith::build {
namespace {

namespace fs = std::filesystem;

class Scripts : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("pith-programs-" + std::to_string(::getpid()));
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }
  void file(const std::string& path, const std::string& text, int mode = 0755) {
    fs::path p = m_dir / path.substr(1);
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    ::chmod(p.c_str(), static_cast<mode_t>(mode));
  }
  Result<std::vector<std::string>> interpreters(const std::string& program,
                                                const std::vector<std::string>& path = {
                                                    "/usr/local/bin", "/usr/bin", "/bin"}) {
    auto root = RootDir::open(m_dir.string());
    EXPECT_TRUE(root);
    return script_interpreters(*root, program, path);
  }
  fs::path m_dir;
};

using Paths = std::vector<std::string>;

TEST_F(Scripts, TheKernelsSplitOfTheFirstLine) {
  file("/bin/sh",
       "\x7f"
       "ELF");
  file("/app/a", "#!/bin/sh\necho a\n");
  file("/app/b", "#!  /bin/sh   -e  \r\n");
  file("/app/plain", "echo no interpreter\n");
  EXPECT_EQ(*interpreters("/app/a"), Paths{"/bin/sh"});
  EXPECT_EQ(*interpreters("/app/b"), Paths{"/bin/sh"});
  EXPECT_EQ(*interpreters("/app/plain"), Paths{});
}

TEST_F(Scripts, EnvFindsTheProgramThroughPath) {
  file("/usr/bin/env",
       "\x7f"
       "ELF");
  file("/usr/bin/python3",
       "\x7f"
       "ELF");
  file("/usr/local/bin/python3", "not executable", 0644);  // execvp skips it
  file("/app/a", "#!/usr/bin/env python3\n");
  file("/app/b", "#!/usr/bin/env -S A=1 python3 -u\n");
  EXPECT_EQ(*interpreters("/app/a"), (Paths{"/usr/bin/env", "/usr/bin/python3"}));
  EXPECT_EQ(*interpreters("/app/b"), (Paths{"/usr/bin/env", "/usr/bin/python3"}));
  auto none = interpreters("/app/a", {"/opt/bin"});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message,
            "/app/a: #!/usr/bin/env: python3 is in no folder of PATH (1 searched)");
}

TEST_F(Scripts, InterpretersThatAreScriptsUpToFour) {
  file("/bin/sh",
       "\x7f"
       "ELF");
  file("/s1", "#!/bin/sh\n");
  for (int i = 2; i <= 5; ++i) file("/s" + std::to_string(i), "#!/s" + std::to_string(i - 1));
  EXPECT_EQ(*interpreters("/s4"), (Paths{"/s3", "/s2", "/s1", "/bin/sh"}));
  auto deep = interpreters("/s5");
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().message, "/s5: more than 4 interpreters in a row (#!)");
}

TEST_F(Scripts, AMissingInterpreterIsNamed) {
  file("/app/a", "#!/usr/bin/python3\n");
  auto r = interpreters("/app/a");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "/app/a: its interpreter /usr/bin/python3 (#!) is not in " + m_dir.string());
}

TEST(ElfFiles, ProgramsObjectsAndTheRest) {
  auto root = RootDir::open("/");
  ASSERT_TRUE(root);
  std::string module;
  for (const auto& e : fs::directory_iterator("/usr/lib/python3.11/lib-dynload"))
    if (e.path().filename().string().starts_with("_ssl.")) module = e.path().string();
  ASSERT_FALSE(module.empty());
  ElfFiles got = elf_files(*root, {"/usr/bin/python3", module, "/etc/passwd", "/no/such/file"});
  EXPECT_EQ(got.programs, Paths{"/usr/bin/python3"});
  EXPECT_EQ(got.objects, Paths{module});
}

}  // namespace
}  // namespace pith::build
