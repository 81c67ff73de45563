// pith-tracer: runs inside the container `pith slim --trace` starts (bound read-only at
// /.pith/tracer; a static program, since the image may hold no libc it could use) and records
// every path the program's process tree opens, stats, execs, reads as a link or changes into,
// failed lookups included, while the probes run.
//
//   pith-tracer CONTROL_DIR -- PROGRAM ARGS...
//
// CONTROL_DIR (bound writable at /.pith/out) is how pith and the tracer talk:
//   probe-N      (pith, before the start) the argv of probe command N, NUL-separated;
//   go           (pith) the program is ready for the probes (pith's HTTP probes have been
//                answered, or it had a second to start), or its time is up;
//   paths        (tracer, at the end) every path recorded, one per line, sorted;
//   status       (tracer, at the end) "exit N" of the program, or "killed" when the tracer
//                stopped it after the probes.
// The tracer runs the program, waits for `go` (while tracing), runs each probe command in
// turn (traced too) to its end, then stops what still runs (SIGKILL to every tracee) and
// writes its files. A program that ends before `go` is fine: the probes still run; one that
// ends with no probe commands to run ends the trace.
// Linux only (PTRACE_GET_SYSCALL_INFO, 5.3+); every architecture's syscall numbers through
// <sys/syscall.h>.
#include <fcntl.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

constexpr size_t k_max_paths = 1 << 20;  // recorded paths kept (a runaway loop stays bounded)

// Where the path argument of a syscall is: its index, and the dirfd's index (-1: none).
struct PathArg {
  int path;
  int dirfd;
};

bool path_arg(unsigned long nr, PathArg& out) {
  switch (nr) {
#ifdef SYS_open
    case SYS_open:
#endif
#ifdef SYS_creat
    case SYS_creat:
#endif
#ifdef SYS_stat
    case SYS_stat:
#endif
#ifdef SYS_lstat
    case SYS_lstat:
#endif
#ifdef SYS_access
    case SYS_access:
#endif
#ifdef SYS_readlink
    case SYS_readlink:
#endif
    case SYS_execve:
    case SYS_chdir:
    case SYS_statfs:
      out = {0, -1};
      return true;
    case SYS_openat:
#ifdef SYS_openat2
    case SYS_openat2:
#endif
#ifdef SYS_newfstatat
    case SYS_newfstatat:
#endif
#ifdef SYS_fstatat64
    case SYS_fstatat64:
#endif
    case SYS_statx:
    case SYS_faccessat:
#ifdef SYS_faccessat2
    case SYS_faccessat2:
#endif
    case SYS_readlinkat:
    case SYS_execveat:
      out = {1, 0};
      return true;
    default:
      return false;
  }
}

// The same with PTRACE_PEEKDATA, a word at a time: what works once the tracee changed its
// uid (a server dropping privileges), where process_vm_readv needs CAP_SYS_PTRACE.
bool peek_string(pid_t pid, unsigned long addr, std::string& out) {
  out.clear();
  while (out.size() < PATH_MAX) {
    errno = 0;
    long word = ptrace(PTRACE_PEEKDATA, pid, reinterpret_cast<void*>(addr), nullptr);
    if (errno != 0) return !out.empty();
    const char* bytes = reinterpret_cast<const char*>(&word);
    for (size_t i = 0; i < sizeof word; ++i) {
      if (bytes[i] == '\0') return true;
      out += bytes[i];
    }
    addr += sizeof word;
  }
  return true;
}

// A NUL-terminated string of the tracee's memory (at most PATH_MAX bytes).
bool read_string(pid_t pid, unsigned long addr, std::string& out) {
  out.clear();
  char buf[256];
  while (out.size() < PATH_MAX) {
    // Never across a page boundary in one read: the next page may be unmapped.
    size_t room = 4096 - (addr % 4096);
    size_t want = room < sizeof buf ? room : sizeof buf;
    iovec local{buf, want};
    iovec remote{reinterpret_cast<void*>(addr), want};
    ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
    if (n <= 0) return out.empty() ? peek_string(pid, addr, out) : true;
    size_t len = strnlen(buf, static_cast<size_t>(n));
    out.append(buf, len);
    if (len < static_cast<size_t>(n)) return true;
    addr += static_cast<unsigned long>(n);
  }
  return true;
}

std::string link_of(const std::string& proc_path) {
  char buf[PATH_MAX];
  ssize_t n = readlink(proc_path.c_str(), buf, sizeof buf - 1);
  if (n <= 0) return "";
  return std::string(buf, static_cast<size_t>(n));
}

struct Tracer {
  std::string control;
  std::set<std::string> paths;
  std::set<pid_t> tracees;
  pid_t program = -1;
  int program_status = -1;
  pid_t probe = -1;  // the probe command running
  size_t next_probe = 0;
  std::vector<std::vector<std::string>> probes;
  bool go = false;

