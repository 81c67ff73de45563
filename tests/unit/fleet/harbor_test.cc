// The Harbor scanner adapter over an in-memory ScanBackend: every operation and status of the
// Pluggable Scanner API v1.2, and (HarborEndToEnd) the server checked by
// tests/integration/fleet/harbor_check.py against the spec's schemas.
#include "fleet/harbor.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "fleet/http_server.h"

namespace pith::fleet {
namespace {

using nlohmann::json;

const std::string k_digest = "sha256:" + std::string(64, 'a');
const std::string k_failing_digest = "sha256:" + std::string(64, 'f');

// Scans advance one state per status() call: queued, running, then done (or failed for
// k_failing_digest), so a poller sees 302 twice before the report.
class MemoryScanBackend : public ScanBackend {
 public:
  Result<std::string> submit(const ScanRequest& request) override {
    std::lock_guard lock(m_mutex);
    if (m_refuse) return make_error("queue unavailable");
    std::string id = "scan-" + std::to_string(++m_next);
    m_scans[id] = Scan{request, 0};
    return id;
  }
  Result<std::optional<ScanStatus>> status(const std::string& id) override {
    std::lock_guard lock(m_mutex);
    auto it = m_scans.find(id);
    if (it == m_scans.end()) return std::optional<ScanStatus>();
    Scan& s = it->second;
    ScanStatus st;
    st.artifact = s.request.artifact;
    static constexpr ScanState k_steps[] = {ScanState::queued, ScanState::running, ScanState::done};
    st.state = k_steps[std::min<size_t>(s.polls++, 2)];
    if (st.state == ScanState::done && s.request.artifact.digest == k_failing_digest) {
      st.state = ScanState::failed;
      st.error = "pulling the image: 401 Unauthorized";
    }
    if (st.state == ScanState::done) st.finished_at = 1700000000;
    return std::optional<ScanStatus>(st);
  }
  Result<std::string> sbom(const std::string& id, std::string_view media_type) override {
    std::lock_guard lock(m_mutex);
    if (!m_scans.count(id)) return make_error("no scan " + id);
    if (media_type == k_spdx_json)
      return std::string(R"({"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT",
        "name": "library/alpine", "packages": [{"name": "musl", "versionInfo": "1.2.5"}]})");
    return std::string(R"({"bomFormat":"CycloneDX","specVersion":"1.6","components":[]})");
  }

  std::optional<ScanRequest> last() {
    std::lock_guard lock(m_mutex);
    if (m_scans.empty()) return std::nullopt;
    return m_scans.rbegin()->second.request;
  }
  void refuse() { m_refuse = true; }

