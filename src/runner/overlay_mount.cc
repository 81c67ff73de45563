// mount(2) of an overlay, and its undoing however the run ends.
#include "runner/overlay_mount.h"

#include <sys/mount.h>
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

}  // namespace

Result<OverlayMount> OverlayMount::mount(const std::vector<std::string>& lowers,
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
  if (::mount("overlay", target.c_str(), "overlay", 0, options.c_str()) != 0)
    return make_error("mounting the overlay at " + target + ": " + errno_text(errno));
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
