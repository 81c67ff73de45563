// A stage's instructions, one after the other: config edits in place, layer steps through the
// cache, the runner (RUN) or an overlay pith writes into itself (COPY, ADD, WORKDIR).
#include "executor/stage.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>

#include "dockerfile/go_path.h"
#include "dockerfile/parser.h"
#include "dockerfile/run_mount.h"
#include "dockerfile/shell_lex.h"
#include "executor/copy_files.h"
#include "executor/remote_file.h"
#include "lint/access.h"
#include "runner/lower_view.h"
#include "runner/overlay_mount.h"
#include "runner/run.h"
#include "runner/run_mounts.h"
#include "util/file.h"
#include "util/root_dir.h"
#include "util/sha256.h"

namespace pith::executor {

namespace {

using dockerfile::Instruction;
using dockerfile::Kind;

constexpr const char* k_default_path =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::string key_of(const std::vector<std::string>& parts) {
  Sha256 h;
  for (const auto& p : parts) {
    h.update(std::as_bytes(std::span(p)));
    h.update(std::as_bytes(std::span("\0", 1)));
  }
  return h.hex_digest();
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

// A stage's or image's root seen read-only (COPY --from): its layers mounted as an overlay
// whose upper dir is thrown away.
class RootView {
 public:
  static Result<RootView> mount(BuildStore& store, const std::vector<std::string>& lowers) {
    TempDir dir = TRY(TempDir::create_beside(store.scratch_dir() + "/view", 0700));
    for (const char* sub : {"upper", "work", "root"})
      if (::mkdir((dir.path() + "/" + sub).c_str(), 0755) != 0)
        return make_error(dir.path() + ": " + errno_text(errno));
    RootView view(std::move(dir));
    if (!lowers.empty())
      view.m_mount.emplace(TRY(
          runner::OverlayMount::mount(view.m_dir.path(), lowers, "upper", "work", view.root())));
    return view;
  }
  RootView(RootView&&) = default;
  ~RootView() {
    if (m_mount && !m_mount->unmount()) m_dir.release();  // never removed through a mount
  }
  std::string root() const { return m_dir.path() + "/root"; }

 private:
  explicit RootView(TempDir dir) : m_dir(std::move(dir)) {}
  TempDir m_dir;
  std::optional<runner::OverlayMount> m_mount;
};

// passwd/group lines: "name:x:id:..." -> id, for a name or a number.
std::optional<uint32_t> id_of(const std::string& text, const std::string& db) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos)
    return static_cast<uint32_t>(std::stoul(text));
  size_t start = 0;
  while (start < db.size()) {
    size_t end = db.find('\n', start);
    if (end == std::string::npos) end = db.size();
    std::string line = db.substr(start, end - start);
    start = end + 1;
    auto c1 = line.find(':');
    if (c1 == std::string::npos || line.substr(0, c1) != text) continue;
    auto c2 = line.find(':', c1 + 1);
    if (c2 == std::string::npos) continue;
    auto c3 = line.find(':', c2 + 1);
    std::string id = line.substr(c2 + 1, c3 == std::string::npos ? std::string::npos : c3 - c2 - 1);
    if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos) continue;
    return static_cast<uint32_t>(std::stoul(id));
  }
  return std::nullopt;
}

class StageRun {
 public:
  StageRun(BuildContext& ctx, const dockerfile::Stage& stage) : m_ctx(ctx), m_stage(stage) {}

  Result<StageResult> run() {
    size_t position = ++m_ctx.stages_built;
    if (m_ctx.graph.order.size() > 1)
      m_prefix =
          "[" + std::to_string(position) + "/" + std::to_string(m_ctx.graph.order.size()) + "] ";
    m_total = 1 + m_stage.instructions.size();
    announce("FROM " + m_stage.base + (m_stage.name.empty() ? "" : " AS " + m_stage.name));
    TRY(start().wrap(location(m_stage.line)));
    for (const auto& ins : m_stage.instructions) {
      announce(ins.original);
      TRY(dispatch(ins).wrap(location(ins.start_line)));
    }
    StageResult result;
    result.state = std::move(m_state);
    return result;
  }

 private:
  std::string location(int line) const {
    return std::filesystem::path(m_ctx.options.dockerfile).filename().string() + ":" +
           std::to_string(line);
  }

