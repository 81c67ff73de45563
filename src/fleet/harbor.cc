// Harbor's Pluggable Scanner API v1.2 over a ScanBackend: routing, the scan request's checks,
// content negotiation of the report, and the spec's JSON shapes.
#include "fleet/harbor.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <nlohmann/json.hpp>
#include <tuple>

#include "util/ascii.h"
#include "util/json_depth.h"
#include "util/time_text.h"

namespace pith::fleet {

namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view k_api = "/api/v1/";
constexpr std::string_view k_sbom_report_type = "application/vnd.security.sbom.report+json";
constexpr std::string_view k_metadata_type = "application/vnd.scanner.adapter.metadata+json";
constexpr std::string_view k_scan_response_mime =
    "application/vnd.scanner.adapter.scan.response+json; version=1.0";
constexpr std::string_view k_oci_manifest = "application/vnd.oci.image.manifest.v1+json";
constexpr std::string_view k_docker_manifest =
    "application/vnd.docker.distribution.manifest.v2+json";
// The vulnerability report types of the spec: pith produces none of them.
constexpr std::string_view k_vulnerability_types[] = {
    "application/vnd.scanner.adapter.vuln.report.harbor+json",
    "application/vnd.security.vulnerability.report",
    "application/vnd.scanner.adapter.vuln.report.raw",
};
constexpr size_t k_max_json_depth = 32;
constexpr size_t k_max_id = 256;

std::string dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Response json_response(int status, std::string_view content_type, const Json& body) {
  return Response{status, {{"Content-Type", std::string(content_type)}}, dump(body)};
}

// The spec's ErrorResponse: {"error": {"message": "..."}}.
Response error_response(int status, const std::string& message) {
  return json_response(status, k_error_mime, Json{{"error", {{"message", message}}}});
}

// A media type with its parameters: "Type/Sub; Version=1.0" -> "type/sub", {"version","1.0"}.
struct MediaType {
  std::string type;
  std::vector<std::pair<std::string, std::string>> params;
  const std::string* param(std::string_view name) const {
    for (const auto& [k, v] : params)
      if (k == name) return &v;
    return nullptr;
  }
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

MediaType parse_media_type(std::string_view text) {
  MediaType m;
  size_t semi = text.find(';');
  m.type = ascii_lower(trim(text.substr(0, semi)));
  while (semi != std::string_view::npos) {
    text.remove_prefix(semi + 1);
    semi = text.find(';');
    std::string_view p = trim(text.substr(0, semi));
    size_t eq = p.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view value = trim(p.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    m.params.emplace_back(ascii_lower(trim(p.substr(0, eq))), std::string(value));
  }
  return m;
}

std::vector<MediaType> parse_accept(std::string_view accept) {
  std::vector<MediaType> out;
  while (!accept.empty()) {
    size_t comma = accept.find(',');
    MediaType m = parse_media_type(accept.substr(0, comma));
    const std::string* q = m.param("q");
    bool refused = q && !q->empty() && q->find_first_not_of("0.") == std::string::npos;
    if (!m.type.empty() && !refused) out.push_back(std::move(m));
    if (comma == std::string_view::npos) break;
    accept.remove_prefix(comma + 1);
  }
  return out;
}

bool is_sbom_report_type(const MediaType& m) {
  const std::string* v = m.param("version");
  return m.type == k_sbom_report_type && (!v || *v == "1.0");
}

bool is_vulnerability_type(const MediaType& m) {
  for (std::string_view t : k_vulnerability_types)
    if (m.type == t) return true;
  return false;
}

// Bearer token check in constant time over the token's length.
bool authorized(const Request& request, const std::string& token) {
  if (token.empty()) return true;
  const std::string* h = request.header("authorization");
  if (!h || h->size() < 7 || !ascii_iequals(std::string_view(*h).substr(0, 7), "bearer "))
    return false;
  std::string_view given = trim(std::string_view(*h).substr(7));
  unsigned char diff = given.size() == token.size() ? 0 : 1;
  for (size_t i = 0; i < token.size(); ++i)
    diff |= static_cast<unsigned char>(token[i] ^ (i < given.size() ? given[i] : 0));
  return diff == 0;
}

// ---- validation of the scan request's fields ----

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

// The distribution spec's repository name: path components of [a-z0-9]+ joined by '.', '_',
// '__' or runs of '-', separated by '/'.
bool valid_repository(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  size_t i = 0;
  for (;;) {
    if (i >= name.size() || !is_lower_alnum(name[i])) return false;
    while (i < name.size() && is_lower_alnum(name[i])) ++i;
    if (i == name.size()) return true;
    if (name[i] == '/') {
      ++i;
      continue;
    }
    size_t sep = i;
    while (i < name.size() && (name[i] == '.' || name[i] == '_' || name[i] == '-')) ++i;
    std::string_view s = name.substr(sep, i - sep);
    bool dashes = s.find_first_not_of('-') == std::string_view::npos;
    if (!(s == "." || s == "_" || s == "__" || dashes)) return false;
  }
}

bool valid_digest(std::string_view digest) {
  size_t colon = digest.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view algorithm = digest.substr(0, colon), hex = digest.substr(colon + 1);
  size_t want = algorithm == "sha256" ? 64 : algorithm == "sha512" ? 128 : 0;
  if (want == 0 || hex.size() != want) return false;
  for (char c : hex)
    if (!is_hex(c)) return false;
  return true;
}

bool valid_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128) return false;
  for (size_t i = 0; i < tag.size(); ++i) {
    char c = tag[i];
    bool word = is_lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '_';
    if (!word && (i == 0 || (c != '.' && c != '-'))) return false;
  }
  return true;
}

bool valid_registry_url(std::string_view url) {
  std::string_view rest;
  if (url.starts_with("https://"))
    rest = url.substr(8);
  else if (url.starts_with("http://"))
    rest = url.substr(7);
  else
    return false;
  if (rest.empty() || rest.front() == '/' || rest.size() > 2048) return false;
  for (unsigned char c : rest)
    if (c <= 0x20 || c >= 0x7f) return false;
  return true;
}

ParsedScanRequest scan_error(int status, std::string message) {
  ParsedScanRequest p;
  p.error = {status, std::move(message)};
  return p;
}

// An optional string member: absent or null is "", another type is an error.
bool optional_string(const Json& object, const char* key, std::string& out) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return true;
  if (!it->is_string()) return false;
  out = it->get<std::string>();
  return true;
}

}  // namespace

