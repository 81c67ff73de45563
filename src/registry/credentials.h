// Registry credentials: Docker's config.json and containers' auth.json (one format), the
// docker-credential-* helper protocol, and the order in which pith looks for them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pith::registry {

struct Credential {
  std::string username;
  std::string password;  // or an identity token when username is "<token>"
  // Docker's mark for an identity token (an OAuth2 refresh token: `identitytoken` in
  // config.json, or a helper answering Username "<token>").
  bool is_identity_token() const { return username == "<token>"; }
};

// "user:password" as given to --creds (the password may hold colons; a missing password is
// an error, never a prompt: pith runs in CI).
Result<Credential> parse_creds_option(std::string_view text);

struct AuthFile {
  // By normalised key: a registry ("host:port") or, as containers-auth.json(5) allows, a
  // namespace or repository in it ("host:port/team").
  std::map<std::string, Credential> auths;
  std::map<std::string, std::string> cred_helpers;  // registry -> helper name
  std::string creds_store;                          // default helper, "" if none
};

// Parses config.json / auth.json. Keys are normalised (see normalize_auth_key); entries
// without usable credentials are skipped.
Result<AuthFile> parse_auth_file(std::string_view json);

// "https://host:port/v1/" -> "host:port"; Docker Hub's aliases -> "docker.io".
std::string normalize_registry(std::string_view key);

// An auths key as containers/image reads it: a URL ("https://host:port/v1/", Docker's old
// form) stands for its host alone; "host:port/team" is kept, a namespace's own entry; Docker
// Hub's aliases become "docker.io".
std::string normalize_auth_key(std::string_view key);

// What the files say for `repository` of `registry`: inline credentials, or the helper to ask.
// The most specific auths key wins ("host/team/app", then "host/team", then "host"); helpers
// are per registry.
struct Lookup {
  std::optional<Credential> credential;
  std::string helper;  // "" if none
};
Lookup lookup(const AuthFile& file, const std::string& registry,
              const std::string& repository = "");

// The files searched, in order: --authfile alone when given; otherwise $REGISTRY_AUTH_FILE
// (or ${XDG_RUNTIME_DIR}/containers/auth.json, or /run/containers/$UID/auth.json),
// ~/.config/containers/auth.json, then $DOCKER_CONFIG/config.json or ~/.docker/config.json.
std::vector<std::string> auth_file_paths(const std::string& authfile_option);

// Where `pith login` writes: --authfile, else the first of the list above.
std::string login_auth_file(const std::string& authfile_option);

// Finds credentials for `repository` ("" for the registry as a whole) of `registry` in the
// files (running a helper if one is named); nullopt means anonymous. Errors name the file or
// helper, never a secret.
Result<std::optional<Credential>> find_credential(const std::string& registry,
                                                  const std::string& repository,
                                                  const std::string& authfile_option);

// Runs "docker-credential-NAME get" with the registry on stdin.
Result<std::optional<Credential>> run_credential_helper(const std::string& helper,
                                                        const std::string& registry);

// Adds or replaces (store) or removes (erase) the entry of a key (a registry, or a namespace
// in one: "host:port/team") in an auth file, keeping everything else in it; the file is
// written atomically with mode 0600. Erasing a registry leaves its namespaces' entries.
Result<void> store_credential(const std::string& path, const std::string& key, const Credential& c);
// Returns false when the file had no entry for the key.
Result<bool> erase_credential(const std::string& path, const std::string& key);
Result<void> erase_all_credentials(const std::string& path);

}  // namespace pith::registry
