#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""A loopback HTTP server that lies, for tests/integration/bounds.sh.

Every request, whatever its method and path, gets the answer of --mode:
  length   200 with Content-Length: 10^12, then zeros until the client
           hangs up (a body no client may buffer)
  s3error  403 with an XML error body announced as 10^12 bytes long
  nested   200 application/json: 100000 nested arrays
  deep     200 application/json: a Yahoo chart whose meta nests 100000
           objects deep
  skew     as AWS S3 does (s3rver does not: it cannot parse X-Amz-Date):
           403 RequestTimeTooSkewed when X-Amz-Date is more than 15
           minutes from this machine's clock, else 200 with an empty body
Binds 127.0.0.1 port 0 and writes the port to PORTFILE (whole, then
renamed).  Standard library only (/usr/bin/python3).

usage: liar.py --mode MODE PORTFILE
"""
import argparse
import calendar
import os
import socket
import socketserver
import time

ARGS = None
HUGE = 10 ** 12


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        try:
            self.read_request()
            getattr(self, "mode_" + ARGS.mode)()
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            pass

    def read_request(self):
        length = 0
        self.amz_date = None
        while True:
            line = self.rfile.readline(65537)
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
            if name.strip().lower() == b"x-amz-date":
                self.amz_date = value.strip().decode("ascii", "replace")
        while length > 0:
            chunk = self.rfile.read(min(length, 1 << 20))
            if not chunk:
                break
            length -= len(chunk)

    def head(self, status, ctype, length):
        self.wfile.write(("HTTP/1.1 %s\r\nContent-Type: %s\r\n"
                          "Content-Length: %d\r\nConnection: close\r\n\r\n"
                          % (status, ctype, length)).encode())

    def mode_length(self):
        self.head("200 OK", "application/json", HUGE)
        zeros = b"0" * 65536
        for _ in range(HUGE // len(zeros)):
            self.wfile.write(zeros)

    def mode_s3error(self):
        self.head("403 Forbidden", "application/xml", HUGE)
        self.wfile.write(b"<?xml version=\"1.0\"?><Error><Code>AccessDenied"
                         b"</Code><Message>")
        zeros = b"x" * 65536
        for _ in range(HUGE // len(zeros)):
            self.wfile.write(zeros)

    def mode_skew(self):
        try:
            t = calendar.timegm(time.strptime(self.amz_date, "%Y%m%dT%H%M%SZ"))
        except (TypeError, ValueError):
            t = None
        if t is not None and abs(time.time() - t) <= 900:
            self.head("200 OK", "application/xml", 0)
            return
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        text = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>"
                "RequestTimeTooSkewed</Code><Message>The difference between "
                "the request time and the current time is too large."
                "</Message><RequestTime>%s</RequestTime><ServerTime>%s"
                "</ServerTime><RequestId>LIAR</RequestId></Error>"
                % (self.amz_date, now)).encode()
        self.head("403 Forbidden", "application/xml", len(text))
        self.wfile.write(text)

    def body(self, text):
        self.head("200 OK", "application/json", len(text))
        self.wfile.write(text)

    def mode_nested(self):
        self.body(b"[" * 100000 + b"]" * 100000)

    def mode_deep(self):
        self.body(b'{"chart":{"result":[{"meta":' + b'{"a":' * 100000 +
                  b"1" + b"}" * 100000 + b"}],\"error\":null}}")


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--mode", required=True,
                   choices=["length", "s3error", "nested", "deep", "skew"])
    p.add_argument("portfile")
    ARGS = p.parse_args()
    srv = Server(("127.0.0.1", 0), Handler)
    with open(ARGS.portfile + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(ARGS.portfile + ".tmp", ARGS.portfile)
    srv.serve_forever()


if __name__ == "__main__":
    main()
