// Credential files and helpers.
#include "registry/credentials.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "registry/auth.h"
#include "util/file.h"

extern char** environ;

namespace pith::registry {

namespace {

constexpr uint64_t k_max_file = 4 << 20;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string home() {
  std::string h = env("HOME");
  return h.empty() ? "/root" : h;
}

// Docker Hub's credentials are stored under its legacy index URL.
std::string helper_server_url(const std::string& registry) {
  return registry == "docker.io" ? "https://index.docker.io/v1/" : registry;
}

Result<nlohmann::json> read_json_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return nlohmann::json::object();
  std::string text = TRY(read_file(path, k_max_file));
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return nlohmann::json::object();
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return make_error(path + ": not a JSON object");
  return j;
}

}  // namespace

Result<Credential> parse_creds_option(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0)
    return make_error("credentials must be given as USERNAME:PASSWORD");
  return Credential{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
}

std::string normalize_registry(std::string_view key) {
  for (std::string_view scheme : {"https://", "http://"})
    if (key.substr(0, scheme.size()) == scheme) key.remove_prefix(scheme.size());
  size_t slash = key.find('/');
  std::string host(key.substr(0, slash));
  if (host == "index.docker.io" || host == "registry-1.docker.io" ||
      host == "registry.hub.docker.com")
    return "docker.io";
  return host;
}

std::string normalize_auth_key(std::string_view key) {
  std::string_view rest = key;
  for (std::string_view scheme : {"https://", "http://"})
    if (rest.substr(0, scheme.size()) == scheme) return normalize_registry(key);
  size_t slash = rest.find('/');
  std::string path(slash == std::string_view::npos ? "" : rest.substr(slash));
  while (!path.empty() && path.back() == '/') path.pop_back();
  return normalize_registry(rest.substr(0, slash)) + path;
}

Result<AuthFile> parse_auth_file(std::string_view json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return make_error("not a JSON object");
  AuthFile out;
  auto auths = j.find("auths");
  if (auths != j.end() && auths->is_object()) {
    for (const auto& [key, entry] : auths->items()) {
      if (!entry.is_object()) continue;
      Credential c;
      auto auth = entry.find("auth");
      if (auth != entry.end() && auth->is_string() && !auth->get<std::string>().empty()) {
        auto decoded = base64_decode(auth->get<std::string>());
        if (!decoded) return make_error("auths." + normalize_auth_key(key) + ": invalid base64");
        size_t colon = decoded->find(':');
        if (colon == std::string::npos)
          return make_error("auths." + normalize_auth_key(key) + ": not USER:PASSWORD");
        c.username = decoded->substr(0, colon);
        c.password = decoded->substr(colon + 1);
      }
      // `docker login` stores an identity token next to "auth": base64 "USER:" (no password);
      // docker and containers/image then use the token, so it wins.
      auto token = entry.find("identitytoken");
      if (token != entry.end() && token->is_string() && !token->get<std::string>().empty()) {
        c.username = "<token>";
        c.password = token->get<std::string>();
      }
      if (c.username.empty()) continue;
      // Of keys that name the same thing ("host" and "https://host/v1/"), the one written in
      // the normalised form wins, as containers/image tries the exact key first.
      std::string normalized = normalize_auth_key(key);
      if (key == normalized || !out.auths.contains(normalized))
        out.auths[normalized] = std::move(c);
    }
  }
  auto helpers = j.find("credHelpers");
  if (helpers != j.end() && helpers->is_object())
    for (const auto& [key, name] : helpers->items())
      if (name.is_string()) out.cred_helpers[normalize_registry(key)] = name.get<std::string>();
  auto store = j.find("credsStore");
  if (store != j.end() && store->is_string()) out.creds_store = store->get<std::string>();
  return out;
}

Lookup lookup(const AuthFile& file, const std::string& registry, const std::string& repository) {
  // Docker's order: a registry's own helper, then inline auths, then the default store.
  Lookup out;
  auto helper = file.cred_helpers.find(registry);
  if (helper != file.cred_helpers.end()) {
    out.helper = helper->second;
    return out;
  }
  // containers/image's authKeysForKey: the repository, each namespace above it, the registry.
  std::string key = repository.empty() ? registry : registry + "/" + repository;
  while (true) {
    auto it = file.auths.find(key);
    if (it != file.auths.end()) {
      out.credential = it->second;
      return out;
    }
    size_t slash = key.rfind('/');
    if (slash == std::string::npos) break;
    key.resize(slash);
  }
  out.helper = file.creds_store;
  return out;
}

