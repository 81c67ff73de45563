// Harbor's Pluggable Scanner API v1.2 (goharbor/pluggable-scanner-spec, kept in
// tests/data/harbor/) over a ScanBackend: GET /api/v1/metadata, POST /api/v1/scan,
// GET /api/v1/scan/{id}/report. pith generates SBOMs (SPDX 2.3 and CycloneDX 1.6 JSON) and has
// no vulnerability database, so it advertises the `sbom` capability only and answers a request
// for a vulnerability report with an error, never with an empty (clean-looking) list.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/http_request.h"
#include "sbom/sbom.h"
#include "util/result.h"

namespace pith::fleet {

// The spec's MIME types.
inline constexpr std::string_view k_spdx_json = sbom::media_type(sbom::Format::spdx_json);
inline constexpr std::string_view k_cyclonedx_json = sbom::media_type(sbom::Format::cyclonedx_json);
inline constexpr std::string_view k_sbom_report_mime =
    "application/vnd.security.sbom.report+json; version=1.0";
inline constexpr std::string_view k_error_mime =
    "application/vnd.scanner.adapter.error+json; version=1.0";

// The artifact a scan is about, as Harbor names it (the spec's Artifact).
struct Artifact {
  std::string repository;  // "library/mongo"
  std::string digest;      // "sha256:<64 hex>"
  std::string tag;         // may be empty
  std::string mime_type;   // the manifest's media type; may be empty
};

// A validated POST /scan.
struct ScanRequest {
  std::string registry_url;   // "https://core.harbor.domain"
  std::string authorization;  // the Authorization header for the registry; may be empty
  Artifact artifact;
  // The SBOM formats Harbor asked for (k_spdx_json, k_cyclonedx_json), in its order, no
  // duplicates; both when the request names none.
  std::vector<std::string> sbom_media_types;
};

enum class ScanState { queued, running, done, failed };

struct ScanStatus {
  ScanState state = ScanState::queued;
  std::string error;        // failed: why, one line (shown in Harbor)
  Artifact artifact;        // as submitted, for the report
  int64_t finished_at = 0;  // done: seconds since 1970 (0: unknown, the report says now)
};

// What stores and runs the scans: the fleet's PostgreSQL queue, or a fake in tests. Its
// methods are called from the server's connection threads at once.
class ScanBackend {
 public:
  virtual ~ScanBackend() = default;
  // Enqueues a scan; the id Harbor polls with (unique, at most 256 bytes of [A-Za-z0-9._-]).
  virtual Result<std::string> submit(const ScanRequest& request) = 0;
  // nullopt: no scan has that id.
  virtual Result<std::optional<ScanStatus>> status(const std::string& id) = 0;
  // The SBOM of a done scan in that format (k_spdx_json or k_cyclonedx_json): JSON text, an
  // object.
  virtual Result<std::string> sbom(const std::string& id, std::string_view sbom_media_type) = 0;
};

// Who answers, for /metadata and every report.
struct AdapterInfo {
  std::string name = "pith";
  std::string vendor = "pith";
  std::string version;
  // When not empty, every request must carry "Authorization: Bearer <token>" (the access
  // credential of the scanner's registration in Harbor); otherwise 401.
  std::string token;
  int refresh_after_seconds = 5;  // the Refresh-After of a report not ready yet
};

// Answers one request of the API (paths under /api/v1; anything else is 404).
Response handle(const Request& request, ScanBackend& backend, const AdapterInfo& info);

// POST /scan's body checked as the spec says: 400 for malformed JSON or wrong JSON types,
// 422 for a missing or invalid field, 501 for a request pith cannot serve (vulnerabilities
// only). Pure, for the tests and the fuzzer.
struct ScanRequestError {
  int status;
  std::string message;
};
struct ParsedScanRequest {
  std::optional<ScanRequest> request;  // set when valid
  ScanRequestError error{0, ""};
};
ParsedScanRequest parse_scan_request(std::string_view body);

}  // namespace pith::fleet
