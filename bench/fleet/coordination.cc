// bench/fleet's coordination benchmark: `pith fleet work`'s queue, layer index and results on a
// synthetic model (no registry, no blob reads), to measure what the coordination alone costs.
//
//   bench_fleet_coordination --db URL setup [--manifests N] [--tags N]
//       migrates, empties the fleet's tables and loads the model: N manifests (source
//       "synthetic://I"), the tags naming them spread over 2,000 repositories.
//   bench_fleet_coordination --db URL run [--processes P] [--jobs J]
//       P worker processes (fork), each fleet::run_workers with J threads, drain the queue; prints
//       one line: manifests, seconds, manifests/s, layer analyses, reuses, deferrals.
//   bench_fleet_coordination --db URL floor [--processes P]
//       the floor: P processes each looping the two bare statements only (fleet::claim_next,
//       mark done) until the queue is empty; --old-claim: the claim as it was before bench/fleet.
//
// The model's layers: manifest I lists 4 diff_ids; the first is one of 300 base layers (skewed:
// a few bases are most of the images', as registries look), the other three are I's own.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "fleet/db.h"
#include "fleet/queue.h"
#include "fleet/schema.h"
#include "fleet/worker.h"

namespace {

using namespace pith;
using namespace pith::fleet;

constexpr uint64_t k_base_layers = 300;
constexpr size_t k_analysis_bytes = 2048;

// splitmix64: the model's one source of pseudo-randomness, a pure function of its input.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string diff_id(unsigned kind, uint64_t index) {
  char out[80];
  std::snprintf(out, sizeof out, "sha256:%02x%062" PRIx64, kind, index);
  return out;
}

// Manifest n's diff_ids: a skewed base layer (u^2 puts most images on the first few bases),
// then three layers of its own.
std::vector<std::string> model_layers(uint64_t n) {
  double u = static_cast<double>(mix(n) >> 11) / static_cast<double>(1ULL << 53);
  auto base = static_cast<uint64_t>(std::floor(u * u * static_cast<double>(k_base_layers)));
  return {diff_id(0, base), diff_id(1, n), diff_id(2, n), diff_id(3, n)};
}

class SyntheticImage final : public OpenedImage {
 public:
  explicit SyntheticImage(uint64_t n) : m_n(n), m_ids(model_layers(n)) {}
  const std::vector<std::string>& diff_ids() const override { return m_ids; }
  Result<std::string> analyze_layer(size_t index) override {
    std::string out(k_analysis_bytes, '\0');
    uint64_t seed = mix(m_n * 8 + index);
    for (size_t i = 0; i < out.size(); ++i)
      out[i] = static_cast<char>(mix(seed + i / 8) >> (i % 8 * 8));
    return out;
  }
  Result<ImageRow> merge(std::vector<std::string> analyses) override {
    ImageRow row;
    row.os = "Debian GNU/Linux 12 (bookworm)";
    row.platform = "linux/amd64";
    for (const auto& a : analyses) row.compressed_size += a.size();
    row.uncompressed_size = row.compressed_size * 3;
    row.content_size = row.uncompressed_size;
    row.files = 1000 + m_n % 1000;
    row.shells = 1;
    std::string n = std::to_string(m_n);
    row.inspect = R"({"image":"synthetic://)" + n + R"(","layers":4,"files":)" +
                  std::to_string(row.files) + "}";
    row.findings = R"({"findings":[{"rule":"user-root","severity":"warning"}]})";
    row.sbom_spdx = R"({"spdxVersion":"SPDX-2.3","name":"synthetic-)" + n + R"("})";
    row.sbom_cyclonedx =
        R"({"bomFormat":"CycloneDX","specVersion":"1.5","serialNumber":")" + n + R"("})";
    row.packages.push_back(
        {"deb", "libc6", "2.36-9+deb12u4", "pkg:deb/debian/libc6@2.36-9+deb12u4"});
    row.packages.push_back({"pypi", "app-" + n, "1.0", "pkg:pypi/app-" + n + "@1.0"});
    return row;
  }

