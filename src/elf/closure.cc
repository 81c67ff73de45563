// The loader emulated per program: its objects loaded breadth-first as ld.so maps DT_NEEDED
// entries, each name searched in the loader's order, then what glibc would dlopen.
#include "elf/closure.h"

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "elf/dlopen_extras.h"
#include "elf/dynamic.h"
#include "elf/search.h"

namespace pith::elf {

namespace {

constexpr uint64_t k_max_nsswitch = 1 << 20;
constexpr size_t k_max_objects = 100000;  // a hostile root cannot make the queue endless

std::string dirname(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

std::string basename(const std::string& path) {
  return path.substr(path.rfind('/') + 1);
}

std::string join(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}

// What every program of the call adds up to.
struct Collector {
  std::set<std::string> files;
  std::map<std::string, std::string> links;
  std::set<std::pair<std::string, std::string>> missing;
  std::set<std::tuple<std::string, std::string, std::string>> missing_versions;

  void add(const RootDir::Resolved& r) {
    files.insert(r.path);
    for (const auto& l : r.links) links.emplace(l.path, l.target);
  }
};

struct Object {
  std::string path;       // the path it was loaded by (ld.so's l_name)
  std::string canonical;  // that path with every symlink followed
  DynamicInfo info;
  int loader = -1;     // the object that caused it to be loaded (ld.so's l_loader)
  std::string origin;  // what $ORIGIN means in its search paths
};

enum class Register { yes, no };

// One program's link map: the objects it loads, by name and by file.
class Namespace {
 public:
  Namespace(const LoaderRoot& root, const SearchEnv& env, const ClosureOptions& options,
            Collector& out)
      : m_root(root), m_env(env), m_options(options), m_out(out) {}

  Result<void> run(const RootDir::Resolved& program, const DynamicInfo& info) {
    m_out.add(program);
    m_objects.push_back({program.path, program.path, info, -1, dirname(program.path)});
    m_queue.push_back(0);
    TRY(load_interpreter());
    load_queue();
    if (m_env.kind == LoaderKind::glibc && m_options.dlopen_extras) {
      TRY(add_dlopen_extras());
      load_queue();
    }
    check_versions();
    return {};
  }

  // Objects loaded by path once the program runs (dlopen of a full path): each one's needs
  // searched from it, then what glibc would dlopen for the libraries they add.
  Result<void> load_by_path(const std::vector<std::string>& paths) {
    for (const auto& path : paths) {
      auto resolved = m_root.resolve(path);
      if (!resolved || m_by_file.contains(resolved->path)) continue;
      auto info = m_root.dynamic_info(resolved->path);
      if (!info || !info->compatible_with(m_objects[0].info)) continue;
      m_out.add(*resolved);
      int index = static_cast<int>(m_objects.size());
      m_objects.push_back({path, resolved->path, std::move(*info), 0, dirname(path)});
      remember(index, path);
      m_queue.push_back(index);
    }
    load_queue();
    if (m_env.kind == LoaderKind::glibc && m_options.dlopen_extras) {
      TRY(add_dlopen_extras());
      load_queue();
    }
    check_versions();
    return {};
  }

 private:
  // What ld.so checks once the objects are mapped (_dl_check_map_versions): every version an
  // object needs from a library is defined by that library.
  void check_versions() {
    for (const auto& object : m_objects) {
      for (const auto& need : object.info.version_needs) {
        auto it = m_by_name.find(need.file);
        if (it == m_by_name.end()) continue;  // not loaded: a missing library, reported as such
        const auto& defined = m_objects[it->second].info.version_definitions;
        for (const auto& v : need.versions)
          if (std::find(defined.begin(), defined.end(), v) == defined.end())
            m_out.missing_versions.emplace(v, need.file, object.canonical);
      }
    }
  }

  Result<void> load_interpreter() {
    const std::string& interp = m_objects[0].info.interpreter;
    auto resolved = m_root.resolve(interp);
    if (!resolved) {
      m_out.missing.emplace(interp, m_objects[0].canonical);
      return {};
    }
    m_out.add(*resolved);
    auto info = m_root.dynamic_info(resolved->path);
    if (!info) return std::move(info).error().wrap(m_root.shown(resolved->path));
    m_interpreter = static_cast<int>(m_objects.size());
    m_objects.push_back({interp, resolved->path, std::move(*info), 0, dirname(interp)});
    remember(m_interpreter, interp);
    return {};
  }

  void remember(int index, const std::string& name) {
    m_by_name.emplace(name, index);
    m_by_name.emplace(m_objects[index].path, index);
    if (m_objects[index].info.soname) m_by_name.emplace(*m_objects[index].info.soname, index);
    m_by_file.emplace(m_objects[index].canonical, index);
  }

  void load_queue() {
    while (!m_queue.empty() && m_objects.size() < k_max_objects) {
      int index = m_queue.front();
      m_queue.pop_front();
      std::vector<std::string> needed = m_objects[index].info.needed;
      for (const auto& name : needed) {
        if (!find(name, index)) m_out.missing.emplace(name, m_objects[index].canonical);
      }
    }
  }

  // A candidate file: accepted when it exists and its class and machine are the program's
  // (ld.so skips other files and goes on searching).
  std::optional<int> try_path(const std::string& path, int loader, Register reg) {
    auto resolved = m_root.resolve(path);
    if (!resolved) return std::nullopt;
    if (auto it = m_by_file.find(resolved->path); it != m_by_file.end()) return it->second;
    auto info = m_root.dynamic_info(resolved->path);
    if (!info || !info->compatible_with(m_objects[0].info)) return std::nullopt;
    m_out.add(*resolved);
    int index = static_cast<int>(m_objects.size());
    m_objects.push_back({path, resolved->path, std::move(*info), loader, dirname(path)});
    if (reg == Register::yes) m_by_file.emplace(resolved->path, index);
    m_queue.push_back(index);
    if (m_env.kind == LoaderKind::glibc && reg == Register::yes) add_hwcaps_variants(index);
    return index;
  }

  // Every D/glibc-hwcaps/<variant>/<name> beside a library found as D/<name>: ld.so picks one
  // by the CPU it runs on, which the build cannot know.
  void add_hwcaps_variants(int index) {
    std::string dir = dirname(m_objects[index].path);
    std::string name = basename(m_objects[index].path);
    auto variants = m_root.list(join(dir, "glibc-hwcaps"));
    if (!variants) return;
    for (const auto& v : *variants)
      try_path(join(dir, "glibc-hwcaps/" + v + "/" + name), m_objects[index].loader, Register::no);
  }

  std::optional<int> try_dirs(const std::string& name, const std::vector<std::string>& dirs,
                              int loader) {
    for (const auto& d : dirs)
      if (auto i = try_path(join(d, name), loader, Register::yes)) return i;
    return std::nullopt;
  }

  std::vector<std::string> expanded(std::string_view path, std::string_view separators,
                                    const Object& object) const {
    std::vector<std::string> out;
    for (const auto& e : split_search_path(path, separators))
      out.push_back(expand_tokens(e, object.origin, m_env));
    return out;
  }

  // ld.so's search for a DT_NEEDED (or dlopen) name on behalf of object `loader`.
  std::optional<int> find(const std::string& name, int loader) {
    if (auto it = m_by_name.find(name); it != m_by_name.end()) return it->second;
    std::optional<int> found = search(name, loader);
    if (found) remember(*found, name);
    return found;
  }

  std::optional<int> search(const std::string& name, int loader) {
    const Object& l = m_objects[loader];
    if (name.find('/') != std::string::npos) {
      std::string path = expand_tokens(name, l.origin, m_env);
      return try_path(path.starts_with('/') ? path : "/" + path, loader, Register::yes);
    }
    std::vector<std::string> llp;
    for (const auto& e : m_options.ld_library_path)
      for (auto& d : expanded(e, ":;", m_objects[0])) llp.push_back(std::move(d));
    if (m_env.kind == LoaderKind::musl) return search_musl(name, loader, llp);

    std::optional<int> found;
    // DT_RPATH of the loader and of its loaders up to the program, unless it has a DT_RUNPATH.
    if (!l.info.runpath) {
      bool did_main = false;
      for (int i = loader; i >= 0 && !found; i = m_objects[i].loader) {
        const Object& o = m_objects[i];
        if (o.info.rpath && !o.info.runpath)
          found = try_dirs(name, expanded(*o.info.rpath, ":", o), loader);
        did_main |= i == 0;
      }
      const Object& main = m_objects[0];
      if (!found && !did_main && main.info.rpath && !main.info.runpath)
        found = try_dirs(name, expanded(*main.info.rpath, ":", main), loader);
    }
    if (!found) found = try_dirs(name, llp, loader);
    if (!found && l.info.runpath) found = try_dirs(name, expanded(*l.info.runpath, ":", l), loader);
    if (!found && m_env.cache) {
      std::vector<const CacheEntry*> entries = m_env.cache->lookup(name, m_env.cache_flags);
      for (const CacheEntry* e : entries) {
        if (!found)
          found = try_path(e->path, loader, Register::yes);
        else if (!e->hwcaps.empty())
          try_path(e->path, loader, Register::no);
      }
    }
    if (!found && !m_env.cache) found = try_dirs(name, m_env.conf_dirs, loader);
    if (!found && !(l.info.flags_1 & k_df_1_nodeflib))
      found = try_dirs(name, m_env.default_dirs, loader);
    return found;
  }

  // musl: LD_LIBRARY_PATH, the run path (DT_RUNPATH, else DT_RPATH) of the loader and of its
  // loaders, then the root's ld-musl path file or musl's default folders.
  std::optional<int> search_musl(const std::string& name, int loader,
                                 const std::vector<std::string>& llp) {
    if (is_musl_builtin(name) && m_interpreter >= 0) return m_interpreter;
    std::optional<int> found = try_dirs(name, llp, loader);
    for (int i = loader; i >= 0 && !found; i = m_objects[i].loader) {
      const Object& o = m_objects[i];
      const auto& path = o.info.runpath ? o.info.runpath : o.info.rpath;
      if (path) found = try_dirs(name, expanded(*path, ":", o), loader);
    }
    if (!found) found = try_dirs(name, m_env.default_dirs, loader);
    return found;
  }

  Result<void> add_dlopen_extras() {
    auto libc = m_by_name.find("libc.so.6");
    int from = libc == m_by_name.end() ? 0 : libc->second;
    // glibc's pthread_cancel and pthread_exit dlopen libgcc_s to unwind the thread; a missing
    // one only fails then.
    bool cancels = false;
    for (const auto& object : m_objects)
      cancels |= object.info.names_thread_cancellation && object.info.soname != "libc.so.6";
    if (cancels || m_by_name.contains("libstdc++.so.6") || m_by_name.contains("libpthread.so.0"))
      find("libgcc_s.so.1", from);
    if (libc == m_by_name.end()) return {};
    std::string conf;
    if (m_options.nsswitch_conf)
      conf = *m_options.nsswitch_conf;
    else if (auto present = m_root.exists("/etc/nsswitch.conf"); present && *present)
      conf = TRY(m_root.read_file("/etc/nsswitch.conf", k_max_nsswitch));
    bool builtin = libc_has_builtin_nss(m_objects[libc->second].info);
    // glibc ignores modules it cannot load, so absent ones are not "missing".
    for (const auto& module : nss_modules(conf, builtin)) find(module, from);
    return {};
  }

  const LoaderRoot& m_root;
  const SearchEnv& m_env;
  const ClosureOptions& m_options;
  Collector& m_out;
  std::deque<Object> m_objects;  // 0 is the program; a deque keeps references valid
  std::deque<int> m_queue;
  std::map<std::string, int> m_by_name;
  std::map<std::string, int> m_by_file;
  int m_interpreter = -1;
};

}  // namespace

Result<Closure> resolve_closure(const LoaderRoot& root, const std::vector<std::string>& programs,
                                const ClosureOptions& options) {
  Collector out;
  Closure closure;
  // The first dynamic program's namespace stays open for the objects it loads by path.
  std::optional<SearchEnv> first_env;
  std::optional<Namespace> first;
  for (const auto& program : programs) {
    RootDir::Resolved resolved = TRY_CTX(root.name(), root.resolve(program));
    DynamicInfo info = TRY_CTX(root.shown(program), root.dynamic_info(resolved.path));
    if (info.interpreter.empty()) {  // static or static-pie: nothing is loaded for it
      out.add(resolved);
      continue;
    }
    SearchEnv env = TRY(make_search_env(root, info, info.interpreter));
    if (first) {
      TRY(Namespace(root, env, options, out).run(resolved, info));
      continue;
    }
    closure.interpreter = info.interpreter;
    first_env.emplace(std::move(env));
    first.emplace(root, *first_env, options, out);
    TRY(first->run(resolved, info));
  }
  if (first) TRY(first->load_by_path(options.loaded));
  closure.files.assign(out.files.begin(), out.files.end());
  for (auto& [path, target] : out.links) closure.links.push_back({path, target});
  for (auto& [name, by] : out.missing) closure.missing.push_back({name, by});
  for (auto& [version, file, by] : out.missing_versions)
    closure.missing_versions.push_back({version, file, by});
  return closure;
}

}  // namespace pith::elf