  void record(pid_t pid, const __ptrace_syscall_info& info) {
    PathArg arg{};
    if (!path_arg(static_cast<unsigned long>(info.entry.nr), arg)) return;
    std::string path;
    if (!read_string(pid, static_cast<unsigned long>(info.entry.args[arg.path]), path) ||
        path.empty())
      return;
    if (path.front() != '/') {
      // Relative to the working directory, or to the directory a dirfd names.
      auto fd = static_cast<int>(info.entry.args[arg.dirfd < 0 ? 0 : arg.dirfd]);
      std::string base =
          arg.dirfd < 0 || fd == AT_FDCWD
              ? link_of("/proc/" + std::to_string(pid) + "/cwd")
              : link_of("/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd));
      if (base.empty() || base.front() != '/') return;
      path = (base == "/" ? "" : base) + "/" + path;
    }
    if (paths.size() < k_max_paths) paths.insert(path);
  }

  // Starts ARGV as a traced child; its first stop is its SIGSTOP before exec.
  pid_t start(const std::vector<std::string>& argv) {
    pid_t pid = fork();
    if (pid == 0) {
      ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
      raise(SIGSTOP);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execvp(args[0], args.data());
      std::fprintf(stderr, "pith-tracer: %s: %s\n", args[0], std::strerror(errno));
      _exit(127);
    }
    if (pid < 0) return -1;
    int status = 0;
    while (waitpid(pid, &status, __WALL) < 0 && errno == EINTR) {
    }
    ptrace(PTRACE_SETOPTIONS, pid, nullptr,
           PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
               PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL);
    tracees.insert(pid);
    ptrace(PTRACE_SYSCALL, pid, nullptr, nullptr);
    return pid;
  }

  bool exists(const char* name) { return access((control + "/" + name).c_str(), F_OK) == 0; }

  void load_probes() {
    for (int i = 0;; ++i) {
      std::ifstream in(control + "/probe-" + std::to_string(i), std::ios::binary);
      if (!in) return;
      std::vector<std::string> argv;
      for (std::string word; std::getline(in, word, '\0');) argv.push_back(word);
      if (!argv.empty()) probes.push_back(argv);
    }
  }

  // Called between stops: the next probe once `go` is there and the previous one ended.
  void advance() {
    if (!go) go = exists("go");
    if (go && probe < 0 && next_probe < probes.size()) probe = start(probes[next_probe++]);
  }

  bool finished() const { return go && probe < 0 && next_probe >= probes.size(); }

  void on_exit(pid_t pid, int status) {
    tracees.erase(pid);
    if (pid == program) program_status = status;
    if (pid == probe) probe = -1;
  }

  int run() {
    for (;;) {
      advance();
      if (finished()) break;
      if (tracees.empty()) {
        // The program ended by itself: done, unless probe commands still wait for `go`.
        if (probes.empty() || next_probe >= probes.size()) break;
        usleep(50 * 1000);
        continue;
      }
      int status = 0;
      pid_t pid = waitpid(-1, &status, __WALL);
      if (pid < 0) {
        if (errno == EINTR) continue;  // the timer: look at the control files again
        if (errno == ECHILD) tracees.clear();
        continue;
      }
      if (WIFEXITED(status) || WIFSIGNALED(status)) {
        on_exit(pid, status);
        continue;
      }
      if (!WIFSTOPPED(status)) continue;
      tracees.insert(pid);
      int sig = WSTOPSIG(status);
      int event = status >> 16;
      if (sig == (SIGTRAP | 0x80)) {
        __ptrace_syscall_info info{};
        if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof info, &info) > 0 &&
            info.op == PTRACE_SYSCALL_INFO_ENTRY)
          record(pid, info);
        sig = 0;
      } else if (event != 0 || sig == SIGSTOP) {
        // A fork, clone or exec event, or the first stop of a new child: nothing to deliver.
        // (A real SIGSTOP sent to a tracee is lost: rare, and harmless for a trace.)
        sig = 0;
      }
      ptrace(PTRACE_SYSCALL, pid, nullptr, reinterpret_cast<void*>(static_cast<long>(sig)));
    }
    // The probes are done: stop whatever still runs (servers), then reap.
    bool killed = false;
    for (pid_t pid : tracees) {
      kill(pid, SIGKILL);
      killed = true;
    }
    while (!tracees.empty()) {
      int status = 0;
      pid_t pid = waitpid(-1, &status, __WALL);
      if (pid < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (WIFEXITED(status) || WIFSIGNALED(status)) on_exit(pid, status);
    }
    return write_results(killed);
  }

  int write_results(bool killed) {
    std::string tmp = control + "/paths.tmp";
    {
      std::ofstream out(tmp, std::ios::binary);
      for (const auto& p : paths) out << p << '\n';
      if (!out) return 1;
    }
    if (rename(tmp.c_str(), (control + "/paths").c_str()) != 0) return 1;
    std::ofstream status(control + "/status");
    if (program_status >= 0 && WIFEXITED(program_status) && !killed)
      status << "exit " << WEXITSTATUS(program_status) << '\n';
    else
      status << "killed\n";
    return 0;
  }
};

void on_alarm(int) {}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4 || std::strcmp(argv[2], "--") != 0) {
    std::fprintf(stderr, "usage: pith-tracer CONTROL_DIR -- PROGRAM ARGS...\n");
    return 2;
  }
  Tracer t;
  t.control = argv[1];
  t.load_probes();
  // A timer interrupts waitpid every 100 ms, so the control files are looked at while the
  // program runs (SA_RESTART off: waitpid returns EINTR).
  struct sigaction sa {};
  sa.sa_handler = on_alarm;
  sigaction(SIGALRM, &sa, nullptr);
  itimerval timer{{0, 100 * 1000}, {0, 100 * 1000}};
  setitimer(ITIMER_REAL, &timer, nullptr);
  std::vector<std::string> program(argv + 3, argv + argc);
  t.program = t.start(program);
  if (t.program < 0) {
    std::perror("pith-tracer: fork");
    return 1;
  }
  return t.run();
}
