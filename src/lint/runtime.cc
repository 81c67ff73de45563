// The run-time rules, in the order the runtime meets the problems: the user, the working
// directory, the command, then each program's interpreter, libraries and certificates.
#include "lint/runtime.h"

#include <set>

#include "elf/closure.h"
#include "elf/search.h"
#include "lint/access.h"
#include "lint/ca_files.h"
#include "lint/command.h"

namespace pith::lint {

namespace {

// Libraries whose users verify certificates against the files of lint/ca_files.h.
constexpr std::string_view k_tls_libraries[] = {"libssl.so", "libgnutls.so", "libnss3.so",
                                                "libcurl.so", "libcurl-gnutls.so"};

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

std::string base_name(const std::string& path) {
  return path.substr(path.rfind('/') + 1);
}

std::string env_value(const std::vector<std::string>& env, std::string_view name) {
  std::string value;
  for (const auto& kv : env)
    if (kv.size() > name.size() && kv.starts_with(name) && kv[name.size()] == '=')
      value = kv.substr(name.size() + 1);
  return value;
}

class Check {
 public:
  explicit Check(const ImageView& image) : m_image(image), m_root(image) {}

  std::vector<Finding> run(const RuntimeOptions& options) {
    const auto& c = m_image.config();
    check_user();
    check_workdir();
    std::vector<std::string> argv;
    if (options.entrypoint) {
      argv = {*options.entrypoint};
    } else {
      argv = c.entrypoint;
      argv.insert(argv.end(), c.cmd.begin(), c.cmd.end());
    }
    if (argv.empty() || argv[0].empty()) {
      m_out.push_back(
          finding("PL100", "", "no ENTRYPOINT or CMD: the runtime has nothing to start"));
      return std::move(m_out);
    }
    bool shell_form = argv.size() >= 2 && argv[0] == "/bin/sh" && argv[1] == "-c";
    if (auto program = command_path(argv[0])) {
      bool found = check_program(*program, shell_form ? -1 : 0, "");
      if (found && shell_form && argv.size() >= 3) check_shell_line(argv[2]);
    }
    return std::move(m_out);
  }

 private:
  void check_user() {
    const std::string& user = m_image.config().user;
    std::string passwd = m_image.file("/etc/passwd").value_or("");
    std::string group = m_image.file("/etc/group").value_or("");
    std::string name = user.substr(0, user.find(':'));
    std::string group_name =
        user.find(':') == std::string::npos ? "" : user.substr(user.find(':') + 1);
    if (name.empty() || name == "root" || name == "0") {
      m_out.push_back(finding("PL110", "",
                              user.empty() ? "no USER: the program runs as root"
                                           : "USER " + user + ": the program runs as root"));
    } else if (!all_digits(name) || (!group_name.empty() && !all_digits(group_name))) {
      m_out.push_back(finding("PL109", "",
                              "USER " + user +
                                  " is a name: Kubernetes runAsNonRoot cannot verify "
                                  "it; give the numeric uid[:gid]"));
    }
    // No USER is uid 0 whatever /etc/passwd says (runc needs no entry for it).
    m_who = user.empty() ? std::optional(Identity{}) : identity_of(user, passwd, group);
    if (!m_who) {
      m_out.push_back(
          finding("PL108", "/etc/passwd",
                  "USER " + user + ": no such user or group in /etc/passwd or /etc/group"));
    } else if (all_digits(name) && name != "0" && !passwd_has_uid(passwd, name)) {
      // runc runs an unlisted uid (and podman adds it to the container's passwd), so warn only.
      Finding f = finding("PL108", "/etc/passwd",
                          "uid " + name +
                              " has no /etc/passwd entry: programs that look up their "
                              "user (getpwuid, $HOME) fail");
      f.severity = Severity::warn;
      m_out.push_back(std::move(f));
    }
    if (!m_who) m_who = Identity{};  // go on as root: the other rules still apply
  }

  void check_workdir() {
    const std::string& dir = m_image.config().working_dir;
    if (dir.empty()) return;
    auto resolved = m_image.resolve(dir);
    if (!resolved) {
      // runc creates a missing working directory; only one that cannot be made fails.
      if (resolved.error().message.find("not a directory") != std::string::npos)
        m_out.push_back(finding("PL115", dir, "WORKDIR " + dir + ": " + resolved.error().message));
      return;
    }
    const fs::Node* n = m_image.node(resolved->path);
    if (n != nullptr && n->entry.type != tar::EntryType::directory)
      m_out.push_back(finding("PL115", dir, "WORKDIR " + dir + " is not a directory"));
  }

