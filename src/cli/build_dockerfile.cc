// `pith build -f Dockerfile [CONTEXT]`: flags to executor::BuildOptions, steps and RUN output
// shown on a terminal (podman's "STEP 2/5: RUN ..." lines), one line per output at the end.
#include "cli/build_dockerfile.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "build/image.h"
#include "cli/options.h"
#include "executor/executor.h"
#include "util/file.h"
#include "util/terminal.h"

namespace pith::cli {

namespace {

// Where the build store lives unless --store says: beside pith's other caches.
std::string default_store() {
  return cache_directory() + "/build-store";
}

// podman's image store, when this machine has one (root's, then the user's), or the podman
// service CONTAINER_HOST names.
bool has_podman_store() {
  if (const char* host = std::getenv("CONTAINER_HOST"); host && *host) return true;
  struct stat st {};
  if (::geteuid() == 0) return ::stat("/var/lib/containers/storage", &st) == 0;
  const char* home = std::getenv("HOME");
  return home && ::stat((std::string(home) + "/.local/share/containers/storage").c_str(), &st) == 0;
}

Result<dockerfile::Platform> platform_of(const std::string& text) {
  return dockerfile::parse_platform(text);
}

}  // namespace

void add_dockerfile_flags(CLI::App& app, DockerfileFlags& f) {
  app.add_option("context", f.context,
                 "With a Dockerfile: the build context (default: the Dockerfile's folder)");
  app.add_option("--target", f.target, "With a Dockerfile: the stage to build (default: the last)");
  one_word_each(app.add_option("--build-arg", f.build_args,
                               "With a Dockerfile: K=V for an ARG (repeatable)"));
  app.add_option("--network", f.network,
                 "With a Dockerfile: RUN's network, host (default) or none");
  app.add_flag("--no-cache", f.no_cache, "With a Dockerfile: run every step again");
  app.add_option("--store", f.store,
                 "With a Dockerfile: the build store (default ~/.cache/pith/build-store)");
  one_word_each(app.add_option("-t,--tag", f.tags,
                               "With a Dockerfile: NAME[:TAG] into podman's image store "
                               "(containers-storage:NAME; repeatable)"));
  one_word_each(app.add_option("--secret", f.secrets,
                               "With a Dockerfile: id=ID,src=PATH, a file RUN --mount=type=secret "
                               "reads (repeatable; never in the image or the cache key)"));
  app.add_option("--pull", f.pull,
                 "With a Dockerfile: registry base images: missing (default), always, never");
  // podman build's spelling, for both directions (--authfile is build's already).
  app.add_option("--creds", f.registry.creds, "With a Dockerfile: USER:PASSWORD for registries");
  app.add_flag("--tls-verify{true}", f.registry.tls_verify,
               "With a Dockerfile: verify TLS certificates (=false also allows plain http)");
  app.add_option("--cert-dir", f.registry.cert_dir,
                 "With a Dockerfile: directory with ca.crt and client.cert/client.key");
}

Result<void> run_dockerfile_build(const DockerfileBuild& b, const CLI::App& app) {
  const DockerfileFlags& f = *b.flags;
  auto given = [&](const char* flag) { return app.count(flag) > 0; };
  for (const char* flag :
       {"--entrypoint", "--cmd", "--from", "--add", "--add-host", "--env", "--workdir", "--user",
        "--expose", "--stop-signal", "--ca-bundle", "--no-ca-certs", "--tzdata", "--locale",
        "--layers", "--allow-missing", "--label"})
    if (given(flag))
      return make_error(std::string(flag) + ": not with a Dockerfile (the Dockerfile says it)");

  executor::BuildOptions o;
  o.dockerfile = b.dockerfile;
  o.context =
      f.context.empty() ? std::filesystem::path(b.dockerfile).parent_path().string() : f.context;
  if (o.context.empty()) o.context = ".";
  o.stages.target = f.target;
  for (const auto& item : f.build_args) {
    auto eq = item.find('=');
    if (eq == 0) return make_error("--build-arg: expected K=V, got \"" + item + "\"");
    if (eq == std::string::npos) {
      // `--build-arg K` takes K's value from the environment, as podman and docker do.
      if (const char* v = std::getenv(item.c_str())) o.stages.build_args[item] = v;
      continue;
    }
    o.stages.build_args[item.substr(0, eq)] = item.substr(eq + 1);
  }
  if (!b.platform.empty())
    o.stages.target_platform = TRY(platform_of(b.platform).wrap("--platform"));
  {
    auto host = oci::Platform::host();
    o.stages.build_platform.os = host.os;
    o.stages.build_platform.arch = host.architecture;
    o.stages.build_platform.variant = host.variant;
  }
  if (f.network == "host" || f.network == "default")
    o.network = runner::Network::host;
  else if (f.network == "none")
    o.network = runner::Network::none;
  else
    return make_error("--network=" + f.network + ": host or none (pith makes no bridge)");
  o.no_cache = f.no_cache;
  o.store = f.store.empty() ? default_store() : f.store;
  if (f.pull == "missing")
    o.base.pull = executor::Pull::missing;
  else if (f.pull == "always" || f.pull == "true")
    o.base.pull = executor::Pull::always;
  else if (f.pull == "never" || f.pull == "false")
    o.base.pull = executor::Pull::never;
  else
    return make_error("--pull=" + f.pull + ": missing, always or never");

  // Registry access: podman build's --creds/--tls-verify/--cert-dir for both directions, the
  // --src-*/--dest-* forms over them.
  o.base.registry = b.registries->src_options();
  o.output_registry = b.registries->dest_options();
  for (auto* r : {&o.base.registry, &o.output_registry}) {
    r->flag_prefix = "--";  // hints name podman build's spelling
    if (given("--tls-verify")) r->tls_verify = f.registry.tls_verify;
    if (given("--creds")) r->creds = f.registry.creds;
    if (given("--cert-dir")) r->cert_dir = f.registry.cert_dir;
  }

  for (const auto& item : f.secrets) {
    // id=ID,src=PATH (or source=), as podman and docker build spell it.
    std::string id, src;
    size_t start = 0;
    while (start <= item.size()) {
      size_t end = item.find(',', start);
      if (end == std::string::npos) end = item.size();
      std::string field = item.substr(start, end - start);
      start = end + 1;
      auto eq = field.find('=');
      std::string k = field.substr(0, eq), v = eq == std::string::npos ? "" : field.substr(eq + 1);
      if (k == "id")
        id = v;
      else if (k == "src" || k == "source")
        src = v;
      else if (k == "type" && v == "file")
        continue;
      else
        return make_error("--secret " + item + ": expected id=ID,src=PATH");
    }
    if (id.empty() || src.empty())
      return make_error("--secret " + item + ": expected id=ID,src=PATH");
    if (::access(src.c_str(), R_OK) != 0)
      return make_error("--secret " + item + ": " + src + ": " + errno_text(errno));
    o.secrets[id] = src;
  }
  o.outputs = b.outputs;
  for (const auto& tag : f.tags) {
    if (!has_podman_store())
      return make_error("-t " + tag +
                        ": podman's image store is not on this machine; write the "
                        "image with -o (oci:DIR:TAG, docker-archive:FILE:" +
                        tag + ", ...)");
    o.outputs.push_back("containers-storage:" + tag);
  }
  if (o.outputs.empty()) return make_error("no output: give -o DEST or -t NAME");
  if (!b.compress.empty()) o.compression = TRY(compress::parse(b.compress).wrap("--compress"));
  for (const auto& item : b.annotations) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      return make_error("--annotation: expected K=V, got \"" + item + "\"");
    o.annotations[item.substr(0, eq)] = item.substr(eq + 1);
  }
  o.no_verify = b.no_verify;
  if (std::getenv("SOURCE_DATE_EPOCH")) o.source_date_epoch = TRY(build::source_date_epoch());

