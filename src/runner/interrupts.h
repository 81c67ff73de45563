// Ctrl-C during a run: while a guard lives, SIGINT, SIGTERM and SIGHUP are caught (noted and
// written to a pipe a poll loop can watch) instead of ending pith at once, so the run can kill
// its container, unmount and remove its files first. The guard's end puts the previous
// handlers back and raises a caught signal again: pith then ends as the signal asked (its own
// handler removes its temporary files), only after the cleanup.
#pragma once

#include "util/file.h"
#include "util/result.h"

namespace pith::runner {

class InterruptGuard {
 public:
  // One guard at a time in a process.
  static Result<InterruptGuard> install();
  InterruptGuard(InterruptGuard&& o) noexcept;
  InterruptGuard& operator=(InterruptGuard&&) = delete;
  ~InterruptGuard();

  // Readable once a signal was caught.
  int fd() const { return m_read.get(); }
  // The first signal caught, 0 while none.
  int caught() const;

 private:
  explicit InterruptGuard(UniqueFd read) : m_read(std::move(read)) {}
  UniqueFd m_read;
  bool m_active = true;
};

}  // namespace pith::runner