  // argv[0] as runc finds it: a path as given (relative to the working directory), a bare
  // name through the config's PATH.
  std::optional<std::string> command_path(const std::string& name) {
    if (name.find('/') != std::string::npos) return from_workdir(name);
    auto dirs = path_dirs(m_image.config().env);
    if (auto found = find_in_path(name, dirs)) return found;
    m_out.push_back(
        finding("PL101", "", name + ": not found in any folder of PATH (" + join(dirs, ":") + ")"));
    return std::nullopt;
  }

  // A name with a slash as runc and a shell take it: absolute, or from the working directory.
  std::string from_workdir(const std::string& name) const {
    if (name.starts_with('/')) return name;
    const std::string& dir = m_image.config().working_dir;
    return (dir.empty() ? std::string("/") : dir + "/") + name;
  }

  std::optional<std::string> find_in_path(const std::string& name,
                                          const std::vector<std::string>& dirs) const {
    for (const auto& d : dirs) {
      std::string candidate = (d == "/" ? "" : d) + "/" + name;
      if (executable(candidate)) return candidate;
    }
    return std::nullopt;
  }

  // A regular file with an execute bit at `path`, symlinks followed.
  bool executable(const std::string& path) const {
    auto r = m_image.resolve(path);
    const fs::Node* n = r ? m_image.node(r->path) : nullptr;
    return n != nullptr && is_file(*n) && (n->entry.mode & 0111) != 0;
  }

  static bool is_file(const fs::Node& n) {
    return n.entry.type == tar::EntryType::regular || n.entry.type == tar::EntryType::hardlink;
  }

  static std::string join(const std::vector<std::string>& v, std::string_view sep) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : std::string(sep)) + s;
    return out;
  }

  // The programs a shell-form line starts, as the shell finds them: its built-ins, then a path
  // (from the working directory), or a bare name through PATH. A word the shell would expand
  // ($VAR, `...`, a glob) or an option (`command -v`) is not judged; nor is a function the
  // line defines, which is why this warns: a static reading of a shell line can be wrong.
  // The first k_max_shell_programs names are looked up (a real line runs a few), so a line
  // of thousands of names (up to k_max_arg_bytes) costs no more than a few lookups through a
  // long PATH.
  static constexpr size_t k_max_shell_programs = 16;

  void check_shell_line(const std::string& line) {
    auto dirs = path_dirs(m_image.config().env);
    std::set<std::string, std::less<>> judged;
    std::vector<std::string> missing;
    for (const auto& words : shell_commands(line)) {
      size_t i = program_word(words);
      if (i >= words.size()) continue;
      const std::string& name = words[i];
      if (name.empty() || name.front() == '-' || shell_builtin(name) ||
          name.find_first_of("$`*?[~") != std::string::npos || judged.contains(name))
        continue;
      if (judged.size() == k_max_shell_programs) break;
      judged.insert(name);
      bool found = name.find('/') != std::string::npos ? executable(from_workdir(name))
                                                       : find_in_path(name, dirs).has_value();
      if (!found) missing.push_back(name);
    }
    if (missing.empty()) return;
    m_out.push_back(finding("PL117", "",
                            "the shell command runs " + join(missing, ", ") +
                                ": not in the image (a path, or a name in no folder of PATH " +
                                join(dirs, ":") + ")"));
  }

