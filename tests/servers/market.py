#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Loopback market-data server for tests/integration/fetch.sh.

Serves the Yahoo chart v8 (with cookie and crumb), Stooq CSV and Alpha
Vantage TIME_SERIES_DAILY formats, and their failures.  The scenario is
chosen by the symbol; a per-scenario request counter drives "fail first,
then succeed" cases.  Binds 127.0.0.1 port 0 and writes the port to the
file named on the command line (written whole, then renamed), so there
is no port race.  Every request is appended to the log as one JSON line
(path, query, headers) so tests can check what the client sent.

usage: market.py PORTFILE [--captures DIR] [--log FILE]
Standard library only (/usr/bin/python3).
"""
import argparse
import gzip
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data",
                    "market")
CRUMB = "cr/umb.9"
COOKIE = "A3=d=AQABBtest&S=AQAAA"
STOOQ_KEY = "stooqkey"

# Yahoo symbols served from the real captures (read by path, never copied).
CAPTURES = {
    "AAPL": "chart-AAPL-2020-08-31-to-2020-11-07.json",
    "MSFT": "historical-via-chart-MSFT-dividends-2021-02-01-to-2022-01-31.json",
    "BTC-USD": "chart-BTC-USD-2020-01-01-to-2020-01-03.json",
    "EURUSD=X": "chart-EURUSD=X-2020-01-01-to-2020-01-03.json",
}

ARGS = None
COUNTS = {}
LOCK = threading.Lock()


def data(name):
    with open(os.path.join(DATA, name), "rb") as f:
        return f.read()


def count(key):
    with LOCK:
        COUNTS[key] = COUNTS.get(key, 0) + 1
        return COUNTS[key]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet
        pass

    def send(self, status, body, ctype="application/json;charset=utf-8",
             headers=()):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def record(self, url):
        if ARGS.log is None:
            return
        entry = {"path": url.path, "query": url.query,
                 "headers": {k.lower(): v for k, v in self.headers.items()}}
        with LOCK, open(ARGS.log, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def do_GET(self):
        url = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        self.record(url)
        try:
            if url.path.startswith("/v8/finance/chart/"):
                self.yahoo(unquote(url.path[len("/v8/finance/chart/"):]), q)
            elif url.path == "/cookie":
                self.send(404, "<html>fc</html>", "text/html",
                          [("Set-Cookie", COOKIE + "; Path=/; HttpOnly")])
            elif url.path == "/v1/test/getcrumb":
                self.crumb()
            elif url.path == "/q/d/l/":
                self.stooq(q)
            elif url.path == "/query":
                self.alphav(q)
            elif url.path.startswith("/raw/"):
                self.raw(url.path[len("/raw/"):])
            else:
                self.send(404, "not here", "text/plain")
        except (BrokenPipeError, ConnectionResetError):
            pass

    # Yahoo

    def has_cookie(self):
        return COOKIE.split(";")[0] in (self.headers.get("Cookie") or "")

    def crumb(self):
        if not self.has_cookie():
            self.send(403, '{"finance":{"result":null,"error":{"code":'
                      '"Forbidden","description":"no cookie"}}}')
        else:
            self.send(200, CRUMB, "text/plain")

    def yahoo(self, sym, q):
        n = count("yahoo:" + sym)
        if sym in CAPTURES:
            path = os.path.join(ARGS.captures or "/nonexistent", CAPTURES[sym])
            if not os.path.exists(path):
                return self.send(500, "capture absent", "text/plain")
            with open(path, "rb") as f:
                return self.send(200, f.read())
        if sym == "NULLS":
            return self.send(200, data("yahoo-nulls.json"))
        if sym == "DUP":
            return self.send(200, data("yahoo-duplicate-final.json"))
        if sym == "EMPTY":
            return self.send(200, data("yahoo-empty.json"))
        if sym == "SYDNEY":
            return self.send(200, data("yahoo-sydney.json"))
        if sym == "OPEN":
            return self.send(200, data("yahoo-open.json"))
        if sym == "CLOSED":
            return self.send(200, data("yahoo-closed.json"))
        if sym == "RATE":
            if n == 1:
                return self.send(429, "Too Many Requests", "text/plain",
                                 [("Retry-After", "0")])
            return self.send(200, data("yahoo-nulls.json"))
        if sym == "WAIT":
            if n == 1:
                return self.send(429, "Too Many Requests", "text/plain",
                                 [("Retry-After", "1")])
            return self.send(200, data("yahoo-nulls.json"))
        if sym == "HUGE":
            # announce 40 MB, send a little: the client must refuse it
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "40000000")
            self.end_headers()
            self.wfile.write(b'{"chart":' + b" " * 65536)
            self.close_connection = True
            return None
        if sym == "DOWN":
            return self.send(500, "Internal Server Error", "text/plain")
        if sym in ("AUTH", "AUTHFAIL"):
            ok = sym == "AUTH" and q.get("crumb") == CRUMB and \
                self.has_cookie()
            if not ok:
                return self.send(401, data("yahoo-unauthorized.json"))
            return self.send(200, data("yahoo-nulls.json"))
        if sym == "HTML":
            return self.send(200, data("yahoo-blocked.html"),
                             "text/html; charset=utf-8")
        if sym == "MAINT":
            return self.send(200, data("yahoo-down.html"), "text/html")
        if sym == "SLOW":
            time.sleep(3)
            return self.send(200, data("yahoo-nulls.json"))
        if sym == "TRUNC":
            return self.send(200, data("yahoo-truncated.json"))
        if sym == "MISMATCH":
            return self.send(200, data("yahoo-mismatch.json"))
        if sym == "ZIP":
            if "gzip" not in (self.headers.get("Accept-Encoding") or ""):
                return self.send(406, "want gzip", "text/plain")
            return self.send(200, gzip.compress(data("yahoo-nulls.json")),
                             headers=[("Content-Encoding", "gzip")])
        return self.send(404, data("yahoo-notfound.json"))

    # Stooq

    def stooq(self, q):
        sym = q.get("s", "")
        count("stooq:" + sym)
        if q.get("apikey") != STOOQ_KEY:
            return self.send(200, data("stooq-apikey.html"), "text/html")
        bodies = {"ok.us": "stooq-ok.csv", "spx": "stooq-index-crlf.csv",
                  "nodata.us": "stooq-nodata.txt",
                  "limit.us": "stooq-limit.txt",
                  "trunc.us": "stooq-truncated.csv"}
        if sym == "pow.us":
            return self.send(200, data("yahoo-blocked.html"), "text/html")
        if sym == "down.us":
            return self.send(503, "Service Unavailable", "text/plain")
        name = bodies.get(sym, "stooq-nodata.txt")
        return self.send(200, data(name), "text/csv")

    # Alpha Vantage

    def alphav(self, q):
        sym = q.get("symbol", "")
        n = count("av:" + sym)
        key = q.get("apikey", "")
        if sym == "QUOTA":
            body = data("alphav-quota.json").decode().replace(
                "SECRETKEY123", key)
            return self.send(200, body)
        if sym == "BURST" and n == 1:
            return self.send(200, data("alphav-burst.json"))
        if sym == "PREMIUM" and q.get("outputsize") == "full":
            return self.send(200, data("alphav-premium.json"))
        if sym == "BADKEY":
            return self.send(200, data("alphav-badkey.json"))
        if sym in ("OK", "BURST", "PREMIUM"):
            return self.send(200, data("alphav-ok.json"))
        return self.send(200, data("alphav-invalid.json"))

    # Plain downloads

    def raw(self, name):
        if name == "forbidden":
            return self.send(403, "Forbidden", "text/plain")
        if name == "flaky":
            if count("raw:flaky") == 1:
                return self.send(503, "busy", "text/plain")
            return self.send(200, b"second time lucky\n", "text/plain")
        if name == "hello.bin":
            return self.send(200, bytes(range(256)) * 4,
                             "application/octet-stream")
        return self.send(404, "Not Found", "text/plain")


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("portfile")
    p.add_argument("--captures")
    p.add_argument("--log")
    ARGS = p.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    tmp = ARGS.portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, ARGS.portfile)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
