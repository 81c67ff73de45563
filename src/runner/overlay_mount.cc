// mount(2) of an overlay, and its undoing however the run ends.
#include "runner/overlay_mount.h"

#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/file.h"

namespace pith::runner {

namespace {

// The kernel reads the options from one page.
constexpr size_t k_max_options = 4000;

// ':' separates lower dirs and ',' options; neither may hide in a path.
Result<void> check_path(const std::string& path) {
  if (path.find_first_of(":,\\") != std::string::npos)
    return make_error(path + ": an overlay path may not hold ':', ',' or '\\'");
  return {};
}

// mount(2) from a child process working in `base`, so names relative to it reach the kernel.
// A child, not chdir here: the working directory is the whole process's, threads included.
Result<void> mount_in(const std::string& base, const std::string& target,
                      const std::string& options) {
  const char* dir = base.c_str();
  const char* where = target.c_str();
  const char* data = options.c_str();
  pid_t pid = ::fork();
  if (pid < 0) return make_error("fork: " + errno_text(errno));
  if (pid == 0) {  // only async-signal-safe calls from here on
    if (::chdir(dir) != 0 || ::mount("overlay", where, "overlay", 0, data) != 0) ::_exit(errno);
    ::_exit(0);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status)) return make_error("mount: the helper process died");
  if (WEXITSTATUS(status) != 0) return make_error(errno_text(WEXITSTATUS(status)));
  return {};
}

}  // namespace

Result<OverlayMount> OverlayMount::mount(const std::string& base,
                                         const std::vector<std::string>& lowers,
                                         const std::string& upper, const std::string& work,
                                         const std::string& target) {
  if (lowers.empty()) return make_error("overlay: no lower dir");
  std::string options = "lowerdir=";
  for (size_t i = 0; i < lowers.size(); ++i) {
    TRY(check_path(lowers[i]));
    options += (i ? ":" : "") + lowers[i];
  }
  TRY(check_path(upper));
  TRY(check_path(work));
  options += ",upperdir=" + upper + ",workdir=" + work + ",redirect_dir=off,metacopy=off,index=off";
  if (options.size() > k_max_options)
    return make_error("overlay: " + std::to_string(lowers.size()) +
                      " layers make mount options longer than the kernel reads");
  TRY(mount_in(base, target, options).wrap("mounting the overlay at " + target));
  return OverlayMount(target);
}

Result<void> OverlayMount::unmount() {
  if (m_target.empty()) return {};
  const std::string& target = m_target;
  bool done = false;
  for (int i = 0; i < 50 && !done; ++i) {
    done = ::umount2(target.c_str(), UMOUNT_NOFOLLOW) == 0;
    if (!done && errno != EBUSY) break;
    if (!done) ::usleep(20'000);  // a process of the container may still be on its way out
  }
  if (!done && ::umount2(target.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0)
    return make_error("unmounting " + target + ": " + errno_text(errno));
  m_target.clear();  // kept on failure: the owner must not remove what is still mounted
  return {};
}

OverlayMount::~OverlayMount() {
  auto done = unmount();
  (void)done;  // nothing better to do in a destructor; the Run reports its own unmount
}

}  // namespace pith::runner