ParsedScanRequest parse_scan_request(std::string_view body) {
  // 1. JSON, an object, nested no deeper than any scan request needs (400 otherwise).
  if (!json_nesting_within(body, k_max_json_depth))
    return scan_error(400, "JSON nested too deeply");
  Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded()) return scan_error(400, "the scan request is not valid JSON");
  if (!j.is_object()) return scan_error(400, "the scan request is not a JSON object");

  // 2. registry and artifact: objects (400), their required fields present and valid (422).
  ScanRequest r;
  auto registry = j.find("registry");
  auto artifact = j.find("artifact");
  if (registry == j.end() || registry->is_null()) return scan_error(422, "registry is required");
  if (artifact == j.end() || artifact->is_null()) return scan_error(422, "artifact is required");
  if (!registry->is_object()) return scan_error(400, "registry is not an object");
  if (!artifact->is_object()) return scan_error(400, "artifact is not an object");
  for (auto [object, key, out] : {std::tuple{&*registry, "url", &r.registry_url},
                                  std::tuple{&*registry, "authorization", &r.authorization},
                                  std::tuple{&*artifact, "repository", &r.artifact.repository},
                                  std::tuple{&*artifact, "digest", &r.artifact.digest},
                                  std::tuple{&*artifact, "tag", &r.artifact.tag},
                                  std::tuple{&*artifact, "mime_type", &r.artifact.mime_type}}) {
    if (!optional_string(*object, key, *out))
      return scan_error(400, std::string(object == &*registry ? "registry." : "artifact.") + key +
                                 " is not a string");
  }
  if (r.registry_url.empty()) return scan_error(422, "registry.url is required");
  if (!valid_registry_url(r.registry_url))
    return scan_error(422, "registry.url is not an http:// or https:// URL");
  if (r.artifact.repository.empty()) return scan_error(422, "artifact.repository is required");
  if (!valid_repository(r.artifact.repository))
    return scan_error(422, "artifact.repository is not a valid repository name");
  if (r.artifact.digest.empty()) return scan_error(422, "artifact.digest is required");
  if (!valid_digest(r.artifact.digest))
    return scan_error(422, "artifact.digest is not a sha256 or sha512 digest");
  if (!r.artifact.tag.empty() && !valid_tag(r.artifact.tag))
    return scan_error(422, "artifact.tag is not a valid tag");
  const std::string& mime = r.artifact.mime_type;
  if (!mime.empty() && parse_media_type(mime).type != k_oci_manifest &&
      parse_media_type(mime).type != k_docker_manifest)
    return scan_error(501, "pith scans image manifests (" + std::string(k_oci_manifest) + ", " +
                               std::string(k_docker_manifest) + "), not " + mime);

  // 3. enabled_capabilities: absent or empty enables all (the spec's backward compatibility),
  //    else it must enable sbom, pith's only capability.
  auto caps = j.find("enabled_capabilities");
  bool sbom_enabled = caps == j.end() || caps->is_null() || caps->empty();
  if (caps != j.end() && !caps->is_null()) {
    if (!caps->is_array()) return scan_error(400, "enabled_capabilities is not an array");
    for (const Json& cap : *caps) {
      if (!cap.is_object()) return scan_error(400, "an enabled capability is not an object");
      auto type = cap.find("type");
      if (type == cap.end()) return scan_error(422, "an enabled capability has no type");
      if (!type->is_string())
        return scan_error(400, "an enabled capability's type is not a string");
      std::string t = type->get<std::string>();
      if (t != "sbom" && t != "vulnerability")
        return scan_error(422, "unknown capability type '" + t + "'");
      auto produces = cap.find("produces_mime_types");
      bool produces_sbom = true;
      if (produces != cap.end() && !produces->is_null()) {
        if (!produces->is_array()) return scan_error(400, "produces_mime_types is not an array");
        produces_sbom = produces->empty();
        for (const Json& m : *produces) {
          if (!m.is_string()) return scan_error(400, "a produces_mime_types item is not a string");
          produces_sbom =
              produces_sbom || is_sbom_report_type(parse_media_type(m.get<std::string>()));
        }
      }
      auto params = cap.find("parameters");
      std::vector<std::string> formats;
      if (params != cap.end() && !params->is_null()) {
        if (!params->is_object()) return scan_error(400, "parameters is not an object");
        auto types = params->find("sbom_media_types");
        if (types != params->end() && !types->is_null()) {
          if (!types->is_array()) return scan_error(400, "sbom_media_types is not an array");
          for (const Json& m : *types) {
            if (!m.is_string()) return scan_error(400, "a sbom_media_types item is not a string");
            std::string f = m.get<std::string>();
            if (f != k_spdx_json && f != k_cyclonedx_json)
              return scan_error(422, "unknown SBOM media type '" + f + "' (pith writes " +
                                         std::string(k_spdx_json) + " and " +
                                         std::string(k_cyclonedx_json) + ")");
            formats.push_back(std::move(f));
          }
        }
      }
      if (t != "sbom" || !produces_sbom) continue;
      sbom_enabled = true;
      for (std::string& f : formats)
        if (std::find(r.sbom_media_types.begin(), r.sbom_media_types.end(), f) ==
            r.sbom_media_types.end())
          r.sbom_media_types.push_back(std::move(f));
    }
  }
  if (!sbom_enabled)
    return scan_error(501,
                      "pith generates SBOMs only (it has no vulnerability database): the request "
                      "enables no sbom capability producing " +
                          std::string(k_sbom_report_mime));
  if (r.sbom_media_types.empty())
    r.sbom_media_types = {std::string(k_spdx_json), std::string(k_cyclonedx_json)};
  ParsedScanRequest p;
  p.request = std::move(r);
  return p;
}

