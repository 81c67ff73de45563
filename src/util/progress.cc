// Progress line: "inspect  [#######-------]  5/14 layers  312.4 MB", drawn in the terminal's
// live area.
#include "util/progress.h"

#include <cstdio>

namespace pith {

Progress::Progress(std::string label)
    : m_label(std::move(label)), m_start(std::chrono::steady_clock::now()) {}

Progress::~Progress() {
  std::lock_guard lock(m_mutex);
  m_area.clear();
}

void Progress::update(uint64_t done, uint64_t total, uint64_t bytes) {
  if (!m_area.enabled()) return;
  std::lock_guard lock(m_mutex);
  if (std::chrono::steady_clock::now() - m_start < std::chrono::seconds(1)) return;
  constexpr int k_width = 30;
  int filled = total == 0 ? k_width : static_cast<int>(done * k_width / total);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(k_width - filled), '-');
  char counts[96];
  std::snprintf(counts, sizeof counts, "  %llu/%llu layers  %.1f MB",
                static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
                static_cast<double>(bytes) / 1e6);
  m_area.draw({}, {m_label + "  [" + bar + "]" + counts});
}

}  // namespace pith
