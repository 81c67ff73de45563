// runc as a child process: spawned with posix_spawn (safe in a process with threads), in a
// process group of its own so a terminal's Ctrl-C reaches pith alone, which then decides.
#include "runner/runc.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <optional>

#include "util/escape.h"
#include "util/file.h"

extern char** environ;

namespace pith::runner {

namespace {

constexpr size_t k_max_line = 300;  // bytes of one output line kept for an error message

// Starts `runc ARGS...` with the given stdio, default signal handling, its own process group.
Result<pid_t> spawn_runc(const std::vector<std::string>& args, int in, int out, int err) {
  std::vector<std::string> argv = {"runc"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in, 0);
  posix_spawn_file_actions_adddup2(&actions, out, 1);
  posix_spawn_file_actions_adddup2(&actions, err, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(
      &attr,
      static_cast<short>(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP));
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, "runc", &actions, &attr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc == ENOENT) return make_error("runc: not found in PATH");
  if (rc != 0) return make_error("runc: " + errno_text(rc));
  return pid;
}

// waitpid without blocking: the status once the child ended.
std::optional<int> reap(pid_t pid) {
  int status = 0;
  pid_t r;
  do r = ::waitpid(pid, &status, WNOHANG);
  while (r < 0 && errno == EINTR);
  if (r == pid) return status;
  return std::nullopt;
}

int wait_blocking(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

std::string signal_name(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

}  // namespace

void OutputTail::add(std::string_view bytes) {
  while (!bytes.empty()) {
    size_t nl = bytes.find('\n');
    std::string_view piece = bytes.substr(0, nl);
    if (!m_open) {
      m_lines.emplace_back();
      if (m_lines.size() > m_max) m_lines.pop_front();
    }
    std::string& line = m_lines.back();
    line.append(piece.substr(0, k_max_line - std::min(k_max_line, line.size())));
    m_open = nl == std::string_view::npos;
    bytes = m_open ? std::string_view() : bytes.substr(nl + 1);
  }
}

std::string OutputTail::text() const {
  std::string out;
  for (const auto& line : m_lines) out += (out.empty() ? "" : "; ") + escape_text(line);
  return out;
}

Result<int> runc_run(const Runc& runc, const OutputFn& output, OutputTail& tail,
                     const InterruptGuard& interrupts) {
  UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
  int out[2], err[2];
  if (!null || ::pipe2(out, O_CLOEXEC) != 0) return make_error("pipe: " + errno_text(errno));
  UniqueFd out_read(out[0]), out_write(out[1]);
  if (::pipe2(err, O_CLOEXEC) != 0) return make_error("pipe: " + errno_text(errno));
  UniqueFd err_read(err[0]), err_write(err[1]);
  pid_t pid = TRY(spawn_runc({"--root", runc.root, "run", "--bundle", runc.bundle, runc.id},
                             null.get(), out_write.get(), err_write.get()));
  out_write.reset();
  err_write.reset();

  // runc's end is watched through a pidfd, so poll wakes for it as for output or a signal.
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd) {
    ::kill(-pid, SIGKILL);
    wait_blocking(pid);
    return make_error("pidfd_open: " + errno_text(errno));
  }
  std::array<pollfd, 4> fds = {pollfd{out_read.get(), POLLIN, 0}, pollfd{err_read.get(), POLLIN, 0},
                               pollfd{interrupts.fd(), POLLIN, 0}, pollfd{pidfd.get(), POLLIN, 0}};
  std::optional<int> status;
  int interrupted = 0;
  auto kill_deadline = std::chrono::steady_clock::time_point::max();
  std::vector<char> buffer(1 << 16);
  while (fds[0].fd >= 0 || fds[1].fd >= 0 || !status) {
    // Waiting for output, runc's end or a signal; every 100 ms while stopping the container;
    // at most 2 s for the pipes once runc is gone (a stray process may hold them).
    int timeout = interrupted && !status ? 100 : status ? 2000 : -1;
    int n = ::poll(fds.data(), fds.size(), timeout);
    if (n < 0 && errno != EINTR) return make_error("poll: " + errno_text(errno));
    if (n == 0 && status) break;
    for (size_t i = 0; i < 2 && n > 0; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t got = ::read(fds[i].fd, buffer.data(), buffer.size());
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        fds[i].fd = -1;
        continue;
      }
      std::string_view bytes(buffer.data(), static_cast<size_t>(got));
      tail.add(bytes);
      if (output) output(i == 0 ? Stream::out : Stream::err, bytes);
    }
    if (!interrupted && interrupts.caught() != 0) {
      interrupted = interrupts.caught();
      fds[2].fd = -1;
      kill_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    }
    if (!status && ((fds[3].revents & POLLIN) || interrupted)) status = reap(pid);
    if (status) fds[3].fd = -1;
    if (interrupted && !status) {
      // Again until runc run returns: the container may not exist yet on the first try.
      TRY(runc_delete(runc));
      if (std::chrono::steady_clock::now() > kill_deadline) {
        ::kill(-pid, SIGKILL);
        status = wait_blocking(pid);
      }
    }
  }
  if (interrupted) return make_error("interrupted by " + signal_name(interrupted));
  if (WIFSIGNALED(*status)) return 128 + WTERMSIG(*status);
  return WEXITSTATUS(*status);
}

Result<void> runc_delete(const Runc& runc) {
  // No state, no container: `runc run` removed it on its way out (or never made it).
  struct stat st {};
  if (::lstat((runc.root + "/" + runc.id).c_str(), &st) != 0 && errno == ENOENT) return {};
  UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!null) return make_error("/dev/null: " + errno_text(errno));
  pid_t pid = TRY(spawn_runc({"--root", runc.root, "delete", "-f", runc.id}, null.get(), null.get(),
                             null.get()));
  wait_blocking(pid);
  return {};
}

}  // namespace pith::runner
