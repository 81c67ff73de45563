#include "slim/trace.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "lint/access.h"
#include "runner/run.h"
#include "util/file.h"

namespace pith::slim {

namespace {

constexpr const char* k_tracer_in_container = "/.pith/tracer";
constexpr const char* k_control_in_container = "/.pith/out";
constexpr uint64_t k_max_paths_file = uint64_t{256} << 20;

// pith-tracer beside the pith binary (the build puts both in one folder), or $PITH_TRACER.
Result<std::string> tracer_path() {
  if (const char* env = std::getenv("PITH_TRACER"); env && *env) return std::string(env);
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return make_error("--trace: cannot find pith's own folder: " + ec.message());
  std::string path = (self.parent_path() / "pith-tracer").string();
  if (::access(path.c_str(), X_OK) != 0)
    return make_error("--trace: " + path + " is missing (it is built with pith)");
  return path;
}

// One HTTP/1.0 GET of 127.0.0.1:PORT/PATH: the status, the body's size; nullopt when nothing
// listens (yet).
std::optional<ProbeAnswer> http_get(const HttpProbe& p) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  UniqueFd guard(fd);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(p.port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return std::nullopt;
  std::string request = "GET " + p.path + " HTTP/1.0\r\nHost: localhost\r\n\r\n";
  if (::write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size()))
    return std::nullopt;
  std::string response;
  char buf[65536];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0 && response.size() < (64u << 20);)
    response.append(buf, static_cast<size_t>(n));
  ProbeAnswer a;
  a.probe = std::to_string(p.port) + p.path;
  if (response.rfind("HTTP/", 0) == 0 && response.size() > 12)
    a.status = std::atoi(response.c_str() + 9);
  auto body = response.find("\r\n\r\n");
  a.bytes = body == std::string::npos ? 0 : response.size() - body - 4;
  return a;
}

// The image's accounts read through RootDir: an /etc/passwd that is a link to /etc/shadow
// resolves inside the image, never on the host.
Result<lint::Identity> run_as(const std::string& root_dir, const std::string& user) {
  if (user.empty()) return lint::Identity{};
  auto root = TRY(RootDir::open(root_dir));
  auto read = [&](const char* path) {
    auto text = root.read_file(path, 16 << 20);
    return text ? *text : std::string();
  };
  auto id = lint::identity_of(user, read("/etc/passwd"), read("/etc/group"));
  if (!id) return make_error("--trace: the image's user " + user + " is not in its /etc/passwd");
  return *id;
}

}  // namespace

Result<HttpProbe> HttpProbe::parse(std::string_view text) {
  auto slash = text.find('/');
  std::string port(text.substr(0, slash));
  HttpProbe p;
  p.port = std::atoi(port.c_str());
  if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos || p.port < 1 ||
      p.port > 65535)
    return make_error("--http-probe " + std::string(text) + ": expected PORT/PATH (8080/health)");
  p.path = slash == std::string_view::npos ? "/" : std::string(text.substr(slash));
  return p;
}

