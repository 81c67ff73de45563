#!/usr/bin/env python3
"""A Docker token server for the registry tests (the Bearer flow of docker-registry).

GET /token?service=S&scope=repository:NAME:pull,push[&scope=...] with Basic USER:PASSWORD
answers {"token": JWT, "expires_in": N}: an RS256 JWT (signed by `openssl dgst`, so only the
standard library and openssl are needed) carrying the certificate in x5c, which the registry
checks against its rootcertbundle. Anonymous requests get a token with no access; a wrong
password gets 401. Every request is appended to --log as "token SCOPES USER STATUS".

POST /token is the OAuth2 variant (docker's registry/spec/auth/oauth.md): an
application/x-www-form-urlencoded form with client_id, service, scope (space-separated, or
repeated) and grant_type=refresh_token with refresh_token=--refresh-token (an identity token),
or grant_type=password with username and password (access_type=offline adds --refresh-token to
the answer). It answers {"access_token": JWT, "expires_in": N, "issued_at": RFC 3339,
"scope": ...}, or 400 {"error": "invalid_grant" | "invalid_request" | "unsupported_grant_type"}.
Logged as "oauth GRANT CLIENT_ID SERVICE SCOPES STATUS" (never a secret). GET
/__oauth?post=off makes POSTs answer 404, like token servers without OAuth2; post=on undoes it.

usage: token_server.py --port N --key KEY.pem --cert CERT.pem --user U --password P --log FILE
       [--refresh-token T] [--issuer pith-test] [--expires 300]
"""
import argparse
import base64
import json
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--refresh-token", default="")
    p.add_argument("--issuer", default="pith-test")
    p.add_argument("--expires", type=int, default=300)
    args = p.parse_args()

    pem = open(args.cert).read()
    der_b64 = "".join(l for l in pem.splitlines() if l and "CERTIFICATE" not in l)
    lock = threading.Lock()
    oauth = {"post": True}

    def sign(payload: dict) -> str:
        header = {"typ": "JWT", "alg": "RS256", "x5c": [der_b64]}
        signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(payload).encode())
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", args.key],
                             input=signing_input.encode(), capture_output=True, check=True).stdout
        return signing_input + "." + b64url(sig)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):  # quiet: the log file is the record
            pass

        def reply(self, status: int, body: dict, log_line: str) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if status == 401:
                self.send_header("WWW-Authenticate", 'Basic realm="pith-test-token"')
            self.end_headers()
            self.wfile.write(data)
            with lock, open(args.log, "a") as f:
                f.write(log_line + "\n")

        def answer(self, status: int, body: dict, scopes: str, user: str) -> None:
            self.reply(status, body, f"token {scopes or '-'} {user or '-'} {status}")

        def issue(self, user: str, service: str, scopes: list) -> str:
            access = []
            if user:  # anonymous users get a token that grants nothing
                for s in scopes:
                    parts = s.split(":")
                    if len(parts) == 3 and parts[0] == "repository":
                        access.append({"type": "repository", "name": parts[1],
                                       "actions": parts[2].split(",")})
            now = int(time.time())
            return sign({"iss": args.issuer, "sub": user, "aud": service,
                         "exp": now + args.expires, "nbf": now - 10, "iat": now,
                         "jti": str(uuid.uuid4()), "access": access})

        def read_body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() != "chunked":
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))
            # containers/image sends its form without a length, chunked.
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():  # trailers
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()

        def do_POST(self):
            body = self.read_body().decode("utf-8", "replace")
            form = parse_qs(body, keep_blank_values=True)
            one = lambda name: form.get(name, [""])[0]
            grant, client, service = one("grant_type"), one("client_id"), one("service")
            scopes = [s for field in form.get("scope", []) for s in field.split()]

            def done(status: int, answer: dict) -> None:
                self.reply(status, answer, f"oauth {grant or '-'} {client or '-'} {service or '-'} "
                                           f"{' '.join(scopes) or '-'} {status}")

            if not oauth["post"]:
                return done(404, {"details": "not found"})
            ctype = self.headers.get("Content-Type", "").split(";")[0].strip()
            if ctype != "application/x-www-form-urlencoded" or not client:
                return done(400, {"error": "invalid_request"})
            answer = {}
            if grant == "refresh_token":
                if not args.refresh_token or one("refresh_token") != args.refresh_token:
                    return done(400, {"error": "invalid_grant"})
            elif grant == "password":
                if one("username") != args.user or one("password") != args.password:
                    return done(400, {"error": "invalid_grant"})
                if one("access_type") == "offline" and args.refresh_token:
                    answer["refresh_token"] = args.refresh_token
            else:
                return done(400, {"error": "unsupported_grant_type"})
            answer.update({"access_token": self.issue(args.user, service, scopes),
                           "expires_in": args.expires, "scope": " ".join(scopes),
                           "issued_at": datetime.now(timezone.utc).isoformat()})
            done(200, answer)

        def do_GET(self):
            url = urlparse(self.path)
            q = parse_qs(url.query)
            if url.path == "/__oauth":
                oauth["post"] = q.get("post", ["on"])[0] != "off"
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            scopes = q.get("scope", [])
            user = ""
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                try:
                    user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
                except Exception:
                    user, password = "?", ""
                if user != args.user or password != args.password:
                    return self.answer(401, {"details": "wrong user or password"}, " ".join(scopes), user)
            token = self.issue(user, q.get("service", [""])[0], scopes)
            self.answer(200, {"token": token, "expires_in": args.expires}, " ".join(scopes), user)

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