 private:
  uint64_t m_n;
  std::vector<std::string> m_ids;
};

class SyntheticWork final : public ImageWork {
 public:
  Result<std::unique_ptr<OpenedImage>> open(const Claim& claim) override {
    const std::string prefix = "synthetic://";
    if (!claim.source.starts_with(prefix)) return make_error(claim.source + ": not synthetic");
    uint64_t n = std::strtoull(claim.source.c_str() + prefix.size(), nullptr, 10);
    return std::unique_ptr<OpenedImage>(std::make_unique<SyntheticImage>(n));
  }
};

Result<void> setup(const std::string& url, long manifests, long tags) {
  Db db = TRY(Db::connect(url));
  TRY(migrate(db));
  TRY(db.exec("TRUNCATE manifests, refs, layers, images, image_packages, scans"));
  TRY(
      db.exec("INSERT INTO manifests (digest, source) "
              "SELECT 'sha256:' || lpad(to_hex(i), 64, '0'), 'synthetic://' || i "
              "FROM generate_series(0, $1::bigint - 1) i",
              {Param(static_cast<long long>(manifests))}));
  TRY(
      db.exec("INSERT INTO refs (reference, repository, manifest) "
              "SELECT 'synthetic.example/repo-' || (i % $1::bigint % 2000) || ':t' || i, "
              "       'synthetic.example/repo-' || (i % $1::bigint % 2000), "
              "       'sha256:' || lpad(to_hex(i % $1::bigint), 64, '0') "
              "FROM generate_series(0, $2::bigint - 1) i",
              {Param(static_cast<long long>(manifests)), Param(static_cast<long long>(tags))}));
  TRY(db.exec("VACUUM ANALYZE"));
  return {};
}

