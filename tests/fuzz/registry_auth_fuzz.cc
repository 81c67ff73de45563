// Fuzz target: what registries and credential files hand pith (WWW-Authenticate headers,
// token answers and OAuth2 errors, dates, auth.json / config.json, Retry-After) must parse or
// fail cleanly, and the OAuth2 form must be built from any identity token.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "registry/auth.h"
#include "registry/credentials.h"
#include "registry/retry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto& c : pith::registry::parse_www_authenticate(text))
    (void)pith::registry::token_url(c, {"repository:x:pull"});
  if (auto t = pith::registry::parse_token_response(text))
    (void)pith::registry::token_lifetime(*t, std::chrono::system_clock::now());
  (void)pith::registry::parse_rfc3339(text);
  (void)pith::registry::oauth_error(text);
  (void)pith::registry::refresh_token_form(text, text, {std::string(text)});
  (void)pith::registry::parse_auth_file(text);
  (void)pith::registry::base64_decode(text);
  (void)pith::registry::parse_retry_after(text, std::chrono::system_clock::now());
  return 0;
}
