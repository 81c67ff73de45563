// runc, driven as a program: `runc run` in the foreground with the command's output streamed,
// `runc delete -f` to stop and forget a container. runc's state lives in a private --root
// (nothing is left in /run/runc); runc itself is found in PATH.
#pragma once

#include <deque>
#include <string>

#include "runner/interrupts.h"
#include "runner/run_spec.h"
#include "util/result.h"

namespace pith::runner {

struct Runc {
  std::string root;    // runc's --root: its state directory for this run
  std::string bundle;  // holds config.json
  std::string id;      // the container's unique id
};

// The last lines of a command's output (both streams), for the error when it fails.
class OutputTail {
 public:
  explicit OutputTail(size_t lines) : m_max(lines) {}
  void add(std::string_view bytes);
  // The kept lines joined with "; ", escaped for a terminal.
  std::string text() const;

 private:
  size_t m_max;
  std::deque<std::string> m_lines;
  bool m_open = false;  // the last line has no newline yet
};

// Runs the container and waits for it: its exit status as runc reports it (the process's own,
// 128+N when a signal N ended it). Output goes to `output` and `tail` as it comes. A signal
// caught by `interrupts` stops the container (`runc delete -f`) and fails with
// "interrupted by SIG...".
Result<int> runc_run(const Runc& runc, const OutputFn& output, OutputTail& tail,
                     const InterruptGuard& interrupts);

// `runc delete -f`: kills the container if it runs, then removes it from runc's state. Quiet;
// fails only when runc cannot be started. Nothing to do when runc holds no state for it.
Result<void> runc_delete(const Runc& runc);

}  // namespace pith::runner
