// The OCI runtime config (config.json) of a RUN: the minimal container podman's builder makes,
// with what a build step needs and nothing else. Capabilities are podman's defaults (kept
// whole for root; a non-root user keeps them in the bounding set only, as podman and Docker
// do), /proc, a tmpfs /dev with the usual devices (runc makes them), /dev/pts, /dev/shm,
// /dev/mqueue, read-only sysfs, /etc/hosts, /etc/hostname and /etc/resolv.conf bound
// read-only from generated files, no terminal, the host's network or a new empty one. No
// cgroup mount, no seccomp profile, no rlimits (the process keeps pith's). The RUN's own
// mounts come after these, a parent before what it holds, as BuildKit's executor gives them:
// binds "rbind" (+ "ro"), tmpfs "nosuid" (+ "size=N"), secrets "ro", "rbind", "nodev",
// "nosuid" (+ "noexec" unless the file's mode lets someone execute it).
#pragma once

#include <string>
#include <vector>

#include "runner/run_spec.h"

namespace pith::runner {

// Host paths the config names.
struct BundleFiles {
  std::string rootfs;
  std::string hosts;
  std::string hostname;
  std::string resolv_conf;
  // Per RunSpec::mounts, the host path bound (HostMounts::sources); "" for a tmpfs.
  std::vector<std::string> mount_sources;
};

std::string oci_config(const RunSpec& spec, const BundleFiles& files);

// The generated files: /etc/hosts (the host's for Network::host, localhost only for none,
// plus the hostname) and /etc/hostname.
std::string hosts_file(const RunSpec& spec, const std::string& host_hosts);
std::string hostname_file(const RunSpec& spec);

}  // namespace pith::runner