  // `depth`: 0 the command, > 0 a script's interpreter, -1 the shell of a shell-form command.
  // Whether the program is in the image (whatever else is wrong with it).
  bool check_program(const std::string& path, int depth, const std::string& script) {
    if (!m_checked.insert(path).second) return true;
    auto resolved = m_image.resolve(path);
    if (!resolved) {
      if (depth < 0)
        m_out.push_back(finding("PL114", path,
                                "the command is in shell form (/bin/sh -c) and the "
                                "image has no /bin/sh"));
      else if (depth > 0)
        m_out.push_back(finding(
            "PL116", script, script + ": its interpreter " + path + " (#!) is not in the image"));
      else
        m_out.push_back(finding("PL101", path, path + ": not in the image"));
      return false;
    }
    const fs::Node* n = m_image.node(resolved->path);
    if (n == nullptr || !is_file(*n)) {
      m_out.push_back(finding("PL102", path, path + ": not a regular file"));
      return true;
    }
    if ((n->entry.mode & 0111) == 0) {
      m_out.push_back(finding("PL102", path, fmt_mode(path + ": no execute bit", n->entry.mode)));
      return true;
    }
    check_reachable(resolved->path, Access::execute);
    if (auto line = m_image.shebang(resolved->path)) {
      check_script(path, *line, depth);
      return true;
    }
    const ElfFacts* elf = m_image.elf(resolved->path);
    if (elf == nullptr) {
      std::string why = m_image.elf_error(resolved->path)
                            .value_or(
                                "neither an ELF program nor a "
                                "script (exec format error)");
      m_out.push_back(finding("PL102", path, path + ": " + why));
      return true;
    }
    check_elf(path, resolved->path, *elf);
    return true;
  }

  void check_script(const std::string& path, const std::string& line, int depth) {
    if (depth >= k_max_interpreters) return;
    auto shebang = parse_shebang(line);
    if (!shebang || shebang->interpreter.empty()) {
      m_out.push_back(finding("PL102", path, path + ": a \"#!\" line without an interpreter"));
      return;
    }
    if (!check_program(shebang->interpreter, std::max(depth, 0) + 1, path)) return;
    if (base_name(shebang->interpreter) != "env") return;
    std::string name = env_program(shebang->argument);
    if (name.empty()) return;
    auto dirs = path_dirs(m_image.config().env);
    auto found = name.find('/') == std::string::npos ? find_in_path(name, dirs) : name;
    if (!found) {
      m_out.push_back(finding("PL116", path,
                              path + ": #!" + shebang->interpreter + " " + name + ": " + name +
                                  " is in no folder of PATH"));
      return;
    }
    check_program(*found, std::max(depth, 0) + 1, path);
  }

  void check_elf(const std::string& path, const std::string& canonical, const ElfFacts& facts) {
    const std::string& arch = m_image.config().architecture;
    std::string mine = elf::docker_architecture(facts.info);
    if (!arch.empty() && mine != arch) {
      m_out.push_back(
          finding("PL106", path,
                  path + ": an ELF " +
                      (mine.empty() ? "object of machine " + std::to_string(facts.info.machine)
                                    : mine + " program") +
                      " in a " + arch + " image"));
      return;
    }
    elf::ClosureOptions options;
    options.dlopen_extras = false;
    options.ld_library_path =
        elf::split_search_path(env_value(m_image.config().env, "LD_LIBRARY_PATH"), ":");
    auto closure = elf::resolve_closure(m_root, {canonical}, options);
    if (!closure) {
      m_out.push_back(finding("PL104", path, path + ": " + closure.error().message));
      return;
    }
    // Without its interpreter the kernel fails before any library is looked for.
    for (const auto& m : closure->missing) {
      if (m.name != closure->interpreter) continue;
      m_out.push_back(
          finding("PL103", m.needed_by,
                  m.needed_by + ": its interpreter " + m.name + " is not in the image"));
      return;
    }
    for (const auto& m : closure->missing)
      m_out.push_back(
          finding("PL104", m.needed_by, m.name + ": not found (needed by " + m.needed_by + ")"));
    for (const auto& m : closure->missing_versions)
      m_out.push_back(finding("PL105", m.needed_by,
                              "version " + m.version + " not found in " + m.file +
                                  " (required by " + m.needed_by + ")"));
    bool tls = facts.go_tls;
    std::string interpreter;
    if (auto r = m_image.resolve(closure->interpreter); r && !closure->interpreter.empty())
      interpreter = r->path;
    for (const auto& file : closure->files) {
      if (file == canonical) continue;
      // The kernel opens PT_INTERP for execution; the loader maps libraries it can read.
      check_reachable(file, file == interpreter ? Access::execute : Access::read);
      for (std::string_view lib : k_tls_libraries) tls |= base_name(file).starts_with(lib);
    }
    check_lookups(path, facts);
    if (tls && !has_ca_certificates())
      m_out.push_back(
          finding("PL111", path,
                  path + " is a TLS client (" +
                      std::string(facts.go_tls ? "Go crypto/x509" : "links a TLS library") +
                      ") and the image has no CA certificates (" + std::string(k_ca_files[0]) +
                      " or the like): certificate checks fail"));
  }

