#!/usr/bin/env python3
"""A Docker token server for the registry tests (the Bearer flow of docker-registry).

GET /token?service=S&scope=repository:NAME:pull,push[&scope=...] with Basic USER:PASSWORD
answers {"token": JWT, "expires_in": N}: an RS256 JWT (signed by `openssl dgst`, so only the
standard library and openssl are needed) carrying the certificate in x5c, which the registry
checks against its rootcertbundle. Anonymous requests get a token with no access; a wrong
password gets 401. Every request is appended to --log as "token SCOPES USER STATUS".

usage: token_server.py --port N --key KEY.pem --cert CERT.pem --user U --password P --log FILE
       [--issuer pith-test] [--expires 300]
"""
import argparse
import base64
import json
import subprocess
import sys
import threading
import time
import uuid
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
    p.add_argument("--issuer", default="pith-test")
    p.add_argument("--expires", type=int, default=300)
    args = p.parse_args()

    pem = open(args.cert).read()
    der_b64 = "".join(l for l in pem.splitlines() if l and "CERTIFICATE" not in l)
    lock = threading.Lock()

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

        def answer(self, status: int, body: dict, scopes: str, user: str) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if status == 401:
                self.send_header("WWW-Authenticate", 'Basic realm="pith-test-token"')
            self.end_headers()
            self.wfile.write(data)
            with lock, open(args.log, "a") as f:
                f.write(f"token {scopes or '-'} {user or '-'} {status}\n")

        def do_GET(self):
            url = urlparse(self.path)
            q = parse_qs(url.query)
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
            access = []
            if user:  # anonymous users get a token that grants nothing
                for s in scopes:
                    parts = s.split(":")
                    if len(parts) == 3 and parts[0] == "repository":
                        access.append({"type": "repository", "name": parts[1],
                                       "actions": parts[2].split(",")})
            now = int(time.time())
            token = sign({"iss": args.issuer, "sub": user, "aud": q.get("service", [""])[0],
                          "exp": now + args.expires, "nbf": now - 10, "iat": now,
                          "jti": str(uuid.uuid4()), "access": access})
            self.answer(200, {"token": token, "expires_in": args.expires}, " ".join(scopes), user)

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
