// Python: the interpreter's stdlib and site-packages modules that the program imports, found
// by reading the imports of every module kept (transitively, from the script and from `site`,
// which the interpreter imports at start), resolved on sys.path as the interpreter would.
#include <sys/stat.h>

#include <deque>
#include <map>

#include "slim/keep.h"
#include "slim/python_imports.h"

namespace pith::slim {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end - start));
    if (end == std::string::npos) return out;
    start = end + 1;
  }
}

struct Python {
  const RootDir& root;
  std::string version;            // "3.11"
  std::string tag;                // "311", for __pycache__ names
  std::vector<std::string> path;  // sys.path
  std::vector<std::string> ext_suffixes;
  Keep& keep;
  std::deque<std::string> queue;
  std::map<std::string, bool> seen;  // module name -> found

  bool is_dir(const std::string& p) {
    auto r = root.resolve(p);
    if (!r) return false;
    auto st = root.lstat(r->path);
    return st && S_ISDIR(st->st_mode);
  }
  bool is_file(const std::string& p) {
    auto r = root.resolve(p);
    if (!r) return false;
    auto st = root.lstat(r->path);
    return st && S_ISREG(st->st_mode);
  }

  void keep_source(const std::string& file, const std::string& module, bool package) {
    keep.add(file, "python: module " + module);
    std::string dir = dir_of(file);
    std::string stem = file.substr(dir.size() + 1);
    stem = stem.substr(0, stem.size() - 3);
    std::string pyc = dir + "/__pycache__/" + stem + ".cpython-" + tag + ".pyc";
    if (is_file(pyc)) keep.add(pyc, "python: compiled " + module);
    auto text = root.read_file(file, k_max_module_source);
    if (!text) return;
    for (const auto& imp : python_imports(*text)) {
      std::string base = imp.module;
      if (imp.level > 0) {
        // Relative to the importing module's package.
        auto parts = split(module, '.');
        if (!package) parts.pop_back();
        for (int i = 1; i < imp.level && !parts.empty(); ++i) parts.pop_back();
        std::string pkg;
        for (const auto& p : parts) pkg += (pkg.empty() ? "" : ".") + p;
        base = pkg.empty() ? imp.module : (imp.module.empty() ? pkg : pkg + "." + imp.module);
      }
      if (base.empty()) continue;
      want(base);
      for (const auto& n : imp.names)
        if (n != "*") want(base + "." + n);  // a submodule, when it is one
    }
  }

  void want(const std::string& module) {
    // Importing a.b.c imports a and a.b first.
    auto parts = split(module, '.');
    std::string name;
    for (const auto& p : parts) {
      name += (name.empty() ? "" : ".") + p;
      if (!seen.count(name) && seen.size() < k_max_modules) {
        seen[name] = false;
        queue.push_back(name);
      }
    }
  }

  // Finds `module` on sys.path and keeps its files; false when no file holds it (a builtin
  // module, or a name that is an attribute: `from os import path` asks for os.path too).
  bool find(const std::string& module) {
    auto parts = split(module, '.');
    for (const auto& entry : path) {
      std::string dir = entry;
      bool ok = true;
      for (size_t i = 0; i + 1 < parts.size() && ok; ++i) {
        dir += "/" + parts[i];
        ok = is_dir(dir);
      }
      if (!ok) continue;
      const std::string stem = dir + "/" + parts.back();
      if (is_file(stem + "/__init__.py")) {
        keep.dirs.insert(stem);
        keep_source(stem + "/__init__.py", module, true);
        return true;
      }
      if (is_file(stem + ".py")) {
        keep_source(stem + ".py", module, false);
        return true;
      }
      for (const auto& suffix : ext_suffixes) {
        if (is_file(stem + suffix)) {
          keep.add(stem + suffix, "python: extension module " + module);
          return true;
        }
      }
      if (is_dir(stem)) {  // a namespace package
        keep.dirs.insert(stem);
        return true;
      }
    }
    return false;
  }

  void run() {
    while (!queue.empty()) {
      std::string m = queue.front();
      queue.pop_front();
      seen[m] = find(m);
    }
  }
};

// The interpreter's version from its file name (python3.11), else from the one stdlib found.
std::string python_version(const RootDir& root, const std::string& interpreter,
                           const std::string& prefix) {
  std::string name = interpreter.substr(interpreter.rfind('/') + 1);
  if (name.size() > 6 && name.substr(0, 6) == "python") {
    std::string v = name.substr(6);
    while (!v.empty() && !std::isdigit(static_cast<unsigned char>(v.back()))) v.pop_back();
    if (v.find('.') != std::string::npos) return v;
  }
  auto names = root.list(prefix + "/lib");
  if (!names) return "";
  for (const auto& n : *names)
    if (n.rfind("python3.", 0) == 0 && root.exists(prefix + "/lib/" + n + "/os.py") &&
        *root.exists(prefix + "/lib/" + n + "/os.py"))
      return n.substr(6);
  return "";
}

}  // namespace