  void announce(const std::string& text) {
    ++m_step;
    ++m_ctx.steps;
    if (m_ctx.events.step)
      m_ctx.events.step(m_prefix + "STEP " + std::to_string(m_step) + "/" +
                        std::to_string(m_total) + ": " + text);
  }

  dockerfile::LexOptions lex() const {
    dockerfile::LexOptions o;
    o.escape = m_ctx.escape;
    return o;
  }
  Result<std::string> word(const std::string& text) const {
    return dockerfile::process_word(text, m_scope->vars(), lex());
  }

  oci::Platform platform() const {
    const auto& opts = m_ctx.options.stages;
    auto p = opts.target_platform.value_or(opts.build_platform);
    if (!m_stage.platform.empty())
      if (auto parsed = dockerfile::parse_platform(m_stage.platform)) p = *parsed;
    oci::Platform out;
    out.os = p.os;
    out.architecture = p.arch;
    out.variant = p.variant;
    return out;
  }

  Result<void> start() {
    if (m_stage.base_stage) {
      const auto& parent = m_ctx.results.at(*m_stage.base_stage);
      if (!parent) return make_error("stage " + std::to_string(*m_stage.base_stage) + " not built");
      // The parent's image; its ARGs stay behind (podman and Docker: a stage sees only the
      // ARGs it declares; BuildKit would carry them, see docs/dockerfile.md).
      m_state = parent->state;
    } else {
      auto base = TRY(open_base(m_stage.base, platform(), m_ctx.blobs, m_ctx.options.base));
      m_state = std::move(base.state);
      // A base without PATH (scratch among them) gets the default one, as Docker and podman
      // give it (moby's dispatchState.setDefaultPath).
      bool has_path = false;
      for (const auto& e : m_state.env()) has_path = has_path || e.starts_with("PATH=");
      if (!has_path) m_state.set_env("PATH", k_default_path);
    }
    dockerfile::Vars env;
    for (const auto& e : m_state.env()) {
      auto eq = e.find('=');
      if (eq != std::string::npos) env[e.substr(0, eq)] = e.substr(eq + 1);
    }
    m_scope.emplace(m_ctx.graph, m_ctx.options.stages, std::move(env));
    // The base's ONBUILD triggers run first, then are gone from the image.
    auto& settings = m_state.settings();
    if (settings.contains("OnBuild") && settings["OnBuild"].is_array()) {
      std::vector<std::string> triggers;
      for (const auto& t : settings["OnBuild"])
        if (t.is_string()) triggers.push_back(t.get<std::string>());
      settings.erase("OnBuild");
      for (const auto& text : triggers) {
        auto parsed = TRY(dockerfile::parse_dockerfile(text).wrap("ONBUILD " + text));
        auto list = TRY(dockerfile::to_instructions(parsed).wrap("ONBUILD " + text));
        for (const auto& ins : list) {
          if (ins.kind == Kind::from || ins.kind == Kind::onbuild || ins.kind == Kind::maintainer)
            return make_error("ONBUILD " + text + ": " + std::string(kind_name(ins.kind)) +
                              " is not allowed as a trigger");
          TRY(dispatch(ins).wrap("ONBUILD " + text));
        }
      }
    }
    return {};
  }

