// The steps of a build: open the root, plan the files (base files, program, closure, extras,
// package records), write the layers, then copy the image to every output.
#include "build/build.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <optional>

#include "build/base_files.h"
#include "build/image.h"
#include "build/package_metadata.h"
#include "build/plan.h"
#include "build/programs.h"
#include "build/unpack.h"
#include "build/verify.h"
#include "elf/closure.h"
#include "elf/dynamic.h"
#include "elf/search.h"
#include "lint/command.h"
#include "transport/copy.h"
#include "transport/resolve.h"
#include "transport/sink.h"
#include "transport/skopeo_dir.h"
#include "util/file.h"

namespace pith::build {

namespace {

constexpr const char* k_default_path =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// The root files come from: a directory, or an image unpacked into a temporary one.
struct Root {
  std::optional<TempDir> unpacked;
  std::optional<RootDir> dir;
  std::map<std::string, std::string> annotations;  // base.name / base.digest
};

Result<Root> open_root(const std::string& from, const std::optional<oci::Platform>& platform,
                       const transport::RegistryOptions& registry) {
  Root root;
  auto ref = TRY(transport::parse_reference(from).wrap("--from"));
  // A directory that holds no image (rootfs:DIR, or a plain one) is a root as it is; any other
  // reference names an image.
  std::error_code ec;
  bool plain = ref.kind == transport::Kind::path &&
               !std::filesystem::exists(std::filesystem::path(from) / "oci-layout", ec) &&
               !transport::is_skopeo_dir(from);
  if ((plain || ref.kind == transport::Kind::rootfs) &&
      std::filesystem::is_directory(ref.path, ec)) {
    root.dir.emplace(TRY(RootDir::open(ref.path).wrap("--from " + from)));
    return root;
  }
  auto src = TRY(transport::open_source(ref, registry, platform).wrap("--from"));
  auto img = TRY(transport::resolve_image(*src, platform).wrap("--from " + from));
  // 0700: the image's files (setuid ones among them) are out of other users' reach meanwhile.
  root.unpacked.emplace(TRY(TempDir::create_beside(temp_directory() + "/pith-from", 0700)));
  TRY(unpack_image(*src, img, root.unpacked->path()).wrap("--from " + from));
  root.dir.emplace(TRY(RootDir::open(root.unpacked->path())));
  root.annotations = base_annotations(ref, img.descriptor.digest);
  return root;
}

// The user and group files of the root; those of the plan (what the image will have) below.
Result<Accounts> root_accounts(const RootDir& root) {
  Accounts a;
  if (TRY(root.exists("/etc/passwd"))) a.passwd = TRY(root.read_file("/etc/passwd", 16 << 20));
  if (TRY(root.exists("/etc/group"))) a.group = TRY(root.read_file("/etc/group", 16 << 20));
  return a;
}

// LD_LIBRARY_PATH as the program will see it, from `--env`.
std::vector<std::string> library_path(const std::vector<std::string>& env) {
  std::vector<std::string> dirs;
  for (const auto& kv : env) {
    if (kv.rfind("LD_LIBRARY_PATH=", 0) != 0) continue;
    for (auto& d : elf::split_search_path(std::string_view(kv).substr(16), ":"))
      dirs.push_back(std::move(d));
  }
  return dirs;
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

std::string missing_list(const std::vector<elf::Missing>& missing) {
  std::string out;
  for (const auto& m : missing)
    out += (out.empty() ? "" : ", ") + m.name + " (" + m.needed_by + ")";
  return out;
}

// The bytes a planned file will have in the image ("" when it is not planned).
Result<std::string> image_file(const Plan& plan, const std::string& path) {
  auto it = plan.entries().find(path);
  if (it == plan.entries().end() || it->second.kind != EntryKind::file) return std::string();
  if (it->second.source.empty()) return it->second.content;
  return read_file(it->second.source, 1 << 20);
}

bool is_ancestor_or_self(const std::string& dir, const std::string& path) {
  return path == dir ||
         (path.size() > dir.size() && path.rfind(dir, 0) == 0 && path[dir.size()] == '/');
}

// Whether glibc's ld.so in the image can find a library of the closure only through
// /etc/ld.so.cache: one lies outside its default directories (/usr/local/lib and the
// ld.so.conf.d folders are in none). A library found through RUNPATH counts too: harmless.
bool needs_loader_cache(const elf::Closure& closure, const std::string& program) {
  if (closure.interpreter.empty() || closure.interpreter.find("ld-musl") != std::string::npos)
    return false;
  for (const auto& file : closure.files) {
    if (file == program) continue;
    std::string dir = file.substr(0, file.rfind('/'));
    if (auto hw = dir.find("/glibc-hwcaps/"); hw != std::string::npos) dir.resize(hw);
    std::string parent = dir.substr(0, dir.rfind('/'));
    bool triplet = dir.find("-linux-") != std::string::npos;
    bool is_default = dir == "/lib" || dir == "/usr/lib" || dir == "/lib64" ||
                      dir == "/usr/lib64" ||
                      (triplet && (parent == "/lib" || parent == "/usr/lib"));
    if (!is_default) return true;
  }
  return false;
}

Result<Accounts> image_accounts(const Plan& plan) {
  return Accounts{TRY(image_file(plan, "/etc/passwd")), TRY(image_file(plan, "/etc/group"))};
}

}  // namespace

std::map<std::string, std::string> base_annotations(const transport::ImageRef& from,
                                                    const oci::Digest& digest) {
  std::map<std::string, std::string> out;
  if (from.kind == transport::Kind::docker)
    out["org.opencontainers.image.base.name"] = from.docker.str();
  out["org.opencontainers.image.base.digest"] = digest.str();
  return out;
}

Result<BuildResult> run_build(const BuildSpec& spec, const WarningSink& warn,
                              const RegistryAccess& registries, TransferProgress* progress) {
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

  // 2. The root the files come from.
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
  elf::ClosureOptions closure_options;
  closure_options.ld_library_path = library_path(spec.env);
  closure_options.nsswitch_conf = TRY(image_file(plan, "/etc/nsswitch.conf"));
  closure_options.loaded = std::move(elf.objects);
  auto closure = TRY(elf::resolve_closure(elf::DirLoaderRoot(dir), programs, closure_options));
  if (!closure.missing.empty()) {
    std::string list = missing_list(closure.missing);
    if (!spec.allow_missing)
      return make_error("libraries not found in " + dir.dir() + ": " + list +
                        " (--allow-missing to build anyway)");
    warn("libraries not found, the program may not start: " + list);
  }
  // The platform is the program's (--platform must agree with it).
  settings.platform = TRY(program_platform(dir, programs.front(), asked));
  BuildResult result;
  // Without the root's loader cache the image's ld.so would not find such libraries.
  if (needs_loader_cache(closure, program_file) && TRY(dir.exists("/etc/ld.so.cache")))
    TRY(plan.add_from_root(dir, "/etc/ld.so.cache", Layer::libs));
  for (const auto& link : closure.links) {
    // A host program's own path is not recreated in the image: it lives under /app.
    if (!program.host_path.empty() && is_ancestor_or_self(link.path, program.in_root)) continue;
    plan.add_symlink(link.path, link.target, Layer::libs);
  }
  for (const auto& file : closure.files) {
    if (file == program_file) continue;
    TRY(plan.add_from_root(dir, file, Layer::libs));
    ++result.libraries;
  }

  auto root_files = plan.root_files();
  auto metadata = TRY(package_metadata(dir, {root_files.begin(), root_files.end()}));
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
  for (const auto& [k, v] : spec.annotations) settings.annotations[k] = v;

  // 5. The plan checked as the container will start, by lint's run-time rules (unless
  // --no-verify): the user reaches the program, its interpreters and libraries, and so on.
  if (!spec.no_verify) {
    oci::ImageConfig config;
    config.os = settings.platform.os;
    config.architecture = settings.platform.architecture;
    config.user = settings.user;
    config.env = settings.env;
    config.entrypoint = settings.entrypoint;
    config.cmd = settings.cmd;
    config.working_dir = settings.workdir;
    auto image = TRY(planned_image(plan, std::move(config)));
    TRY(verify_image(image, {spec.entrypoint, spec.allow_missing}, warn));
  }

  // 6. Every output opened (a wrong one fails before any work), then layers, config and
  // manifest, then each output written, complete or not there at all. Layers are compressed as
  // asked, else as the outputs want them: none when every output is a docker-archive.
  std::vector<std::unique_ptr<transport::ImageSink>> sinks;
  bool all_uncompressed = true;
  for (const auto& out : spec.outputs) {
    auto ref = TRY(transport::parse_reference(out).wrap("-o"));
    sinks.push_back(TRY(transport::open_sink(ref, registries.to).wrap(out)));
    all_uncompressed = all_uncompressed &&
                       sinks.back()->required_layer_compression() == compress::Compression::none;
  }
  if (!asked_compression && all_uncompressed && !sinks.empty())
    settings.compression = compress::Compression::none;
  auto image = TRY(assemble_image(plan, spec.layers, settings));
  for (const auto& l : image.layers) result.compressed_size += l.size;
  for (const auto& [path, e] : plan.entries())
    if (e.kind == EntryKind::file) ++result.files;
  for (size_t i = 0; i < sinks.size(); ++i) {
    transport::CopyOptions copy;
    copy.platform = settings.platform;
    copy.progress = progress;
    copy.compression = asked_compression;
    auto copied = TRY(transport::copy_image(*image.source, *sinks[i], copy).wrap(spec.outputs[i]));
    result.outputs.emplace_back(spec.outputs[i], copied.root_digest);
  }
  return result;
}

}  // namespace pith::build
