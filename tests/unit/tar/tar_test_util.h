// Helpers for the tar tests: shelling out to GNU tar, scratch directories, in-memory sinks.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "shell.h"
#include "tar/entry.h"
#include "tar/layer_reader.h"
#include "tar/writer.h"
#include "util/byte_source.h"

namespace pith::test {

// A scratch directory removed when the test ends.
class Scratch {
 public:
  Scratch() {
    static int counter = 0;
    m_path = std::filesystem::temp_directory_path() /
             ("pith-tar-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    std::filesystem::create_directories(m_path);
  }
  ~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  std::string file(const std::string& name) const { return (m_path / name).string(); }
  std::string write(const std::string& name, const std::string& data) const {
    std::string p = file(name);
    std::filesystem::create_directories(std::filesystem::path(p).parent_path());
    std::ofstream(p, std::ios::binary) << data;
    return p;
  }
  std::string dir() const { return m_path.string(); }

 private:
  std::filesystem::path m_path;
};

class StringSink final : public ByteSink {
 public:
  using ByteSink::write;
  Result<void> write(std::span<const std::byte> data) override {
    m_data.append(reinterpret_cast<const char*>(data.data()), data.size());
    return {};
  }
  std::string& data() { return m_data; }

 private:
  std::string m_data;
};

struct Read {
  tar::Entry entry;
  std::string content;
};

// Every entry of a tar held in memory, with its full content.
inline Result<std::vector<Read>> read_entries(std::string tar) {
  MemorySource src(std::move(tar));
  std::vector<Read> out;
  TRY(tar::for_each_entry(src, [&](const tar::Entry& e, ByteSource& content) -> Result<void> {
    out.push_back({e, TRY(read_all(content, 1 << 30))});
    return {};
  }));
  return out;
}

}  // namespace pith::test
