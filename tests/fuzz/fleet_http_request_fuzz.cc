// Fuzz target: what a client sends `pith fleet serve` must parse or be refused cleanly, in
// whole and cut anywhere (the server parses each prefix as bytes arrive), and a parsed request
// must go through the Harbor adapter (bodies as scan requests) without crashing.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fleet/harbor.h"
#include "fleet/http_request.h"
#include "fleet/http_server.h"

namespace {

// Every id is known and done; documents are small objects.
class FuzzBackend : public pith::fleet::ScanBackend {
 public:
  pith::Result<std::string> submit(const pith::fleet::ScanRequest&) override {
    return std::string("id");
  }
  pith::Result<std::optional<pith::fleet::ScanStatus>> status(const std::string& id) override {
    if (id.size() % 3 == 0) return std::optional<pith::fleet::ScanStatus>();
    pith::fleet::ScanStatus s;
    s.state = static_cast<pith::fleet::ScanState>(id.size() % 4);
    s.error = id;
    return std::optional<pith::fleet::ScanStatus>(s);
  }
  pith::Result<std::string> sbom(const std::string& id, std::string_view) override {
    return "{\"id\": \"" + std::string(id.size() % 2 ? "x" : "y") + "\"}";
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  pith::fleet::HttpLimits limits;
  limits.max_head = 4096;
  limits.max_body = 65536;
  auto whole = pith::fleet::parse_request(bytes, limits);
  (void)pith::fleet::parse_request(bytes.substr(0, size / 2), limits);
  (void)pith::fleet::parse_scan_request(bytes);
  (void)pith::fleet::parse_listen_address(bytes);
  if (whole.kind == pith::fleet::ParseOutcome::Kind::complete) {
    FuzzBackend backend;
    pith::fleet::AdapterInfo info;
    info.token = size % 2 ? "t" : "";
    auto response = pith::fleet::handle(whole.request, backend, info);
    (void)pith::fleet::serialize_response(response, false);
    // The body alone as a scan request too.
    (void)pith::fleet::parse_scan_request(whole.request.body);
  }
  return 0;
}
