// Transfer progress lines. A redraw moves the cursor up over the live lines it drew last time,
// erases to the end of the screen, prints the lines of blobs finished since (they scroll up and
// stay), then the live lines again. Lines are cut to the terminal's width: a wrapped line would
// make the count of lines to move up wrong.
#include "util/transfer_progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

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

TransferProgress::TransferProgress() {
  if (::isatty(STDERR_FILENO) != 0) m_out = stderr;
}

TransferProgress::TransferProgress(std::FILE* out, int width) : m_out(out), m_fixed_width(width) {}

TransferProgress::~TransferProgress() {
  if (!m_out) return;
  std::lock_guard lock(m_mutex);
  for (auto& item : m_items)
    if (item.state == Item::State::live) item.state = Item::State::waiting;
  redraw_locked(true);
}

TransferProgress::Item* TransferProgress::add(std::string kind, std::string name, uint64_t total) {
  if (!m_out) return nullptr;
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

int TransferProgress::width() const {
  if (m_fixed_width > 0) return m_fixed_width;
  winsize ws{};
  if (::ioctl(::fileno(m_out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
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
  bool any_live = std::any_of(m_items.begin(), m_items.end(),
                              [](const Item& i) { return i.state == Item::State::live; });
  if (m_live_lines == 0 && m_finished_lines.empty() && !any_live) return;
  size_t cut = static_cast<size_t>(std::max(width() - 1, 20));
  std::string out;
  if (m_live_lines > 0) out += "\r\033[" + std::to_string(m_live_lines) + "A";
  out += "\033[J";
  for (auto& line : m_finished_lines) out += line.substr(0, cut) + "\n";
  m_finished_lines.clear();
  int live = 0;
  for (const auto& item : m_items) {
    if (item.state != Item::State::live) continue;
    out += live_line(item, now).substr(0, cut) + "\n";
    ++live;
  }
  if (live > 0) {
    out += total_line(now).substr(0, cut) + "\n";
    ++live;
  }
  m_live_lines = live;
  std::fwrite(out.data(), 1, out.size(), m_out);
  std::fflush(m_out);
}

}  // namespace pith
