// Registry authentication, the pure parts: WWW-Authenticate challenges (RFC 7235), token
// endpoint URLs, forms and answers (the Docker token flow and its OAuth2 variant), scopes, and
// base64 for Basic.
#pragma once

#include <chrono>
#include <map>
#include <optional>
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

// catalog: the registry's repository list (no repository), scope "registry:catalog:*".
enum class Access { pull, push, catalog };

// "repository:REPO:pull" or "repository:REPO:pull,push".
std::string repository_scope(std::string_view repository, Access access);

// The token endpoint: the challenge's realm as given. Fails unless it is an http(s) URL.
Result<std::string> token_realm(const Challenge& bearer);

// The token request: realm?service=...&scope=...&scope=... (values percent-encoded, realm
// kept as given). Fails unless the realm is an http(s) URL.
Result<std::string> token_url(const Challenge& bearer, const std::vector<std::string>& scopes);

// What identifies pith to an OAuth2 token server (the form's required client_id).
inline constexpr std::string_view k_oauth_client_id = "pith";

// The body of the OAuth2 refresh-token grant (RFC 6749 section 6) POSTed, as
// application/x-www-form-urlencoded, to the realm when the credential is an identity token:
// grant_type=refresh_token&refresh_token=T&service=S&scope=A%20B&client_id=C, the scopes
// space-separated in one field as docker/distribution sends them; empty service and scope
// are left out. No access_type=offline: that asks for a refresh token, which we already have.
std::string refresh_token_form(std::string_view refresh_token, std::string_view service,
                               const std::vector<std::string>& scopes,
                               std::string_view client_id = k_oauth_client_id);

struct Token {
  std::string value;
  std::chrono::seconds expires_in{60};  // the spec's default when the server gives none
  // When the server says it issued the token (clocks may disagree: see token_lifetime).
  std::optional<std::chrono::system_clock::time_point> issued_at;
  // An OAuth2 answer's new identity token, "" if none: servers that rotate them expect the
  // next refresh to use it.
  std::string refresh_token;
};

// The token endpoint's JSON: {"token": ...} or {"access_token": ...}, optional "expires_in",
// "issued_at" (RFC 3339) and "refresh_token".
Result<Token> parse_token_response(std::string_view body);

// How long a token is still good at `now`: expires_in counted from issued_at, or from `now`
// when the server gave no issued_at or one that only clock skew explains (in the future, or
// older than the token's whole lifetime), so a skewed clock never makes every request fetch
// a new token.
std::chrono::seconds token_lifetime(const Token& t, std::chrono::system_clock::time_point now);

// An RFC 3339 date-time as Go writes time.Time in JSON ("2024-05-01T12:00:00Z",
// "2024-05-01T14:00:00.123456+02:00"); nullopt if malformed.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

// The OAuth2 error code of a refused request ({"error": "invalid_grant", ...}, RFC 6749
// section 5.2), "" if there is none. Only a short code of [a-z_] is returned, never the
// server's free text, so nothing the server echoes back (a secret) reaches a message.
std::string oauth_error(std::string_view body);

std::string base64_encode(std::string_view data);
Result<std::string> base64_decode(std::string_view text);

std::string percent_encode(std::string_view text);

}  // namespace pith::registry
