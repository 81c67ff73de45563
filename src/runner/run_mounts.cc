// Host paths for a RUN's mounts: sources as they are, overlays over writable binds, secrets
// copied into a tmpfs; and the cache directories the caller keeps between runs.
#include "runner/run_mounts.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "util/file.h"

namespace pith::runner {

namespace {

// BuildKit's bound on a secret (session/secrets MaxSecretSize).
constexpr uint64_t k_max_secret_bytes = 500 * 1024;

Error fail(const std::string& path) {
  return make_error(path + ": " + errno_text(errno));
}

Result<void> make_dir(const std::string& path, mode_t mode) {
  if (::mkdir(path.c_str(), mode) != 0) return fail(path);
  return {};
}

Result<struct stat> stat_of(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return fail(path);
  return st;
}

// A writable bind of a directory: an overlay whose only lower is the source (through a
// symlink, as the run's layers: a path with ':' or ',' reaches the kernel), its upper dir the
// run's. The merged root shows the upper dir's owner and mode: the source's are given to it.
Result<OverlayMount> scratch_overlay(const std::string& base, const std::string& source,
                                     const struct stat& st) {
  std::string absolute = std::filesystem::absolute(source).string();
  if (::symlink(absolute.c_str(), (base + "/lower").c_str()) != 0) return fail(base + "/lower");
  for (const char* sub : {"upper", "work", "merged"}) TRY(make_dir(base + "/" + sub, 0755));
  std::string upper = base + "/upper";
  if (::chown(upper.c_str(), st.st_uid, st.st_gid) != 0 ||
      ::chmod(upper.c_str(), st.st_mode & 07777) != 0)
    return fail(upper);
  return OverlayMount::mount(base, {"lower"}, "upper", "work", base + "/merged");
}

// A copy of `source` at `path`, its owner and mode kept (a writable bind of a file).
Result<void> copy_file(const std::string& source, const std::string& path, const struct stat& st) {
  std::error_code ec;
  std::filesystem::copy_file(source, path, ec);
  if (ec) return make_error(source + ": " + ec.message());
  if (::chown(path.c_str(), st.st_uid, st.st_gid) != 0 ||
      ::chmod(path.c_str(), st.st_mode & 07777) != 0)
    return fail(path);
  return {};
}

Result<void> write_secret(const std::string& source, const std::string& path, const Mount& m) {
  std::string data = TRY(read_file(source, k_max_secret_bytes).wrap("secret"));
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd) return fail(path);
  TRY(write_all_fd(fd.get(), std::as_bytes(std::span(data))).wrap(path));
  if (::fchown(fd.get(), m.uid, m.gid) != 0 || ::fchmod(fd.get(), m.mode & 0777) != 0)
    return fail(path);
  return {};
}

}  // namespace

Result<HostMounts> make_host_mounts(const std::string& dir, const std::vector<Mount>& mounts) {
  HostMounts out;
  if (mounts.empty()) return out;
  TRY(make_dir(dir + "/m", 0700));
  std::string secrets = dir + "/secrets";
  for (size_t i = 0; i < mounts.size(); ++i) {
    const Mount& m = mounts[i];
    std::string base = dir + "/m/" + std::to_string(i);
    std::string context = "mount at " + m.target;
    switch (m.kind) {
      case MountKind::tmpfs:
        out.sources.emplace_back();
        break;
      case MountKind::cache:
        out.sources.push_back(m.source);
        break;
      case MountKind::bind: {
        struct stat st = TRY(stat_of(m.source).wrap(context));
        if (m.read_only) {
          out.sources.push_back(m.source);
        } else if (S_ISDIR(st.st_mode)) {
          TRY(make_dir(base, 0700));
          out.held.push_back(TRY(scratch_overlay(base, m.source, st).wrap(context)));
          out.sources.push_back(base + "/merged");
        } else {
          TRY(make_dir(base, 0700));
          TRY(copy_file(m.source, base + "/file", st).wrap(context));
          out.sources.push_back(base + "/file");
        }
        break;
      }
      case MountKind::secret: {
        if (::access(secrets.c_str(), F_OK) != 0) {
          TRY(make_dir(secrets, 0711));
          if (::mount("tmpfs", secrets.c_str(), "tmpfs", MS_NODEV | MS_NOSUID, "mode=0711") != 0)
            return fail(secrets).wrap(context);
          out.held.push_back(OverlayMount::adopt(secrets));
        }
        std::string path = secrets + "/" + std::to_string(i);
        TRY(write_secret(m.source, path, m).wrap(context));
        out.sources.push_back(path);
        break;
      }
    }
  }
  return out;
}

Result<std::vector<MountTarget>> mount_targets(const std::vector<Mount>& mounts) {
  std::vector<MountTarget> targets;
  for (const auto& m : mounts) {
    bool directory = m.kind != MountKind::secret;
    if (m.kind == MountKind::bind)
      directory = S_ISDIR(TRY(stat_of(m.source).wrap("mount at " + m.target)).st_mode);
    targets.push_back({m.target, directory});
  }
  return targets;
}

std::vector<Mount> mount_order(std::vector<Mount> mounts) {
  std::stable_sort(mounts.begin(), mounts.end(),
                   [](const Mount& a, const Mount& b) { return a.target < b.target; });
  return mounts;
}

Result<bool> make_cache_dir(const std::string& path, uint32_t uid, uint32_t gid, uint32_t mode) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return make_error(path + ": not a directory");
    return false;
  }
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) {
    std::filesystem::create_directories(parent, ec);
    if (ec) return make_error(parent.string() + ": " + ec.message());
  }
  std::random_device random;
  std::string temp = path + ".new-" + std::to_string(::getpid()) + "-" + std::to_string(random());
  TRY(make_dir(temp, 0700));
  if (::chown(temp.c_str(), uid, gid) != 0 || ::chmod(temp.c_str(), mode & 07777) != 0) {
    Error error = fail(temp);
    ::rmdir(temp.c_str());
    return error;
  }
  // RENAME_NOREPLACE: rename(2) would replace another build's directory while still empty.
  if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE) != 0) {
    int err = errno;
    ::rmdir(temp.c_str());
    // Another build made it meanwhile: theirs stands.
    if (err == EEXIST && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return false;
    return make_error(path + ": " + errno_text(err));
  }
  return true;
}

}  // namespace pith::runner
