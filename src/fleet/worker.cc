#include "fleet/worker.h"

#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include "fleet/layer_index.h"
#include "fleet/schema.h"

namespace pith::fleet {

namespace {

// How one claim ended. Failures of the image (unreadable, tampered, hostile) are recorded in
// its row; failures of the database end the worker.
constexpr std::chrono::milliseconds k_publish_every{100};

struct Outcome {
  enum Kind { done, deferred, lost, failed } kind = done;
  std::string error;
};

Result<Outcome> process(Db& db, ImageWork& work, const Claim& c, const std::string& me,
                        const WorkerOptions& o, WorkStats& stats) {
  auto opened = work.open(c);
  if (!opened) return Outcome{Outcome::failed, opened.error().message};
  const std::vector<std::string>& ids = (*opened)->diff_ids();

  // 1. The layers nobody has analysed: ours. Each diff_id once, even if listed twice. The
  // claim reads the analyses others published; ours stay in memory too.
  auto claims = TRY(claim_layers(db, ids, o.analyzer, me, o.policy));
  std::map<std::string, std::string> analyses = std::move(claims.analyses);
  // Published in batches: every analysis within k_publish_every of the last publication goes
  // with the next, so cheap layers cost one statement together and a slow one is never held
  // back by more than that from the workers waiting for it.
  std::vector<std::pair<std::string, std::string>> unpublished;
  auto published_at = std::chrono::steady_clock::now();
  auto publish = [&]() -> Result<void> {
    TRY(publish_layers(db, unpublished, o.analyzer, me));
    unpublished.clear();
    published_at = std::chrono::steady_clock::now();
    return {};
  };
  for (size_t i = 0; i < ids.size(); ++i) {
    if (claims.mine.erase(ids[i]) == 0) continue;
    auto analysis = (*opened)->analyze_layer(i);
    if (!analysis) {
      // Nothing is published for a blob that did not match (or could not be read), and the
      // layers not reached yet are given up too: held, their leases would be renewed for as
      // long as this process lives, and every image sharing them would wait.
      TRY(publish());
      std::vector<std::string> unread(claims.mine.begin(), claims.mine.end());
      unread.push_back(ids[i]);
      TRY(release_layers(db, unread, o.analyzer, me));
      return Outcome{Outcome::failed, analysis.error().message};
    }
    unpublished.emplace_back(ids[i], *analysis);
    analyses[ids[i]] = std::move(*analysis);
    ++stats.layers_analyzed;
    if (std::chrono::steady_clock::now() - published_at >= k_publish_every) TRY(publish());
  }
  TRY(publish());
  // 2. Layers other workers are still analysing: move on, come back later.
  if (!claims.pending.empty()) {
    bool ours = TRY(defer(db, c, me, o.defer_delay));
    ++stats.deferred;
    return Outcome{ours ? Outcome::deferred : Outcome::lost, ""};
  }
  // 3. Every analysis at hand (ours, or read with the claim): the image's results.
  std::vector<std::string> in_order;
  for (const auto& id : ids) {
    auto it = analyses.find(id);
    if (it == analyses.end()) {  // cannot happen (a published row is final): come back later
      bool ours = TRY(defer(db, c, me, o.defer_delay));
      ++stats.deferred;
      return Outcome{ours ? Outcome::deferred : Outcome::lost, ""};
    }
    in_order.push_back(it->second);  // one layer may be listed twice
  }
  stats.layers_reused += claims.done.size();
  auto row = (*opened)->merge(std::move(in_order));
  if (!row) return Outcome{Outcome::failed, row.error().message};
  bool ours = TRY(complete(db, c, me, o.analyzer, *row));
  return Outcome{ours ? Outcome::done : Outcome::lost, ""};
}

Result<void> work_loop(ImageWork& work, const WorkerOptions& o, const std::string& me,
                       WorkStats& stats) {
  Db db = TRY(Db::connect(o.db_url));
  // A fleet of thousands of commits per second: a commit waits for no disk flush. A crash of
  // the server can lose the last few hundred milliseconds of them; a claim lost that way runs
  // out its lease and is done again, nothing is corrupted.
  TRY(db.exec("SET synchronous_commit = off"));
  auto stopped = [&] { return o.stop && o.stop->load(); };
  while (!stopped()) {
    auto claim = TRY(claim_next(db, me, o.policy));
    if (!claim) {
      if (!o.follow && !TRY(work_outstanding(db))) break;
      std::this_thread::sleep_for(o.idle_poll);
      continue;
    }
    Outcome outcome = TRY(process(db, work, *claim, me, o, stats));
    if (outcome.kind == Outcome::done) ++stats.images_done;
    if (outcome.kind == Outcome::failed) {
      ++stats.images_failed;
      std::fprintf(stderr, "pith: warning: %s (attempt %d): %s\n", claim->source.c_str(),
                   claim->attempts, outcome.error.c_str());
      TRY(fail(db, *claim, me, outcome.error, o.policy));
    }
  }
  return {};
}

}  // namespace

std::string process_name() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "unknown");
  return std::string(host) + ":" + std::to_string(getpid());
}

Result<WorkStats> run_workers(ImageWork& work, const WorkerOptions& options) {
  {
    Db db = TRY(Db::connect(options.db_url));
    TRY(check_schema(db));
  }
  auto started = std::chrono::steady_clock::now();
  unsigned jobs = std::max(1u, options.jobs);
  std::vector<std::string> names;
  for (unsigned i = 0; i < jobs; ++i) names.push_back(process_name() + "/" + std::to_string(i));

  // The leases of every claim this process holds, renewed a few times per lease.
  std::mutex mutex;
  std::condition_variable finished_cv;
  bool finished = false;
  std::optional<Error> heartbeat_error;
  std::thread heartbeat([&] {
    auto db = Db::connect(options.db_url);
    if (!db) {
      heartbeat_error = db.error();
      return;
    }
    auto period = std::max<std::chrono::milliseconds>(options.policy.lease / 3,
                                                      std::chrono::milliseconds(200));
    std::unique_lock lock(mutex);
    while (!finished_cv.wait_for(lock, period, [&] { return finished; })) {
      auto renewed = renew_leases(*db, names, options.policy);
      if (!renewed) heartbeat_error = renewed.error();
    }
  });

  std::vector<WorkStats> stats(jobs);
  std::vector<std::optional<Error>> errors(jobs);
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < jobs; ++i)
    threads.emplace_back([&, i] {
      auto r = work_loop(work, options, names[i], stats[i]);
      if (!r) errors[i] = r.error();
    });
  for (auto& t : threads) t.join();
  {
    std::lock_guard lock(mutex);
    finished = true;
  }
  finished_cv.notify_all();
  heartbeat.join();

  for (const auto& e : errors)
    if (e) return *e;
  if (heartbeat_error) return heartbeat_error->wrap("renewing leases");
  WorkStats total;
  for (const auto& s : stats) {
    total.images_done += s.images_done;
    total.images_failed += s.images_failed;
    total.layers_analyzed += s.layers_analyzed;
    total.layers_reused += s.layers_reused;
    total.deferred += s.deferred;
  }
  total.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return total;
}

}  // namespace pith::fleet
