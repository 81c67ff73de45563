// `pith fleet`: a whole registry inventoried by any number of stateless workers sharing one
// PostgreSQL database (docs/fleet.md): init, enqueue, work, status, query, serve.
#include <csignal>
#include <cstdio>

#include "cli/command.h"
#include "cli/options.h"
#include "cli/registry_flags.h"
#include "fleet/enqueue.h"
#include "fleet/harbor_backend.h"
#include "fleet/http_server.h"
#include "fleet/image_work.h"
#include "fleet/inventory.h"
#include "fleet/layer_analysis.h"
#include "fleet/schema.h"
#include "fleet/worker.h"
#include "report/render.h"
#include "sbom/sbom.h"

namespace pith::cli {

namespace {

struct FleetArgs {
  std::string db;
  // enqueue
  std::vector<std::string> references;
  std::string catalog;
  std::string platform;
  unsigned jobs = 0;
  // work
  bool follow = false;
  std::string attach_sbom;
  int lease_seconds = 300;
  int max_attempts = 3;
  int retry_after_seconds = 60;
  // status, query
  bool json = false;
  std::string package;
  int largest = 0;
  bool shells = false;
  bool runtime_errors = false;
  bool failed = false;
  bool summary = false;
  // serve
  std::string listen = "127.0.0.1:8080";
  std::string token;
  RegistryFlags registry;
};

void add_db_flag(CLI::App& app, FleetArgs& args) {
  app.add_option("--db", args.db,
                 "PostgreSQL: postgresql://USER@HOST/DB or libpq's key=value form (default: "
                 "$PITH_FLEET_DB)")
      ->envname("PITH_FLEET_DB")
      ->required();
}

Result<fleet::Db> connect(const FleetArgs& args) {
  return fleet::Db::connect(args.db);
}

Result<int> run_init(const FleetArgs& args) {
  auto db = TRY(connect(args));
  auto m = TRY(fleet::migrate(db));
  if (m.from == m.to) {
    std::printf("fleet schema: version %d, nothing to do\n", m.to);
  } else {
    std::printf("fleet schema: version %d -> %d\n", m.from, m.to);
  }
  return k_exit_ok;
}

Result<int> run_enqueue(const FleetArgs& args) {
  if (args.references.empty() && args.catalog.empty())
    return make_error(
        "enqueue: give references (docker://HOST/REPO[:TAG]) or --catalog docker://HOST");
  auto db = TRY(connect(args));
  TRY(fleet::check_schema(db));
  fleet::EnqueueOptions options;
  options.registry = args.registry.options();
  options.platform = TRY(parse_platform_option(args.platform));
  options.jobs = args.jobs ? args.jobs : 8;
  options.analyzer = fleet::k_analyzer_version;
  std::vector<std::string> refs;
  for (const auto& r : args.references) {
    auto expanded = TRY(fleet::expand_reference(r, options.registry));
    refs.insert(refs.end(), expanded.begin(), expanded.end());
  }
  if (!args.catalog.empty()) {
    auto listed = TRY(fleet::catalog_references(args.catalog, options.registry));
    refs.insert(refs.end(), listed.begin(), listed.end());
  }
  auto stats = TRY(fleet::enqueue_references(db, refs, options));
  for (const auto& e : stats.errors) note("warning", e);
  std::printf("%llu references recorded, %llu images queued\n",
              static_cast<unsigned long long>(stats.references),
              static_cast<unsigned long long>(stats.queued));
  if (!stats.errors.empty())
    return make_error(std::to_string(stats.errors.size()) + " of " + std::to_string(refs.size()) +
                      " references could not be read");
  return k_exit_ok;
}

std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) {
  g_stop = true;
}

Result<int> run_work(const FleetArgs& args) {
  if (args.lease_seconds < 5) return make_error("--lease: at least 5 seconds");
  if (args.max_attempts < 1) return make_error("--max-attempts: at least 1");
  if (args.retry_after_seconds < 0) return make_error("--retry-after: not negative");
  fleet::WorkerOptions options;
  options.db_url = args.db;
  options.jobs = args.jobs ? args.jobs : 1;
  options.follow = args.follow;
  options.analyzer = fleet::k_analyzer_version;
  options.policy.lease = std::chrono::seconds(args.lease_seconds);
  options.policy.max_attempts = args.max_attempts;
  options.policy.retry_after = std::chrono::seconds(args.retry_after_seconds);
  options.stop = &g_stop;
  fleet::RegistryWorkOptions content;
  content.registry = args.registry.options();
  content.merge.source_date_epoch = TRY(sbom::source_date_epoch());
  if (!args.attach_sbom.empty()) content.attach_sbom = TRY(sbom::parse_format(args.attach_sbom));
  auto work = fleet::registry_image_work(std::move(content));
  // SIGINT/SIGTERM: each thread finishes the claim in hand (or leaves it to its lease).
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  auto stats = TRY(fleet::run_workers(*work, options));
  std::printf(
      "%llu images done, %llu failures, %llu layers analysed, %llu analyses reused, "
      "%.1f s (%.2f images/s)\n",
      static_cast<unsigned long long>(stats.images_done),
      static_cast<unsigned long long>(stats.images_failed),
      static_cast<unsigned long long>(stats.layers_analyzed),
      static_cast<unsigned long long>(stats.layers_reused), stats.seconds,
      stats.seconds > 0 ? static_cast<double>(stats.images_done) / stats.seconds : 0.0);
  return k_exit_ok;
}

Result<int> run_status(const FleetArgs& args) {
  auto db = TRY(connect(args));
  TRY(fleet::check_schema(db));
  auto status = TRY(fleet::queue_status(db));
  if (args.json) {
    std::printf("%s\n", report::json_text(status, 2).c_str());
  } else {
    std::fputs(fleet::render_status(status).c_str(), stdout);
  }
  return k_exit_ok;
}

Result<int> run_query(const FleetArgs& args) {
  int asked = (!args.package.empty()) + (args.largest > 0) + args.shells + args.runtime_errors +
              args.failed + args.summary;
  if (asked != 1)
    return make_error(
        "query: ask one of --package NAME[@VERSION], --largest N, --shells, --runtime-errors, "
        "--failed, --summary");
  auto db = TRY(connect(args));
  TRY(fleet::check_schema(db));
  nlohmann::json answer;
  if (!args.package.empty()) {
    size_t at = args.package.find('@');
    std::optional<std::string> version;
    if (at != std::string::npos) version = args.package.substr(at + 1);
    answer = TRY(fleet::images_with_package(db, args.package.substr(0, at), version));
  } else if (args.largest > 0) {
    answer = TRY(fleet::largest_images(db, args.largest));
  } else if (args.shells) {
    answer = TRY(fleet::images_with_shells(db));
  } else if (args.runtime_errors) {
    answer = TRY(fleet::images_with_runtime_errors(db));
  } else if (args.failed) {
    answer = TRY(fleet::failed_images(db));
  } else {
    answer = TRY(fleet::repository_summary(db));
  }
  if (args.json) {
    std::printf("%s\n", report::json_text(answer, 2).c_str());
  } else if (args.summary) {
    std::fputs(fleet::render_summary(answer).c_str(), stdout);
  } else {
    // One image reference per line (an image with several references appears once per name).
    std::string last;
    for (const auto& row : answer) {
      std::string line = row["reference"].get<std::string>();
      if (args.largest > 0)
        line = report::human_size(row["compressed_size"].get<uint64_t>()) + "\t" + line;
      if (args.failed) line += "\t" + row["error"].get<std::string>();
      if (line != last) std::printf("%s\n", line.c_str());
      last = line;
    }
  }
  return k_exit_ok;
}

Result<int> run_serve(const FleetArgs& args) {
  {
    auto db = TRY(connect(args));
    TRY(fleet::check_schema(db));
  }
  fleet::DbScanBackend backend(args.db, args.registry.options(), fleet::k_analyzer_version);
  fleet::AdapterInfo info;
  info.version = "0.1.0";
  info.token = args.token;
  fleet::ServerOptions options;
  options.address = args.listen;
  auto server = TRY(fleet::HttpServer::listen(options, [&](const fleet::Request& request) {
    return fleet::handle(request, backend, info);
  }));
  std::fprintf(stderr, "pith fleet serve: Harbor's scanner API v1.2 on port %u\n",
               static_cast<unsigned>(server->port()));
  TRY(server->serve_until_signal());
  return k_exit_ok;
}

using FleetRun = Result<int> (*)(const FleetArgs&);

}  // namespace

