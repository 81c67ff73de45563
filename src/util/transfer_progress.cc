// Transfer progress lines, drawn through the terminal's live area: the lines of blobs finished
// since the last redraw scroll up and stay, the live ones (and the total) are redrawn in place.
#include "util/transfer_progress.h"

#include <algorithm>

namespace pith {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto k_redraw_interval = std::chrono::milliseconds(100);
constexpr int k_bar_width = 12;

int64_t ticks(Clock::time_point t) {
  return t.time_since_epoch().count();
}

std::string rate(uint64_t bytes, Clock::duration elapsed) {
  double seconds = std::chrono::duration<double>(elapsed).count();
  if (seconds < 0.001) return "";
  return human_bytes(static_cast<uint64_t>(static_cast<double>(bytes) / seconds)) + "/s";
}

}  // namespace

struct TransferProgress::Item {
  enum class State { waiting, live, finished };
  Item(std::string k, std::string n, uint64_t t)
      : kind(std::move(k)), name(std::move(n)), total(t) {}
  std::string kind;
  std::string name;
  uint64_t total;
  std::atomic<uint64_t> done{0};
  State state = State::waiting;
  bool skipped = false;
  Clock::time_point started;
};

namespace {

// "Copying blob   1a2b3c4d5e6f  ": kinds padded so that the names line up.
std::string line_head(const TransferProgress::Item& item) {
  std::string kind = item.kind;
  if (kind.size() < 6) kind.resize(6, ' ');
  return "Copying " + kind + " " + item.name + "  ";
}

}  // namespace

std::string human_bytes(uint64_t bytes) {
  char buf[32];
  if (bytes < 1024) {
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
    return buf;
  }
  static constexpr const char* k_units[] = {"KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes) / 1024;
  size_t unit = 0;
  while (v >= 1024 && unit + 1 < std::size(k_units)) {
    v /= 1024;
    ++unit;
  }
  std::snprintf(buf, sizeof buf, "%.1f %s", v, k_units[unit]);
  return buf;
}

TransferProgress::TransferProgress() = default;

TransferProgress::TransferProgress(std::FILE* out, int width) : m_area(out, width) {}

TransferProgress::~TransferProgress() {
  if (!m_area.enabled()) return;
  std::lock_guard lock(m_mutex);
  for (auto& item : m_items)
    if (item.state == Item::State::live) item.state = Item::State::waiting;
  redraw_locked(true);
}

TransferProgress::Item* TransferProgress::add(std::string kind, std::string name, uint64_t total) {
  if (!m_area.enabled()) return nullptr;
  std::lock_guard lock(m_mutex);
  return &m_items.emplace_back(std::move(kind), std::move(name), total);
}

void TransferProgress::start(Item* item) {
  if (!item) return;
  std::lock_guard lock(m_mutex);
  item->state = Item::State::live;
  item->started = Clock::now();
  if (!m_started) m_first_start = item->started;
  m_started = true;
  redraw_locked(true);
}

void TransferProgress::restart(Item* item, std::string name, uint64_t total) {
  if (!item) return;
  std::lock_guard lock(m_mutex);
  item->name = std::move(name);
  item->total = total;
  item->done = 0;
  item->started = Clock::now();
  redraw_locked(true);
}

void TransferProgress::advance(Item* item, uint64_t bytes) {
  if (!item) return;
  item->done.fetch_add(bytes, std::memory_order_relaxed);
  if (ticks(Clock::now()) < m_next_draw.load(std::memory_order_relaxed)) return;
  // A thread that finds another drawing leaves it to that one.
  std::unique_lock lock(m_mutex, std::try_to_lock);
  if (lock.owns_lock()) redraw_locked(false);
}

void TransferProgress::finish(Item* item, Outcome outcome) {
  if (!item) return;
  std::lock_guard lock(m_mutex);
  if (item->state == Item::State::finished) return;
  item->state = Item::State::finished;
  std::string head = line_head(*item);
  switch (outcome) {
    case Outcome::done:
      item->done = item->total;
      m_finished_lines.push_back(head + "done  " + human_bytes(item->total));
      break;
    case Outcome::skipped:
      item->skipped = true;
      m_finished_lines.push_back(head + "skipped: already exists");
      break;
    case Outcome::failed:
      item->skipped = true;  // its bytes leave the total
      break;
  }
  redraw_locked(true);
}

std::string TransferProgress::live_line(const Item& item, Clock::time_point now) const {
  uint64_t done = item.done.load(std::memory_order_relaxed);
  std::string line = line_head(item);
  if (item.total > 0) {
    int filled = static_cast<int>(std::min(done, item.total) * k_bar_width / item.total);
    std::string bar(static_cast<size_t>(filled), '=');
    if (filled < k_bar_width) bar += '>';
    bar.resize(k_bar_width, ' ');
    line += "[" + bar + "]  ";
  }
  line += human_bytes(done) + " / " + human_bytes(item.total);
  std::string r = rate(done, now - item.started);
  if (!r.empty()) line += "  " + r;
  return line;
}

std::string TransferProgress::total_line(Clock::time_point now) const {
  size_t finished = 0;
  uint64_t done = 0;
  uint64_t total = 0;
  for (const auto& item : m_items) {
    if (item.state == Item::State::finished) ++finished;
    if (item.skipped) continue;
    done += std::min(item.done.load(std::memory_order_relaxed), item.total);
    total += item.total;
  }
  std::string line = "Total  " + std::to_string(finished) + "/" + std::to_string(m_items.size()) +
                     " blobs  " + human_bytes(done) + " / " + human_bytes(total);
  std::string r = rate(done, now - m_first_start);
  if (!r.empty()) line += "  " + r;
  return line;
}

void TransferProgress::redraw_locked(bool force) {
  auto now = Clock::now();
  if (!force && ticks(now) < m_next_draw.load(std::memory_order_relaxed)) return;
  m_next_draw.store(ticks(now + k_redraw_interval), std::memory_order_relaxed);
  std::vector<std::string> live;
  for (const auto& item : m_items)
    if (item.state == Item::State::live) live.push_back(live_line(item, now));
  if (!live.empty()) live.push_back(total_line(now));
  m_area.draw(m_finished_lines, live);
  m_finished_lines.clear();
}

}  // namespace pith
