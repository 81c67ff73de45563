// The steps of a slim: unpack the input (owners kept), find what its command needs, plan
// those files with the links leading to them, the closure and the package records, check the
// plan with lint's run-time rules, write every output, then tally what was left behind.
#include "slim/slim.h"

#include <sys/stat.h>

#include <algorithm>

#include "build/image.h"
#include "build/libraries.h"
#include "build/outputs.h"
#include "build/package_metadata.h"
#include "build/plan.h"
#include "build/programs.h"
#include "build/root.h"
#include "build/verify.h"
#include "elf/closure.h"
#include "elf/dynamic.h"
#include "lint/command.h"
#include "slim/keep.h"
#include "slim/trace.h"
#include "util/time_text.h"

namespace pith::slim {

namespace {

using build::Layer;

std::vector<std::string> string_list(const nlohmann::json& config, const char* key) {
  std::vector<std::string> out;
  if (config.is_object() && config.contains(key) && config[key].is_object())
    for (const auto& [k, v] : config[key].items()) out.push_back(k);
  return out;
}

// glibc's gconv folders, as its build puts them (Debian's multiarch one, Fedora's lib64).
Result<void> keep_gconv(build::Plan& plan, const RootDir& root, const elf::Closure& closure,
                        Keep& keep) {
  std::string user;
  for (const auto& file : closure.files) {
    auto fd = root.open_file(file);
    if (!fd) continue;
    auto info = elf::read_dynamic_fd(fd->get());
    // libc names iconv_open: it defines it. libstdc++ calls it only for the codecvt facet of
    // a named locale, which an image without locale data cannot create.
    std::string soname = info ? info->soname.value_or("") : "";
    if (info && info->names_iconv && soname != "libc.so.6" && soname != "libstdc++.so.6") {
      user = file;
      break;
    }
  }
  if (user.empty()) return {};
  std::vector<std::string> dirs = {"/usr/lib64/gconv", "/usr/lib/gconv"};
  if (auto names = root.list("/usr/lib"))
    for (const auto& n : *names)
      if (n.find("-linux-") != std::string::npos) dirs.push_back("/usr/lib/" + n + "/gconv");
  for (const auto& d : dirs) {
    if (!TRY(root.exists(d))) continue;
    // Its modules link libc and each other (libJIS.so, ...), all of them in the folder.
    TRY(plan.add_from_root(root, d, Layer::libs));
    keep.reasons.push_back(d + ": gconv modules, " + user + " calls iconv_open");
  }
  return {};
}

// Whether the plan holds anything below the directory `dir`.
bool holds_below(const build::Plan& plan, const std::string& dir) {
  std::string prefix = dir == "/" ? dir : dir + "/";
  auto it = plan.entries().lower_bound(prefix);
  return it != plan.entries().end() && it->first.compare(0, prefix.size(), prefix) == 0;
}

// Every symlink the plan holds whose target the root has and the plan lacks brings its
// target (a runtime's conf -> /etc/..., an app's bin/ links), as long as something changes.
// A link to a directory the plan already takes files from (/bin -> usr/bin, met on the way
// to /bin/sh) is a path to those files, not a tree to keep.
Result<void> follow_links(build::Plan& plan, const RootDir& root) {
  for (int round = 0; round < 8; ++round) {
    std::vector<std::string> links;
    for (const auto& [path, e] : plan.entries())
      if (e.kind == build::EntryKind::symlink) links.push_back(path);
    size_t before = plan.entries().size();
    for (const auto& link : links) {
      auto resolved = root.resolve(link);
      if (!resolved || plan.contains(resolved->path) || holds_below(plan, resolved->path)) continue;
      TRY(plan.add_from_root(root, link, Layer::app));
    }
    if (plan.entries().size() == before) return {};
  }
  return {};
}

}  // namespace

Result<SlimResult> run_slim(const SlimSpec& spec, const build::WarningSink& warn,
                            const build::RegistryAccess& registries, TransferProgress* progress) {
  if (spec.outputs.empty()) return make_error("no output: give -o DEST");
  std::optional<oci::Platform> asked;
  if (!spec.platform.empty()) asked = TRY(oci::Platform::parse(spec.platform));
  std::optional<compress::Compression> asked_compression;
  if (!spec.compress.empty())
    asked_compression = TRY(compress::parse(spec.compress).wrap("--compress"));

  // The probes' flags, checked before the input is read.
  if (!spec.trace && (!spec.probe_cmds.empty() || !spec.http_probes.empty()))
    return make_error("--probe-cmd and --http-probe run with --trace");
  std::vector<HttpProbe> http_probes;
  for (const auto& p : spec.http_probes) http_probes.push_back(TRY(HttpProbe::parse(p)));
  std::vector<std::vector<std::string>> probe_cmds;
  for (const auto& line : spec.probe_cmds) {
    auto commands = lint::shell_commands(line);
    if (commands.size() != 1)
      return make_error("--probe-cmd " + line + ": one command (its words), no shell operators");
    probe_cmds.push_back(commands.front());
  }

  // 1. The input's root (owners kept) and config.
  build::Root root = TRY(build::open_root(spec.input, asked, registries.from, true, ""));
  const RootDir& dir = *root.dir;
  oci::ImageConfig in;
  if (root.config) in = *root.config;
  const nlohmann::json raw_config =
      in.raw.is_object() && in.raw.contains("config") ? in.raw["config"] : nlohmann::json();
  std::vector<std::string> entrypoint = in.entrypoint, cmd = in.cmd;
  if (!spec.entrypoint.empty()) {
    entrypoint = spec.entrypoint;
    cmd.clear();
  }
  std::vector<std::string> argv = entrypoint;
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  std::vector<std::string> env = in.env;
  if (env.empty()) env.push_back("PATH=" + std::string(lint::k_default_path));

  // The input's files and who owns them (the package records of every file).
  auto files = TRY(regular_files(dir));
  std::set<std::string> all;
  for (const auto& [path, size] : files) all.insert(path);
  auto before = TRY(build::package_metadata(dir, all));
  std::map<std::string, std::string> owners;
  for (const auto& p : before.packages)
    for (const auto& f : p.files) owners.emplace(f, p.name);
  // 2. What the command runs, and what each program needs.
  auto runs = TRY(invocations(dir, argv, env, in.working_dir));
  Keep keep;
  std::vector<ProbeAnswer> probes;
  std::vector<std::string> traced_paths;
  TRY(keep_data_files(dir, env, keep));
  std::vector<std::string> programs;
  for (const auto& inv : runs) {
    keep.add(inv.program, "the image's command");
    auto interpreters =
        TRY(build::script_interpreters(dir, inv.program, lint::path_dirs(env)).wrap(inv.program));
    if (interpreters.empty()) {
      programs.push_back(inv.program);
      TRY(keep_runtime(dir, inv, env, in.working_dir, keep, warn));
      continue;
    }
    // A script: its interpreters run it, the script the first argument of the last one.
    for (const auto& i : interpreters) keep.add(i, "the interpreter of " + inv.program);
    programs.insert(programs.end(), interpreters.begin(), interpreters.end());
    Invocation as_run{interpreters.back(), {inv.program}};
    as_run.args.insert(as_run.args.end(), inv.args.begin(), inv.args.end());
    TRY(keep_runtime(dir, as_run, env, in.working_dir, keep, warn));
  }
  if (spec.trace) {
    TraceSpec t;
    t.root_dir = dir.dir();
    t.argv = argv;
    t.env = env;
    t.cwd = in.working_dir;
    t.user = in.user;
    t.probe_cmds = probe_cmds;
    t.http_probes = http_probes;
    auto traced = TRY(trace(t));
    TRY(keep_traced(dir, traced.paths, keep));
    probes = std::move(traced.answers);
    traced_paths.assign(traced.paths.begin(), traced.paths.end());
  }
  for (const auto& p : spec.include) {
    std::string path = absolute(p, "/");
    if (!TRY(dir.exists(path))) return make_error("--include " + p + ": not in the image");
    keep.add(path, "--include");
  }

  for (const auto& name : spec.include_packages) {
    bool found = false;
    for (const auto& p : before.packages) {
      if (p.name != name) continue;
      found = true;
      for (const auto& f : p.files) keep.add(f, "--include-package " + name);
    }
    if (!found) return make_error("--include-package " + name + ": no such package in the image");
  }

  // Scripts kept (run by the traced processes, or found in kept folders) bring the
  // interpreters of their "#!" lines, which the kernel runs without a path lookup to trace.
  for (const auto& path : std::vector<std::string>(keep.paths.begin(), keep.paths.end())) {
    auto resolved = dir.resolve(path);
    if (!resolved) continue;
    auto st = dir.lstat(resolved->path);
    if (!st || !S_ISREG(st->st_mode) || (st->st_mode & 0111) == 0) continue;
    auto interpreters = build::script_interpreters(dir, path, lint::path_dirs(env));
    if (!interpreters) continue;
    for (const auto& i : *interpreters) keep.add(i, "the interpreter of " + path);
  }

  // 3. The plan: the kept paths with the links on the way, owners as the input has them.
  build::Plan plan;
  plan.keep_owners(true);
  for (const auto& path : keep.paths) TRY(plan.add_from_root(dir, path, Layer::app).wrap(path));
  for (const auto& d : keep.dirs) {
    auto st = TRY(dir.lstat(TRY(dir.resolve(d)).path));
    plan.add_directory(d, st.st_mode & 07777, Layer::app, st.st_uid, st.st_gid);
  }
  if (!in.working_dir.empty() && TRY(dir.exists(in.working_dir)))
    TRY(plan.add_from_root(dir, in.working_dir, Layer::app).wrap("the working directory"));
  TRY(follow_links(plan, dir));
  // The closure of the command's programs and of every ELF file kept (extension modules,
  // libjvm, native addons).
  std::vector<std::string> candidates;
  for (const auto& p : programs) candidates.push_back(TRY(dir.resolve(p)).path);
  for (const auto& f : plan.root_files())
    if (std::find(candidates.begin(), candidates.end(), f) == candidates.end())
      candidates.push_back(f);
  // Dynamic programs (the command's first, whose namespace loads the objects); a static one
  // (a Go binary) needs nothing more.
  build::ElfFiles elf = build::elf_files(dir, candidates);
  if (!elf.programs.empty()) {
    build::LibraryOptions libs;
    libs.closure.ld_library_path = build::library_path(env);
    libs.closure.loaded = std::move(elf.objects);
    libs.allow_missing = spec.allow_missing;
    auto added = TRY(build::add_libraries(plan, dir, elf.programs, libs, warn));
    TRY(keep_gconv(plan, dir, added.closure, keep));
  }

  build::ImageSettings settings;
  settings.platform = TRY(build::program_platform(dir, programs.front(), asked));
  settings.mtime = TRY(build::source_date_epoch());
  settings.created = rfc3339(settings.mtime);
  settings.compression = asked_compression.value_or(compress::Compression::gzip);
  settings.user = in.user;
  settings.env = env;
  settings.entrypoint = entrypoint;
  settings.cmd = cmd;
  settings.workdir = in.working_dir;
  settings.labels = in.labels;
  settings.exposed_ports = string_list(raw_config, "ExposedPorts");
  if (raw_config.is_object() && raw_config.contains("StopSignal") &&
      raw_config["StopSignal"].is_string())
    settings.stop_signal = raw_config["StopSignal"].get<std::string>();
  settings.annotations = root.annotations;
  settings.annotations["org.opencontainers.image.created"] = settings.created;

  // 4. Package records of the kept files (status.d style, only the kept files listed).
  auto kept_files = plan.root_files();
  auto metadata = TRY(build::package_metadata(dir, {kept_files.begin(), kept_files.end()}));
  for (const auto& w : metadata.warnings) warn(w.location + ": " + w.message);
  for (const auto& f : metadata.files) plan.add_generated(f.path, f.content, f.mode, Layer::libs);

  // 5. The plan checked as the container will start.
  if (!spec.no_verify) {
    auto image = TRY(build::planned_image(plan, build::start_config(settings)));
    TRY(build::verify_image(image, {argv.front(), spec.allow_missing}, warn)
            .wrap("the slimmed image would not start"));
  }

  // 6. Every output, then the tally.
  auto written = TRY(build::write_outputs(plan, build::LayerMode::split, settings, spec.outputs,
                                          registries.to, asked_compression, progress));
  SlimResult result;
  result.outputs = std::move(written.outputs);
  std::set<std::string> kept(kept_files.begin(), kept_files.end());
  result.summary = summarize(files, kept, owners);
  result.summary.input = spec.input;
  result.summary.input_bytes = root.image_size;
  result.summary.output_bytes = written.compressed_size;
  result.summary.reasons = std::move(keep.reasons);
  result.summary.traced = spec.trace;
  result.summary.traced_paths = std::move(traced_paths);
  for (const auto& a : probes) result.summary.probes.push_back({a.probe, a.status, a.bytes});
  for (const auto& p : metadata.packages)
    result.summary.packages_recorded.push_back(p.name + " " + p.version);
  return result;
}

}  // namespace pith::slim
