#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Check a report page as a browser built it (chromium --dump-dom).

  check_report.py DOM.html EXPECT.json

EXPECT.json: {"tables": {"t-forecasts": 6, ...}  rows each table must have,
              "tickers": ["AAPL", ...]           each needs a non-empty chart
                                                 "TICKER: evaluation window",
              "texts": ["<script>", ...]         a table cell with that text}

Also: every chart has data points (an empty chart fails), no reference
leaves the page (href only to in-page anchors that exist, no src, no
link, no url() or @import in the style), one inline script, a viewport
and print styles.  Prints "ok NAME" / "not ok NAME: why" lines and exits
1 when a check failed.
"""
import json
import sys
from html.parser import HTMLParser

FAILED = 0


def check(name, cond, why=""):
    global FAILED
    if cond:
        print("ok " + name)
    else:
        FAILED += 1
        print("not ok %s: %s" % (name, why))


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.hrefs, self.srcs, self.links = set(), [], [], 0
        self.tables, self.table, self.in_tbody = {}, None, False
        self.svgs, self.svg = [], None
        self.scripts, self.style, self.in_style = 0, "", False
        self.viewport = False
        self.cells, self.cell = [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if "href" in a:
            self.hrefs.append(a["href"])
        for k in ("src", "srcset", "action", "formaction", "data", "poster"):
            if k in a:
                self.srcs.append((tag, k, a[k]))
        if tag == "link":
            self.links += 1
        if tag == "meta" and a.get("name") == "viewport":
            self.viewport = True
        if tag == "script":
            self.scripts += 1
        if tag == "style":
            self.in_style = True
        if tag == "table":
            self.table = a.get("id", "?")
            self.tables[self.table] = 0
        if tag == "tbody":
            self.in_tbody = True
        if tag == "tr" and self.in_tbody and self.table:
            self.tables[self.table] += 1
        if tag == "td":
            self.cell = ""
        if tag == "svg":
            self.svg = {"label": a.get("aria-label", ""),
                        "points": int(a.get("data-points", "0")), "marks": 0}
        if self.svg is not None and (
                tag in ("circle", "polyline", "polygon") or
                (tag == "rect" and "p0" in a.get("class", ""))):
            if tag != "polyline" or a.get("points", "").strip():
                self.svg["marks"] += 1

    def handle_endtag(self, tag):
        if tag == "style":
            self.in_style = False
        if tag == "tbody":
            self.in_tbody = False
        if tag == "table":
            self.table = None
        if tag == "td" and self.cell is not None:
            self.cells.append(self.cell)
            self.cell = None
        if tag == "svg" and self.svg is not None:
            self.svgs.append(self.svg)
            self.svg = None

    def handle_data(self, data):
        if self.in_style:
            self.style += data
        if self.cell is not None:
            self.cell += data


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: check_report.py DOM.html EXPECT.json")
    p = Page()
    p.feed(open(sys.argv[1], encoding="utf-8").read())
    want = json.load(open(sys.argv[2]))
    for t, n in sorted(want.get("tables", {}).items()):
        check("table %s has %d rows" % (t, n), p.tables.get(t) == n,
              "has %s" % p.tables.get(t))
    for s in want.get("tickers", []):
        label = "%s: evaluation window" % s
        got = [v for v in p.svgs if v["label"] == label]
        check("chart of %s present with data points" % s,
              got and got[0]["points"] > 0 and got[0]["marks"] > 0, str(got))
    for s in want.get("texts", []):
        check("cell text %r shown as text" % s, s in p.cells,
              str(p.cells[:20]))
    check("the page has charts", len(p.svgs) > 0, "no svg")
    empty = [v["label"] for v in p.svgs if v["points"] == 0 or v["marks"] == 0]
    check("no chart is empty", not empty, str(empty))
    bad = [h for h in p.hrefs if not (h.startswith("#") and h[1:] in p.ids)]
    check("every href is an anchor in the page", not bad, str(bad))
    check("no src, link, url() or @import",
          not p.srcs and not p.links and "url(" not in p.style and
          "@import" not in p.style, str(p.srcs))
    check("exactly one (inline) script", p.scripts == 1, str(p.scripts))
    check("viewport meta", p.viewport)
    check("print styles", "@media print" in p.style)
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
