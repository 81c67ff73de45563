// The loader's fixed knowledge of a root: cache or configured folders, default folders, and
// the dynamic string tokens of search paths.
#include "elf/search.h"

#include <cctype>

#include "elf/ld_conf.h"

namespace pith::elf {

namespace {

constexpr uint64_t k_max_cache = 64 << 20;

bool present(const LoaderRoot& root, const std::string& path) {
  auto e = root.exists(path);
  return e && *e;
}

int32_t cache_flags_for(const DynamicInfo& info) {
  int32_t abi = 0;
  if (info.is_64) {
    if (info.machine == k_em_x86_64) abi = k_cache_flag_x8664_lib64;
    if (info.machine == k_em_aarch64) abi = k_cache_flag_aarch64_lib64;
    if (info.machine == k_em_ppc64) abi = 0x0500;
    if (info.machine == k_em_s390) abi = 0x0400;
    if (info.machine == k_em_riscv) abi = 0x1000;  // double-float ABI, what distributions use
  } else if (info.machine == k_em_arm) {
    abi = 0x0900;  // hard-float
  }
  return k_cache_flag_elf_libc6 | abi;
}

std::string platform_for(const DynamicInfo& info) {
  switch (info.machine) {
    case k_em_x86_64:
      return info.is_64 ? "x86_64" : "i686";
    case k_em_386:
      return "i686";
    case k_em_aarch64:
      return "aarch64";
    case k_em_s390:
      return info.is_64 ? "s390x" : "s390";
    case k_em_riscv:
      return "riscv64";
    default:
      return "";
  }
}

// musl's path file: folders separated by ':' or newlines.
std::vector<std::string> musl_path(const LoaderRoot& root, const std::string& arch) {
  auto text = root.read_file("/etc/ld-musl-" + arch + ".path", 1 << 16);
  if (text) return split_search_path(*text, ":\n");
  return {"/lib", "/usr/local/lib", "/usr/lib"};
}

}  // namespace

std::string multiarch_triplet(const DynamicInfo& info) {
  switch (info.machine) {
    case k_em_x86_64:
      return info.is_64 ? "x86_64-linux-gnu" : "x86_64-linux-gnux32";
    case k_em_386:
      return "i386-linux-gnu";
    case k_em_aarch64:
      return "aarch64-linux-gnu";
    case k_em_arm:
      return "arm-linux-gnueabihf";
    case k_em_ppc64:
      return info.big_endian ? "powerpc64-linux-gnu" : "powerpc64le-linux-gnu";
    case k_em_s390:
      return "s390x-linux-gnu";
    case k_em_riscv:
      return "riscv64-linux-gnu";
    default:
      return "";
  }
}

bool is_musl_interpreter(std::string_view interpreter, std::string* arch) {
  std::string_view name = interpreter.substr(interpreter.rfind('/') + 1);
  if (!name.starts_with("ld-musl-") || !name.ends_with(".so.1")) return false;
  *arch = std::string(name.substr(8, name.size() - 8 - 5));
  return true;
}

bool is_musl_builtin(std::string_view name) {
  // musl's ldso/dynlink.c: "lib" followed by one of these and a dot is the loader itself.
  if (!name.starts_with("lib")) return false;
  for (std::string_view r : {"c.", "pthread.", "rt.", "m.", "dl.", "util.", "xnet."})
    if (name.substr(3).starts_with(r)) return true;
  return false;
}

std::vector<std::string> split_search_path(std::string_view path, std::string_view separators) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t end = path.find_first_of(separators, pos);
    if (end == std::string_view::npos) end = path.size();
    std::string e(path.substr(pos, end - pos));
    while (e.size() > 1 && e.back() == '/') e.pop_back();
    if (!e.empty()) out.push_back(std::move(e));
    pos = end + 1;
  }
  return out;
}

std::string expand_tokens(std::string_view s, const std::string& origin, const SearchEnv& env) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (s[i] != '$') {
      out += s[i++];
      continue;
    }
    std::string_view rest = s.substr(i + 1);
    bool matched = false;
    for (auto [token, value] : {std::pair<std::string_view, const std::string*>{"ORIGIN", &origin},
                                {"LIB", &env.lib},
                                {"PLATFORM", &env.platform}}) {
      if (env.kind == LoaderKind::musl && token != "ORIGIN") continue;
      std::string braced = "{" + std::string(token) + "}";
      size_t len = 0;
      if (rest.starts_with(braced)) {
        len = braced.size();
      } else if (rest.starts_with(token)) {
        // "$ORIGINAL" is not $ORIGIN: as in ld.so, the name ends at a non-identifier byte.
        char next = rest.size() > token.size() ? rest[token.size()] : '/';
        if (!std::isalnum(static_cast<unsigned char>(next)) && next != '_') len = token.size();
      }
      if (len == 0) continue;
      out += *value;
      i += 1 + len;
      matched = true;
      break;
    }
    if (!matched) out += s[i++];
  }
  return out;
}

Result<SearchEnv> make_search_env(const LoaderRoot& root, const DynamicInfo& program,
                                  std::string_view interpreter) {
  SearchEnv env;
  std::string arch;
  if (is_musl_interpreter(interpreter, &arch)) {
    env.kind = LoaderKind::musl;
    env.default_dirs = musl_path(root, arch);
    return env;
  }
  env.platform = platform_for(program);
  env.cache_flags = cache_flags_for(program);
  std::string triplet = multiarch_triplet(program);
  bool multiarch = !triplet.empty() &&
                   (present(root, "/lib/" + triplet) || present(root, "/usr/lib/" + triplet));
  // Debian's ld.so is built with slibdir /lib/<triplet>: that is its $LIB and its first
  // system folders. Other distributions use lib64 for 64-bit libraries.
  bool lib64 = program.is_64 && program.machine != k_em_riscv;
  env.lib = multiarch ? "lib/" + triplet : lib64 ? "lib64" : "lib";
  if (multiarch) {
    env.default_dirs = {"/lib/" + triplet, "/usr/lib/" + triplet};
  } else if (lib64) {
    env.default_dirs = {"/lib64", "/usr/lib64"};
  }
  env.default_dirs.insert(env.default_dirs.end(), {"/lib", "/usr/lib"});
  if (present(root, "/etc/ld.so.cache")) {
    std::string bytes = TRY(root.read_file("/etc/ld.so.cache", k_max_cache));
    env.cache = TRY_CTX(root.shown("/etc/ld.so.cache"), parse_ld_cache(bytes));
  } else {
    env.conf_dirs = TRY_CTX(root.shown("/etc/ld.so.conf"), read_ld_so_conf(root));
  }
  return env;
}

}  // namespace pith::elf