  Result<void> dispatch(const Instruction& ins) {
    auto& c = m_state.settings();
    switch (ins.kind) {
      case Kind::from:
        return make_error("FROM inside a stage");
      case Kind::arg:
        return m_scope->apply(ins, m_ctx.escape);
      case Kind::env: {
        std::vector<std::pair<std::string, std::string>> set;
        for (const auto& kv : ins.pairs) set.emplace_back(TRY(word(kv.key)), TRY(word(kv.value)));
        TRY(m_scope->apply(ins, m_ctx.escape));
        for (const auto& [k, v] : set) m_state.set_env(k, v);
        return history(ins);
      }
      case Kind::label: {
        if (!c.contains("Labels") || !c["Labels"].is_object())
          c["Labels"] = nlohmann::json::object();
        for (const auto& kv : ins.pairs) c["Labels"][TRY(word(kv.key))] = TRY(word(kv.value));
        return history(ins);
      }
      case Kind::cmd:
        c["Cmd"] = command_of(ins);
        m_cmd_set = true;
        return history(ins);
      case Kind::entrypoint:
        c["Entrypoint"] = command_of(ins);
        // An inherited CMD was the old ENTRYPOINT's arguments.
        if (!m_cmd_set) c.erase("Cmd");
        return history(ins);
      case Kind::shell:
        c["Shell"] = ins.args;
        return history(ins);
      case Kind::user:
        c["User"] = TRY(word(ins.args.at(0)));
        return history(ins);
      case Kind::stopsignal:
        c["StopSignal"] = TRY(word(ins.args.at(0)));
        return history(ins);
      case Kind::expose: {
        if (!c.contains("ExposedPorts") || !c["ExposedPorts"].is_object())
          c["ExposedPorts"] = nlohmann::json::object();
        for (const auto& a : ins.args)
          for (const auto& port : TRY(dockerfile::process_words(a, m_scope->vars(), lex())))
            c["ExposedPorts"][port.find('/') == std::string::npos ? port + "/tcp" : port] =
                nlohmann::json::object();
        return history(ins);
      }
      case Kind::volume:
        return volume(ins);
      case Kind::healthcheck: {
        nlohmann::json h = {{"Test", ins.health.test}};
        if (ins.health.interval_ns) h["Interval"] = ins.health.interval_ns;
        if (ins.health.timeout_ns) h["Timeout"] = ins.health.timeout_ns;
        if (ins.health.start_period_ns) h["StartPeriod"] = ins.health.start_period_ns;
        if (ins.health.start_interval_ns) h["StartInterval"] = ins.health.start_interval_ns;
        if (ins.health.retries) h["Retries"] = ins.health.retries;
        c["Healthcheck"] = h;
        return history(ins);
      }
      case Kind::onbuild:
        if (!c.contains("OnBuild") || !c["OnBuild"].is_array())
          c["OnBuild"] = nlohmann::json::array();
        c["OnBuild"].push_back(ins.onbuild_expression);
        return history(ins);
      case Kind::maintainer:
        m_state.config["author"] = ins.args.at(0);
        return history(ins);
      case Kind::workdir:
        return workdir(ins);
      case Kind::run:
        return run_command(ins);
      case Kind::copy:
      case Kind::add:
        return copy(ins);
    }
    return make_error("unknown instruction");
  }

  // CMD/ENTRYPOINT: the exec form as written, the shell form through the stage's SHELL.
  std::vector<std::string> command_of(const Instruction& ins) {
    if (ins.json) return ins.args;
    std::vector<std::string> argv = shell();
    argv.push_back(ins.args.empty() ? "" : ins.args[0]);
    return argv;
  }

  std::vector<std::string> shell() {
    auto& c = m_state.settings();
    std::vector<std::string> out;
    if (c.contains("Shell") && c["Shell"].is_array())
      for (const auto& w : c["Shell"])
        if (w.is_string()) out.push_back(w.get<std::string>());
    if (out.empty()) out = {"/bin/sh", "-c"};
    return out;
  }

  Result<void> history(const Instruction& ins) {
    m_state.add_history(m_ctx.created, ins.original, true);
    return {};
  }

  std::string workdir_now() {
    auto& c = m_state.settings();
    if (c.contains("WorkingDir") && c["WorkingDir"].is_string() &&
        !c["WorkingDir"].get<std::string>().empty())
      return c["WorkingDir"].get<std::string>();
    return "/";
  }

