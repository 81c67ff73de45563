// Node: the application's directory (the nearest folder holding package.json above the
// script, with its node_modules tree), NODE_PATH's folders, and the builtins a distribution's
// node loads from files instead of its binary (Debian's libnode names
// /usr/share/nodejs/acorn/dist/acorn.js and a few more; without them node aborts at start).
#include <cctype>
#include <set>
#include <string_view>

#include "elf/closure.h"
#include "slim/keep.h"
#include "util/path_text.h"

namespace pith::slim {

namespace {

constexpr uint64_t k_max_node_binary = uint64_t{512} << 20;

// The paths under `prefix` that `bytes` (a binary) spells out in full, ending in .js or .json.
std::set<std::string> embedded_paths(std::string_view bytes, std::string_view prefix) {
  std::set<std::string> out;
  for (size_t at = bytes.find(prefix); at != std::string_view::npos && out.size() < 1000;
       at = bytes.find(prefix, at + 1)) {
    size_t end = at + prefix.size();
    while (end < bytes.size() &&
           (std::isalnum(static_cast<unsigned char>(bytes[end])) ||
            std::string_view("._-/@+").find(bytes[end]) != std::string_view::npos))
      ++end;
    std::string path(bytes.substr(at, end - at));
    auto ends = [&](std::string_view suffix) {
      return path.size() > suffix.size() &&
             path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (path.find("/../") == std::string::npos && (ends(".js") || ends(".json"))) out.insert(path);
  }
  return out;
}

// Externalized builtins named by node or its libnode.
Result<void> keep_external_builtins(const RootDir& root, const std::string& node, Keep& keep) {
  auto closure = elf::resolve_closure(elf::DirLoaderRoot(root), {node}, {});
  if (!closure) return {};
  for (const auto& file : closure->files) {
    const std::string name = std::string(path_base_name(file));
    if (file != node && name.rfind("libnode.so", 0) != 0) continue;
    auto bytes = root.read_file(file, k_max_node_binary);
    if (!bytes) continue;
    for (const auto& path : embedded_paths(*bytes, "/usr/share/nodejs/"))
      if (TRY(root.exists(path))) keep.add(path, "node: a builtin " + name + " loads from a file");
  }
  return {};
}

// Folders never kept whole as "the application": the root and the system's own.
bool is_system_dir(const std::string& dir) {
  for (const char* d : {"/", "/usr", "/usr/bin", "/usr/local", "/usr/local/bin", "/bin", "/etc",
                        "/usr/lib", "/usr/share", "/opt", "/home", "/root", "/srv", "/var"})
    if (dir == d) return true;
  return false;
}

}  // namespace

Result<void> keep_node(const RootDir& root, const std::string& interpreter,
                       const std::vector<std::string>& args, const std::vector<std::string>& env,
                       const std::string& workdir, Keep& keep) {
  TRY(keep_external_builtins(root, interpreter, keep));
  std::string script;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    // Options that take the next word.
    if (a == "-r" || a == "--require" || a == "--import" || a == "--loader" || a == "-e" ||
        a == "--eval" || a == "-p" || a == "--print") {
      ++i;
      continue;
    }
    if (!a.empty() && a.front() == '-') continue;
    script = absolute(a, workdir);
    break;
  }
  for (const auto& kv : env) {
    if (kv.rfind("NODE_PATH=", 0) != 0) continue;
    size_t start = 10;
    while (start <= kv.size()) {
      size_t end = kv.find(':', start);
      std::string d = kv.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if (!d.empty() && !is_system_dir(absolute(d, workdir)) &&
          TRY(root.exists(absolute(d, workdir))))
        keep.add(absolute(d, workdir), "node: NODE_PATH");
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  if (script.empty()) return {};
  if (!TRY(root.exists(script)) && TRY(root.exists(script + ".js"))) script += ".js";
  if (!TRY(root.exists(script))) return {};
  // The application: the nearest package.json's folder, else the script's folder.
  std::string app = dir_of(script);
  for (std::string d = app; !is_system_dir(d); d = dir_of(d)) {
    if (TRY(root.exists(d + "/package.json"))) {
      app = d;
      break;
    }
  }
  if (is_system_dir(app))
    keep.add(script, "node: the script");
  else
    keep.add(app, "node: the application and its node_modules");
  return {};
}

}  // namespace pith::slim
