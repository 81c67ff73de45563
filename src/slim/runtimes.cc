// Which runtime rule an invocation gets, and the files every image keeps.
#include <cctype>
#include <string_view>

#include "lint/ca_files.h"
#include "slim/keep.h"
#include "util/path_text.h"

namespace pith::slim {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// The value of the last NAME= in `env`; "" when unset.
std::string env_value(const std::vector<std::string>& env, std::string_view name) {
  std::string value;
  for (const auto& kv : env)
    if (kv.size() > name.size() && starts_with(kv, name) && kv[name.size()] == '=')
      value = kv.substr(name.size() + 1);
  return value;
}

Result<void> keep_if_exists(const RootDir& root, const std::string& path, Keep& keep,
                            const std::string& why) {
  if (TRY(root.exists(path))) keep.add(path, why);
  return {};
}

}  // namespace

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

std::string absolute(const std::string& path, const std::string& workdir) {
  if (!path.empty() && path.front() == '/') return path;
  std::string dir = workdir.empty() ? "/" : workdir;
  return (dir.back() == '/' ? dir : dir + "/") + path;
}

Result<void> keep_runtime(const RootDir& root, const Invocation& inv,
                          const std::vector<std::string>& env, const std::string& workdir,
                          Keep& keep, const Warn& warn) {
  auto resolved = root.resolve(inv.program);
  if (!resolved) return {};
  const std::string name = std::string(path_base_name(resolved->path));
  if (starts_with(name, "python"))
    return keep_python(root, resolved->path, inv.args, env, workdir, keep, warn);
  if (name == "node" || name == "nodejs")
    return keep_node(root, resolved->path, inv.args, env, workdir, keep);
  if (name == "java") return keep_java(root, resolved->path, inv.args, workdir, keep);
  if (starts_with(name, "perl")) return keep_perl(root, inv.args, env, workdir, keep);
  return {};
}

Result<void> keep_data_files(const RootDir& root, const std::vector<std::string>& env, Keep& keep) {
  for (const char* p : {"/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/os-release",
                        "/etc/ld.so.cache", "/etc/localtime", "/etc/timezone", "/etc/host.conf",
                        "/etc/gai.conf", "/etc/services", "/etc/protocols", "/etc/mime.types"})
    TRY(keep_if_exists(root, p, keep, "read by libc and scanners"));
  for (auto file : lint::k_ca_files)
    TRY(keep_if_exists(root, std::string(file), keep, "CA certificates"));
  if (!env_value(env, "TZ").empty())
    TRY(keep_if_exists(root, "/usr/share/zoneinfo", keep, "TZ is set"));
  std::string locale = env_value(env, "LC_ALL");
  if (locale.empty()) locale = env_value(env, "LANG");
  if (!locale.empty() && locale != "C" && locale != "POSIX") {
    // glibc reads a locale from its own directory (C.utf8) or from the archive.
    std::string dir = locale;
    if (auto dot = dir.find('.'); dot != std::string::npos) {
      std::string codeset = dir.substr(dot + 1);
      std::string normal;
      for (char c : codeset)
        if (std::isalnum(static_cast<unsigned char>(c)))
          normal += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      dir = dir.substr(0, dot + 1) + normal;
    }
    TRY(keep_if_exists(root, "/usr/lib/locale/" + dir, keep, "the locale " + locale));
    TRY(keep_if_exists(root, "/usr/lib/locale/locale-archive", keep, "the locale " + locale));
  }
  if (TRY(root.exists("/tmp"))) keep.dirs.insert("/tmp");
  return {};
}

}  // namespace pith::slim
