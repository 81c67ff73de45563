// pith.yaml parsing (yaml-cpp) and the checks shared by the file and the flags.
#include "build/spec.h"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iterator>

#include "transport/reference.h"
#include "util/file.h"

namespace pith::build {

namespace {

using Node = YAML::Node;

Result<std::string> scalar(const Node& n, const std::string& key) {
  if (!n.IsScalar()) return make_error(key + ": expected a single value");
  return n.as<std::string>();
}

Result<bool> boolean(const Node& n, const std::string& key) {
  std::string v = TRY(scalar(n, key));
  if (v == "true" || v == "yes") return true;
  if (v == "false" || v == "no") return false;
  return make_error(key + ": expected true or false, got \"" + v + "\"");
}

// A list of strings; a single scalar is a list of one.
Result<std::vector<std::string>> strings(const Node& n, const std::string& key) {
  std::vector<std::string> out;
  if (n.IsScalar()) {
    out.push_back(n.as<std::string>());
    return out;
  }
  if (!n.IsSequence()) return make_error(key + ": expected a list");
  for (const auto& item : n) out.push_back(TRY(scalar(item, key)));
  return out;
}

// A map of strings, written as a YAML mapping or as a list of "K=V".
Result<std::map<std::string, std::string>> string_map(const Node& n, const std::string& key) {
  std::map<std::string, std::string> out;
  if (n.IsMap()) {
    for (const auto& kv : n) out[TRY(scalar(kv.first, key))] = TRY(scalar(kv.second, key));
    return out;
  }
  for (const auto& item : TRY(strings(n, key))) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) return make_error(key + ": expected K=V, got " + item);
    out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

Result<void> apply_key(BuildSpec& s, const std::string& key, const Node& v) {
  if (key == "from") {
    s.from = TRY(scalar(v, key));
  } else if (key == "entrypoint") {
    s.entrypoint = TRY(scalar(v, key));
  } else if (key == "cmd") {
    s.cmd = TRY(strings(v, key));
  } else if (key == "add" || key == "add-host") {
    bool host = key == "add-host";
    for (const auto& item : TRY(strings(v, key)))
      (host ? s.add_host : s.add).push_back(TRY(parse_add(item, host).wrap(key)));
  } else if (key == "env") {
    // Kept as K=V in the file's order (a mapping is sorted by key).
    for (const auto& [k, val] : TRY(string_map(v, key))) s.env.push_back(k + "=" + val);
  } else if (key == "workdir") {
    s.workdir = TRY(scalar(v, key));
  } else if (key == "user") {
    s.user = TRY(scalar(v, key));
  } else if (key == "labels" || key == "label") {
    s.labels = TRY(string_map(v, key));
  } else if (key == "annotations" || key == "annotation") {
    s.annotations = TRY(string_map(v, key));
  } else if (key == "expose") {
    s.expose = TRY(strings(v, key));
  } else if (key == "stop-signal") {
    s.stop_signal = TRY(scalar(v, key));
  } else if (key == "ca-bundle") {
    s.ca_bundle = TRY(scalar(v, key));
  } else if (key == "no-ca-certs") {
    s.no_ca_certs = TRY(boolean(v, key));
  } else if (key == "tzdata") {
    s.tzdata = TRY(boolean(v, key));
  } else if (key == "locale") {
    s.locale = TRY(scalar(v, key));
  } else if (key == "platform") {
    s.platform = TRY(scalar(v, key));
  } else if (key == "compress") {
    s.compress = TRY(scalar(v, key));
  } else if (key == "layers") {
    s.layers = TRY(parse_layer_mode(TRY(scalar(v, key))).wrap(key));
  } else if (key == "allow-missing") {
    s.allow_missing = TRY(boolean(v, key));
  } else if (key == "no-verify") {
    s.no_verify = TRY(boolean(v, key));
  } else if (key == "outputs" || key == "output") {
    s.outputs = TRY(strings(v, key));
  } else {
    return make_error("unknown key \"" + key + "\"");
  }
  return {};
}

}  // namespace

Result<BuildSpec> parse_spec_yaml(std::string_view text, const std::string& name) {
  Node doc;
  try {
    doc = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return make_error(name + ": " + e.what());
  }
  BuildSpec spec;
  if (doc.IsNull()) return spec;
  if (!doc.IsMap()) return make_error(name + ": expected a mapping of settings");
  try {
    for (const auto& kv : doc) {
      if (!kv.first.IsScalar()) return make_error(name + ": keys must be names");
      TRY(apply_key(spec, kv.first.as<std::string>(), kv.second).wrap(name));
    }
  } catch (const YAML::Exception& e) {
    return make_error(name + ": " + e.what());
  }
  return spec;
}

Result<BuildSpec> load_spec_file(const std::string& path) {
  std::string text = TRY(read_file(path, 1 << 20));
  BuildSpec spec = TRY(parse_spec_yaml(text, path));
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode))
    relative_to_folder(spec, std::filesystem::path(path).parent_path().string());
  return spec;
}

