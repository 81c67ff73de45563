#!/usr/bin/env python3
"""The OCI 1.1 referrers API (distribution-spec "Listing Referrers") in front of docker-registry.

Why a proxy: Debian's docker-registry is distribution 2.8, which has no referrers API, and the
registries that have one (distribution 3, zot) need a newer Go than Debian 12's 1.19 and
modules that cannot be fetched here. This proxy adds only that API, per the spec, to the real
registry: every request is forwarded to --upstream; a manifest PUT whose body has a `subject`
is recorded once the registry accepted it (201) and answered with `OCI-Subject: <digest>`
(unless --no-subject-header: a registry with the API that does not say so, which clients find
by asking GET /referrers); GET /v2/<name>/referrers/<digest>[?artifactType=T] answers an image
index of the recorded referrers (their artifactType: the manifest's, else its config's media
type; their annotations), filtered with `OCI-Filters-Applied: artifactType`, --page-size
descriptors a page with `Link: <...>; rel="next"` for the rest. Requests are logged to --log
as "METHOD PATH STATUS".

usage: referrers_api.py --port N --upstream HOST:PORT --log FILE [--page-size N]
                        [--no-subject-header]
"""
import argparse
import hashlib
import http.client
import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlparse

HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
       "content-length"}
INDEX = "application/vnd.oci.image.index.v1+json"
REFERRERS = re.compile(r"^/v2/(.+)/referrers/([^/]+)$")
MANIFEST = re.compile(r"^/v2/(.+)/manifests/([^/]+)$")
DIGEST = re.compile(r"^sha256:[a-f0-9]{64}$")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--upstream", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--page-size", type=int, default=100)
    p.add_argument("--no-subject-header", action="store_true")
    args = p.parse_args()
    lock = threading.Lock()
    referrers = {}  # (repository, subject digest) -> [descriptor], in push order

    def record(repository: str, body: bytes, content_type: str) -> str:
        try:
            doc = json.loads(body)
        except ValueError:
            return ""
        if not isinstance(doc, dict) or not isinstance(doc.get("subject"), dict):
            return ""
        subject = doc["subject"].get("digest", "")
        d = {"mediaType": doc.get("mediaType") or content_type,
             "digest": "sha256:" + hashlib.sha256(body).hexdigest(), "size": len(body)}
        artifact_type = doc.get("artifactType") or (doc.get("config") or {}).get("mediaType")
        if artifact_type:
            d["artifactType"] = artifact_type
        if doc.get("annotations"):
            d["annotations"] = doc["annotations"]
        with lock:
            listed = referrers.setdefault((repository, subject), [])
            if all(x["digest"] != d["digest"] for x in listed):
                listed.append(d)
        return subject

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def log(self, status: int) -> None:
            with lock, open(args.log, "a") as f:
                f.write(f"{self.command} {self.path} {status}\n")

        def answer(self, status: int, data: bytes, headers=()) -> None:
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            self.log(status)

        def list_referrers(self, repository: str, subject: str, query: str) -> None:
            if not DIGEST.match(subject):
                return self.answer(400, b'{"errors":[{"code":"DIGEST_INVALID","message":"bad"}]}')
            q = parse_qs(query)
            wanted = q.get("artifactType", [""])[0]
            page = int(q.get("page", ["0"])[0])
            with lock:
                listed = list(referrers.get((repository, subject), []))
            if wanted:
                listed = [d for d in listed if d.get("artifactType") == wanted]
            start = page * args.page_size
            chunk = listed[start:start + args.page_size]
            headers = [("Content-Type", INDEX)]
            if wanted:
                headers.append(("OCI-Filters-Applied", "artifactType"))
            if start + args.page_size < len(listed):
                nxt = f"/v2/{repository}/referrers/{subject}?page={page + 1}"
                if wanted:
                    nxt += "&artifactType=" + quote(wanted, safe="")
                headers.append(("Link", f'<{nxt}>; rel="next"'))
            body = json.dumps({"schemaVersion": 2, "mediaType": INDEX, "manifests": chunk})
            self.answer(200, body.encode(), headers)

        def handle_any(self):
            url = urlparse(self.path)
            length = int(self.headers.get("Content-Length", "0") or 0)
            body = self.rfile.read(length) if length else b""
            m = REFERRERS.match(url.path)
            if m and self.command == "GET":
                return self.list_referrers(m.group(1), m.group(2), url.query)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
            if body or self.command in ("PUT", "POST", "PATCH"):
                headers["Content-Length"] = str(len(body))
            conn = http.client.HTTPConnection(args.upstream, timeout=60)
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
            except (OSError, http.client.HTTPException):
                return self.answer(502, b"")
            finally:
                conn.close()
            extra = []
            m = MANIFEST.match(url.path)
            if m and self.command == "PUT" and resp.status == 201:
                subject = record(m.group(1), body, self.headers.get("Content-Type", ""))
                if subject and not args.no_subject_header:
                    extra.append(("OCI-Subject", subject))
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in HOP:
                    self.send_header(k, v)
            for k, v in extra:
                self.send_header(k, v)
            if self.command == "HEAD":
                self.send_header("Content-Length", resp.getheader("Content-Length", "0"))
                self.end_headers()
                return self.log(resp.status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            self.log(resp.status)

        do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_any

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
