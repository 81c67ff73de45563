// Progress of blob transfers on a terminal, as skopeo shows it: one line per blob being copied
// (short digest, bytes done / total, rate) and a total line, redrawn in place below the lines of
// blobs already finished, which stay. Nothing at all when stderr is not a terminal, so pipes and
// logs see exactly what they saw before. Thread-safe (blobs copy in parallel); redrawn at most
// ten times a second however often bytes arrive.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "util/terminal.h"

namespace pith {

class TransferProgress {
 public:
  // Draws on stderr when it is a terminal; otherwise every call does nothing.
  TransferProgress();
  // Draws on `out`, terminal or not, lines cut to `width` columns (tests).
  TransferProgress(std::FILE* out, int width);
  // Erases the live lines (the lines of finished blobs stay).
  ~TransferProgress();
  TransferProgress(const TransferProgress&) = delete;
  TransferProgress& operator=(const TransferProgress&) = delete;

  struct Item;
  enum class Outcome { done, skipped, failed };

  // Announces a blob to come, e.g. ("blob", "1a2b3c4d5e6f", 1234): it counts in the total line
  // from now on. nullptr when nothing is drawn; every call below accepts nullptr.
  Item* add(std::string kind, std::string name, uint64_t total);
  // Its bytes start to flow: it gets a live line.
  void start(Item* item);
  // Its bytes flow again from the start (an upload retried, a re-encoded blob written out,
  // under its new name and size).
  void restart(Item* item, std::string name, uint64_t total);
  // Cheap: an atomic add, and a redraw when the last one is 100 ms old.
  void advance(Item* item, uint64_t bytes);
  // done/skipped leave a line ("done  3.2 MiB", "skipped: already exists"); failed leaves
  // none (the error says why).
  void finish(Item* item, Outcome outcome);

 private:
  void redraw_locked(bool force);
  std::string live_line(const Item& item, std::chrono::steady_clock::time_point now) const;
  std::string total_line(std::chrono::steady_clock::time_point now) const;

  LiveArea m_area;                            // the terminal (disabled: every call does nothing)
  std::mutex m_mutex;                         // guards all but Item::done and m_next_draw
  std::deque<Item> m_items;                   // a deque: items keep their address as more are added
  std::vector<std::string> m_finished_lines;  // to print above the live lines at next redraw
  std::chrono::steady_clock::time_point m_first_start;
  bool m_started = false;
  std::atomic<int64_t> m_next_draw{0};  // steady_clock ticks
};

// "512 B", "3.2 KiB", "12.0 MiB", "1.5 GiB" (binary units, one decimal, as skopeo prints).
std::string human_bytes(uint64_t bytes);

}  // namespace pith