  Result<std::string> read_image_file(const std::vector<std::string>& lowers,
                                      const std::string& path) {
    auto host = TRY(runner::LowerView(lowers).locate(path));
    if (!host) return std::string();
    struct stat st {};
    if (::stat(host->c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::string();
    return read_file(*host, 16 << 20);
  }

  // One layer-making step: served from the cache, or made now and remembered.
  Result<void> layer_step(const Instruction& ins, const std::vector<std::string>& key_parts,
                          const std::function<Result<LayerRef>()>& make) {
    std::vector<std::string> parts = {m_state.identity()};
    parts.insert(parts.end(), key_parts.begin(), key_parts.end());
    std::string key = key_of(parts);
    std::optional<LayerRef> layer;
    if (!m_ctx.options.no_cache) layer = m_ctx.store.cached(key);
    if (layer) {
      ++m_ctx.cached;
      if (m_ctx.events.step)
        m_ctx.events.step("--> Using cache " + layer->diff_id.hex.substr(0, 12));
    } else {
      layer = TRY(make());
      TRY(m_ctx.store.remember(key, *layer));
    }
    m_state.layers.push_back(*layer);
    m_state.add_history(m_ctx.created, ins.original, false);
    return {};
  }

  // A step's upper dir written into the store as a gzipped layer blob; without a
  // SOURCE_DATE_EPOCH (whose clamp makes the tar's mtimes differ from the dir's) the dir itself
  // becomes the unpacked layer, so the next step need not unpack the tar again.
  // A step whose tar leaves part of the upper dir out (VOLUME paths) is unpacked from its tar.
  Result<LayerRef> keep_layer(runner::Run& step, bool upper_is_layer = true) {
    auto epoch = m_ctx.options.source_date_epoch;
    auto layer = TRY(m_ctx.store.put_layer(
        [&](ByteSink& out) { return step.write_layer(out, epoch); }, compress::Compression::gzip));
    if (!epoch && upper_is_layer) TRY(step.keep_upper(m_ctx.store.unpacked(), layer.diff_id));
    return layer;
  }

  // A layer made by pith itself in the stage's mounted root.
  Result<LayerRef> edit_layer(const std::function<Result<void>(const std::string&)>& edit) {
    runner::RunSpec spec;
    spec.lowers = TRY(m_ctx.blobs.lowers(m_state.layers));
    spec.mount_only = true;
    spec.scratch_dir = m_ctx.store.scratch_dir();
    auto step = TRY(runner::Run::prepare(spec));
    TRY(edit(step->root()));
    TRY(step->unmount());
    return keep_layer(*step);
  }

  // The image's VOLUMEs, absolute and cleaned.
  std::vector<std::string> volumes() {
    std::vector<std::string> out;
    auto& c = m_state.settings();
    if (c.contains("Volumes") && c["Volumes"].is_object())
      for (const auto& [path, value] : c["Volumes"].items()) out.push_back(path);
    return out;
  }

  // VOLUME: in the config only. The directories appear with the next RUN (podman and Docker
  // mount the volumes over them while it runs, and the mountpoints stay in the image).
  Result<void> volume(const Instruction& ins) {
    auto& c = m_state.settings();
    if (!c.contains("Volumes") || !c["Volumes"].is_object())
      c["Volumes"] = nlohmann::json::object();
    for (const auto& a : ins.args) {
      std::string v = TRY(word(a));
      if (v.empty()) return make_error("VOLUME specified can not be an empty string");
      c["Volumes"][v] = nlohmann::json::object();
    }
    return history(ins);
  }

  // Before a RUN: the VOLUME directories the image lacks, made in a layer of their own.
  Result<void> volume_mountpoints(const Instruction& ins) {
    std::vector<std::string> missing;
    auto vols = volumes();
    if (vols.empty()) return {};
    auto lowers = TRY(m_ctx.blobs.lowers(m_state.layers));
    for (const auto& v : vols) {
      std::string dir = dockerfile::clean_path(v.starts_with('/') ? v : "/" + v);
      auto found = TRY(runner::LowerView(lowers).lookup(dir == "/" ? "" : dir.substr(1)));
      if (dir != "/" && !(found && S_ISDIR(found->st_mode))) missing.push_back(dir);
    }
    if (missing.empty()) return {};
    std::vector<std::string> key = {"VOLUME mountpoints"};
    key.insert(key.end(), missing.begin(), missing.end());
    return layer_step(ins, key, [&]() {
      return edit_layer([&](const std::string& root) -> Result<void> {
        auto r = TRY(RootDir::open(root));
        for (const auto& dir : missing) TRY(r.open_dir(dir, RootDir::Create::yes));
        return {};
      });
    });
  }

  Result<void> workdir(const Instruction& ins) {
    std::string dir = TRY(word(ins.args.at(0)));
    if (!dir.starts_with('/')) dir = workdir_now() + "/" + dir;
    dir = dockerfile::clean_path(dir);
    m_state.settings()["WorkingDir"] = dir;
    // The directory is made now when missing (BuildKit and buildah make it too).
    auto lowers = TRY(m_ctx.blobs.lowers(m_state.layers));
    auto found = TRY(runner::LowerView(lowers).lookup(dir == "/" ? "" : dir.substr(1)));
    if (dir == "/" || (found && S_ISDIR(found->st_mode))) return history(ins);
    return layer_step(ins, {"WORKDIR", dir}, [&]() {
      return edit_layer([&](const std::string& root) -> Result<void> {
        auto r = TRY(RootDir::open(root));
        TRY(r.open_dir(dir, RootDir::Create::yes));
        return {};
      });
    });
  }

  // A shell form's text for the shell, heredocs as BuildKit runs them: `RUN <<EOF` alone runs
  // the body as the script; heredocs that feed a command are handed to the shell whole
  // (the command line, then each body and its delimiter), which reads them itself.
  Result<std::string> shell_text(const Instruction& ins) {
    std::string text = ins.args.empty() ? "" : ins.args[0];
    if (ins.heredocs.empty()) return text;
    auto marker = TRY(dockerfile::parse_heredoc_marker(text));
    if (marker && ins.heredocs.size() == 1) {
      const auto& body = ins.heredocs.front();
      if (body.content.starts_with("#!"))
        return make_error("RUN <<" + body.name + " with a #! line is not supported by pith yet");
      if (!marker->chomp) return body.content;
      std::string out;
      bool line_start = true;
      for (char c : body.content) {
        if (line_start && c == '\t') continue;
        line_start = c == '\n';
        out += c;
      }
      return out;
    }
    for (const auto& h : ins.heredocs) text += "\n" + h.content + h.name;
    return text;
  }

  // RUN --mount: each mount for the runner, what it adds to the step's key, and the stage
  // views and cache locks it holds while the step runs.
  struct RunMounts {
    std::vector<runner::Mount> mounts;
    std::vector<std::string> key;
    std::vector<std::string> env;  // secrets given as env=
    std::vector<RootView> views;
    std::vector<UniqueFd> locks;
  };

  Result<RunMounts> run_mounts(const Instruction& ins) {
    RunMounts out;
    auto expand = [&](std::string_view w) { return word(std::string(w)); };
    for (const auto& value : ins.flag_values("mount")) {
      auto m = TRY(dockerfile::parse_run_mount(value, expand).wrap("--mount=" + value));
      std::string target = m.type == dockerfile::MountType::secret
                               ? ""
                               : TRY(dockerfile::mount_target(m, workdir_now()));
      runner::Mount mount;
      mount.target = target;
      mount.read_only = m.read_only;
      switch (m.type) {
        case dockerfile::MountType::bind: {
          // The source inside the context, a stage or an image: resolved inside that root.
          SourceTree tree;
          if (m.from.empty()) {
            tree.root = m_ctx.options.context;
            tree.ignore = m_ctx.ignore;
          } else {
            std::vector<LayerRef> layers;
            if (auto index = stage_named(m.from)) {
              const auto& st = m_ctx.results.at(*index);
              if (!st) return make_error("--mount from=" + m.from + ": stage not built before");
              layers = st->state.layers;
            } else {
              layers =
                  TRY(open_base(m.from, platform(), m_ctx.blobs, m_ctx.options.base)).state.layers;
            }
            for (const auto& l : layers) out.key.push_back("mount from " + l.diff_id.str());
            out.views.push_back(TRY(RootView::mount(m_ctx.store, TRY(m_ctx.blobs.lowers(layers)))));
            tree.root = out.views.back().root();
          }
          auto root = TRY(RootDir::open(tree.root));
          auto resolved = TRY(root.resolve("/" + m.source).wrap("--mount source=" + m.source));
          mount.kind = runner::MountKind::bind;
          mount.source = tree.root + resolved.path;
          auto selection = TRY(choose_sources(tree, {m.source.empty() ? "." : m.source}));
          out.key.push_back("bind " + target + (m.read_only ? " ro " : " rw ") +
                            selection_digest(selection, !m.from.empty()));
          break;
        }
        case dockerfile::MountType::cache: {
          if (!m.from.empty() || !m.source.empty())
            return make_error("--mount=" + value +
                              ": a cache seeded from= is not supported by pith yet");
          std::string dir = m_ctx.store.dir() + "/mount-caches/" +
                            Sha256::hex_of(dockerfile::cache_id(m)).substr(0, 32);
          auto mode = dockerfile::cache_dir_mode(m);
          TRY(runner::make_cache_dir(dir, mode.uid, mode.gid, mode.mode));
          // sharing=locked (and private, which pith also serialises): one RUN at a time.
          if (m.sharing && *m.sharing != dockerfile::MountSharing::shared) {
            UniqueFd lock(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
            if (!lock || ::flock(lock.get(), LOCK_EX) != 0)
              return make_error(dir + ": " + errno_text(errno));
            out.locks.push_back(std::move(lock));
          }
          mount.kind = runner::MountKind::cache;
          mount.source = dir;
          out.key.push_back("cache " + target + " " + dockerfile::cache_id(m));
          break;
        }
        case dockerfile::MountType::tmpfs:
          mount.kind = runner::MountKind::tmpfs;
          mount.size_limit = m.size_limit;
          out.key.push_back("tmpfs " + target);
          break;
        case dockerfile::MountType::secret: {
          auto use = TRY(dockerfile::secret_use(m));
          auto it = m_ctx.options.secrets.find(use.id);
          if (it == m_ctx.options.secrets.end()) {
            if (use.required)
              return make_error("secret " + use.id + ": required, and no --secret id=" + use.id +
                                " given");
            continue;
          }
          if (use.env) {
            std::string text = TRY(read_file(it->second, 500 << 10));
            out.env.push_back(*use.env + "=" + text);
          }
          if (!use.target) continue;
          mount.kind = runner::MountKind::secret;
          mount.target = *use.target;
          mount.source = it->second;
          mount.uid = use.uid;
          mount.gid = use.gid;
          mount.mode = use.mode;
          out.key.push_back("secret " + use.id + " " + *use.target);  // never its content
          break;
        }
        case dockerfile::MountType::ssh:
          return make_error("--mount=type=ssh is not supported by pith yet");
      }
      out.mounts.push_back(std::move(mount));
    }
    return out;
  }

  Result<void> run_command(const Instruction& ins) {
    TRY(volume_mountpoints(ins));
    RunMounts mounts = TRY(run_mounts(ins));
    runner::RunSpec spec;
    spec.mounts = mounts.mounts;
    spec.argv = ins.json ? ins.args : shell();
    if (!ins.json) spec.argv.push_back(TRY(shell_text(ins)));
    bool has_path = false;
    for (const auto& [k, v] : m_scope->vars()) {
      spec.env.push_back(k + "=" + v);
      has_path = has_path || k == "PATH";
    }
    if (!has_path) spec.env.push_back(std::string("PATH=") + k_default_path);
    std::vector<std::string> key_env = spec.env;  // secrets' values stay out of the key
    // Docker's predefined proxy ARGs reach RUN without a declaration, and stay out of the key
    // and the image.
    for (const char* proxy : {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY",
                              "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"}) {
      auto it = m_ctx.options.stages.build_args.find(proxy);
      if (it != m_ctx.options.stages.build_args.end() && !m_scope->vars().count(proxy))
        spec.env.push_back(std::string(proxy) + "=" + it->second);
    }
    spec.env.insert(spec.env.end(), mounts.env.begin(), mounts.env.end());
    spec.cwd = workdir_now();
    // What a RUN writes below a VOLUME is thrown away, as podman and Docker's builder do (the
    // volume is mounted over the directory while it runs).
    for (const auto& v : volumes()) {
      std::string clean = dockerfile::clean_path(v);
      if (clean != "/") spec.discard.push_back(clean.substr(1));
    }
    spec.network = m_ctx.options.network;
    if (auto n = ins.flag("network")) {
      if (*n == "none")
        spec.network = runner::Network::none;
      else if (*n == "host" || *n == "default")
        spec.network = runner::Network::host;
      else
        return make_error("RUN --network=" + *n + ": host, none or default");
    }
    auto& c = m_state.settings();
    std::string user =
        c.contains("User") && c["User"].is_string() ? c["User"].get<std::string>() : "";
    std::vector<std::string> key = {"RUN", joined(spec.argv)};
    for (const auto& e : key_env) key.push_back(e);
    for (const auto& k : mounts.key) key.push_back(k);
    key.push_back("user " + user);
    key.push_back("cwd " + spec.cwd);
    for (const auto& d : spec.discard) key.push_back("discard " + d);
    key.push_back(spec.network == runner::Network::none ? "net none" : "net host");
    return layer_step(ins, key, [&]() -> Result<LayerRef> {
      spec.lowers = TRY(m_ctx.blobs.lowers(m_state.layers));
      spec.scratch_dir = m_ctx.store.scratch_dir();
      if (!user.empty()) {
        std::string passwd = TRY(read_image_file(spec.lowers, "etc/passwd"));
        std::string group = TRY(read_image_file(spec.lowers, "etc/group"));
        auto who = lint::identity_of(user, passwd, group);
        if (!who) return make_error("unable to find user " + user + " in the image's /etc/passwd");
        spec.uid = static_cast<uint32_t>(who->uid);
        spec.gid = static_cast<uint32_t>(who->gid);
        for (auto g : who->groups)
          if (g != who->gid) spec.additional_gids.push_back(static_cast<uint32_t>(g));
      }
      // The primary group is a supplementary one too, as podman and Docker set it (`id`
      // prints groups=GID).
      spec.additional_gids.insert(spec.additional_gids.begin(), spec.gid);
      auto step = TRY(runner::Run::prepare(spec));
      TRY(step->execute(m_ctx.events.output
                            ? m_ctx.events.output
                            : runner::OutputFn([](runner::Stream, std::string_view) {})));
      return keep_layer(*step, spec.discard.empty());
    });
  }

  // The stage --from names (a name, or an index), or nullopt for an image.
  std::optional<size_t> stage_named(const std::string& from) const {
    std::string lower = from;
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    for (const auto& s : m_ctx.graph.stages)
      if (!s.name.empty() && s.name == lower) return s.index;
    if (!from.empty() && from.find_first_not_of("0123456789") == std::string::npos) {
      size_t i = std::stoul(from);
      if (i < m_ctx.graph.stages.size()) return i;
    }
    return std::nullopt;
  }

  Result<void> copy(const Instruction& ins) {
    bool add = ins.kind == Kind::add;
    if (ins.args.empty() || ins.args.size() + ins.inline_sources.size() < 2)
      return make_error("requires at least two arguments");
    std::vector<std::string> sources;
    std::vector<std::string> urls;
    for (size_t i = 0; i + 1 < ins.args.size(); ++i) {
      std::string s = TRY(word(ins.args[i]));
      if (add && is_url(s))
        urls.push_back(s);
      else if (add && s.starts_with("git@"))
        return make_error("ADD from git is not supported by pith yet: " + s);
      else
        sources.push_back(s);
    }
    std::string dest = TRY(word(ins.args.back()));
    if (!dest.starts_with('/')) {
      std::string base = workdir_now();
      dest = (base.ends_with('/') ? base : base + "/") + dest;
    }
    if (dest.ends_with("/.") || dest == ".") dest.pop_back();

    CopyTarget target;
    target.dest = dest;
    target.extract_archives = add;
    target.parents = ins.flag_true("parents");
    target.scratch = m_ctx.store.scratch_dir();
    if (auto m = ins.flag("chmod")) target.chmod = TRY(parse_chmod(TRY(word(*m))));
    std::optional<std::string> chown;
    if (auto o = ins.flag("chown")) chown = TRY(word(*o));

    // Where the sources come from: the context, a stage, or an image.
    SourceTree tree;
    std::optional<RootView> view;
    std::vector<std::string> key = {add ? "ADD" : "COPY", dest, target.parents ? "parents" : "",
                                    target.chmod ? std::to_string(*target.chmod) : "",
                                    chown.value_or("")};
    for (const auto& e : ins.flag_values("exclude")) tree.excludes.push_back(TRY(word(e)));
    for (const auto& e : tree.excludes) key.push_back("exclude " + e);
    std::optional<std::string> from = ins.flag("from");
    if (!from) {
      tree.root = m_ctx.options.context;
      tree.ignore = m_ctx.ignore;
    } else {
      target.keep_owners = true;
      std::vector<LayerRef> layers;
      if (auto index = stage_named(*from)) {
        const auto& s = m_ctx.results.at(*index);
        if (!s) return make_error("--from=" + *from + ": that stage is not built before this one");
        layers = s->state.layers;
      } else {
        auto image = TRY(open_base(*from, platform(), m_ctx.blobs, m_ctx.options.base));
        layers = image.state.layers;
      }
      for (const auto& l : layers) key.push_back("from " + l.diff_id.str());
      view.emplace(TRY(RootView::mount(m_ctx.store, TRY(m_ctx.blobs.lowers(layers)))));
      tree.root = view->root();
    }
    for (const auto& s : sources) key.push_back("source " + s);
    CopySelection selection;
    if (!sources.empty()) selection = TRY(choose_sources(tree, sources));

    // URLs (ADD) and heredocs: files in a folder of their own, each in a subfolder (two may
    // have one name), chosen like the context's.
    std::optional<TempDir> extra;
    std::vector<std::string> extra_sources;
    auto extra_slot = [&]() -> Result<std::string> {
      if (!extra)
        extra.emplace(TRY(TempDir::create_beside(m_ctx.store.scratch_dir() + "/add", 0700)));
      std::string sub = std::to_string(extra_sources.size());
      std::string dir = extra->path() + "/" + sub;
      if (::mkdir(dir.c_str(), 0755) != 0) return make_error(dir + ": " + errno_text(errno));
      return sub;
    };
    std::optional<std::string> checksum;
    if (auto c = ins.flag("checksum")) checksum = TRY(word(*c));
    if (checksum && urls.empty()) return make_error("--checksum applies to URL sources only");
    for (const auto& url : urls) {
      std::string sub = TRY(extra_slot());
      auto fetched = TRY(fetch_url(url, extra->path() + "/" + sub, checksum,
                                   m_ctx.options.base.registry.tls_verify));
      extra_sources.push_back(sub + "/" + fetched.name);
      key.push_back("url " + url + " " + fetched.sha256);
    }
    for (const auto& inline_source : ins.inline_sources) {
      std::string sub = TRY(extra_slot());
      std::string data = inline_source.data;
      if (inline_source.expand) {
        auto o = lex();
        o.raw_quotes = true;
        o.raw_escapes = true;
        data = TRY(dockerfile::process_word(data, m_scope->vars(), o));
      }
      std::string path = extra->path() + "/" + sub + "/" + inline_source.name;
      TRY(write_file_atomic(path, data, 0644));
      extra_sources.push_back(sub + "/" + inline_source.name);
      key.push_back("heredoc " + inline_source.name + " " + data);
    }
    if (!extra_sources.empty()) {
      SourceTree extra_tree;
      extra_tree.root = extra->path();
      auto more = TRY(choose_sources(extra_tree, extra_sources));
      for (auto& m : more.sources) selection.sources.push_back(std::move(m));
      selection.many = selection.sources.size() > 1 || selection.many;
    }
    key.push_back(selection_digest(selection, target.keep_owners));

    return layer_step(ins, key, [&]() {
      return edit_layer([&](const std::string& root) -> Result<void> {
        target.root = root;
        if (chown) {
          auto r = TRY(RootDir::open(root));
          auto read = [&](const char* path) -> std::string {
            auto text = r.read_file(path, 16 << 20);
            return text ? *text : "";
          };
          std::string user = chown->substr(0, chown->find(':'));
          std::string group =
              chown->find(':') == std::string::npos ? "" : chown->substr(chown->find(':') + 1);
          auto uid = id_of(user, read("/etc/passwd"));
          if (!uid) return make_error("--chown=" + *chown + ": no user " + user + " in the image");
          target.uid = *uid;
          if (group.empty()) {
            target.gid = *uid;  // as Docker documents: the UID's number as the GID
          } else {
            auto gid = id_of(group, read("/etc/group"));
            if (!gid)
              return make_error("--chown=" + *chown + ": no group " + group + " in the image");
            target.gid = *gid;
          }
        }
        return copy_into(selection, target);
      });
    });
  }

  BuildContext& m_ctx;
  const dockerfile::Stage& m_stage;
  ImageState m_state;
  std::optional<dockerfile::StageScope> m_scope;
  bool m_cmd_set = false;
  size_t m_step = 0;
  size_t m_total = 0;
  std::string m_prefix;
};

}  // namespace

Result<StageResult> run_stage(BuildContext& ctx, const dockerfile::Stage& stage) {
  return StageRun(ctx, stage).run();
}

}  // namespace pith::executor
