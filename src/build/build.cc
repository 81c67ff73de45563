// The steps of a build: open the root, plan the files (base files, program, closure, extras,
// package records), write the layers, then copy the image to every output.
#include "build/build.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <optional>

#include "build/base_files.h"
#include "build/image.h"
#include "build/libraries.h"
#include "build/outputs.h"
#include "build/package_metadata.h"
#include "build/plan.h"
#include "build/programs.h"
#include "build/root.h"
#include "build/verify.h"
#include "elf/dynamic.h"
#include "lint/command.h"
#include "util/file.h"

namespace pith::build {

namespace {

constexpr const char* k_default_path =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// The user and group files of the root; those of the plan (what the image will have) below.
Result<Accounts> root_accounts(const RootDir& root) {
  Accounts a;
  if (TRY(root.exists("/etc/passwd"))) a.passwd = TRY(root.read_file("/etc/passwd", 16 << 20));
  if (TRY(root.exists("/etc/group"))) a.group = TRY(root.read_file("/etc/group", 16 << 20));
  return a;
}

// Where the program is read from and where it goes. A relative path is a host file (a
// program just built) and goes to /app/<name>, unless it finds libraries through $ORIGIN; an
// absolute one is the root's and stays put.
struct Program {
  std::string in_root;     // path inside the root, for the closure
  std::string image_path;  // path in the image (the entrypoint)
  std::string host_path;   // set for a host file
};

Result<Program> place_program(const std::string& entrypoint, const RootDir& root) {
  Program p;
  if (entrypoint.front() == '/') {
    p.in_root = p.image_path = entrypoint;
    return p;
  }
  std::error_code ec;
  auto real = std::filesystem::canonical(entrypoint, ec);
  if (ec) return make_error("--entrypoint " + entrypoint + ": " + ec.message());
  if (root.dir() != "/")
    return make_error("--entrypoint " + entrypoint +
                      ": a host program needs its libraries from the host (--from /); give a "
                      "path inside the root instead");
  p.in_root = real.string();
  // A program that finds its own libraries through $ORIGIN keeps its place next to them.
  auto fd = TRY(open_read(p.in_root).wrap("--entrypoint"));
  if (auto info = elf::read_dynamic_fd(fd.get())) {
    for (const auto& paths : {info->rpath, info->runpath}) {
      if (paths && paths->find("ORIGIN") != std::string::npos) {
        p.image_path = p.in_root;
        return p;
      }
    }
  }
  p.host_path = p.in_root;
  p.image_path = "/app/" + real.filename().string();
  return p;
}

// The bytes a planned file will have in the image ("" when it is not planned).
Result<std::string> image_file(const Plan& plan, const std::string& path) {
  auto it = plan.entries().find(path);
  if (it == plan.entries().end() || it->second.kind != EntryKind::file) return std::string();
  if (it->second.source.empty()) return it->second.content;
  return read_file(it->second.source, 1 << 20);
}

Result<Accounts> image_accounts(const Plan& plan) {
  return Accounts{TRY(image_file(plan, "/etc/passwd")), TRY(image_file(plan, "/etc/group"))};
}

}  // namespace

Result<BuildResult> run_build(const BuildSpec& spec, const WarningSink& warn,
                              const RegistryAccess& registries, TransferProgress* progress,
                              const LateAnnotations& late_annotations) {
  // 1. Settings that do not depend on the root.
  TRY(validate(spec));
  ImageSettings settings;
  std::optional<oci::Platform> asked;
  if (!spec.platform.empty()) asked = TRY(oci::Platform::parse(spec.platform));
  std::optional<compress::Compression> asked_compression;
  if (!spec.compress.empty())
    asked_compression = TRY(compress::parse(spec.compress).wrap("--compress"));
  settings.compression = asked_compression.value_or(compress::Compression::gzip);
  settings.mtime = TRY(source_date_epoch());
  settings.created = rfc3339(settings.mtime);

  // 2. Every output opened (a wrong one fails before any work; nothing appears there before
  // the end), then the root the files come from.
  Outputs outputs =
      TRY(open_outputs(spec.outputs, registries.to, asked_compression, settings.compression));
  settings.compression = outputs.compression;
  Root root = TRY(open_root(spec.from, asked, registries.from));
  const RootDir& dir = *root.dir;

  // 3. The plan: base files, the program, its closure, the files asked for, package records.
  Plan plan;
  auto base = TRY(add_base_files(plan, dir, spec));
  for (const auto& w : base.warnings) warn(w);
  Program program = TRY(place_program(spec.entrypoint, dir));
  if (program.host_path.empty())
    TRY(plan.add_from_root(dir, program.in_root, Layer::app).wrap("--entrypoint"));
  else
    TRY(plan.add_host(program.host_path, program.image_path, Layer::app).wrap("--entrypoint"));

  for (const auto& a : spec.add)
    TRY(plan.add_tree(dir, a.from, a.to.empty() ? a.from : a.to, Layer::app)
            .wrap("--add " + a.from));
  for (const auto& a : spec.add_host)
    TRY(plan.add_host(a.from, a.to, Layer::app).wrap("--add-host " + a.from));
  // The program's own layer is written now, on the other cores, while its libraries, their
  // packages and lint's check are worked out here (a static program's layer is nearly all of
  // the image); it is used if nothing below changes it. Declared after `root`: it is finished
  // (or waited for) before an unpacked --from root is removed.
  std::vector<EarlyLayer> early;
  if (spec.layers == LayerMode::split)
    early.push_back(start_layer(Layer::app, plan.layer_entries(Layer::app), settings));
  // The user's names as the image's files (generated or added) or else the root's give them.
  settings.user = TRY(config_user(spec.user, TRY(image_accounts(plan)), TRY(root_accounts(dir))));

  // The closure after the extra files: the NSS modules it adds are those of the nsswitch.conf
  // the image will have (the generated one, or the root's when it was added). Its programs: the
  // entrypoint (or, for a script, the interpreters its "#!" line runs), then every ELF file the
  // adds brought, each loaded by something once the image runs.
  auto program_file = TRY(dir.resolve(program.in_root)).path;
  std::vector<std::string> config_env = {k_default_path};
  config_env.insert(config_env.end(), base.env.begin(), base.env.end());
  config_env.insert(config_env.end(), spec.env.begin(), spec.env.end());
  const std::vector<std::string> interpreters = TRY(
      script_interpreters(dir, program.in_root, lint::path_dirs(config_env)).wrap("--entrypoint"));
  std::vector<std::string> programs = interpreters;
  if (programs.empty()) programs.push_back(program.in_root);
  std::vector<std::string> added;
  for (const auto& f : plan.root_files())
    if (f != program_file) added.push_back(f);
  ElfFiles elf = elf_files(dir, added);
  programs.insert(programs.end(), elf.programs.begin(), elf.programs.end());
  LibraryOptions libs;
  libs.closure.ld_library_path = library_path(spec.env);
  libs.closure.nsswitch_conf = TRY(image_file(plan, "/etc/nsswitch.conf"));
  libs.closure.loaded = std::move(elf.objects);
  libs.allow_missing = spec.allow_missing;
  libs.program_file = program_file;
  if (!program.host_path.empty()) libs.host_program = program.in_root;
  BuildResult result;
  result.libraries = TRY(add_libraries(plan, dir, programs, libs, warn)).libraries;
  // The platform is the program's (--platform must agree with it).
  settings.platform = TRY(program_platform(dir, programs.front(), asked));

  auto root_files = plan.root_files();
  // A root directory is built from again and again (the host's /): its dpkg lists are indexed
  // in the cache; an image unpacked for this build is read once.
  auto metadata = TRY(package_metadata(dir, {root_files.begin(), root_files.end()},
                                       root.unpacked ? "" : cache_directory()));
  for (const auto& w : metadata.warnings) warn(w.location + ": " + w.message);
  for (const auto& f : metadata.files) plan.add_generated(f.path, f.content, f.mode, Layer::libs);
  for (const auto& p : metadata.packages) result.packages.push_back(p.name + " " + p.version);

  // 4. The config: environment (PATH, then what the base files need, then --env), program.
  settings.env = config_env;
  settings.entrypoint = {program.image_path};
  settings.cmd = spec.cmd;
  settings.workdir = spec.workdir;
  settings.labels = spec.labels;
  for (const auto& p : spec.expose)
    settings.exposed_ports.push_back(p.find('/') == std::string::npos ? p + "/tcp" : p);
  settings.stop_signal = spec.stop_signal;
  settings.annotations = root.annotations;
  settings.annotations["org.opencontainers.image.created"] = settings.created;
  if (late_annotations)
    for (auto& [k, v] : late_annotations()) settings.annotations[k] = std::move(v);
  for (const auto& [k, v] : spec.annotations) settings.annotations[k] = v;

  // 5. The plan checked as the container will start, by lint's run-time rules (unless
  // --no-verify): the user reaches the program, its interpreters and libraries, and so on.
  if (!spec.no_verify) {
    auto image = TRY(planned_image(plan, start_config(settings)));
    TRY(verify_image(image, {spec.entrypoint, spec.allow_missing}, warn));
  }

  // 6. Layers, config and manifest, then each output written, complete or not there at all.
  auto written =
      TRY(write_outputs(plan, spec.layers, settings, outputs, progress, std::move(early)));
  result.outputs = std::move(written.outputs);
  result.compressed_size = written.compressed_size;
  result.files = written.files;
  return result;
}

}  // namespace pith::build