// Runs `body` in `processes` forked children; the wall seconds until all have exited.
template <class F>
Result<double> in_processes(unsigned processes, F body) {
  std::fflush(stdout);
  auto started = std::chrono::steady_clock::now();
  std::vector<pid_t> children;
  for (unsigned i = 0; i < processes; ++i) {
    pid_t pid = fork();
    if (pid < 0) return make_error(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
      auto r = body();
      if (!r)
        std::fprintf(stderr, "bench_fleet_coordination: error: %s\n", r.error().message.c_str());
      std::fflush(stdout);
      _exit(r ? 0 : 1);
    }
    children.push_back(pid);
  }
  bool ok = true;
  for (pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  if (!ok) return make_error("a worker process failed");
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

Result<void> run(const std::string& url, unsigned processes, unsigned jobs) {
  SyntheticWork work;
  double seconds = TRY(in_processes(processes, [&]() -> Result<void> {
    WorkerOptions o;
    o.db_url = url;
    o.jobs = jobs;
    auto stats = TRY(run_workers(work, o));
    std::fprintf(stderr,
                 "  process %d: %" PRIu64 " done, %" PRIu64 " analysed, %" PRIu64
                 " reused, %" PRIu64 " deferred, %.1f s\n",
                 getpid(), stats.images_done, stats.layers_analyzed, stats.layers_reused,
                 stats.deferred, stats.seconds);
    return {};
  }));
  Db db = TRY(Db::connect(url));
  auto rows =
      TRY(db.exec("SELECT (SELECT count(*) FROM manifests WHERE state = 'done'), "
                  "       (SELECT count(*) FROM manifests WHERE state <> 'done'), "
                  "       (SELECT count(*) FROM images), (SELECT count(*) FROM image_packages), "
                  "       (SELECT count(*) FROM layers WHERE state = 'done'), "
                  "       (SELECT coalesce(sum(analyses), 0) FROM layers)"));
  long long done = rows.integer(0, 0);
  std::printf(
      "processes=%u jobs=%u manifests=%lld seconds=%.2f manifests_per_s=%.0f not_done=%lld "
      "images=%lld packages=%lld layers=%lld analyses=%lld\n",
      processes, jobs, done, seconds, static_cast<double>(done) / seconds, rows.integer(0, 1),
      rows.integer(0, 2), rows.integer(0, 3), rows.integer(0, 4), rows.integer(0, 5));
  return {};
}

// The claim as it was before bench/fleet: one query, `OR` over both states, sorted by ready_at
// (kept to show the difference: it sorts every queued row on each claim).
constexpr const char* k_old_claim =
    "UPDATE manifests m SET state = 'claimed', worker = $1, attempts = m.attempts + 1, "
    "  lease_until = now() + $2::interval, claimed_at = now() "
    "FROM (SELECT digest FROM manifests "
    "      WHERE (state = 'queued' AND ready_at <= now()) "
    "         OR (state = 'claimed' AND lease_until < now()) "
    "      ORDER BY ready_at LIMIT 1 FOR UPDATE SKIP LOCKED) next "
    "WHERE m.digest = next.digest "
    "RETURNING m.digest, m.source, coalesce(m.registry_auth, ''), m.attempts";

// The floor: the two statements a claim cannot do without, fleet::claim_next and the mark as
// done of fleet::complete, looped until the queue is empty.
Result<void> floor_loop(const std::string& url, bool old_claim) {
  Db db = TRY(Db::connect(url));
  TRY(db.exec("SET synchronous_commit = off"));
  std::string me = process_name();
  QueuePolicy policy;
  for (;;) {
    std::string digest;
    if (old_claim) {
      auto rows = TRY(db.exec(k_old_claim, {me, interval(policy.lease)}));
      if (rows.size() == 0) return {};
      digest = rows.text(0, 0);
    } else {
      auto claim = TRY(claim_next(db, me, policy));
      if (!claim) return {};
      digest = claim->digest;
    }
    TRY(db.exec(
        "UPDATE manifests SET state = 'done', worker = NULL, lease_until = NULL, error = NULL, "
        "  registry_auth = NULL, finished_at = now() "
        "WHERE digest = $1 AND worker = $2 AND state = 'claimed'",
        {digest, me}));
  }
}

Result<void> floor_run(const std::string& url, unsigned processes, bool old_claim) {
  double seconds = TRY(in_processes(processes, [&] { return floor_loop(url, old_claim); }));
  Db db = TRY(Db::connect(url));
  auto rows = TRY(db.exec("SELECT count(*) FROM manifests WHERE state = 'done'"));
  long long done = rows.integer(0, 0);
  std::printf("%s processes=%u manifests=%lld seconds=%.2f manifests_per_s=%.0f\n",
              old_claim ? "floor-old-claim" : "floor", processes, done, seconds,
              static_cast<double>(done) / seconds);
  return {};
}

int usage() {
  std::fprintf(stderr,
               "usage: bench_fleet_coordination --db URL setup [--manifests N] [--tags N]\n"
               "       bench_fleet_coordination --db URL run [--processes P] [--jobs J]\n"
               "       bench_fleet_coordination --db URL floor [--processes P] [--old-claim]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string url, mode;
  long manifests = 60000, tags = 100000;
  unsigned processes = 1, jobs = 1;
  bool old_claim = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--db") {
      url = value();
    } else if (a == "--manifests") {
      manifests = std::atol(value());
    } else if (a == "--tags") {
      tags = std::atol(value());
    } else if (a == "--processes") {
      processes = static_cast<unsigned>(std::atoi(value()));
    } else if (a == "--jobs") {
      jobs = static_cast<unsigned>(std::atoi(value()));
    } else if (a == "--old-claim") {
      old_claim = true;
    } else if (mode.empty() && (a == "setup" || a == "run" || a == "floor")) {
      mode = a;
    } else {
      return usage();
    }
  }
  if (url.empty() || mode.empty() || manifests < 1 || tags < manifests || processes < 1 || jobs < 1)
    return usage();
  Result<void> r = mode == "setup" ? setup(url, manifests, tags)
                   : mode == "run" ? run(url, processes, jobs)
                                   : floor_run(url, processes, old_claim);
  if (!r) {
    std::fprintf(stderr, "bench_fleet_coordination: error: %s\n", r.error().message.c_str());
    return 1;
  }
  return 0;
}
