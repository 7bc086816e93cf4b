#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""A loopback fault injector for the S3 tests (Python standard library only).

It listens on 127.0.0.1:PORT and, per request, either injects a fault or
forwards the request unchanged (Host header included, so SigV4 signatures
stay valid) to the real S3 server at --upstream.

Faults (--mode):
  500, 503   answer that status with an S3 error body
  429        answer 429 SlowDown
  reset      read the request, then reset the connection (RST)
  cut        forward, but send only half of a 2xx body, then close
  412        answer 412 PreconditionFailed to PUTs (forward the rest)
  slow       wait 5 s before forwarding (for client timeouts)
  s3cond     act as S3 does for If-None-Match: * (a PUT of an existing key
             gets 412); the first K requests are forwarded but their
             answers lost (the connection is reset after the upstream
             answered)
  s3atomic   s3cond without lost answers, one request at a time: S3's
             atomic writes and If-None-Match over s3rver, which writes
             objects in place and ignores the condition (for many
             concurrent writers)
--fail K injects the fault into the first K requests, then forwards;
--fail -1 injects it into every request.  Every request's method, path and
headers are recorded.

Control (not forwarded):
  GET  /__faults__/log             recorded requests, one JSON object a line
  POST /__faults__/arm?mode=M&fail=K  change the fault and reset the count
"""
import argparse
import http.client
import http.server
import json
import socket
import struct
import sys
import threading
import time
import urllib.parse

STATE = {"mode": "none", "fail": 0, "seen": 0, "log": []}
LOCK = threading.Lock()
SERIAL = threading.Lock()
UPSTREAM = None


def error_body(code, msg):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code>'
            '<Message>%s</Message><RequestId>FAULTS</RequestId></Error>'
            % (code, msg)).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def send(self, status, body, ctype="application/xml"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def control(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/__faults__/log":
            with LOCK:
                text = "".join(json.dumps(x) + "\n" for x in STATE["log"])
            self.send(200, text.encode(), "application/json")
            return
        q = urllib.parse.parse_qs(url.query)
        with LOCK:
            STATE["mode"] = q.get("mode", ["none"])[0]
            STATE["fail"] = int(q.get("fail", ["0"])[0])
            STATE["seen"] = 0
            STATE["log"] = []
        self.send(200, b"armed\n", "text/plain")

    def reset(self):
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                   struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def forward(self, body, cut=False):
        conn = http.client.HTTPConnection(UPSTREAM[0], UPSTREAM[1],
                                          timeout=60)
        conn.putrequest(self.command, self.path, skip_host=True,
                        skip_accept_encoding=True)
        for k, v in self.headers.items():
            conn.putheader(k, v)
        conn.endheaders(body if body else None)
        resp = conn.getresponse()
        data = resp.read()
        if cut and 200 <= resp.status < 300 and len(data) > 1:
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in ("transfer-encoding", "connection",
                                     "content-length"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.reset()
            return
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("transfer-encoding", "connection",
                                 "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        conn.close()

    def upstream_has(self):
        conn = http.client.HTTPConnection(UPSTREAM[0], UPSTREAM[1],
                                          timeout=60)
        conn.request("HEAD", urllib.parse.urlsplit(self.path).path)
        status = conn.getresponse().status
        conn.close()
        return status == 200

    def s3cond(self, body, lose):
        if (self.command == "PUT" and
                self.headers.get("If-None-Match") == "*" and
                self.upstream_has()):
            if lose:
                self.reset()
                return
            self.send(412, error_body("PreconditionFailed",
                                      "At least one of the pre-conditions "
                                      "you specified did not hold"))
            return
        if not lose:
            self.forward(body)
            return
        conn = http.client.HTTPConnection(UPSTREAM[0], UPSTREAM[1],
                                          timeout=60)
        conn.putrequest(self.command, self.path, skip_host=True,
                        skip_accept_encoding=True)
        for k, v in self.headers.items():
            conn.putheader(k, v)
        conn.endheaders(body if body else None)
        conn.getresponse().read()
        conn.close()
        self.reset()

    def handle_any(self):
        if self.path.startswith("/__faults__/"):
            self.read_body()
            self.control()
            return
        with LOCK:
            STATE["seen"] += 1
            mode, fail, seen = STATE["mode"], STATE["fail"], STATE["seen"]
            STATE["log"].append({"method": self.command, "path": self.path,
                                 "headers": dict(self.headers.items())})
        inject = mode != "none" and (fail < 0 or seen <= fail)
        if inject and mode == "412" and self.command != "PUT":
            inject = False
        if mode == "s3cond":
            self.s3cond(self.read_body(), inject)
            return
        if mode == "s3atomic":
            body = self.read_body()
            with SERIAL:
                self.s3cond(body, False)
            return
        if inject and mode == "reset":
            self.reset()
            return
        body = self.read_body()
        if not inject:
            self.forward(body)
        elif mode in ("500", "503"):
            self.send(int(mode), error_body(
                "InternalError" if mode == "500" else "ServiceUnavailable",
                "injected fault"))
        elif mode == "429":
            self.send(429, error_body("SlowDown", "Please reduce your "
                                      "request rate."))
        elif mode == "412":
            self.send(412, error_body("PreconditionFailed",
                                      "At least one of the pre-conditions "
                                      "you specified did not hold"))
        elif mode == "slow":
            time.sleep(5)
            self.forward(body)
        elif mode == "cut":
            self.forward(body, cut=True)
        else:
            self.send(500, error_body("InternalError", "unknown mode"))

    do_GET = do_PUT = do_HEAD = do_DELETE = do_POST = handle_any


def main():
    global UPSTREAM
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--upstream", required=True, help="host:port")
    ap.add_argument("--mode", default="none")
    ap.add_argument("--fail", type=int, default=0)
    a = ap.parse_args()
    host, port = a.upstream.rsplit(":", 1)
    UPSTREAM = (host, int(port))
    STATE["mode"], STATE["fail"] = a.mode, a.fail
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.daemon_threads = True
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