  // On a terminal: each step as podman shows it, and RUN's output as it comes.
  LiveArea terminal;
  bool show = !b.quiet && terminal.enabled();
  std::mutex lock;
  executor::BuildEvents events;
  events.warning = [](const std::string& w) { note("warning", w); };
  if (show) {
    events.step = [&](const std::string& line) {
      std::lock_guard<std::mutex> l(lock);
      terminal.draw({line}, {});
    };
    events.output = [&](runner::Stream, std::string_view bytes) {
      std::lock_guard<std::mutex> l(lock);
      std::fwrite(bytes.data(), 1, bytes.size(), stderr);
      std::fflush(stderr);
    };
  }
  auto report = TRY(executor::build_dockerfile(o, events));
  const BuildSbomFlags no_sbom;
  const BuildSbomFlags& sbom = b.sbom ? *b.sbom : no_sbom;
  transport::RegistryOptions dest =
      b.registries ? b.registries->dest_options() : transport::RegistryOptions{};
  if (b.quiet) return write_build_sboms(sbom, report.outputs, dest, true);
  std::printf("Built %zu steps (%zu from cache), %zu layers\n", report.steps, report.cached,
              report.layers);
  for (const auto& [out, digest] : report.outputs)
    std::printf("  -> %s %s\n", out.c_str(), digest.str().c_str());
  return write_build_sboms(sbom, report.outputs, dest, false);
}

}  // namespace pith::cli
