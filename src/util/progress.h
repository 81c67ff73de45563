// A progress line on stderr (in the terminal's live area, util/terminal.h), only when stderr is a
// terminal and the work has already taken a second or more (quick runs and pipes stay clean).
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "util/terminal.h"

namespace pith {

class Progress {
 public:
  explicit Progress(std::string label);
  ~Progress();  // clears the line
  void update(uint64_t done, uint64_t total, uint64_t bytes);

 private:
  std::string m_label;
  LiveArea m_area;
  std::chrono::steady_clock::time_point m_start;
  std::mutex m_mutex;  // guards m_area
};

}  // namespace pith
