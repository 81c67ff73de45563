#!/usr/bin/env python3
"""Checks a running Harbor scanner adapter (`pith fleet serve`) against the Pluggable Scanner
API v1.2 (tests/data/harbor/scanner-adapter-openapi-v1.2.yaml).

Drives metadata -> scan -> report polling for one image, plus the error cases the spec lists,
and validates every answer against the document: the status must be one the operation lists,
the Content-Type one listed for that status, and the body valid against that content's schema
($refs resolved within the document, OpenAPI's `nullable` honoured). One line per check;
exit status 1 on any mismatch, 2 on bad usage.

  harbor_check.py http://127.0.0.1:8080 --registry https://harbor.example \\
      --repository library/alpine --digest sha256:<64 hex> [--tag 3.20] [--token T]

Needs python3-yaml and python3-jsonschema (Debian packages).
"""
import argparse
import copy
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

try:
    import jsonschema
    import yaml
except ImportError as e:  # pragma: no cover
    sys.exit(f"harbor_check: {e}: install the Debian packages python3-yaml and python3-jsonschema")

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SPEC = os.path.join(HERE, "..", "..", "data", "harbor", "scanner-adapter-openapi-v1.2.yaml")

SBOM_REPORT = "application/vnd.security.sbom.report+json; version=1.0"
SCAN_REQUEST = "application/vnd.scanner.adapter.scan.request+json; version=1.1"
VULN_REPORTS = [
    "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0",
    "application/vnd.security.vulnerability.report; version=1.1",
    "application/vnd.scanner.adapter.vuln.report.raw",
]
FORMATS = ["application/spdx+json", "application/vnd.cyclonedx+json"]


class Spec:
    """The OpenAPI document: responses by operation and status, schemas with $refs inlined."""

    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            self.doc = yaml.safe_load(f)

    def resolve(self, ref):
        if not ref.startswith("#/"):
            raise ValueError(f"external $ref {ref} not supported")
        node = self.doc
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def schema(self, node, depth=0):
        """An OpenAPI 3.0 schema object as JSON Schema: $refs inlined, nullable made a type."""
        if depth > 64:
            raise ValueError("$ref nesting too deep (a cycle?)")
        if isinstance(node, list):
            return [self.schema(n, depth + 1) for n in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            return self.schema(self.resolve(node["$ref"]), depth + 1)
        out = {}
        for k, v in node.items():
            if k in ("example", "examples", "description", "descriptions"):
                continue
            if k in ("properties", "patternProperties"):
                out[k] = {name: self.schema(s, depth + 1) for name, s in v.items()}
            else:
                out[k] = self.schema(v, depth + 1)
        if out.pop("nullable", False):
            out = {"anyOf": [out, {"type": "null"}]}
        return out

    def responses(self, path, method):
        op = self.doc["paths"][path][method]
        return {str(status): r for status, r in op["responses"].items()}


def media_key(value):
    """'Application/X; Version=1.0' and 'application/x;version=1.0' compare equal."""
    parts = [p.strip() for p in (value or "").split(";")]
    params = sorted(p.replace(" ", "").lower() for p in parts[1:] if p)
    return ";".join([parts[0].lower()] + params)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is an answer to check, not to follow


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        return self.headers.get(name)


class Checker:
    def __init__(self, args, spec):
        self.base = args.base_url.rstrip("/") + "/api/v1"
        self.token = args.token
        self.spec = spec
        self.failures = 0
        self.opener = urllib.request.build_opener(NoRedirect)

    def line(self, ok, what, why=""):
        print(("ok   " if ok else "FAIL ") + what + (f": {why}" if why else ""), flush=True)
        if not ok:
            self.failures += 1
        return ok

    def call(self, method, path, body=None, headers=None, auth=True):
        headers = dict(headers or {})
        if self.token and auth:
            headers["Authorization"] = "Bearer " + self.token
        req = urllib.request.Request(self.base + path, data=body, headers=headers,
                                     method=method.upper())
        try:
            with self.opener.open(req, timeout=60) as r:
                return Answer(r.status, r.headers, r.read())
        except urllib.error.HTTPError as e:
            return Answer(e.code, e.headers, e.read())

    def conforms(self, what, answer, path, method, statuses):
        """The answer's status is one of `statuses` and one the spec lists for the operation;
        its Content-Type and body match what the spec says of that status."""
        what = f"{what} -> {answer.status}"
        if str(answer.status) not in statuses:
            return self.line(False, what, f"expected status {' or '.join(statuses)}; body "
                             f"{answer.body[:300]!r}")
        responses = self.spec.responses(path, method)
        if str(answer.status) not in responses:
            return self.line(False, what, f"status {answer.status} is not in the spec for "
                             f"{method.upper()} {path}")
        content = responses[str(answer.status)].get("content")
        if not content:
            return self.line(True, what, "no content defined by the spec")
        got = answer.header("Content-Type")
        matches = [k for k in content if media_key(k) == media_key(got)]
        if not matches:
            return self.line(False, what, f"Content-Type {got!r} is not one of {list(content)}")
        schema = self.spec.schema(content[matches[0]].get("schema", {}))
        if schema.get("type") == "string":
            return self.line(True, what)
        try:
            body = json.loads(answer.body)
        except ValueError as e:
            return self.line(False, what, f"body is not JSON: {e}")
        errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(body), key=str)
        if errors:
            e = errors[0]
            where = "/".join(str(p) for p in e.absolute_path) or "(root)"
            return self.line(False, what, f"{where}: {e.message} ({len(errors)} schema errors)")
        answer.json = body
        return self.line(True, what, f"{got}, valid {matches[0]!r} body")

    def scan_request(self, args, capabilities):
        artifact = {"repository": args.repository, "digest": args.digest}
        if args.tag:
            artifact["tag"] = args.tag
        if args.mime_type:
            artifact["mime_type"] = args.mime_type
        registry = {"url": args.registry}
        if args.registry_authorization:
            registry["authorization"] = args.registry_authorization
        body = {"registry": registry, "artifact": artifact}
        if capabilities is not None:
            body["enabled_capabilities"] = capabilities
        return body

    def post_scan(self, body, raw=None):
        data = raw if raw is not None else json.dumps(body).encode()
        return self.call("post", "/scan", data, {"Content-Type": SCAN_REQUEST})


