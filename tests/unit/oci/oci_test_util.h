// Shared helpers of the oci tests: reading corpus files and listing the JSON documents in it.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "test_paths.h"

namespace pith::test {

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Corpus fixtures that look like manifests but are not valid ones: containers/image uses them
// to test media type guessing (config digest "") and schema 1 conversion (size -1, its
// placeholder for "unknown").
inline bool known_invalid(const std::string& path) {
  std::string name = std::filesystem::path(path).filename().string();
  return name == "ociv1.artifact.json" || name == "ociv1nomime.artifact.json" ||
         name == "schema1-to-oci1.json" || name == "schema1-to-schema2.json";
}

// OCI image layouts in the corpus (each holds index.json and blobs/).
inline std::vector<std::string> corpus_layouts() {
  std::vector<std::string> out = {
      corpus("regclient/testdata/testrepo"),
      corpus("stereoscope/pkg/image/oci/testdata/valid_oci_dir"),
      corpus("stereoscope/pkg/image/oci/testdata/multiplatform_oci_dir"),
  };
  for (const auto& e :
       std::filesystem::directory_iterator(corpus("go-containerregistry/pkg/v1/layout/testdata")))
    if (e.is_directory()) out.push_back(e.path().string());
  return out;
}

// Every small file that starts like a JSON object: the layouts' blobs and index.json files,
// the image-spec examples and the containers/image manifest fixtures.
inline std::vector<std::string> corpus_json_files() {
  std::vector<std::string> dirs;
  for (const auto& l : corpus_layouts()) {
    dirs.push_back(l);
    dirs.push_back(l + "/blobs/sha256");
  }
  dirs.push_back(corpus("image-spec/examples"));
  dirs.push_back(corpus("containers-image/internal/manifest/testdata"));
  dirs.push_back(corpus("containers-image/internal/image/fixtures"));
  std::vector<std::string> out;
  for (const auto& d : dirs) {
    if (!std::filesystem::is_directory(d)) continue;
    for (const auto& e : std::filesystem::directory_iterator(d)) {
      if (!e.is_regular_file() || e.file_size() > (1 << 20)) continue;
      // The spec's descriptor examples are fragments, not documents.
      if (e.path().filename().string().rfind("descriptor-", 0) == 0) continue;
      std::string head = slurp(e.path().string()).substr(0, 1);
      if (head == "{" && !known_invalid(e.path().string())) out.push_back(e.path().string());
    }
  }
  return out;
}

}  // namespace pith::test