 private:
  struct Scan {
    ScanRequest request;
    size_t polls;
  };
  std::mutex m_mutex;
  std::map<std::string, Scan> m_scans;
  int m_next = 0;
  bool m_refuse = false;
};

Request make_request(std::string method, const std::string& target, std::string body = "",
                     std::vector<std::pair<std::string, std::string>> headers = {}) {
  std::string raw = method + " " + target + " HTTP/1.1\r\nHost: x\r\n";
  for (const auto& [k, v] : headers) raw += k + ": " + v + "\r\n";
  raw += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  ParseOutcome p = parse_request(raw);
  EXPECT_EQ(p.kind, ParseOutcome::Kind::complete) << p.error;
  return p.request;
}

std::string header(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

std::string scan_body(const std::string& digest = k_digest) {
  return json{{"registry", {{"url", "https://harbor.example"}, {"authorization", "Basic eDp5"}}},
              {"artifact",
               {{"repository", "library/alpine"},
                {"digest", digest},
                {"tag", "3.20"},
                {"mime_type", "application/vnd.oci.image.manifest.v1+json"}}},
              {"enabled_capabilities",
               {{{"type", "sbom"},
                 {"produces_mime_types", {k_sbom_report_mime}},
                 {"parameters", {{"sbom_media_types", {k_cyclonedx_json}}}}}}}}
      .dump();
}

class HarborAdapter : public ::testing::Test {
 protected:
  Response call(const Request& r) { return handle(r, m_backend, m_info); }
  Response get_report(const std::string& id, const std::string& accept,
                      const std::string& query = "?sbom_media_type=application%2Fspdx%2Bjson") {
    return call(
        make_request("GET", "/api/v1/scan/" + id + "/report" + query, "", {{"Accept", accept}}));
  }
  std::string submit(const std::string& body = scan_body()) {
    Response r = call(make_request("POST", "/api/v1/scan", body));
    EXPECT_EQ(r.status, 202) << r.body;
    return json::parse(r.body).at("id").get<std::string>();
  }
  static std::string error_message(const Response& r) {
    EXPECT_EQ(header(r, "Content-Type"), k_error_mime);
    return json::parse(r.body).at("error").at("message").get<std::string>();
  }

  MemoryScanBackend m_backend;
  AdapterInfo m_info{"pith", "pith project", "0.9.0", "", 3};
};

TEST_F(HarborAdapter, MetadataAdvertisesSbomOnly) {
  Response r = call(make_request("GET", "/api/v1/metadata"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(header(r, "Content-Type"),
            "application/vnd.scanner.adapter.metadata+json; version=1.0");
  json m = json::parse(r.body);
  EXPECT_EQ(m["scanner"],
            (json{{"name", "pith"}, {"vendor", "pith project"}, {"version", "0.9.0"}}));
  ASSERT_EQ(m["capabilities"].size(), 1u);
  const json& cap = m["capabilities"][0];
  EXPECT_EQ(cap["type"], "sbom");
  EXPECT_EQ(cap["produces_mime_types"], json::array({k_sbom_report_mime}));
  EXPECT_EQ(cap["consumes_mime_types"].size(), 2u);
  EXPECT_EQ(cap["additional_attributes"]["sbom_media_types"],
            json::array({k_spdx_json, k_cyclonedx_json}));
  for (const auto& [k, v] : m["properties"].items()) EXPECT_TRUE(v.is_string()) << k;

  Response v11 = call(
      make_request("GET", "/api/v1/metadata", "",
                   {{"Accept", "application/vnd.scanner.adapter.metadata+json; version=1.1"}}));
  EXPECT_EQ(header(v11, "Content-Type"),
            "application/vnd.scanner.adapter.metadata+json; version=1.1");
}

TEST_F(HarborAdapter, ScanAcceptedWithItsFields) {
  Response r = call(make_request("POST", "/api/v1/scan", scan_body(), {{"Content-Type", "x"}}));
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(header(r, "Content-Type"),
            "application/vnd.scanner.adapter.scan.response+json; version=1.0");
  EXPECT_EQ(json::parse(r.body), (json{{"id", "scan-1"}}));
  auto s = m_backend.last();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->registry_url, "https://harbor.example");
  EXPECT_EQ(s->authorization, "Basic eDp5");
  EXPECT_EQ(s->artifact.repository, "library/alpine");
  EXPECT_EQ(s->artifact.digest, k_digest);
  EXPECT_EQ(s->artifact.tag, "3.20");
  EXPECT_EQ(s->artifact.mime_type, "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(s->sbom_media_types, std::vector<std::string>{std::string(k_cyclonedx_json)});
}

TEST_F(HarborAdapter, ScanWithoutCapabilitiesWantsBothFormats) {
  json body = {{"registry", {{"url", "http://core:8080"}}},
               {"artifact",
                {{
                     "repository",
                     "a/b-c/d_e",
                 },
                 {"digest", k_digest}}}};
  submit(body.dump());
  EXPECT_EQ(m_backend.last()->sbom_media_types,
            (std::vector<std::string>{std::string(k_spdx_json), std::string(k_cyclonedx_json)}));
  body["enabled_capabilities"] = {{{"type", "vulnerability"}},
                                  {{"type", "sbom"}, {"parameters", nullptr}}};
  submit(body.dump());
  EXPECT_EQ(m_backend.last()->sbom_media_types.size(), 2u);
}

TEST_F(HarborAdapter, ScanRequestErrors) {
  struct Case {
    std::string body;
    int status;
    std::string message;
  };
  json ok = json::parse(scan_body());
  auto without = [&](const char* object, const char* key) {
    json j = ok;
    j[object].erase(key);
    return j.dump();
  };
  auto with = [&](const char* object, const char* key, json value) {
    json j = ok;
    j[object][key] = std::move(value);
    return j.dump();
  };
  json vuln = ok;
  vuln["enabled_capabilities"] = {{{"type", "vulnerability"}}};
  json bad_format = ok;
  bad_format["enabled_capabilities"][0]["parameters"]["sbom_media_types"] = {"text/spdx"};
  json other_report = ok;
  other_report["enabled_capabilities"][0]["produces_mime_types"] = {"application/x-other"};
  std::string deep(100, '[');
  const Case cases[] = {
      {"{", 400, "not valid JSON"},
      {"[]", 400, "not a JSON object"},
      {deep, 400, "nested too deeply"},
      {R"({"registry": "x", "artifact": {}})", 400, "registry is not an object"},
      {with("artifact", "digest", 7), 400, "artifact.digest is not a string"},
      {R"({"artifact": {}})", 422, "registry is required"},
      {R"({"registry": {}})", 422, "artifact is required"},
      {without("registry", "url"), 422, "registry.url is required"},
      {with("registry", "url", "ftp://x"), 422, "registry.url is not an http"},
      {without("artifact", "repository"), 422, "artifact.repository is required"},
      {with("artifact", "repository", "Library/Alpine"), 422, "not a valid repository"},
      {with("artifact", "repository", "a//b"), 422, "not a valid repository"},
      {without("artifact", "digest"), 422, "artifact.digest is required"},
      {with("artifact", "digest", "sha256:abc"), 422, "not a sha256 or sha512 digest"},
      {with("artifact", "tag", "-x"), 422, "artifact.tag is not a valid tag"},
      {with("artifact", "mime_type", "application/vnd.oci.image.index.v1+json"), 501,
       "pith scans image manifests"},
      {vuln.dump(), 501, "pith generates SBOMs only"},
      {other_report.dump(), 501, "enables no sbom capability"},
      {bad_format.dump(), 422, "unknown SBOM media type 'text/spdx'"},
  };
  for (const Case& c : cases) {
    Response r = call(make_request("POST", "/api/v1/scan", c.body));
    EXPECT_EQ(r.status, c.status) << c.body;
    EXPECT_NE(error_message(r).find(c.message), std::string::npos) << r.body;
  }
  m_backend.refuse();
  Response r = call(make_request("POST", "/api/v1/scan", scan_body()));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(error_message(r), "enqueueing the scan: queue unavailable");
}

TEST_F(HarborAdapter, ReportPolledUntilDone) {
  std::string id = submit();
  for (int i = 0; i < 2; ++i) {  // queued, running
    Response r = get_report(id, std::string(k_sbom_report_mime));
    EXPECT_EQ(r.status, 302);
    EXPECT_EQ(header(r, "Refresh-After"), "3");
    EXPECT_EQ(header(r, "Location"),
              "/api/v1/scan/" + id + "/report?sbom_media_type=application%2Fspdx%2Bjson");
  }
  Response r = get_report(id, "application/vnd.security.sbom.report+json;version=\"1.0\"");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(header(r, "Content-Type"), k_sbom_report_mime);
  json report = json::parse(r.body);
  EXPECT_EQ(report["generated_at"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(report["artifact"],
            (json{{"repository", "library/alpine"},
                  {"digest", k_digest},
                  {"tag", "3.20"},
                  {"mime_type", "application/vnd.oci.image.manifest.v1+json"}}));
  EXPECT_EQ(report["scanner"]["name"], "pith");
  EXPECT_EQ(report["media_type"], k_spdx_json);
  EXPECT_EQ(report["sbom"]["spdxVersion"], "SPDX-2.3");
  EXPECT_EQ(report["sbom"]["packages"][0]["name"], "musl");

  Response cdx = get_report(id, "*/*", "?sbom_media_type=application/vnd.cyclonedx+json");
  ASSERT_EQ(cdx.status, 200);
  EXPECT_EQ(json::parse(cdx.body)["sbom"]["bomFormat"], "CycloneDX");
  // Several types listed, the SBOM report among them.
  Response listed = get_report(id, "application/vnd.security.vulnerability.report; version=1.1, " +
                                       std::string(k_sbom_report_mime));
  EXPECT_EQ(listed.status, 200);
}

TEST_F(HarborAdapter, FailedScanIs500WithItsError) {
  std::string id = submit(scan_body(k_failing_digest));
  get_report(id, std::string(k_sbom_report_mime));
  get_report(id, std::string(k_sbom_report_mime));
  Response r = get_report(id, std::string(k_sbom_report_mime));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(error_message(r), "scan " + id + " failed: pulling the image: 401 Unauthorized");
}

TEST_F(HarborAdapter, VulnerabilityReportsRefusedNeverEmpty) {
  std::string id = submit();
  for (int i = 0; i < 3; ++i) get_report(id, std::string(k_sbom_report_mime));  // done
  for (const char* mime : {"application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0",
                           "application/vnd.security.vulnerability.report; version=1.1",
                           "application/vnd.scanner.adapter.vuln.report.raw"}) {
    Response r = get_report(id, mime, "");
    EXPECT_EQ(r.status, 501) << mime;
    EXPECT_NE(error_message(r).find("pith generates SBOMs only"), std::string::npos);
    EXPECT_EQ(r.body.find("vulnerabilities"), std::string::npos);
  }
  Response other = get_report(id, "text/html");
  EXPECT_EQ(other.status, 501);
  // An old SBOM report version is another type.
  EXPECT_EQ(get_report(id, "application/vnd.security.sbom.report+json; version=2.0").status, 501);
}

TEST_F(HarborAdapter, ReportRequestErrors) {
  std::string id = submit();
  Response none = get_report(id, std::string(k_sbom_report_mime), "");
  EXPECT_EQ(none.status, 400);
  EXPECT_NE(error_message(none).find("sbom_media_type="), std::string::npos);
  Response bad = get_report(id, std::string(k_sbom_report_mime), "?sbom_media_type=text/plain");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(error_message(bad).find("unknown sbom_media_type 'text/plain'"), 0u);
  Response unknown = get_report("nope", std::string(k_sbom_report_mime));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(error_message(unknown), "no scan request nope");
  EXPECT_EQ(get_report("a%2Fb", std::string(k_sbom_report_mime)).status, 404);
  EXPECT_EQ(get_report("a%zz", std::string(k_sbom_report_mime)).status, 404);
}

TEST_F(HarborAdapter, RoutingAndMethods) {
  EXPECT_EQ(call(make_request("GET", "/")).status, 404);
  EXPECT_EQ(call(make_request("GET", "/api/v1/scan/report")).status, 404);
  EXPECT_EQ(call(make_request("GET", "/api/v2/metadata")).status, 404);
  Response post = call(make_request("POST", "/api/v1/metadata"));
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(header(post, "Allow"), "GET");
  EXPECT_EQ(call(make_request("GET", "/api/v1/scan")).status, 405);
  EXPECT_EQ(call(make_request("DELETE", "/api/v1/scan/x/report")).status, 405);
}

TEST_F(HarborAdapter, BearerToken) {
  m_info.token = "s3cret";
  Response none = call(make_request("GET", "/api/v1/metadata"));
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(header(none, "WWW-Authenticate"), "Bearer realm=\"pith\"");
  EXPECT_EQ(
      call(make_request("GET", "/api/v1/metadata", "", {{"Authorization", "Bearer s3cre"}})).status,
      401);
  EXPECT_EQ(
      call(make_request("GET", "/api/v1/metadata", "", {{"Authorization", "Basic s3cret"}})).status,
      401);
  EXPECT_EQ(call(make_request("GET", "/api/v1/metadata", "", {{"Authorization", "bearer s3cret"}}))
                .status,
            200);
}

TEST_F(HarborAdapter, BackendDocumentMustBeAnObject) {
  class Broken : public MemoryScanBackend {
    Result<std::string> sbom(const std::string&, std::string_view) override {
      return std::string("[1, 2]");
    }
  } broken;
  Response r = handle(make_request("POST", "/api/v1/scan", scan_body()), broken, m_info);
  std::string id = json::parse(r.body)["id"];
  for (int i = 0; i < 2; ++i)
    handle(make_request("GET",
                        "/api/v1/scan/" + id + "/report?sbom_media_type=application/spdx%2Bjson",
                        "", {{"Accept", std::string(k_sbom_report_mime)}}),
           broken, m_info);
  Response report = handle(
      make_request("GET", "/api/v1/scan/" + id + "/report?sbom_media_type=application/spdx%2Bjson",
                   "", {{"Accept", std::string(k_sbom_report_mime)}}),
      broken, m_info);
  EXPECT_EQ(report.status, 500);
  EXPECT_NE(report.body.find("is not a JSON object"), std::string::npos);
}

// The adapter served over TCP and checked by harbor_check.py against the spec's schemas.
TEST(HarborEndToEnd, CheckerPassesAgainstTheServer) {
  if (std::system("python3 -c 'import yaml, jsonschema' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "python3 with yaml and jsonschema (Debian: python3-yaml, python3-jsonschema)";
  MemoryScanBackend backend;
  AdapterInfo info{"pith", "pith project", "0.9.0", "t0ken", 1};
  ServerOptions options;
  options.address = "127.0.0.1:0";
  auto server =
      HttpServer::listen(options, [&](const Request& r) { return handle(r, backend, info); });
  ASSERT_TRUE(server) << server.error().message;
  std::thread serving([&] { ASSERT_TRUE((*server)->serve()); });
  std::string checker = std::string(PITH_TEST_DATA_DIR) + "/../integration/fleet/harbor_check.py";
  std::string command = "python3 " + checker +
                        " http://127.0.0.1:" + std::to_string((*server)->port()) +
                        " --registry https://harbor.example --repository library/alpine"
                        " --digest " +
                        k_digest + " --tag 3.20 --token t0ken --timeout 30";
  int status = std::system(command.c_str());
  (*server)->stop();
  serving.join();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << command;
}

}  // namespace
}  // namespace pith::fleet