Runner setup_fleet(CLI::App& app) {
  auto args = std::make_shared<FleetArgs>();
  app.require_subcommand(1);
  std::vector<std::pair<CLI::App*, FleetRun>> subs;

  auto* init = app.add_subcommand("init", "Create or upgrade the fleet's tables (safe to repeat)");
  add_db_flag(*init, *args);
  subs.emplace_back(init, run_init);

  auto* enqueue = app.add_subcommand(
      "enqueue",
      "Queue images: references (a repository without a tag: all its tags) or a catalog");
  add_db_flag(*enqueue, *args);
  enqueue->add_option("references", args->references,
                      "docker://HOST/REPO[:TAG|@DIGEST] (no tag: every tag of the repository)");
  enqueue->add_option("--catalog", args->catalog,
                      "docker://HOST: every tag of every repository the registry lists");
  enqueue->add_option("--platform", args->platform, "os/arch[/variant] to pick from an index");
  enqueue->add_option("--jobs", args->jobs, "Registry reads at once (default 8)");
  add_registry_flags(*enqueue, args->registry);
  subs.emplace_back(enqueue, run_enqueue);

  auto* work = app.add_subcommand("work", "Drain the queue (returns when it is empty)");
  add_db_flag(*work, *args);
  work->add_option("--jobs", args->jobs, "Images worked on at once by this process (default 1)");
  work->add_flag("--follow", args->follow, "Keep waiting for new work instead of returning");
  work->add_option("--attach-sbom", args->attach_sbom,
                   "Also attach each image's SBOM (spdx-json or cyclonedx-json) to it in its "
                   "registry as an OCI 1.1 referrer (needs push access)");
  work->add_option("--lease", args->lease_seconds,
                   "Seconds a claim lasts unless renewed; a dead worker's is then taken back "
                   "(default 300)");
  work->add_option("--max-attempts", args->max_attempts,
                   "Tries of one image before it is recorded as failed (default 3)");
  work->add_option("--retry-after", args->retry_after_seconds,
                   "Seconds before a failed image is tried again, times its attempts (default 60)");
  add_registry_flags(*work, args->registry);
  subs.emplace_back(work, run_work);

  auto* status = app.add_subcommand("status", "The queue by state, layers analysed, throughput");
  add_db_flag(*status, *args);
  status->add_flag("--json", args->json, "JSON output");
  subs.emplace_back(status, run_status);

  auto* query = app.add_subcommand("query", "Inventory questions over every image analysed");
  add_db_flag(*query, *args);
  query->add_option("--package", args->package,
                    "Images holding package NAME (at VERSION): one reference per line");
  query->add_option("--largest", args->largest, "The N largest images");
  query->add_flag("--shells", args->shells, "Images with a shell");
  query->add_flag("--runtime-errors", args->runtime_errors,
                  "Images with run-time lint errors (PL1xx: will not start or run)");
  query->add_flag("--failed", args->failed, "Images that could not be analysed, with why");
  query->add_flag("--summary", args->summary, "Per repository: images, sizes, packages, shells");
  query->add_flag("--json", args->json, "JSON output (more fields)");
  subs.emplace_back(query, run_query);

  auto* serve = app.add_subcommand(
      "serve", "Harbor's Pluggable Scanner API v1.2 (SBOM generation) on the fleet's queue");
  add_db_flag(*serve, *args);
  serve->add_option("--listen", args->listen, "ADDRESS:PORT (default 127.0.0.1:8080)");
  serve->add_option("--token", args->token,
                    "Require Authorization: Bearer TOKEN (the registration's access credential)");
  add_registry_flags(*serve, args->registry);
  subs.emplace_back(serve, run_serve);

  return [args, subs] {
    for (const auto& [sub, run] : subs) {
      if (!sub->parsed()) continue;
      auto r = run(*args);
      return r ? *r : report(r.error());
    }
    return report(make_error("fleet: a subcommand is needed (see pith fleet --help)"));
  };
}

}  // namespace pith::cli