def run(args):
    spec = Spec(args.spec)
    c = Checker(args, spec)
    report_path = "/scan/{scan_request_id}/report"

    # 1. metadata: both versions of its type, and the SBOM capability pith claims.
    for version in ("1.0", "1.1"):
        a = c.call("get", "/metadata",
                   headers={"Accept": f"application/vnd.scanner.adapter.metadata+json; version={version}"})
        if c.conforms(f"GET /metadata (version={version})", a, "/metadata", "get", ["200"]):
            caps = [x for x in a.json["capabilities"] if x.get("type") == "sbom"]
            ok = (len(caps) == 1 and SBOM_REPORT in caps[0]["produces_mime_types"]
                  and sorted(caps[0].get("additional_attributes", {}).get("sbom_media_types", []))
                  == sorted(FORMATS))
            c.line(ok, "metadata: an sbom capability producing the SBOM report in SPDX and CycloneDX",
                   "" if ok else json.dumps(a.json["capabilities"]))
            vuln = [x for x in a.json["capabilities"] if x.get("type", "vulnerability") == "vulnerability"]
            c.line(not vuln, "metadata: no vulnerability capability claimed", json.dumps(vuln) if vuln else "")
    if args.token:
        a = c.call("get", "/metadata", auth=False)
        c.line(a.status == 401, f"GET /metadata without the bearer token -> {a.status}",
               "" if a.status == 401 else "expected 401")

    # 2. Invalid scan requests: 400 for bad JSON, 422 for a missing field, 501 for a
    #    vulnerability-only request.
    a = c.post_scan(None, raw=b"{not json")
    c.conforms("POST /scan malformed JSON", a, "/scan", "post", ["400"])
    a = c.post_scan(None, raw=b'{"registry": "x", "artifact": []}')
    c.conforms("POST /scan wrong JSON types", a, "/scan", "post", ["400"])
    bad = c.scan_request(args, None)
    del bad["artifact"]["digest"]
    c.conforms("POST /scan without artifact.digest", c.post_scan(bad), "/scan", "post", ["422"])
    bad = c.scan_request(args, None)
    del bad["registry"]["url"]
    c.conforms("POST /scan without registry.url", c.post_scan(bad), "/scan", "post", ["422"])
    vuln_only = c.scan_request(args, [{"type": "vulnerability", "produces_mime_types": VULN_REPORTS[:1]}])
    c.conforms("POST /scan vulnerability capability only", c.post_scan(vuln_only), "/scan", "post", ["501"])

    # 3. Unknown ids.
    a = c.call("get", "/scan/no-such-scan-id/report?sbom_media_type=" + urllib.parse.quote(FORMATS[0], safe=""),
               headers={"Accept": SBOM_REPORT})
    c.conforms("GET report of an unknown id", a, report_path, "get", ["404"])

    # 4. The scan.
    request = c.scan_request(args, [{"type": "sbom", "produces_mime_types": [SBOM_REPORT],
                                     "parameters": {"sbom_media_types": FORMATS}}])
    a = c.post_scan(request)
    if not c.conforms("POST /scan", a, "/scan", "post", ["202"]):
        return c.failures
    scan_id = a.json["id"]
    c.line(bool(scan_id), f"scan id {scan_id!r}")
    quoted = urllib.parse.quote(scan_id, safe="")
    path = f"/scan/{quoted}/report"

    # 5. What pith does not produce: never a 200 (an empty vulnerability list would say clean).
    for mime in VULN_REPORTS:
        a = c.call("get", path, headers={"Accept": mime})
        c.conforms(f"GET report as {mime}", a, report_path, "get", ["501"])
    a = c.call("get", path, headers={"Accept": SBOM_REPORT})
    c.conforms("GET SBOM report without sbom_media_type", a, report_path, "get", ["400"])
    a = c.call("get", path + "?sbom_media_type=text/plain", headers={"Accept": SBOM_REPORT})
    c.conforms("GET SBOM report with sbom_media_type=text/plain", a, report_path, "get", ["400"])

    # 6. Poll each format until 200 or 500, as Harbor does.
    for fmt in FORMATS:
        url = f"{path}?sbom_media_type={urllib.parse.quote(fmt, safe='')}"
        deadline = time.monotonic() + args.timeout
        polls = 0
        while True:
            a = c.call("get", url, headers={"Accept": SBOM_REPORT})
            polls += 1
            if a.status != 302 or time.monotonic() > deadline:
                break
            if polls == 1 or polls % 20 == 0:
                c.conforms(f"GET report ({fmt}) while not ready", a, report_path, "get", ["302"])
            refresh = a.header("Refresh-After")
            if not (refresh or "").strip().isdigit():
                c.line(False, f"302 Refresh-After {refresh!r}", "not an integer")
                break
            time.sleep(min(max(int(refresh), 1), args.max_poll_interval))
        if a.status == 302:
            c.line(False, f"GET report ({fmt})", f"still 302 after {args.timeout} s")
            continue
        if not c.conforms(f"GET report ({fmt}) after {polls} polls", a, report_path, "get", ["200"]):
            continue
        r = a.json
        c.line(a.header("Content-Type") and media_key(a.header("Content-Type")) == media_key(SBOM_REPORT),
               f"report Content-Type {a.header('Content-Type')!r}")
        for key in ("generated_at", "artifact", "scanner", "media_type", "sbom"):
            c.line(key in r, f"report ({fmt}) has {key}")
        c.line(r.get("media_type") == fmt, f"report media_type {r.get('media_type')!r}")
        art = r.get("artifact", {})
        c.line(art.get("digest") == args.digest and art.get("repository") == args.repository,
               f"report artifact {art.get('repository')}@{art.get('digest')}")
        doc = r.get("sbom") or {}
        if fmt == FORMATS[0]:
            ok = str(doc.get("spdxVersion", "")).startswith("SPDX-2.")
            c.line(ok, f"sbom is SPDX ({doc.get('spdxVersion')!r})")
        else:
            ok = doc.get("bomFormat") == "CycloneDX"
            c.line(ok, f"sbom is CycloneDX ({doc.get('specVersion')!r})")
    return c.failures


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("base_url", help="the adapter, e.g. http://127.0.0.1:8080")
    p.add_argument("--registry", required=True, help="registry URL sent in the scan request")
    p.add_argument("--repository", required=True)
    p.add_argument("--digest", required=True)
    p.add_argument("--tag", default="")
    p.add_argument("--mime-type", default="application/vnd.oci.image.manifest.v1+json")
    p.add_argument("--registry-authorization", default="", help="e.g. 'Basic <base64>'")
    p.add_argument("--token", default="", help="the adapter's bearer token, if it has one")
    p.add_argument("--spec", default=DEFAULT_SPEC)
    p.add_argument("--timeout", type=float, default=600, help="seconds a report may stay 302")
    p.add_argument("--max-poll-interval", type=float, default=5,
                   help="the longest sleep between polls, whatever Refresh-After says")
    args = p.parse_args()
    failures = run(args)
    print(f"{'FAILED' if failures else 'passed'}: {failures} failed checks", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