Result<TraceResult> trace(const TraceSpec& spec) {
  const std::string tracer = TRY(tracer_path());
  auto id = TRY(run_as(spec.root_dir, spec.user));
  // The control folder: the probes' argv, then `go`, and the tracer's results.
  TempDir control = TRY(TempDir::create_beside(temp_directory() + "/pith-trace", 0700));
  ::chmod(control.path().c_str(), 0777);  // the tracer runs as the image's user
  for (size_t i = 0; i < spec.probe_cmds.size(); ++i) {
    std::string argv;
    for (const auto& word : spec.probe_cmds[i]) argv += word + '\0';
    TRY(write_file_atomic(control.path() + "/probe-" + std::to_string(i), argv));
  }

  runner::RunSpec run;
  run.lowers = {spec.root_dir};
  run.argv = {k_tracer_in_container, k_control_in_container, "--"};
  run.argv.insert(run.argv.end(), spec.argv.begin(), spec.argv.end());
  run.env = spec.env;
  run.uid = static_cast<uint32_t>(id.uid);
  run.gid = static_cast<uint32_t>(id.gid);
  for (auto g : id.groups) run.additional_gids.push_back(static_cast<uint32_t>(g));
  run.cwd = spec.cwd.empty() ? "/" : spec.cwd;
  run.network = runner::Network::host;  // the HTTP probes reach its ports on loopback
  // A server that drops privileges (setuid) becomes non-dumpable: reading its memory then
  // takes CAP_SYS_PTRACE, even for its tracer.
  run.add_capabilities = {"CAP_SYS_PTRACE"};
  run.scratch_dir = temp_directory();
  run.mounts.push_back({runner::MountKind::bind, k_tracer_in_container, tracer, true});
  run.mounts.push_back({runner::MountKind::cache, k_control_in_container, control.path()});
  std::sort(run.mounts.begin(), run.mounts.end(),
            [](const auto& a, const auto& b) { return a.target < b.target; });
  auto container = TRY(runner::Run::prepare(run).wrap("--trace"));

  // The HTTP probes run from here while the container runs; then `go` lets the probe
  // commands run in it, and the tracer ends the run.
  TraceResult result;
  std::atomic<bool> ended{false};
  std::vector<std::string> probe_errors;
  std::thread prober([&] {
    // With no HTTP probe: a second for the program to start before the probe commands, or,
    // with no probe at all, until it ends by itself or its time is up.
    if (spec.http_probes.empty()) {
      auto wait = spec.probe_cmds.empty() ? spec.wait : std::chrono::seconds(1);
      auto deadline = std::chrono::steady_clock::now() + wait;
      while (!ended && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    for (const auto& p : spec.http_probes) {
      auto deadline = std::chrono::steady_clock::now() + spec.wait;
      std::optional<ProbeAnswer> answer;
      while (!ended && std::chrono::steady_clock::now() < deadline && !(answer = http_get(p)))
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      if (answer)
        result.answers.push_back(*answer);
      else
        probe_errors.push_back("--http-probe " + std::to_string(p.port) + p.path +
                               ": nothing answered on port " + std::to_string(p.port));
    }
    (void)write_file_atomic(control.path() + "/go", "");
  });
  std::string tail;
  auto ran = container->execute([&](runner::Stream, std::string_view bytes) {
    tail.append(bytes);
    if (tail.size() > 4096) tail.erase(0, tail.size() - 4096);
  });
  ended = true;
  prober.join();
  if (!ran) return make_error("--trace: " + ran.error().message);
  // A probe nobody answered traced nothing of what it was for.
  if (!probe_errors.empty())
    return make_error(probe_errors.front() + " within " + std::to_string(spec.wait.count()) +
                      " s (the program's output: " +
                      tail.substr(tail.size() > 300 ? tail.size() - 300 : 0) + ")");
  auto paths = TRY(read_file(control.path() + "/paths", k_max_paths_file).wrap("--trace"));
  size_t start = 0;
  while (start < paths.size()) {
    size_t end = paths.find('\n', start);
    if (end == std::string::npos) end = paths.size();
    if (end > start) result.paths.insert(paths.substr(start, end - start));
    start = end + 1;
  }
  auto status = read_file(control.path() + "/status", 4096);
  result.status = status ? *status : "";
  while (!result.status.empty() && result.status.back() == '\n') result.status.pop_back();
  return result;
}

Result<void> keep_traced(const RootDir& root, const std::set<std::string>& paths, Keep& keep) {
  for (const auto& raw : paths) {
    // Lexically normal: "/a/./b/../c" -> "/a/c".
    std::string path = std::filesystem::path(raw).lexically_normal().string();
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    bool skipped = false;
    for (const char* p : {"/proc", "/sys", "/dev", "/.pith"})
      if (path == p || path.rfind(std::string(p) + "/", 0) == 0) skipped = true;
    if (skipped || path.empty() || path.front() != '/') continue;
    // The path itself when the root has it, else its nearest folder that it has.
    for (std::string p = path;; p = dir_of(p)) {
      auto resolved = root.resolve(p);
      if (resolved) {
        auto st = TRY(root.lstat(resolved->path));
        if (S_ISDIR(st.st_mode)) {
          if (resolved->path != "/") keep.dirs.insert(resolved->path);
        } else if (S_ISREG(st.st_mode))
          keep.add(p, p == path ? "--trace: opened" : "--trace: the folder of " + path);
        break;
      }
      if (p == "/") break;
    }
  }
  return {};
}

}  // namespace pith::slim
