// A redraw moves the cursor up over the live lines it drew last time, erases to the end of the
// screen, prints the lasting lines, then the live lines again.
#include "util/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>

namespace pith {

LiveArea::LiveArea() {
  if (::isatty(STDERR_FILENO) != 0) m_out = stderr;
}

LiveArea::LiveArea(std::FILE* out, int width) : m_out(out), m_fixed_width(width) {}

int LiveArea::width() const {
  if (m_fixed_width > 0) return m_fixed_width;
  winsize ws{};
  if (::ioctl(::fileno(m_out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

void LiveArea::draw(const std::vector<std::string>& lasting, const std::vector<std::string>& live) {
  if (!m_out || (m_live_lines == 0 && lasting.empty() && live.empty())) return;
  size_t cut = static_cast<size_t>(std::max(width() - 1, 20));
  std::string out;
  if (m_live_lines > 0) out += "\r\033[" + std::to_string(m_live_lines) + "A";
  out += "\033[J";
  for (const auto& line : lasting) out += line.substr(0, cut) + "\n";
  for (const auto& line : live) out += line.substr(0, cut) + "\n";
  m_live_lines = static_cast<int>(live.size());
  std::fwrite(out.data(), 1, out.size(), m_out);
  std::fflush(m_out);
}

}  // namespace pith
