// Helpers of the elf tests: temporary folders, compiling small programs with the system's
// compilers, and the real loader's view of a program (ldd).
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "shell.h"

namespace pith::elf::test {

// A temporary folder (its real path, so canonical paths compare), removed at the end.
class Scratch {
 public:
  Scratch() {
    char tmpl[] = "/tmp/pith-elf-XXXXXX";
    m_path = std::filesystem::canonical(::mkdtemp(tmpl)).string();
  }
  ~Scratch() { std::filesystem::remove_all(m_path); }
  const std::string& path() const { return m_path; }
  std::string operator/(const std::string& rel) const { return m_path + "/" + rel; }

 private:
  std::string m_path;
};

inline void write_text(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
}

// Runs a shell command; returns whether it exited 0 (its output goes to `out` if given).
inline bool sh(const std::string& cmd, std::string* out = nullptr) {
  int status = 0;
  std::string o = pith::test::run_capture(cmd + " 2>&1", &status);
  if (out) *out = o;
  return status == 0;
}

// What ldd (the host's ld.so) loads for `program`: canonical paths of every library and the
// interpreter, and the names it reports "not found".
struct LddView {
  std::set<std::string> files;
  std::set<std::string> not_found;
};

inline LddView ldd(const std::string& program, const std::string& env = "") {
  LddView v;
  std::string out = pith::test::run_capture(env + " ldd " + pith::test::shell_quote(program));
  size_t pos = 0;
  while (pos < out.size()) {
    size_t end = out.find('\n', pos);
    if (end == std::string::npos) end = out.size();
    std::string line = out.substr(pos, end - pos);
    pos = end + 1;
    if (line.find("=> not found") != std::string::npos) {
      size_t start = line.find_first_not_of(" \t");
      v.not_found.insert(line.substr(start, line.find(' ', start) - start));
      continue;
    }
    size_t arrow = line.find("=> ");
    size_t start = arrow == std::string::npos ? line.find_first_not_of(" \t") : arrow + 3;
    if (start == std::string::npos || line[start] != '/') continue;  // linux-vdso.so.1
    std::string path = line.substr(start, line.find(" (", start) - start);
    v.files.insert(std::filesystem::canonical(path).string());
  }
  return v;
}

}  // namespace pith::elf::test