void relative_to_folder(BuildSpec& spec, const std::string& folder) {
  namespace fs = std::filesystem;
  if (folder.empty() || folder == ".") return;
  std::error_code ec;
  const fs::path base = fs::absolute(folder, ec);
  if (ec) return;
  auto host = [&](std::string& p) {
    if (!p.empty() && p.front() != '/') p = (base / p).lexically_normal().string();
  };
  auto reference = [&](std::string& text) {
    // A reference that does not parse is left for the build to report where it is used.
    auto ref = transport::parse_reference(text);
    if (!ref || ref->path.empty() || ref->path.front() == '/') return;
    // Only the path changes, the rest stays as written (str() would spell the tag out:
    // "fetch:1" as "docker.io/library/fetch:1").
    std::string absolute = (base / ref->path).lexically_normal().string();
    size_t at = ref->kind == transport::Kind::path ? 0 : text.find(':') + 1;
    if (text.compare(at, ref->path.size(), ref->path) == 0) {
      text.replace(at, ref->path.size(), absolute);
    } else {
      ref->path = absolute;
      text = ref->str();
    }
  };
  if (!spec.entrypoint.empty() && spec.entrypoint.front() != '/') {
    // Relative to the current directory, as it must stay relative; the folder alone is made
    // canonical (the program's own name is kept: it names /app/<name>).
    fs::path rel = fs::relative(base, ec);
    fs::path p = (ec ? base : rel) / spec.entrypoint;
    std::string text = p.lexically_normal().string();
    if (text.front() != '/' && !text.starts_with("../")) text = "./" + text;
    spec.entrypoint = text;
  }
  for (auto& a : spec.add_host) host(a.from);
  host(spec.ca_bundle);
  reference(spec.from);
  for (auto& o : spec.outputs) reference(o);
}

BuildSpec combine(BuildSpec s, const BuildSpec& f,
                  const std::function<bool(std::string_view key)>& given) {
  // Single values, and what defines the command: the flag's.
  if (given("from")) s.from = f.from;
  if (given("entrypoint")) s.entrypoint = f.entrypoint;
  if (given("cmd")) s.cmd = f.cmd;
  if (given("workdir")) s.workdir = f.workdir;
  if (given("user")) s.user = f.user;
  if (given("stop-signal")) s.stop_signal = f.stop_signal;
  if (given("locale")) s.locale = f.locale;
  if (given("platform")) s.platform = f.platform;
  if (given("compress")) s.compress = f.compress;
  if (given("layers")) s.layers = f.layers;
  if (given("tzdata")) s.tzdata = f.tzdata;
  if (given("allow-missing")) s.allow_missing = f.allow_missing;
  if (given("no-verify")) s.no_verify = f.no_verify;
  // The CA bundle is one setting given two ways: each flag replaces the other's file value.
  if (given("ca-bundle") || given("no-ca-certs")) {
    s.ca_bundle = f.ca_bundle;
    s.no_ca_certs = f.no_ca_certs;
  }
  // Lists and maps: the flags' added; a key given again takes the flag's value in place.
  for (const auto& e : f.env) {
    auto eq = e.find('=');
    std::string key = e.substr(0, eq == std::string::npos ? e.size() : eq + 1);
    auto same = std::find_if(s.env.begin(), s.env.end(), [&](const std::string& x) {
      return eq != std::string::npos && x.starts_with(key);
    });
    if (same != s.env.end())
      *same = e;
    else
      s.env.push_back(e);
  }
  s.add.insert(s.add.end(), f.add.begin(), f.add.end());
  s.add_host.insert(s.add_host.end(), f.add_host.begin(), f.add_host.end());
  s.expose.insert(s.expose.end(), f.expose.begin(), f.expose.end());
  s.outputs.insert(s.outputs.end(), f.outputs.begin(), f.outputs.end());
  for (const auto& [k, v] : f.labels) s.labels[k] = v;
  for (const auto& [k, v] : f.annotations) s.annotations[k] = v;
  return s;
}

