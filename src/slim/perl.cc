// Perl: the modules a script loads with `use` and `require` (barewords), transitively, found
// in @INC as Debian's and upstream's perl build it (PERL5LIB, `use lib`, then the site, vendor
// and core folders that exist), with each XS module's shared object (auto/A/B/B.so).
#include <sys/stat.h>

#include <cctype>
#include <deque>

#include "slim/keep.h"

namespace pith::slim {

namespace {

// The folders perl searches, in its order, that this root has: Debian's layout (with the
// multiarch triplet and the version) and upstream's (/usr/local/lib/perl5).
std::vector<std::string> perl_inc(const RootDir& root) {
  std::vector<std::string> out;
  auto add = [&](const std::string& d) {
    auto r = root.resolve(d);
    if (!r) return;
    auto st = root.lstat(r->path);
    if (st && S_ISDIR(st->st_mode)) out.push_back(d);
  };
  auto each = [&](const std::string& parent, auto&& fn) {
    if (auto names = root.list(parent))
      for (const auto& n : *names) fn(n);
  };
  add("/etc/perl");
  std::vector<std::string> triplets;
  each("/usr/lib", [&](const std::string& n) {
    if (n.find("-linux-") != std::string::npos) triplets.push_back(n);
  });
  for (const auto& t : triplets)
    each("/usr/local/lib/" + t + "/perl",
         [&](const std::string& v) { add("/usr/local/lib/" + t + "/perl/" + v); });
  each("/usr/local/share/perl", [&](const std::string& v) { add("/usr/local/share/perl/" + v); });
  for (const auto& t : triplets)
    each("/usr/lib/" + t + "/perl5",
         [&](const std::string& v) { add("/usr/lib/" + t + "/perl5/" + v); });
  add("/usr/share/perl5");
  for (const auto& t : triplets) add("/usr/lib/" + t + "/perl-base");
  for (const auto& t : triplets)
    each("/usr/lib/" + t + "/perl",
         [&](const std::string& v) { add("/usr/lib/" + t + "/perl/" + v); });
  each("/usr/share/perl", [&](const std::string& v) { add("/usr/share/perl/" + v); });
  add("/usr/local/lib/site_perl");
  // Upstream's default prefix (perl built from source, the official perl images).
  each("/usr/local/lib/perl5", [&](const std::string& n) { add("/usr/local/lib/perl5/" + n); });
  add("/usr/local/lib/perl5");
  return out;
}

}  // namespace

std::vector<std::string> perl_requires(std::string_view source) {
  std::vector<std::string> out;
  // POD and the data after __END__ / __DATA__ hold no code.
  std::string code;
  bool pod = false;
  size_t start = 0;
  while (start < source.size()) {
    size_t end = source.find('\n', start);
    if (end == std::string_view::npos) end = source.size();
    std::string_view line = source.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line == "__END__" || line == "__DATA__") break;
    if (!line.empty() && line.front() == '=') {
      pod = line.substr(0, 4) != "=cut";
      continue;
    }
    if (!pod) {
      // A comment: "#" at the line's start or after a blank (a "#" inside a string is
      // rarer than a commented-out "use" line).
      for (size_t k = 0; k < line.size(); ++k) {
        if (line[k] == '#' && (k == 0 || std::isspace(static_cast<unsigned char>(line[k - 1])))) {
          line = line.substr(0, k);
          break;
        }
      }
      code.append(line);
      code += '\n';
    }
  }
  // Statements: a keyword at the start of the code or after ; { } (whitespace between).
  auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  auto skip_space = [&](size_t at) {
    while (at < code.size() && std::isspace(static_cast<unsigned char>(code[at]))) ++at;
    return at;
  };
  // A module name at `at` ("A::B_c"), "" when none; `at` moves past it.
  auto module_at = [&](size_t& at) {
    size_t begin = at;
    if (at >= code.size() ||
        !(std::isalpha(static_cast<unsigned char>(code[at])) || code[at] == '_'))
      return std::string();
    while (at < code.size()) {
      if (is_word(code[at])) {
        ++at;
      } else if (code.compare(at, 2, "::") == 0 && at + 2 < code.size() &&
                 (std::isalpha(static_cast<unsigned char>(code[at + 2])) || code[at + 2] == '_')) {
        at += 2;
      } else {
        break;
      }
    }
    return code.substr(begin, at - begin);
  };
  bool boundary = true;
  for (size_t i = 0; i < code.size() && out.size() < k_max_modules;) {
    char c = code[i];
    if (c == ';' || c == '{' || c == '}') {
      boundary = true;
      ++i;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (!boundary || !std::isalpha(static_cast<unsigned char>(c))) {
      boundary = false;
      ++i;
      continue;
    }
    boundary = false;
    size_t at = i;
    std::string keyword = module_at(at);
    i = at;
    if (keyword != "use" && keyword != "no" && keyword != "require") continue;
    at = skip_space(at);
    std::string module = module_at(at);
    if (module.empty()) continue;
    out.push_back(module);
    i = at;
    if (keyword != "use" || (module != "parent" && module != "base")) continue;
    // use parent -norequire, 'A::B', ...;  use base qw(A B);
    at = skip_space(at);
    if (code.compare(at, 10, "-norequire") == 0) {
      at = skip_space(at + 10);
      if (at < code.size() && code[at] == ',') at = skip_space(at + 1);
    }
    size_t end = code.find(';', at);
    if (end == std::string::npos) end = code.size();
    for (size_t k = at; k < end && out.size() < k_max_modules;) {
      if (std::isalpha(static_cast<unsigned char>(code[k])) || code[k] == '_') {
        std::string w = module_at(k);
        if (w != "qw") out.push_back(w);
      } else {
        ++k;
      }
    }
    i = end;
  }
  return out;
}

Result<void> keep_perl(const RootDir& root, const std::vector<std::string>& args,
                       const std::vector<std::string>& env, const std::string& workdir,
                       Keep& keep) {
  // The arguments: options (-e/-E CODE, -MModule[=...], -mModule, -I DIR), then a script.
  std::string script;
  std::vector<std::string> code;     // -e / -E programs, scanned as a script is
  std::vector<std::string> modules;  // -M / -m
  std::vector<std::string> inc;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if ((a == "-e" || a == "-E") && i + 1 < args.size()) {
      code.push_back(args[++i]);
      continue;
    }
    if (a.size() > 2 && (a.rfind("-M", 0) == 0 || a.rfind("-m", 0) == 0)) {
      std::string m = a.substr(2);
      if (!m.empty() && m.front() == '-') m.erase(0, 1);  // -M-Module: "no Module"
      modules.push_back(m.substr(0, m.find('=')));
      continue;
    }
    if (a.size() > 2 && a.rfind("-I", 0) == 0) {
      inc.push_back(absolute(a.substr(2), workdir));
      continue;
    }
    if (!a.empty() && a.front() == '-') continue;
    if (code.empty()) script = absolute(a, workdir);
    break;
  }
  for (const auto& kv : env)
    if (kv.rfind("PERL5LIB=", 0) == 0) {
      size_t s = 9;
      while (s <= kv.size()) {
        size_t e = kv.find(':', s);
        std::string d = kv.substr(s, e == std::string::npos ? std::string::npos : e - s);
        if (!d.empty()) inc.push_back(absolute(d, workdir));
        if (e == std::string::npos) break;
        s = e + 1;
      }
    }
  for (auto& d : perl_inc(root)) inc.push_back(std::move(d));

