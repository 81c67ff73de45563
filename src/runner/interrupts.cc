// Signals turned into a readable pipe for the length of a run.
#include "runner/interrupts.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>

namespace pith::runner {

namespace {

constexpr std::array k_signals = {SIGINT, SIGTERM, SIGHUP};

volatile sig_atomic_t g_caught = 0;
int g_write_fd = -1;
std::atomic<bool> g_installed{false};
std::array<struct sigaction, k_signals.size()> g_previous{};

void on_signal(int sig) {
  int saved = errno;
  if (g_caught == 0) g_caught = sig;
  char byte = 1;
  [[maybe_unused]] ssize_t n = ::write(g_write_fd, &byte, 1);  // full pipe: already readable
  errno = saved;
}

}  // namespace

Result<InterruptGuard> InterruptGuard::install() {
  if (g_installed.exchange(true)) return make_error("a run is already in progress");
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    g_installed = false;
    return make_error("pipe: " + errno_text(errno));
  }
  g_caught = 0;
  g_write_fd = fds[1];
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (size_t i = 0; i < k_signals.size(); ++i) {
    ::sigaction(k_signals[i], nullptr, &g_previous[i]);
    // An ignored signal (nohup's SIGHUP) stays ignored.
    if (g_previous[i].sa_handler != SIG_IGN) ::sigaction(k_signals[i], &action, nullptr);
  }
  return InterruptGuard(UniqueFd(fds[0]));
}

InterruptGuard::InterruptGuard(InterruptGuard&& o) noexcept
    : m_read(std::move(o.m_read)), m_active(o.m_active) {
  o.m_active = false;
}

int InterruptGuard::caught() const {
  return g_caught;
}

InterruptGuard::~InterruptGuard() {
  if (!m_active) return;
  for (size_t i = 0; i < k_signals.size(); ++i) ::sigaction(k_signals[i], &g_previous[i], nullptr);
  ::close(g_write_fd);
  g_write_fd = -1;
  int sig = g_caught;
  g_caught = 0;
  g_installed = false;
  if (sig != 0) ::raise(sig);
}

}  // namespace pith::runner