Result<AddSpec> parse_add(std::string_view text, bool need_destination) {
  if (text.empty()) return make_error("empty path");
  auto colon = text.rfind(':');
  AddSpec a;
  if (colon == std::string_view::npos) {
    if (need_destination) return make_error(std::string(text) + ": expected SRC:DST");
    a.from = std::string(text);
    return a;
  }
  a.from = std::string(text.substr(0, colon));
  a.to = std::string(text.substr(colon + 1));
  if (a.from.empty() || a.to.empty()) return make_error(std::string(text) + ": expected SRC:DST");
  if (a.to.front() != '/') return make_error(std::string(text) + ": DST must be absolute");
  return a;
}

Result<LayerMode> parse_layer_mode(std::string_view text) {
  if (text == "single") return LayerMode::single;
  if (text == "base,libs,app" || text == "split") return LayerMode::split;
  return make_error("layers: expected \"base,libs,app\" or \"single\", got \"" + std::string(text) +
                    "\"");
}

bool is_stop_signal(std::string_view text) {
  // Docker's and podman's table for Linux (moby/sys signal.SignalMap), and the numbers 1 to 64
  // podman allows.
  static constexpr std::string_view k_names[] = {
      "ABRT", "ALRM",   "BUS",  "CHLD",   "CLD",   "CONT", "FPE",  "HUP",   "ILL",
      "INT",  "IO",     "IOT",  "KILL",   "PIPE",  "POLL", "PROF", "PWR",   "QUIT",
      "SEGV", "STKFLT", "STOP", "SYS",    "TERM",  "TRAP", "TSTP", "TTIN",  "TTOU",
      "URG",  "USR1",   "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ", "RTMIN", "RTMAX"};
  auto number = [](std::string_view s, int low, int high) {
    if (s.empty() || s.size() > 2 || s.find_first_not_of("0123456789") != std::string_view::npos)
      return false;
    int n = std::stoi(std::string(s));
    return n >= low && n <= high;
  };
  if (number(text, 1, 64)) return true;
  std::string name(text);
  for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (name.starts_with("SIG")) name.erase(0, 3);
  // "RTMIN+1" .. "RTMIN+15" and "RTMAX-14" .. "RTMAX-1", written without leading zeros.
  if (name.starts_with("RTMIN+") || name.starts_with("RTMAX-")) {
    std::string_view offset = std::string_view(name).substr(6);
    return !offset.starts_with('0') && number(offset, 1, name[5] == '+' ? 15 : 14);
  }
  return std::find(std::begin(k_names), std::end(k_names), name) != std::end(k_names);
}

Result<void> validate(const BuildSpec& spec) {
  if (spec.entrypoint.empty()) return make_error("no --entrypoint given");
  if (spec.outputs.empty()) return make_error("no output given (-o oci:DIR:TAG, ...)");
  if (!spec.workdir.empty() && spec.workdir.front() != '/')
    return make_error("--workdir " + spec.workdir +
                      ": not an absolute path (the OCI runtime spec requires one)");
  if (!spec.stop_signal.empty() && !is_stop_signal(spec.stop_signal))
    return make_error("--stop-signal " + spec.stop_signal +
                      ": not a signal (a name such as SIGTERM, TERM or SIGRTMIN+3, or 1 to 64)");
  if (spec.no_ca_certs && !spec.ca_bundle.empty())
    return make_error("--ca-bundle and --no-ca-certs exclude each other");
  if (!spec.locale.empty() && spec.locale != "C.UTF-8" && spec.locale != "C.utf8")
    return make_error("--locale: only C.UTF-8 is supported, got \"" + spec.locale + "\"");
  for (const auto& e : spec.env)
    if (e.find('=') == std::string::npos || e.front() == '=')
      return make_error("--env: expected K=V, got \"" + e + "\"");
  for (const auto& p : spec.expose) {
    auto slash = p.find('/');
    std::string port = p.substr(0, slash);
    std::string proto = slash == std::string::npos ? "tcp" : p.substr(slash + 1);
    bool digits = !port.empty() && port.find_first_not_of("0123456789") == std::string::npos;
    if (!digits || std::stoul(port.substr(0, 6)) > 65535 ||
        (proto != "tcp" && proto != "udp" && proto != "sctp"))
      return make_error("--expose: expected PORT[/tcp|udp|sctp], got \"" + p + "\"");
  }
  return {};
}

}  // namespace pith::build