  auto exists = [&](const std::string& p) {
    auto r = root.exists(p);
    return r && *r;
  };
  std::deque<std::pair<std::string, std::string>> queue;  // (file, why)
  std::set<std::string> seen;
  auto want = [&](const std::string& module) {
    if (seen.size() >= k_max_modules || !seen.insert(module).second) return;
    std::string rel;
    for (size_t i = 0; i < module.size(); ++i) {
      if (module.compare(i, 2, "::") == 0) {
        rel += '/';
        ++i;
      } else {
        rel += module[i];
      }
    }
    for (const auto& dir : inc) {
      std::string file = dir + "/" + rel + ".pm";
      if (!exists(file)) continue;
      queue.push_back({file, "perl: module " + module});
      // An XS module's shared object, beside it under auto/.
      std::string leaf = rel.substr(rel.rfind('/') + 1);
      for (const auto& so_dir : inc) {
        std::string so = so_dir + "/auto/" + rel + "/" + leaf + ".so";
        if (exists(so)) {
          keep.add(so, "perl: XS of " + module);
          break;
        }
      }
      return;
    }
  };
  if (!script.empty() && TRY(root.exists(script))) queue.push_back({script, "perl: the script"});
  for (const auto& m : modules) want(m);
  for (const auto& c : code)
    for (const auto& m : perl_requires(c)) want(m);
  while (!queue.empty()) {
    auto [file, why] = queue.front();
    queue.pop_front();
    keep.add(file, why);
    auto text = root.read_file(file, k_max_module_source);
    if (!text) continue;
    for (const auto& m : perl_requires(*text)) want(m);
  }
  return {};
}

}  // namespace pith::slim
