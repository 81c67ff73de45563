// `pith build -o DEST`: the distroless image of a program, from its ELF closure and the few
// files every program expects.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <future>
#include <optional>

#include "build/build.h"
#include "cli/build_dockerfile.h"
#include "cli/command.h"
#include "cli/options.h"
#include "cli/registry_flags.h"
#include "executor/executor.h"
#include "util/path_text.h"
#include "util/transfer_progress.h"

namespace pith::cli {

namespace {

struct BuildArgs {
  build::BuildSpec flags;
  std::vector<std::string> add, add_host, labels, annotations;
  std::string layers, spec_file;
  bool quiet = false;
  SourceDestRegistryFlags registry;
  DockerfileFlags dockerfile;
  BuildSbomFlags sbom;
};

Result<std::map<std::string, std::string>> key_values(const std::vector<std::string>& items,
                                                      const char* flag) {
  std::map<std::string, std::string> out;
  for (const auto& item : items) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      return make_error(std::string(flag) + ": expected K=V, got \"" + item + "\"");
    out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

// The settings: those of -f FILE, then the command line's over them, by build::combine's rule
// (flags replace single values and the command, add to lists and maps).
Result<build::BuildSpec> settings(const BuildArgs& a, const CLI::App& app) {
  build::BuildSpec file =
      a.spec_file.empty() ? build::BuildSpec{} : TRY(build::load_spec_file(a.spec_file));
  auto given = [&](std::string_view key) { return app.count("--" + std::string(key)) > 0; };
  build::BuildSpec f = a.flags;
  // --cmd and --entrypoint never take a word that starts with "-" (CLI11 leaves it to be the
  // option it names and gives them "" instead): `--cmd -o DEST` must not swallow the output.
  for (const auto& arg : f.cmd)
    if (arg.empty())
      return make_error("--cmd: no value (an argument that starts with \"-\" is written --cmd=-x)");
  if (given("entrypoint") && f.entrypoint.empty()) return make_error("--entrypoint: no value");
  for (const auto& item : a.add) f.add.push_back(TRY(build::parse_add(item, false).wrap("--add")));
  for (const auto& item : a.add_host)
    f.add_host.push_back(TRY(build::parse_add(item, true).wrap("--add-host")));
  f.labels = TRY(key_values(a.labels, "--label"));
  f.annotations = TRY(key_values(a.annotations, "--annotation"));
  if (given("layers")) f.layers = TRY(build::parse_layer_mode(a.layers));
  return build::combine(std::move(file), f, given);
}

// One line of a command's output ("" when it fails or prints nothing).
std::string first_line_of(const std::string& command) {
  std::string out;
  if (FILE* p = ::popen(command.c_str(), "r")) {
    char buf[4096];
    if (std::fgets(buf, sizeof buf, p)) out = buf;
    if (::pclose(p) != 0) out.clear();
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// Whether git could find a repository from here: GIT_DIR set, or a `.git` (directory, or the
// file of a worktree or submodule) in the current directory or one above it, as git looks.
// Outside one, starting `sh` and `git` for nothing cost two process starts (~25 ms of CPU each
// here) that a build spends compressing on a machine of two cores.
bool maybe_in_git_checkout() {
  if (const char* dir = std::getenv("GIT_DIR"); dir && *dir) return true;
  char buf[4096];
  if (!::getcwd(buf, sizeof buf)) return true;  // too deep to walk here: let git look
  // "/a/b" -> "/a/b/.git", "/a/.git", "/.git" (path_parent of "/a" is "").
  for (std::string_view dir = buf; !dir.empty() && dir != "/"; dir = path_parent(dir)) {
    struct stat st {};
    if (::lstat((std::string(dir) + "/.git").c_str(), &st) == 0) return true;
  }
  struct stat st {};
  return ::lstat("/.git", &st) == 0;
}

// Where the image's source lives, when pith runs in a git checkout (as CI builds do):
// org.opencontainers.image.revision (the commit) and .source (the origin's URL), unless `given`.
std::map<std::string, std::string> vcs_annotations(
    const std::map<std::string, std::string>& given) {
  const std::string revision = "org.opencontainers.image.revision";
  const std::string source = "org.opencontainers.image.source";
  std::map<std::string, std::string> found;
  if (!maybe_in_git_checkout()) return found;
  if (!given.count(revision)) {
    std::string commit = first_line_of("git rev-parse --verify -q HEAD 2>/dev/null");
    if (commit.size() == 40 || commit.size() == 64) found[revision] = commit;
  }
  if (!given.count(source) && (given.count(revision) || found.count(revision))) {
    std::string url = first_line_of("git config --get remote.origin.url 2>/dev/null");
    // A URL with credentials in it is not published.
    if (!url.empty() && url.find('@') == std::string::npos) found[source] = url;
  }
  return found;
}

// A Dockerfile build when -f names a Dockerfile (or, without -f, CONTEXT holds a
// Containerfile or Dockerfile, as podman looks for them); "" for pith's own spec.
std::string dockerfile_of(const BuildArgs& a) {
  if (!a.spec_file.empty()) return executor::is_dockerfile(a.spec_file) ? a.spec_file : "";
  if (a.dockerfile.context.empty()) return "";
  for (const char* name : {"Containerfile", "Dockerfile"}) {
    std::string path = a.dockerfile.context + "/" + name;
    if (::access(path.c_str(), R_OK) == 0) return path;
  }
  return "";
}

Result<void> run_build(const BuildArgs& args, const CLI::App& app) {
  if (args.sbom.sbom) TRY(sbom::parse_format(args.sbom.format));  // before the build, not after
  if (std::string file = dockerfile_of(args); !file.empty()) {
    DockerfileBuild b;
    b.dockerfile = file;
    b.flags = &args.dockerfile;
    b.outputs = args.flags.outputs;
    b.platform = args.flags.platform;
    b.compress = args.flags.compress;
    b.annotations = args.annotations;
    b.no_verify = args.flags.no_verify;
    b.quiet = args.quiet;
    b.registries = &args.registry;
    b.sbom = &args.sbom;
    return run_dockerfile_build(b, app);
  }
  // Without a Dockerfile a CONTEXT is a stray word (`--env a b=2`): named as CLI11 names one.
  if (!args.dockerfile.context.empty())
    return make_error("The following argument was not expected: " + args.dockerfile.context);
  for (const char* flag : {"--target", "--build-arg", "--network", "--no-cache", "--store", "--tag",
                           "--pull", "--tls-verify", "--creds", "--cert-dir", "--secret"})
    if (app.count(flag) > 0)
      return make_error(std::string(flag) + ": only with a Dockerfile (-f Dockerfile)");
  // 1. Combine -f FILE and the flags, and where the sources are; 2. build and write every
  // output.
  auto spec = TRY(settings(args, app));
  // git runs (~50 ms in a checkout) while the build reads its files.
  auto vcs = std::async(std::launch::async, vcs_annotations, spec.annotations);
  auto warn = [](const std::string& w) { note("warning", w); };
  build::RegistryAccess registries{args.registry.src_options(), args.registry.dest_options()};
  // Outputs are written with a line per blob on a terminal (not with -q).
  std::optional<TransferProgress> progress;
  auto result =
      TRY(build::run_build(spec, warn, registries, args.quiet ? nullptr : &progress.emplace(),
                           [&vcs] { return vcs.get(); }));
  progress.reset();  // its last lines before the summary
  if (args.quiet) return write_build_sboms(args.sbom, result.outputs, registries.to, true);
  std::printf("Built %zu files (%zu libraries), %zu packages recorded, %.1f MB compressed\n",
              result.files, result.libraries, result.packages.size(),
              static_cast<double>(result.compressed_size) / 1e6);
  // The digest each destination's readers report (a docker-archive's differs: see docs).
  for (const auto& [out, digest] : result.outputs)
    std::printf("  -> %s %s\n", out.c_str(), digest.str().c_str());
  return write_build_sboms(args.sbom, result.outputs, registries.to, false);
}

}  // namespace

Runner setup_build(CLI::App& app) {
  auto a = std::make_shared<BuildArgs>();
  build::BuildSpec& f = a->flags;
  app.add_option("-f,--file", a->spec_file,
                 "A Dockerfile or Containerfile to build, or settings from a pith.yaml (flags "
                 "override them)");
  one_word_each(
      app.add_option("-o,--output", f.outputs,
                     "Where to write (repeatable): oci:DIR:TAG, oci-archive:FILE:TAG, "
                     "docker-archive:FILE:REF, docker://HOST/REPO:TAG, docker-daemon:NAME:TAG, "
                     "containers-storage:NAME:TAG"));
  app.add_option("--from", f.from,
                 "Where files come from: a directory (default /) or an image reference");
  // One word each; a word that starts with "-" is never their value (--cmd=-v passes one).
  app.add_option("--entrypoint", f.entrypoint,
                 "The program: a path inside the root, or ./FILE for a host file (-> /app/FILE)")
      ->expected(0, 1);
  app.add_option("--cmd", f.cmd,
                 "One default argument (repeat for more: --cmd a --cmd b; --cmd=-v for one "
                 "that starts with -)")
      ->expected(0, 1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  one_word_each(app.add_option("--add", a->add,
                               "SRC[:DST] more files or folders from the root (repeatable)"));
  one_word_each(
      app.add_option("--add-host", a->add_host, "SRC:DST a host file or folder (repeatable)"));
  one_word_each(app.add_option("--env", f.env, "K=V in the image's environment (repeatable)"));
  app.add_option("--workdir", f.workdir, "Working directory");
  app.add_option("--user", f.user, "UID[:GID] or root|nobody|nonroot (default 65532)");
  one_word_each(app.add_option("--label", a->labels, "K=V config label (repeatable)"));
  one_word_each(
      app.add_option("--annotation", a->annotations, "K=V manifest annotation (repeatable)"));
  one_word_each(app.add_option("--expose", f.expose, "PORT[/PROTO] (repeatable)"));
  app.add_option("--stop-signal", f.stop_signal, "Signal that stops the container");
  app.add_option("--ca-bundle", f.ca_bundle, "CA certificates file (default: the root's)");
  app.add_flag("--no-ca-certs", f.no_ca_certs, "No CA certificates in the image");
  app.add_flag("--tzdata", f.tzdata, "Add /usr/share/zoneinfo from the root");
  app.add_option("--locale", f.locale, "Add a UTF-8 locale: C.UTF-8");
  app.add_option("--platform", f.platform, "os/arch[/variant] of the image (default: host)");
  app.add_option("--compress", f.compress,
                 "Layer compression: gzip, zstd or none (default: gzip; none for docker-archive)");
  app.add_option("--layers", a->layers, "base,libs,app (default) or single");
  app.add_flag("--allow-missing", f.allow_missing, "Build even when libraries are not found");
  app.add_flag("--no-verify", f.no_verify,
               "Write the image even when its user cannot reach the program (rule PL107)");
  app.add_flag("-q,--quiet", a->quiet, "Print nothing on success");
  add_registry_flags(app, a->registry);
  add_dockerfile_flags(app, a->dockerfile);
  add_build_sbom_flags(app, a->sbom);
  return [a, &app] {
    auto r = run_build(*a, app);
    return r ? k_exit_ok : report(r.error());
  };
}

}  // namespace pith::cli
