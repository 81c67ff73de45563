// Where the unit tests find their inputs: the shared corpus and the project's own test data.
#pragma once

#include <string>

namespace pith::test {

inline std::string corpus(const std::string& rel) {
  return std::string(PITH_CORPUS_DIR) + "/" + rel;
}
inline std::string data(const std::string& rel) {
  return std::string(PITH_TEST_DATA_DIR) + "/" + rel;
}

}  // namespace pith::test