Result<void> keep_python(const RootDir& root, const std::string& interpreter,
                         const std::vector<std::string>& args, const std::vector<std::string>& env,
                         const std::string& workdir, Keep& keep, const Warn& warn) {
  const std::string prefix = dir_of(dir_of(interpreter));  // /usr/bin/python3.11 -> /usr
  const std::string version = python_version(root, interpreter, prefix);
  if (version.empty()) {
    warn("python: no standard library found beside " + interpreter + "; only its closure is kept");
    return {};
  }
  std::string stdlib = prefix + "/lib/python" + version;
  if (!TRY(root.exists(stdlib + "/os.py"))) stdlib = "/usr/lib/python" + version;
  Python py{root, version, "", {}, {}, keep, {}, {}};
  for (char c : version)
    if (c != '.') py.tag += c;
  // The arguments: options, then a script, `-m MODULE` or `-c CODE`.
  std::string script, module, code;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-m" && i + 1 < args.size()) {
      module = args[i + 1];
      break;
    }
    if (a == "-c" && i + 1 < args.size()) {
      code = args[i + 1];
      break;
    }
    if (a == "-W" || a == "-X") {
      ++i;
      continue;
    }
    if (!a.empty() && a.front() == '-') continue;
    script = absolute(a, workdir);
    break;
  }
  // sys.path: the script's folder (the working directory for -m and -c), PYTHONPATH, the
  // stdlib, lib-dynload, then the site directories (Debian's dist-packages and the rest).
  py.path.push_back(script.empty() ? (workdir.empty() ? "/" : workdir) : dir_of(script));
  for (const auto& kv : env)
    if (kv.rfind("PYTHONPATH=", 0) == 0)
      for (const auto& d : split(kv.substr(11), ':'))
        if (!d.empty()) py.path.push_back(absolute(d, workdir));
  for (const std::string& d : std::vector<std::string>{
           stdlib, stdlib + "/lib-dynload", prefix + "/lib/python" + version + "/site-packages",
           "/usr/local/lib/python" + version + "/dist-packages",
           "/usr/local/lib/python" + version + "/site-packages", "/usr/lib/python3/dist-packages",
           "/usr/lib/python" + version + "/dist-packages"})
    py.path.push_back(d);
  py.ext_suffixes = {".cpython-" + py.tag + "-x86_64-linux-gnu.so",
                     ".cpython-" + py.tag + "-aarch64-linux-gnu.so",
                     ".cpython-" + py.tag + "-x86_64-linux-musl.so",
                     ".cpython-" + py.tag + "-aarch64-linux-musl.so",
                     ".abi3.so",
                     ".so"};
  // What the interpreter needs before the program runs: its landmark (os.py), lib-dynload,
  // `site` (and what it imports), the codecs of `encodings` (looked up by computed names).
  keep.add(stdlib + "/os.py", "python: the landmark of its prefix");
  if (TRY(root.exists(stdlib + "/lib-dynload"))) keep.dirs.insert(stdlib + "/lib-dynload");
  if (TRY(root.exists(stdlib + "/encodings")))
    keep.add(stdlib + "/encodings", "python: codecs found by name");
  for (const char* m : {"site", "sitecustomize", "usercustomize", "_sitebuiltins", "runpy"})
    py.want(m);
  if (!script.empty()) {
    if (TRY(root.exists(script)))
      py.keep_source(script, "__main__", false);
    else
      warn("python: the script " + script + " is not in the image");
  }
  if (!module.empty()) py.want(module);
  if (!code.empty())
    for (const auto& imp : python_imports(code))
      if (!imp.module.empty()) py.want(imp.module);
  py.run();
  // sysconfig loads its data module by a computed name.
  if (py.seen.count("sysconfig") && py.seen["sysconfig"]) {
    if (auto names = root.list(stdlib))
      for (const auto& n : *names)
        if (n.rfind("_sysconfigdata_", 0) == 0 && n.size() > 3 && n.substr(n.size() - 3) == ".py")
          py.keep_source(stdlib + "/" + n, n.substr(0, n.size() - 3), false);
    py.run();
  }
  return {};
}

}  // namespace pith::slim
