// `pith fleet work`: stateless workers draining the queue. Each thread claims a manifest, claims
// the layers nobody analysed yet, analyses those (one read of each blob, verified against its
// diff_id before anything is published), moves on when other workers still analyse the rest,
// and merges the image's results from the published analyses once all are there.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "fleet/queue.h"
#include "fleet/results.h"

namespace pith::fleet {

// One claimed image, opened: what the coordination needs of the content.
class OpenedImage {
 public:
  virtual ~OpenedImage() = default;
  // The config's diff_ids, in layer order.
  virtual const std::vector<std::string>& diff_ids() const = 0;
  // Reads and analyses layer `index` (its blob verified); the encoded analysis.
  virtual Result<std::string> analyze_layer(size_t index) = 0;
  // The image's results from every layer's encoded analysis, in layer order.
  virtual Result<ImageRow> merge(std::vector<std::string> analyses) = 0;
};

// Opens claimed images: real registries here (image_work.h), a synthetic model in bench/fleet.
class ImageWork {
 public:
  virtual ~ImageWork() = default;
  virtual Result<std::unique_ptr<OpenedImage>> open(const Claim& claim) = 0;
};

struct WorkerOptions {
  std::string db_url;
  unsigned jobs = 1;    // threads, each with its own connection and claim
  bool follow = false;  // keep waiting for new work instead of returning when it is drained
  int analyzer = 0;     // the analyzer version of the layer analyses (k_analyzer_version)
  QueuePolicy policy;
  std::chrono::milliseconds idle_poll{250};  // sleep when nothing is ready but work remains
  std::chrono::milliseconds defer_delay{500};
  std::atomic<bool>* stop = nullptr;  // set by a signal handler: finish the claim in hand, return
};

struct WorkStats {
  uint64_t images_done = 0;
  uint64_t images_failed = 0;  // failures recorded (retried or final)
  uint64_t layers_analyzed = 0;
  uint64_t layers_reused = 0;  // analyses published by others (or earlier) and read
  uint64_t deferred = 0;       // claims given back while other workers analysed a layer
  double seconds = 0;
};

// Runs the workers until the queue is drained (or, with follow, until stopped).
Result<WorkStats> run_workers(ImageWork& work, const WorkerOptions& options);

// "HOST:PID": how this process names itself in claims.
std::string process_name();

}  // namespace pith::fleet