std::string login_auth_file(const std::string& authfile_option) {
  if (!authfile_option.empty()) return authfile_option;
  if (!env("REGISTRY_AUTH_FILE").empty()) return env("REGISTRY_AUTH_FILE");
  if (!env("XDG_RUNTIME_DIR").empty()) return env("XDG_RUNTIME_DIR") + "/containers/auth.json";
  return "/run/containers/" + std::to_string(::getuid()) + "/auth.json";
}

std::vector<std::string> auth_file_paths(const std::string& authfile_option) {
  if (!authfile_option.empty()) return {authfile_option};
  std::vector<std::string> out{login_auth_file("")};
  std::string config_home = env("XDG_CONFIG_HOME");
  if (config_home.empty()) config_home = home() + "/.config";
  out.push_back(config_home + "/containers/auth.json");
  std::string docker = env("DOCKER_CONFIG");
  out.push_back((docker.empty() ? home() + "/.docker" : docker) + "/config.json");
  return out;
}

Result<std::optional<Credential>> find_credential(const std::string& registry,
                                                  const std::string& repository,
                                                  const std::string& authfile_option) {
  for (const auto& path : auth_file_paths(authfile_option)) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      if (!authfile_option.empty()) return make_error(path + ": no such auth file");
      continue;
    }
    std::string text = TRY(read_file(path, k_max_file));
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) continue;  // empty: none
    AuthFile file = TRY(parse_auth_file(text).wrap(path));
    Lookup found = lookup(file, registry, repository);
    if (found.credential) return found.credential;
    if (!found.helper.empty()) {
      auto c = TRY(run_credential_helper(found.helper, registry));
      if (c) return c;
    }
  }
  return std::optional<Credential>();
}

Result<std::optional<Credential>> run_credential_helper(const std::string& helper,
                                                        const std::string& registry) {
  for (char c : helper)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
      return make_error("credential helper \"" + helper + "\": invalid name");
  std::string program = "docker-credential-" + helper;
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return make_error(program + ": " + errno_text(errno));
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    return make_error(program + ": " + errno_text(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  char* argv[] = {program.data(), const_cast<char*>("get"), nullptr};
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  UniqueFd to_child(in[1]);
  UniqueFd from_child(out[0]);
  if (rc != 0) return make_error(program + ": cannot run it: " + errno_text(rc));
  std::string server = helper_server_url(registry);
  auto written =
      write_all_fd(to_child.get(), std::as_bytes(std::span(server.data(), server.size())));
  to_child.reset();
  std::string answer;
  char buf[4096];
  while (answer.size() < k_max_file) {
    ssize_t n = ::read(from_child.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    answer.append(buf, static_cast<size_t>(n));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!written) return make_error(program + ": " + written.error().message);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    // The protocol's "not found" answer is a message on stdout and exit status 1.
    if (answer.find("credentials not found") != std::string::npos)
      return std::optional<Credential>();
    return make_error(program + " get " + registry + ": failed");
  }
  auto j = nlohmann::json::parse(answer, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return make_error(program + ": answer is not JSON");
  Credential c;
  if (j.contains("Username") && j["Username"].is_string()) c.username = j["Username"];
  if (j.contains("Secret") && j["Secret"].is_string()) c.password = j["Secret"];
  // An identity token comes with Username "<token>"; an empty Username is, as for docker, a
  // password without a user name, not a token.
  if (c.password.empty()) return std::optional<Credential>();
  return std::optional<Credential>(std::move(c));
}

Result<void> store_credential(const std::string& path, const std::string& key,
                              const Credential& c) {
  nlohmann::json j = TRY(read_json_file(path));
  if (!j.contains("auths") || !j["auths"].is_object()) j["auths"] = nlohmann::json::object();
  j["auths"][key] = {{"auth", base64_encode(c.username + ":" + c.password)}};
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  return write_file_atomic(path, j.dump(1, '\t') + "\n", 0600);
}

Result<bool> erase_credential(const std::string& path, const std::string& key) {
  nlohmann::json j = TRY(read_json_file(path));
  if (!j.contains("auths") || !j["auths"].is_object()) return false;
  bool found = false;
  auto& auths = j["auths"];
  for (auto it = auths.begin(); it != auths.end();) {
    if (normalize_auth_key(it.key()) == key) {
      it = auths.erase(it);
      found = true;
    } else {
      ++it;
    }
  }
  if (!found) return false;
  TRY(write_file_atomic(path, j.dump(1, '\t') + "\n", 0600));
  return true;
}

Result<void> erase_all_credentials(const std::string& path) {
  nlohmann::json j = TRY(read_json_file(path));
  j["auths"] = nlohmann::json::object();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return {};
  return write_file_atomic(path, j.dump(1, '\t') + "\n", 0600);
}

}  // namespace pith::registry
