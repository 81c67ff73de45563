// Registry authentication, the pure parts: WWW-Authenticate challenges (RFC 7235), token
// endpoint URLs and answers (the Docker token flow), scopes, and base64 for Basic.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pith::registry {

struct Challenge {
  std::string scheme;                         // lower-case: "basic", "bearer", ...
  std::map<std::string, std::string> params;  // lower-case names: realm, service, scope, error
  std::string param(const std::string& name) const;
};

// Every challenge of a WWW-Authenticate header, in order; malformed parts are skipped (the
// header comes from the network: nothing in it may crash or loop).
std::vector<Challenge> parse_www_authenticate(std::string_view header);

enum class Access { pull, push };

// "repository:REPO:pull" or "repository:REPO:pull,push".
std::string repository_scope(std::string_view repository, Access access);

// The token request: realm?service=...&scope=...&scope=... (values percent-encoded, realm
// kept as given). Fails unless the realm is an http(s) URL.
Result<std::string> token_url(const Challenge& bearer, const std::vector<std::string>& scopes);

struct Token {
  std::string value;
  std::chrono::seconds expires_in{60};  // the spec's default when the server gives none
};

// The token endpoint's JSON: {"token": ...} or {"access_token": ...}, optional "expires_in".
Result<Token> parse_token_response(std::string_view body);

std::string base64_encode(std::string_view data);
Result<std::string> base64_decode(std::string_view text);

std::string percent_encode(std::string_view text);

}  // namespace pith::registry
