// Where the unit tests find their inputs: the shared corpus and the project's own test data.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace pith::test {

inline std::string corpus(const std::string& rel) {
  return std::string(PITH_CORPUS_DIR) + "/" + rel;
}
inline std::string data(const std::string& rel) {
  return std::string(PITH_TEST_DATA_DIR) + "/" + rel;
}

// The whole content of a file ("" if it cannot be read).
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace pith::test