namespace {

Response metadata(const Request& request, const AdapterInfo& info) {
  // Version 1.1 of the metadata type when asked for it alone; the shape is the same.
  std::string type = std::string(k_metadata_type) + "; version=1.0";
  if (const std::string* accept = request.header("accept")) {
    bool v10 = false, v11 = false;
    for (const MediaType& m : parse_accept(*accept)) {
      if (m.type != k_metadata_type) continue;
      const std::string* v = m.param("version");
      v10 = v10 || !v || *v == "1.0";
      v11 = v11 || (v && *v == "1.1");
    }
    if (v11 && !v10) type = std::string(k_metadata_type) + "; version=1.1";
  }
  Json body = {
      {"scanner", {{"name", info.name}, {"vendor", info.vendor}, {"version", info.version}}},
      {"capabilities", Json::array({{{"type", "sbom"},
                                     {"consumes_mime_types", {k_oci_manifest, k_docker_manifest}},
                                     {"produces_mime_types", {k_sbom_report_mime}},
                                     {"additional_attributes",
                                      {{"sbom_media_types", {k_spdx_json, k_cyclonedx_json}}}}}})},
      {"properties",
       {{"harbor.scanner-adapter/scanner-type", "sbom-generator"},
        {"pith/sbom-formats", "SPDX 2.3 JSON, CycloneDX 1.6 JSON"},
        {"pith/vulnerability-database",
         "none: pith generates SBOMs, it reports no vulnerabilities"}}}};
  return json_response(200, type, body);
}

Response accept_scan(const Request& request, ScanBackend& backend) {
  ParsedScanRequest parsed = parse_scan_request(request.body);
  if (!parsed.request) return error_response(parsed.error.status, parsed.error.message);
  Result<std::string> id = backend.submit(*parsed.request);
  if (!id) return error_response(500, "enqueueing the scan: " + id.error().message);
  return json_response(202, k_scan_response_mime, Json{{"id", *id}});
}

Response report(const Request& request, const std::string& id, ScanBackend& backend,
                const AdapterInfo& info) {
  // 1. Which report: the SBOM report type (or a wildcard) with ?sbom_media_type=; any
  //    vulnerability report type is refused, never answered with an empty list.
  const std::string* accept = request.header("accept");
  std::vector<MediaType> wanted = parse_accept(accept ? *accept : "*/*");
  bool sbom = false, wildcard = wanted.empty(), vulnerability = false;
  for (const MediaType& m : wanted) {
    sbom = sbom || is_sbom_report_type(m);
    wildcard = wildcard || m.type == "*/*" || m.type == "application/*";
    vulnerability = vulnerability || is_vulnerability_type(m);
  }
  if (!sbom && vulnerability)
    return error_response(501,
                          "pith generates SBOMs only (it has no vulnerability database): "
                          "it produces no vulnerability report (" +
                              *accept + "); ask for " + std::string(k_sbom_report_mime));
  if (!sbom && !wildcard)
    return error_response(
        501, "pith produces " + std::string(k_sbom_report_mime) + " only, not " + *accept);
  const std::string* format = request.query_value("sbom_media_type");
  if (!format)
    return error_response(400, "the SBOM report needs the query parameter sbom_media_type=" +
                                   std::string(k_spdx_json) + " or " +
                                   std::string(k_cyclonedx_json));
  if (*format != k_spdx_json && *format != k_cyclonedx_json)
    return error_response(400, "unknown sbom_media_type '" + *format + "' (pith writes " +
                                   std::string(k_spdx_json) + " and " +
                                   std::string(k_cyclonedx_json) + ")");

  // 2. The scan's state: 404 unknown, 302 not ready, 500 failed.
  Result<std::optional<ScanStatus>> status = backend.status(id);
  if (!status) return error_response(500, "reading scan " + id + ": " + status.error().message);
  if (!*status) return error_response(404, "no scan request " + id);
  const ScanStatus& s = **status;
  if (s.state == ScanState::queued || s.state == ScanState::running) {
    return Response{302,
                    {{"Refresh-After", std::to_string(info.refresh_after_seconds)},
                     {"Location", request.target}},
                    ""};
  }
  if (s.state == ScanState::failed)
    return error_response(500, "scan " + id + " failed: " + s.error);

  // 3. The report: the spec's HarborSbomReport with the backend's document spliced in.
  Result<std::string> document = backend.sbom(id, *format);
  if (!document)
    return error_response(500, "reading the SBOM of scan " + id + ": " + document.error().message);
  std::string_view text = *document;
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  if (text.empty() || text.front() != '{' || !json_nesting_within(text, 256) || !Json::accept(text))
    return error_response(500, "the SBOM of scan " + id + " is not a JSON object");
  Json artifact = {{"repository", s.artifact.repository}, {"digest", s.artifact.digest}};
  if (!s.artifact.tag.empty()) artifact["tag"] = s.artifact.tag;
  if (!s.artifact.mime_type.empty()) artifact["mime_type"] = s.artifact.mime_type;
  Json head = {
      {"generated_at", rfc3339(s.finished_at ? s.finished_at : std::time(nullptr))},
      {"artifact", artifact},
      {"scanner", {{"name", info.name}, {"vendor", info.vendor}, {"version", info.version}}},
      {"media_type", *format}};
  std::string body = dump(head);
  body.pop_back();  // the closing brace
  body += ",\"sbom\":";
  body += text;
  body += '}';
  return Response{200, {{"Content-Type", std::string(k_sbom_report_mime)}}, std::move(body)};
}

}  // namespace

