// A RUN's life: prepared, executed, its upper dir written as a layer, everything undone.
#include "runner/run.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "runner/init_layer.h"
#include "runner/oci_config.h"
#include "util/escape.h"

namespace pith::runner {

namespace {

constexpr size_t k_tail_lines = 5;

std::string unique_id() {
  std::random_device random;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%08x%08x", random(), random());
  return "pith-" + std::to_string(::getpid()) + "-" + hex;
}

// The command as an error names it: its words, shortened.
std::string shown_command(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& word : argv) out += (out.empty() ? "" : " ") + word;
  if (out.size() > 80) out = out.substr(0, 77) + "...";
  return escape_text(out);
}

// A file of the run's own directory: written once, read by runc; no rename or fsync needed.
Result<void> write_small(const std::string& path, std::string_view data) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd) return make_error(path + ": " + errno_text(errno));
  return write_all_fd(fd.get(), std::as_bytes(std::span(data))).wrap(path);
}

Result<void> make_dir(const std::string& path, mode_t mode) {
  if (::mkdir(path.c_str(), mode) != 0) return make_error(path + ": " + errno_text(errno));
  return {};
}

}  // namespace

Result<std::unique_ptr<Run>> Run::prepare(const RunSpec& spec) {
  if (spec.argv.empty() && !spec.mount_only) return make_error("run: no command");
  InterruptGuard guard = TRY(InterruptGuard::install());
  std::string scratch = spec.scratch_dir.empty() ? temp_directory() : spec.scratch_dir;
  std::error_code ec;
  std::filesystem::create_directories(scratch, ec);
  if (ec) return make_error(scratch + ": " + ec.message());
  // 0700: the upper dir may receive setuid files.
  TempDir dir = TRY(TempDir::create_beside(scratch + "/run", 0700));
  std::unique_ptr<Run> run(new Run(std::move(guard), std::move(dir), spec));
  TRY(run->setup());
  return run;
}

Result<void> Run::setup() {
  const std::string& dir = m_dir.path();
  for (const char* sub : {"upper", "work", "init", "rootfs", "runc", "l"})
    TRY(make_dir(dir + "/" + sub, 0755));
  LowerView image(m_spec.lowers);
  if (!m_spec.mount_only) {
    m_spec.mounts = mount_order(std::move(m_spec.mounts));
    m_stubs = TRY(make_init_layer(dir + "/init", image, TRY(mount_targets(m_spec.mounts))));
  }
  // overlayfs shows the upper dir's root: the image's root's owner and mode.
  if (auto root = TRY(image.lookup(""))) {
    std::string upper = dir + "/upper";
    if (::chown(upper.c_str(), root->st_uid, root->st_gid) != 0 ||
        ::chmod(upper.c_str(), root->st_mode & 07777) != 0)
      return make_error(upper + ": " + errno_text(errno));
  }

  BundleFiles files{dir + "/rootfs", dir + "/hosts", dir + "/hostname", dir + "/resolv.conf", {}};
  if (!m_spec.mount_only) {
    m_host = TRY(make_host_mounts(dir, m_spec.mounts));
    files.mount_sources = m_host.sources;
    TRY(write_bundle(files));
  }

  // The layers by short names (l/0, l/1, ...: symlinks overlayfs follows), so that the mount
  // options of hundreds of layers fit in the page the kernel reads.
  std::vector<std::string> lowers = {"init"};
  for (size_t i = 0; i < m_spec.lowers.size(); ++i) {
    std::string name = "l/" + std::to_string(i);
    std::string layer = std::filesystem::absolute(m_spec.lowers[i]).string();
    if (::symlink(layer.c_str(), (dir + "/" + name).c_str()) != 0)
      return make_error(dir + "/" + name + ": " + errno_text(errno));
    lowers.push_back(std::move(name));
  }
  m_mount.emplace(TRY(OverlayMount::mount(dir, lowers, "upper", "work", files.rootfs)));
  m_runc = Runc{dir + "/runc", dir, unique_id()};
  return {};
}

Result<void> Run::write_bundle(const BundleFiles& files) {
  const std::string& dir = m_dir.path();
  auto host_hosts = read_file("/etc/hosts", 1 << 20);
  auto host_resolv = read_file("/etc/resolv.conf", 1 << 20);
  TRY(write_small(files.hosts, hosts_file(m_spec, host_hosts ? *host_hosts : "")));
  TRY(write_small(files.hostname, hostname_file(m_spec)));
  TRY(write_small(files.resolv_conf, host_resolv ? *host_resolv : ""));
  return write_small(dir + "/config.json", oci_config(m_spec, files));
}

Result<void> Run::execute(const OutputFn& output) {
  if (m_spec.mount_only) return make_error("run: no command to execute");
  if (!m_mount) return make_error("run: executed twice");
  m_container = true;
  OutputTail tail(k_tail_lines);
  auto status = runc_run(m_runc, output, tail, m_guard);
  auto stopped = stop();
  std::string command = shown_command(m_spec.argv);
  if (!status) return std::move(status).error().wrap(command);
  TRY(std::move(stopped).wrap(command));
  if (*status != 0) {
    std::string last = tail.text();
    return make_error(command + ": exited with status " + std::to_string(*status) +
                      (last.empty() ? "" : "; last output: " + last));
  }
  return {};
}

Result<void> Run::write_layer(ByteSink& out, std::optional<int64_t> source_date_epoch) {
  if (m_mount) return make_error("run: the layer is written after the command ran");
  LayerOptions options;
  options.source_date_epoch = source_date_epoch;
  options.skip = m_stubs;
  options.cancelled = [this] { return m_guard.caught() != 0; };
  return write_upper_layer(m_dir.path() + "/upper", LowerView(m_spec.lowers), options, out);
}

Result<void> Run::unmount() {
  if (!m_spec.mount_only) return make_error("run: unmounted when its command ends");
  return stop();
}

Result<std::string> Run::keep_upper(LayerStore& store, const oci::Digest& diff_id) {
  if (m_mount) return make_error("run: the upper dir is kept once unmounted");
  return store.adopt(diff_id, m_dir.path() + "/upper");
}

// The container gone, then its root unmounted (runc's processes may hold it until then).
Result<void> Run::stop() {
  Result<void> deleted;
  if (m_container) {
    deleted = runc_delete(m_runc);
    m_container = false;
  }
  if (m_mount) {
    TRY(m_mount->unmount());
    m_mount.reset();
  }
  for (auto it = m_host.held.rbegin(); it != m_host.held.rend(); ++it) TRY(it->unmount());
  m_host.held.clear();
  return deleted;
}

Run::~Run() {
  // A directory still mounted is left where it is: removing it would go through the mount.
  (void)stop();
  if (m_mount || !m_host.held.empty()) m_dir.release();
}

}  // namespace pith::runner
