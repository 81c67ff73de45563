#!/usr/bin/env python3
"""A reverse proxy in front of docker-registry that injects faults, for the registry tests.

Every request is forwarded to --upstream and logged to --log as "METHOD PATH STATUS".
Faults are armed with GET /__fault?mode=M[&count=N] (and cleared with mode=none):
  drop     the next N blob GETs send their headers and half the body, then close the connection
  500      the next N requests (any) are answered 500 without reaching the registry
  429      the next N requests are answered 429 with "Retry-After: 1"
  tamper   every blob GET has one byte of its body flipped (until cleared)
  redirect every blob GET is answered 307 with the registry's own address for it, another
           origin, as registries send clients to blob storage (until cleared)
  dropup   the next N uploads (PUT or PATCH with over 1 MiB of body) reach the registry only in
           half, then both connections close with no answer
  slow     every blob GET and every blob upload's final PUT waits &delay=D seconds before it is
           answered (until cleared); GET /__inflight answers the most such waits that overlapped
           since the last time it was asked (1 for blobs copied one by one)
Bodies are read whole (the test images are small).

usage: fault_proxy.py --port N --upstream HOST:PORT --log FILE
"""
import argparse
import http.client
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
       "proxy-authorization", "proxy-authenticate", "content-length"}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--upstream", required=True)
    p.add_argument("--log", required=True)
    args = p.parse_args()
    lock = threading.Lock()
    state = {"mode": "none", "count": 0, "delay": 0.0, "waiting": 0, "most_waiting": 0}

    def wait(seconds: float) -> None:
        with lock:
            state["waiting"] += 1
            state["most_waiting"] = max(state["most_waiting"], state["waiting"])
        time.sleep(seconds)
        with lock:
            state["waiting"] -= 1

    def take(mode: str) -> bool:
        with lock:
            if state["mode"] != mode:
                return False
            if mode in ("tamper", "redirect"):
                return True
            if state["count"] <= 0:
                return False
            state["count"] -= 1
            return True

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def record(self, status: int) -> None:
            with lock, open(args.log, "a") as f:
                f.write(f"{self.command} {self.path} {status}\n")

        def simple(self, status: int, headers=()) -> None:
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", "0")
            self.end_headers()
            self.record(status)

        def handle_any(self):
            url = urlparse(self.path)
            length = int(self.headers.get("Content-Length", "0") or 0)
            body = self.rfile.read(length) if length else b""
            if url.path == "/__inflight":
                with lock:
                    most, state["most_waiting"] = state["most_waiting"], 0
                data = f"{most}\n".encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                return self.wfile.write(data)
            if url.path == "/__fault":
                q = parse_qs(url.query)
                with lock:
                    state["mode"] = q.get("mode", ["none"])[0]
                    state["count"] = int(q.get("count", ["1"])[0])
                    state["delay"] = float(q.get("delay", ["0"])[0])
                return self.simple(200)
            if take("500"):
                return self.simple(500)
            if self.command == "GET" and "/blobs/sha256:" in url.path and take("redirect"):
                return self.simple(307, [("Location", f"http://{args.upstream}{self.path}")])
            if take("429"):
                return self.simple(429, [("Retry-After", "1")])
            with lock:
                delay = state["delay"] if state["mode"] == "slow" else 0
            is_upload_end = self.command == "PUT" and "/blobs/uploads/" in url.path
            if delay and is_upload_end:
                wait(delay)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
            if self.command in ("PUT", "PATCH") and len(body) > (1 << 20) and take("dropup"):
                up = http.client.HTTPConnection(args.upstream, timeout=60)
                up.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for k, v in headers.items():
                    up.putheader(k, v)
                up.putheader("Content-Length", str(len(body)))
                up.endheaders()
                up.send(body[: len(body) // 2])
                up.close()
                self.record(0)
                self.close_connection = True
                self.connection.shutdown(2)
                return
            conn = http.client.HTTPConnection(args.upstream, timeout=60)
            if body or self.command in ("PUT", "POST", "PATCH"):
                headers["Content-Length"] = str(len(body))
            try:
                # The registry may answer (and close) before it has read the whole body, as it
                # does for an upload it has cancelled: its answer is what the client gets.
                try:
                    conn.request(self.command, self.path, body=body, headers=headers)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                resp = conn.getresponse()
                data = resp.read()
            except (OSError, http.client.HTTPException):
                return self.simple(502)
            finally:
                conn.close()
            is_blob_get = self.command == "GET" and "/blobs/sha256:" in url.path and resp.status in (200, 206)
            if delay and is_blob_get:
                wait(delay)
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in HOP:
                    self.send_header(k, v)
            if self.command == "HEAD":
                self.send_header("Content-Length", resp.getheader("Content-Length", "0"))
                self.end_headers()
                return self.record(resp.status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if is_blob_get and len(data) > 1 and take("drop"):
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                self.record(resp.status)
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if is_blob_get and data and take("tamper"):
                data = bytes([data[0] ^ 0xFF]) + data[1:]
            self.wfile.write(data)
            self.record(resp.status)

        do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_any

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
