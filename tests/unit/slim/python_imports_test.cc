#include "slim/python_imports.h"

#include <gtest/gtest.h>

namespace pith::slim {
namespace {

TEST(PythonImports, EveryFormOfTheStatement) {
  auto got = python_imports(
      "import os\n"
      "import a.b as c, d\n"
      "from x.y import (p as q,\n    r)\n"
      "from . import sib\n"
      "from ..up.mod import *\n"
      "def f():\n    import lazy_in_function\n"
      "try: import json\nexcept ImportError: pass\n"
      "x = 1; import after_semicolon\n");
  std::vector<PythonImport> want = {
      {"os", 0, {}},
      {"a.b", 0, {}},
      {"d", 0, {}},
      {"x.y", 0, {"p", "r"}},
      {"", 1, {"sib"}},
      {"up.mod", 2, {"*"}},
      {"lazy_in_function", 0, {}},
      {"json", 0, {}},
      {"after_semicolon", 0, {}},
  };
  EXPECT_EQ(got, want);
}

TEST(PythonImports, StringsCommentsAndContinuationsAreNoStatements) {
  auto got = python_imports(
      "# import commented\n"
      "s = 'import quoted'\n"
      "t = \"\"\"\nimport in_docstring\nfrom a import b\n\"\"\"\n"
      "u = rb'import raw'\n"
      "v = f(\n  import_not_a_statement)\n"
      "w = 1 + \\\n  2\n"
      "import real\n"
      "print(x.import_)\n");
  std::vector<PythonImport> want = {{"real", 0, {}}};
  EXPECT_EQ(got, want);
}

TEST(PythonImports, ImportIsAKeywordOnlyAtAStatementStart) {
  EXPECT_TRUE(python_imports("x = from_ + import_\nobj.import(1)\n").empty());
  EXPECT_TRUE(python_imports("from\n").empty());
  EXPECT_TRUE(python_imports("from x\n").empty());
  EXPECT_EQ(python_imports("import").size(), 0u);
}

TEST(PythonImports, UnterminatedStringsEndTheScan) {
  EXPECT_TRUE(python_imports("s = '''never closed\nimport hidden\n").empty());
  std::vector<PythonImport> want = {{"after", 0, {}}};
  EXPECT_EQ(python_imports("s = 'open line\nimport after\n"), want);
}

}  // namespace
}  // namespace pith::slim
