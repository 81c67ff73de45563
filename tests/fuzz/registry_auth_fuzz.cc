// Fuzz target: what registries and credential files hand pith (WWW-Authenticate headers,
// token answers, auth.json / config.json, Retry-After) must parse or fail cleanly.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "registry/auth.h"
#include "registry/credentials.h"
#include "registry/retry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto& c : pith::registry::parse_www_authenticate(text))
    (void)pith::registry::token_url(c, {"repository:x:pull"});
  (void)pith::registry::parse_token_response(text);
  (void)pith::registry::parse_auth_file(text);
  (void)pith::registry::base64_decode(text);
  (void)pith::registry::parse_retry_after(text, std::chrono::system_clock::now());
  return 0;
}