Response handle(const Request& request, ScanBackend& backend, const AdapterInfo& info) {
  // 1. Harbor's credential, when the adapter has one.
  if (!authorized(request, info.token)) {
    Response r = error_response(401, "missing or wrong bearer token");
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"pith\"");
    return r;
  }

  // 2. The three operations; a known path with another method is 405.
  std::string_view path = request.path;
  auto only = [&](const char* method) -> std::optional<Response> {
    if (request.method == method) return std::nullopt;
    Response r = error_response(405, request.method + " is not allowed here");
    r.headers.emplace_back("Allow", method);
    return r;
  };
  if (path.starts_with(k_api)) {
    std::string_view rest = path.substr(k_api.size());
    if (rest == "metadata") {
      if (auto refused = only("GET")) return *refused;
      return metadata(request, info);
    }
    if (rest == "scan") {
      if (auto refused = only("POST")) return *refused;
      return accept_scan(request, backend);
    }
    constexpr std::string_view k_scan = "scan/", k_report = "/report";
    if (rest.starts_with(k_scan) && rest.ends_with(k_report) &&
        rest.size() > k_scan.size() + k_report.size()) {
      std::string_view raw =
          rest.substr(k_scan.size(), rest.size() - k_scan.size() - k_report.size());
      std::optional<std::string> id = percent_decode(raw);
      if (!id || id->empty() || id->size() > k_max_id || id->find('/') != std::string::npos)
        return error_response(404, "no scan request " + std::string(raw.substr(0, k_max_id)));
      if (auto refused = only("GET")) return *refused;
      return report(request, *id, backend, info);
    }
  }
  return error_response(404, "no such operation: " + request.method + " " + std::string(path));
}

}  // namespace pith::fleet
