// What a slimmed image keeps of its input's root, as the rules find it (runtimes, data files,
// --include, --include-package): paths kept with the links on the way to them, directories
// kept without their contents, and the ELF files whose closures must come along.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "slim/command.h"
#include "util/result.h"
#include "util/root_dir.h"

namespace pith::slim {

struct Keep {
  std::set<std::string> paths;  // absolute; a directory is kept whole
  std::set<std::string> dirs;   // directories kept empty (Python's lib-dynload, /tmp)
  // Why a path is kept, for the report: "python: import of json" (one line each, bounded).
  std::vector<std::string> reasons;

  void add(const std::string& path, std::string why) {
    if (paths.insert(path).second && reasons.size() < 10000) reasons.push_back(path + ": " + why);
  }
};

using Warn = std::function<void(const std::string&)>;

// The bounds of the interpreters' rules: modules followed per program, bytes of one module
// read for what it imports.
inline constexpr size_t k_max_modules = 20000;
inline constexpr uint64_t k_max_module_source = uint64_t{16} << 20;

// The interpreters' rules, by the program an invocation runs (its name after every link is
// followed): Python (the stdlib and site-packages modules its script imports, transitively,
// with their extension modules), Node (the application's directory with its node_modules),
// Java (the runtime's home directory and the classpath), Perl (the modules the script uses,
// transitively, in @INC, with their XS objects). `env` and `workdir` are the config's.
Result<void> keep_runtime(const RootDir& root, const Invocation& inv,
                          const std::vector<std::string>& env, const std::string& workdir,
                          Keep& keep, const Warn& warn);

Result<void> keep_python(const RootDir& root, const std::string& interpreter,
                         const std::vector<std::string>& args, const std::vector<std::string>& env,
                         const std::string& workdir, Keep& keep, const Warn& warn);
Result<void> keep_node(const RootDir& root, const std::string& interpreter,
                       const std::vector<std::string>& args, const std::vector<std::string>& env,
                       const std::string& workdir, Keep& keep);
Result<void> keep_java(const RootDir& root, const std::string& interpreter,
                       const std::vector<std::string>& args, const std::string& workdir,
                       Keep& keep);

Result<void> keep_perl(const RootDir& root, const std::vector<std::string>& args,
                       const std::vector<std::string>& env, const std::string& workdir, Keep& keep);
// The modules a Perl source names with `use`, `no`, `require` (barewords) and `use parent` /
// `use base` lists, after POD and __END__ are set aside ("Foo::Bar"); bounded.
std::vector<std::string> perl_requires(std::string_view source);

// Files every program may read that no closure names: the accounts (passwd, group,
// nsswitch.conf), os-release (scanners need it), the loader cache, CA bundles (lint's list),
// the time zone (/etc/localtime; all of zoneinfo when TZ is set), the locale LANG/LC_ALL name.
Result<void> keep_data_files(const RootDir& root, const std::vector<std::string>& env, Keep& keep);

// A path made absolute against `workdir` ("" is "/"); its folder ("/a/b" -> "/a", "/a" -> "/").
std::string absolute(const std::string& path, const std::string& workdir);
std::string dir_of(const std::string& path);

}  // namespace pith::slim
