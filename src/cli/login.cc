// `pith login REGISTRY[/NAMESPACE]` / `pith logout REGISTRY[/NAMESPACE]`: store or remove
// credentials in containers' auth.json (the file skopeo and podman read), after checking them
// against the registry.
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/command.h"
#include "registry/client.h"
#include "registry/credentials.h"
#include "transport/reference.h"

namespace pith::cli {

namespace {

struct LoginArgs {
  std::string registry;
  std::string username;
  std::string password;
  bool password_stdin = false;
  std::string authfile;
  bool tls_verify = true;
  std::string cert_dir;
};

struct LogoutArgs {
  std::string registry;
  std::string authfile;
  bool all = false;
};

// Where credentials go in the auth file, as `podman login` takes it: "host[:port]", or a
// namespace or repository in it ("host:port/team"), an entry of its own that skopeo, podman
// and pith prefer for the repositories under it. A URL stands for its host; "docker://" may
// lead.
struct LoginKey {
  std::string key;       // "host:port" or "host:port/team"
  std::string registry;  // "host:port": where the credentials are checked
};

Result<LoginKey> login_key(const std::string& text) {
  std::string s = text.rfind("docker://", 0) == 0 ? text.substr(9) : text;
  LoginKey out;
  out.key = registry::normalize_auth_key(s);
  out.registry = out.key.substr(0, out.key.find('/'));
  if (out.registry.empty()) return make_error("no registry given");
  std::string path = out.key.substr(out.registry.size());
  if (path.find_first_of(":@") != std::string::npos)
    return make_error(text + ": credentials are stored for a registry or a namespace in it, " +
                      "not for a tag or digest");
  if (path.find("//") != std::string::npos) return make_error(text + ": empty path component");
  return out;
}

// Reads a line from the terminal without echoing it.
Result<std::string> prompt(const std::string& what, bool secret) {
  if (!::isatty(STDIN_FILENO))
    return make_error(what + " needed: give it with --" +
                      (secret ? "password(-stdin)" : "username"));
  std::fprintf(stderr, "%s: ", what.c_str());
  termios old{};
  bool hidden = secret && ::tcgetattr(STDIN_FILENO, &old) == 0;
  if (hidden) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (hidden) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::fprintf(stderr, "\n");
  }
  return line;
}

Result<void> run_login(LoginArgs args) {
  // 1. Gather user name and password (flag, stdin or a prompt; never echoed).
  LoginKey where = TRY(login_key(args.registry));
  if (args.username.empty()) args.username = TRY(prompt("Username", false));
  if (args.password_stdin) {
    std::string all((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    while (!all.empty() && (all.back() == '\n' || all.back() == '\r')) all.pop_back();
    args.password = all;
  } else if (args.password.empty()) {
    args.password = TRY(prompt("Password", true));
  }
  if (args.username.empty() || args.password.empty())
    return make_error("login " + where.key + ": user name and password must not be empty");
  // 2. Check them against the registry (for a namespace too: as podman does, the registry's
  // /v2/): nothing is stored unless they work.
  registry::ClientOptions options;
  options.tls.verify = args.tls_verify;
  options.tls.cert_dir = args.cert_dir;
  options.credential = registry::Credential{args.username, args.password};
  auto client = TRY(registry::Client::create(where.registry, "", registry::Access::pull, options));
  TRY(client->check_access());
  // 3. Store them, under the key as given.
  std::string path = registry::login_auth_file(args.authfile);
  TRY(registry::store_credential(path, where.key, *options.credential));
  std::printf("Login Succeeded (%s, stored in %s)\n", where.key.c_str(), path.c_str());
  return {};
}

Result<void> run_logout(const LogoutArgs& args) {
  std::string path = registry::login_auth_file(args.authfile);
  if (args.all) {
    TRY(registry::erase_all_credentials(path));
    std::printf("Removed all credentials from %s\n", path.c_str());
    return {};
  }
  if (args.registry.empty()) return make_error("logout: name a registry, or --all");
  std::string key = TRY(login_key(args.registry)).key;
  if (!TRY(registry::erase_credential(path, key)))
    return make_error("logout " + key + ": not logged in (no entry in " + path + ")");
  std::printf("Removed login credentials for %s\n", key.c_str());
  return {};
}

}  // namespace

Runner setup_login(CLI::App& app) {
  auto args = std::make_shared<LoginArgs>();
  app.add_option("registry", args->registry,
                 "Registry host[:port], or a namespace in it (host[:port]/team): its own entry, "
                 "used for the repositories under it")
      ->required();
  app.add_option("-u,--username", args->username, "User name (default: asked on the terminal)");
  app.add_option("-p,--password", args->password,
                 "Password (visible to other users in the process list: prefer --password-stdin)");
  app.add_flag("--password-stdin", args->password_stdin, "Read the password from stdin");
  app.add_option("--authfile", args->authfile,
                 "Credentials file (default: $REGISTRY_AUTH_FILE, else "
                 "${XDG_RUNTIME_DIR}/containers/auth.json)");
  app.add_flag("--tls-verify{true}", args->tls_verify,
               "Verify TLS certificates (default true; =false also allows plain http)");
  app.add_option("--cert-dir", args->cert_dir,
                 "Directory with ca.crt and client.cert/client.key (default: "
                 "/etc/containers/certs.d/HOST:PORT/ if it exists)");
  return [args] {
    auto r = run_login(*args);
    return r ? k_exit_ok : report(r.error());
  };
}

Runner setup_logout(CLI::App& app) {
  auto args = std::make_shared<LogoutArgs>();
  app.add_option("registry", args->registry,
                 "Registry host[:port] or namespace, as given to login");
  app.add_option("--authfile", args->authfile, "Credentials file (as for login)");
  app.add_flag("-a,--all", args->all, "Remove the credentials of every registry");
  return [args] {
    auto r = run_logout(*args);
    return r ? k_exit_ok : report(r.error());
  };
}

}  // namespace pith::cli
