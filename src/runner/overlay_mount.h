// The overlay mount a run's container sees as its root: the layers below (read-only), a fresh
// upper dir that receives every change.
#pragma once

#include <string>
#include <vector>

#include "util/result.h"

namespace pith::runner {

class OverlayMount {
 public:
  // Mounts at `target` (absolute). `lowers` (top first), `upper` and `work` may be relative
  // to `base`: the kernel reads all options from one page, and short names relative to the
  // run's directory let hundreds of layers fit. redirect_dir, metacopy and index are off so
  // the upper dir holds whole files and plain directories (what a layer tar can say), never
  // references into the lowers.
  static Result<OverlayMount> mount(const std::string& base, const std::vector<std::string>& lowers,
                                    const std::string& upper, const std::string& work,
                                    const std::string& target);
  // Takes over the undoing of a mount made elsewhere (a RUN's tmpfs of secrets).
  static OverlayMount adopt(std::string target) { return OverlayMount(std::move(target)); }
  OverlayMount(OverlayMount&& o) noexcept : m_target(std::move(o.m_target)) { o.m_target.clear(); }
  OverlayMount& operator=(OverlayMount&&) = delete;
  ~OverlayMount();

  // Unmounts now; a busy mount is retried, then detached (so nothing stays mounted).
  Result<void> unmount();

 private:
  explicit OverlayMount(std::string target) : m_target(std::move(target)) {}
  std::string m_target;  // empty once unmounted
};

}  // namespace pith::runner
