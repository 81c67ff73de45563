// The Python rule on a small root: the modules a script imports, transitively, found on
// sys.path as the interpreter finds them (packages, relative imports, extension modules,
// dist-packages), and nothing else.
#include <gtest/gtest.h>

#include <set>

#include "elf/elf_test_util.h"
#include "slim/keep.h"

namespace pith::slim {
namespace {

using elf::test::Scratch;
using elf::test::write_text;

TEST(KeepPython, TheScriptsImportsTransitively) {
  Scratch s;
  write_text(s / "usr/bin/python3.11", "ELF stand-in");
  const std::string lib = "usr/lib/python3.11/";
  write_text(s / (lib + "os.py"), "import sys\nimport posixpath\n");
  write_text(s / (lib + "posixpath.py"), "import os\n");
  write_text(s / (lib + "site.py"),
             "import os\ntry:\n    import sitecustomize\nexcept ImportError:\n    pass\n");
  write_text(s / (lib + "encodings/__init__.py"), "");
  write_text(s / (lib + "encodings/utf_8.py"), "");
  write_text(s / (lib + "json/__init__.py"), "from .decoder import JSONDecoder\n");
  write_text(s / (lib + "json/decoder.py"), "import re\n");
  write_text(s / (lib + "json/__pycache__/decoder.cpython-311.pyc"), "pyc");
  write_text(s / (lib + "re.py"), "");
  write_text(s / (lib + "unused.py"), "import never\n");
  write_text(s / (lib + "lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so"), "ELF");
  write_text(s / "usr/lib/python3/dist-packages/six.py", "import re\n");
  write_text(s / "app/main.py",
             "import json, six\nimport _ssl\nimport not_installed\nfrom helpers import util\n"
             "def later():\n    import re\n");
  write_text(s / "app/helpers/__init__.py", "");
  write_text(s / "app/helpers/util.py", "from . import text\n");
  write_text(s / "app/helpers/text.py", "");
  auto root = RootDir::open(s.path());
  ASSERT_TRUE(root.ok());

  Keep keep;
  std::vector<std::string> warnings;
  auto r = keep_python(*root, "/usr/bin/python3.11", {"-u", "/app/main.py", "basic"}, {}, "/", keep,
                       [&](const std::string& w) { warnings.push_back(w); });
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(warnings.empty());
  std::set<std::string> want = {
      "/usr/lib/python3.11/os.py",
      "/usr/lib/python3.11/posixpath.py",
      "/usr/lib/python3.11/site.py",
      "/usr/lib/python3.11/encodings",
      "/usr/lib/python3.11/json/__init__.py",
      "/usr/lib/python3.11/json/decoder.py",
      "/usr/lib/python3.11/json/__pycache__/decoder.cpython-311.pyc",
      "/usr/lib/python3.11/re.py",
      "/usr/lib/python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so",
      "/usr/lib/python3/dist-packages/six.py",
      "/app/main.py",
      "/app/helpers/__init__.py",
      "/app/helpers/util.py",
      "/app/helpers/text.py",
  };
  EXPECT_EQ(keep.paths, want);
  EXPECT_TRUE(keep.dirs.count("/usr/lib/python3.11/lib-dynload"));
  EXPECT_TRUE(keep.dirs.count("/app/helpers"));
}

TEST(KeepPython, DashMRunsAModuleFromTheWorkingDirectory) {
  Scratch s;
  write_text(s / "usr/local/bin/python3.12", "ELF stand-in");
  write_text(s / "usr/local/lib/python3.12/os.py", "");
  write_text(s / "srv/tool/__init__.py", "");
  write_text(s / "srv/tool/__main__.py", "from .cli import run\n");
  write_text(s / "srv/tool/cli.py", "");
  auto root = RootDir::open(s.path());
  ASSERT_TRUE(root.ok());
  Keep keep;
  ASSERT_TRUE(keep_python(*root, "/usr/local/bin/python3.12", {"-m", "tool.__main__"}, {}, "/srv",
                          keep, [](const std::string&) {})
                  .ok());
  EXPECT_TRUE(keep.paths.count("/usr/local/lib/python3.12/os.py"));
  EXPECT_TRUE(keep.paths.count("/srv/tool/__init__.py"));
  EXPECT_TRUE(keep.paths.count("/srv/tool/__main__.py"));
  EXPECT_TRUE(keep.paths.count("/srv/tool/cli.py"));
}

}  // namespace
}  // namespace pith::slim
