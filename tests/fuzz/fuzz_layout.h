// An OCI layout held in memory, from a fuzz input's sections (fuzz_image.h): the files the
// end-to-end targets open as `pith` opens a layout directory.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_image.h"
#include "transport/file_set.h"
#include "util/byte_source.h"

namespace pith::fuzz {

// The layout's files, by path; the usual oci-layout file unless the input has its own.
class MemoryFiles final : public transport::FileSet {
 public:
  explicit MemoryFiles(std::vector<File> files) {
    m_files["oci-layout"] = R"({"imageLayoutVersion":"1.0.0"})";
    for (auto& f : files) m_files.insert_or_assign(std::move(f.path), std::move(f.bytes));
  }
  Result<std::optional<uint64_t>> size(const std::string& path) override {
    auto it = m_files.find(path);
    if (it == m_files.end()) return std::optional<uint64_t>{};
    return std::optional<uint64_t>(it->second.size());
  }
  Result<std::unique_ptr<ByteSource>> open(const std::string& path) override {
    auto it = m_files.find(path);
    if (it == m_files.end()) return make_error(path + ": no such file");
    return std::unique_ptr<ByteSource>(std::make_unique<MemorySource>(it->second));
  }
  std::string describe() const override { return "fuzz layout"; }

 private:
  std::map<std::string, std::string> m_files;
};

}  // namespace pith::fuzz
