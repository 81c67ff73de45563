// config.json of a RUN, written with nlohmann::json; field names from the OCI runtime spec.
#include "runner/oci_config.h"

#include <nlohmann/json.hpp>

namespace pith::runner {

namespace {

using Json = nlohmann::ordered_json;

// podman's default_capabilities (containers.conf), which `podman build` gives RUN.
const std::vector<std::string> k_capabilities = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE",     "CAP_FOWNER",    "CAP_FSETID",
    "CAP_KILL",    "CAP_NET_BIND_SERVICE", "CAP_SETFCAP",   "CAP_SETGID",
    "CAP_SETPCAP", "CAP_SETUID",           "CAP_SYS_CHROOT"};

// runc spec's defaults: kernel files a container must not read or write.
const std::vector<std::string> k_masked_paths = {
    "/proc/acpi",          "/proc/asound",     "/proc/kcore",       "/proc/keys",
    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
    "/sys/firmware",       "/proc/scsi"};
const std::vector<std::string> k_readonly_paths = {"/proc/bus", "/proc/fs", "/proc/irq",
                                                   "/proc/sys", "/proc/sysrq-trigger"};

Json mount_entry(const std::string& destination, const std::string& type, const std::string& source,
                 const std::vector<std::string>& options) {
  return Json{
      {"destination", destination}, {"type", type}, {"source", source}, {"options", options}};
}

Json bind_read_only(const std::string& destination, const std::string& source) {
  return mount_entry(destination, "bind", source, {"rbind", "ro", "nosuid", "nodev", "noexec"});
}

Json run_mount(const Mount& m, const std::string& source) {
  std::vector<std::string> options;
  switch (m.kind) {
    case MountKind::tmpfs:
      options = {"nosuid"};
      if (m.read_only) options.push_back("ro");
      if (m.size_limit > 0) options.push_back("size=" + std::to_string(m.size_limit));
      return mount_entry(m.target, "tmpfs", "tmpfs", options);
    case MountKind::secret:
      options = {"ro", "rbind", "nodev", "nosuid"};
      if ((m.mode & 0111) == 0) options.push_back("noexec");
      return mount_entry(m.target, "bind", source, options);
    case MountKind::bind:
    case MountKind::cache:
      options = {"rbind"};
      if (m.read_only) options.push_back("ro");
      return mount_entry(m.target, "bind", source, options);
  }
  return {};
}

}  // namespace

std::string oci_config(const RunSpec& spec, const BundleFiles& files) {
  std::vector<std::string> names = k_capabilities;
  names.insert(names.end(), spec.add_capabilities.begin(), spec.add_capabilities.end());
  Json caps = names;
  Json granted = spec.uid == 0 ? caps : Json::array();
  Json process = {
      {"terminal", false},
      {"user", {{"uid", spec.uid}, {"gid", spec.gid}}},
      {"args", spec.argv},
      {"env", spec.env},
      {"cwd", spec.cwd},
      {"capabilities", {{"bounding", caps}, {"effective", granted}, {"permitted", granted}}},
      {"noNewPrivileges", false},
  };
  if (!spec.additional_gids.empty()) process["user"]["additionalGids"] = spec.additional_gids;

  Json mounts = Json::array({
      mount_entry("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}),
      mount_entry("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      mount_entry("/dev/pts", "devpts", "devpts",
                  {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
      mount_entry("/dev/shm", "tmpfs", "shm",
                  {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
      mount_entry("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
      mount_entry("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
      bind_read_only("/etc/hosts", files.hosts),
      bind_read_only("/etc/hostname", files.hostname),
      bind_read_only("/etc/resolv.conf", files.resolv_conf),
  });
  for (size_t i = 0; i < spec.mounts.size(); ++i)
    mounts.push_back(
        run_mount(spec.mounts[i], i < files.mount_sources.size() ? files.mount_sources[i] : ""));

  Json namespaces =
      Json::array({{{"type", "pid"}}, {{"type", "ipc"}}, {{"type", "uts"}}, {{"type", "mount"}}});
  if (spec.network == Network::none) namespaces.push_back(Json{{"type", "network"}});

  Json config = {
      {"ociVersion", "1.0.2"},
      {"process", process},
      {"root", {{"path", files.rootfs}, {"readonly", false}}},
      {"hostname", spec.hostname},
      {"mounts", mounts},
      {"linux",
       {{"namespaces", namespaces},
        {"maskedPaths", k_masked_paths},
        {"readonlyPaths", k_readonly_paths}}},
  };
  return config.dump(2) + "\n";
}

std::string hosts_file(const RunSpec& spec, const std::string& host_hosts) {
  std::string out;
  if (spec.network == Network::host && !host_hosts.empty()) {
    out = host_hosts;
    if (out.back() != '\n') out += '\n';
  } else {
    out = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";
  }
  return out + "127.0.1.1\t" + spec.hostname + "\n";
}

std::string hostname_file(const RunSpec& spec) {
  return spec.hostname + "\n";
}

}  // namespace pith::runner
