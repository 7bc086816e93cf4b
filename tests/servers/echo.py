#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""A loopback server whose answers echo the request, for the secrets tests.

Every request (but the control one) is answered with the armed status and
a body that repeats what the client sent, in every form a careless server
might: the request line, every header, and each query value and header
value raw, percent-encoded (upper and lower case, '+' for a space, twice
encoded) and JSON-escaped, after PAD bytes of filler so that a secret
lands wherever a message would be cut.  The body is an S3 <Error> (xml),
an Alpha Vantage-like {"Error Message": ...} (json) or plain text (text).

Binds 127.0.0.1 port 0 and writes the port to PORTFILE (written whole,
then renamed).

Control (not echoed):
  POST /__echo__/arm?status=N&format=xml|json|text&pad=N

usage: echo.py PORTFILE
Standard library only (/usr/bin/python3).
"""
import json
import os
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

STATE = {"status": 500, "format": "text", "pad": 0}
LOCK = threading.Lock()


def forms(value):
    """value in every encoding the tests look for."""
    enc = quote(value, safe="")
    low = re.sub("%[0-9A-F]{2}", lambda m: m.group(0).lower(), enc)
    return [value, enc, low, quote_plus(value),
            quote(enc, safe=""), json.dumps(value)[1:-1].replace("/", "\\/")]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def echo(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n > 0:
            self.rfile.read(n)
        parts = urlsplit(self.path)
        if parts.path == "/__echo__/arm":
            with LOCK:
                for k, v in parse_qsl(parts.query):
                    STATE[k] = v if k == "format" else int(v)
            return self.answer(200, b"armed\n", "text/plain")
        with LOCK:
            status, fmt, pad = STATE["status"], STATE["format"], STATE["pad"]
        said = []
        for k, v in self.headers.items():
            if k.lower() in ("x-amz-security-token", "authorization"):
                said += forms(v)
        for _, v in parse_qsl(parts.query):
            said += forms(v)
        said += ["%s %s" % (self.command, self.path)]
        said += ["%s: %s" % (k, v) for k, v in self.headers.items()]
        text = "x" * pad + " you sent " + " | ".join(said)
        if fmt == "xml":
            body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>"
                    "<Code>AccessDenied</Code><Message>%s</Message>"
                    "<RequestId>ECHO</RequestId></Error>"
                    % text.replace("&", "&amp;").replace("<", "&lt;"))
            ctype = "application/xml"
        elif fmt == "json":
            body = json.dumps({"Error Message": text})
            ctype = "application/json"
        else:
            body = text + "\n"
            ctype = "text/plain"
        self.answer(status, body.encode(), ctype)

    def answer(self, status, body, ctype):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = echo


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tmp = sys.argv[1] + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, sys.argv[1])
    srv.serve_forever()


if __name__ == "__main__":
    main()
