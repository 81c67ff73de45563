#!/usr/bin/env python3
"""A loopback HTTPS file server to try fetch against: a CA and a server certificate are made for
it, it serves DIR on 127.0.0.1 at a free port and writes the port to PORT_FILE once it listens.

usage: serve-https.py DIR CERT KEY PORT_FILE
(make the CA, CERT and KEY with ./make-certs OUT_DIR; stop the server with SIGTERM)
"""
import functools
import http.server
import os
import signal
import ssl
import sys


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # the callers print what matters
        pass


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__.strip().splitlines()[-2])
    root, cert, key, port_file = sys.argv[1:]
    handler = functools.partial(QuietHandler, directory=root)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{server.server_address[1]}\n")
    os.rename(tmp, port_file)  # the port file appears complete, once listening
    server.serve_forever()


if __name__ == "__main__":
    main()
