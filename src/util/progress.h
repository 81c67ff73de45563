// A progress line on stderr, only when stderr is a terminal and the work has already taken a
// second or more (quick runs and pipes stay clean). Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace pith {

class Progress {
 public:
  explicit Progress(std::string label);
  ~Progress();  // clears the line
  void update(uint64_t done, uint64_t total, uint64_t bytes);

 private:
  std::string m_label;
  bool m_enabled;
  bool m_drawn = false;
  std::chrono::steady_clock::time_point m_start;
  std::mutex m_mutex;
};

}  // namespace pith
