// pith.yaml parsing (yaml-cpp) and the checks shared by the file and the flags.
#include "build/spec.h"

#include <yaml-cpp/yaml.h>

#include <set>

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
  return parse_spec_yaml(text, path);
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

Result<void> validate(const BuildSpec& spec) {
  if (spec.entrypoint.empty()) return make_error("no --entrypoint given");
  if (spec.outputs.empty()) return make_error("no output given (-o oci:DIR:TAG, ...)");
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
