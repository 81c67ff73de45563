// The modules a Python source file imports, read from its text (nothing is executed): every
// `import` and `from ... import` statement at any depth (inside functions and `try` blocks
// too), so a program's static import graph can be followed. Imports by a computed name
// (importlib.import_module(name), __import__) are not seen: `pith slim --trace` finds those.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pith::slim {

struct PythonImport {
  std::string module;              // "a.b" ("" for `from . import x`)
  int level = 0;                   // leading dots of a relative import
  std::vector<std::string> names;  // `from M import a, b`: a and b (maybe submodules); "*"
  friend bool operator==(const PythonImport&, const PythonImport&) = default;
};

// Statements are found after comments, strings (any prefix, triple-quoted ones over many
// lines), bracketed continuations and backslash continuations are set aside. Bounded: at most
// k_max_python_imports statements are returned.
inline constexpr size_t k_max_python_imports = 10000;
std::vector<PythonImport> python_imports(std::string_view source);

}  // namespace pith::slim
