// One RUN: the command executed by runc on an overlay of the image's layers, its changes
// then written as a layer. The steps, each undone however the run ends:
//   prepare:      a private temporary directory (upper, work, init layer, rootfs, bundle,
//                 runc's state), the init layer's stubs, the host side of the RUN's mounts
//                 (run_mounts.h), the overlay mount, config.json;
//   execute:      `runc run`, output streamed; afterwards `runc delete -f` and the unmounts;
//   write_layer:  the upper dir as a deterministic layer tar;
//   destruction:  `runc delete -f` and the unmount if still due, the directory removed, and a
//                 SIGINT/SIGTERM/SIGHUP caught meanwhile raised again (see interrupts.h).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runner/interrupts.h"
#include "runner/layer_store.h"
#include "runner/lower_view.h"
#include "runner/oci_config.h"
#include "runner/overlay_mount.h"
#include "runner/run_mounts.h"
#include "runner/run_spec.h"
#include "runner/runc.h"
#include "runner/upper_layer.h"
#include "util/file.h"

namespace pith::runner {

class Run {
 public:
  static Result<std::unique_ptr<Run>> prepare(const RunSpec& spec);
  ~Run();
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  // Runs the command to its end. Fails when it exits non-zero ("exited with status N", and
  // its last lines of output), when runc cannot run it, or when interrupted.
  Result<void> execute(const OutputFn& output);
  // After execute(): the upper dir as a layer tar. The init layer's stubs are left out.
  Result<void> write_layer(ByteSink& out, std::optional<int64_t> source_date_epoch);
  // After write_layer(): the upper dir given to `store` as the layer `diff_id` (the tar's
  // digest), so the next step mounts it without unpacking the tar again. Only when the tar
  // holds the upper dir's mtimes as they are (no SOURCE_DATE_EPOCH clamp).
  Result<std::string> keep_upper(LayerStore& store, const oci::Digest& diff_id);

  const std::string& container_id() const { return m_runc.id; }
  // The merged root while mounted.
  std::string root() const { return m_dir.path() + "/rootfs"; }
  // RunSpec::mount_only: ends the mount once pith's own changes are made (write_layer then).
  Result<void> unmount();

 private:
  Run(InterruptGuard guard, TempDir dir, RunSpec spec)
      : m_guard(std::move(guard)), m_dir(std::move(dir)), m_spec(std::move(spec)) {}
  Result<void> setup();
  Result<void> write_bundle(const BundleFiles& files);
  Result<void> stop();

  InterruptGuard m_guard;  // first made, last gone: it raises a caught signal after cleanup
  TempDir m_dir;
  RunSpec m_spec;
  Runc m_runc;
  std::vector<std::string> m_stubs;  // made by the init layer
  std::optional<OverlayMount> m_mount;
  HostMounts m_host;         // the RUN's mounts: what runc binds, what to unmount
  bool m_container = false;  // runc may hold state for it
};

}  // namespace pith::runner