  // Files a program reads through the C library or Go's runtime, whose absence it survives
  // silently or with an error only on that path: warnings.
  void check_lookups(const std::string& path, const ElfFacts& facts) {
    if ((facts.info.names_user_lookup || facts.go_user) && !m_image.resolve("/etc/passwd"))
      m_out.push_back(
          finding("PL113", path,
                  path + " looks users up (" +
                      std::string(facts.go_user ? "Go os/user" : "getpwnam, getpwuid, ...") +
                      ") and the image has no /etc/passwd: every "
                      "lookup fails"));
    // TZ=Europe/Paris (or :Europe/Paris) names a file under the zoneinfo folder; a POSIX rule
    // (UTC0, EST5EDT) needs none. Without the file glibc and Go fall back to UTC, silently.
    std::string tz = env_value(m_image.config().env, "TZ");
    if (tz.starts_with(':')) tz.erase(0, 1);
    if (tz.empty() || tz.find_first_of("0123456789") != std::string::npos || m_zones_checked)
      return;
    m_zones_checked = true;
    std::string dir = env_value(m_image.config().env, "ZONEINFO");
    bool found = !dir.empty() && m_image.resolve(dir).ok();
    for (const char* d : {"/usr/share/zoneinfo", "/usr/lib/zoneinfo", "/usr/share/lib/zoneinfo"})
      found |= m_image.resolve(std::string(d) + "/" + tz).ok();
    if (!found)
      m_out.push_back(finding("PL112", "",
                              "TZ=" + tz +
                                  " but the image has no zoneinfo for it "
                                  "(/usr/share/zoneinfo/" +
                                  tz + "): times are shown in UTC"));
  }

  bool has_ca_certificates() const {
    const auto& env = m_image.config().env;
    std::vector<std::string> files, dirs;
    if (auto f = env_value(env, "SSL_CERT_FILE"); !f.empty()) files.push_back(f);
    for (auto& d : elf::split_search_path(env_value(env, "SSL_CERT_DIR"), ":")) dirs.push_back(d);
    for (auto f : k_ca_files) files.emplace_back(f);
    for (auto d : k_ca_dirs) dirs.emplace_back(d);
    for (const auto& f : files) {
      auto r = m_image.resolve(f);
      const fs::Node* n = r ? m_image.node(r->path) : nullptr;
      if (n != nullptr && is_file(*n) &&
          (n->entry.size > 0 || n->entry.type == tar::EntryType::hardlink))
        return true;
    }
    for (const auto& d : dirs) {
      auto r = m_image.resolve(d);
      if (r && !m_image.tree().list(std::string_view(r->path).substr(1)).empty()) return true;
    }
    return false;
  }

  void check_reachable(const std::string& canonical, Access access) {
    auto meta = [&](const std::string& p) -> std::optional<Meta> {
      const fs::Node* n = m_image.tree().find(std::string_view(p).substr(1));
      if (n == nullptr || n->implied) return std::nullopt;
      return Meta{n->entry.type == tar::EntryType::directory, n->entry.mode & 07777, n->entry.uid,
                  n->entry.gid};
    };
    if (auto barrier = first_barrier(canonical, *m_who, access, meta)) {
      std::string user = m_image.config().user.empty() ? "root" : m_image.config().user;
      m_out.push_back(
          finding("PL107", canonical, canonical + ": user " + user + " " + describe(*barrier)));
    }
  }

  static std::string fmt_mode(const std::string& text, uint32_t mode) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04o", mode & 07777);
    return text + " (mode " + buf + ")";
  }

  const ImageView& m_image;
  ImageLoaderRoot m_root;
  std::optional<Identity> m_who;
  std::set<std::string> m_checked;
  bool m_zones_checked = false;
  std::vector<Finding> m_out;
};

}  // namespace

std::vector<Finding> check_runtime(const ImageView& image, const RuntimeOptions& options) {
  return Check(image).run(options);
}

}  // namespace pith::lint
