#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Check monitor/: the Grafana dashboard and provisioning, and every PromQL
expression of the dashboard and of the alert rules.

  check_dashboard.py TOP                  structure only (no network)
  check_dashboard.py TOP PROMETHEUS_URL   also run each expression through
                                          PROMETHEUS_URL/api/v1/query

Prints one "ok NAME" or "not ok NAME: why" line per check (monitor.sh
counts them) and exits 1 when a check failed.  With a Prometheus that has
scraped a Pushgateway after a real sc-push, every metric selector of the
dashboard and of the rules must return data, so a renamed metric or a wrong
job label fails here rather than on a blank panel or a silent alert.
"""
import json
import os
import re
import sys
import urllib.parse
import urllib.request

import yaml

FAILED = 0


def check(name, cond, why=""):
    global FAILED
    if cond:
        print("ok " + name)
    else:
        FAILED += 1
        print("not ok %s: %s" % (name, why))


def selectors(expr):
    """The metric selectors of stockcast's metrics in expr, with matchers."""
    out, i, n = [], 0, len(expr)
    while i < n:
        c = expr[i]
        if c == '"':
            i = expr.index('"', i + 1) + 1 if '"' in expr[i + 1:] else n
            continue
        m = re.match(r"[A-Za-z_:][A-Za-z0-9_:]*", expr[i:])
        if not m:
            i += 1
            continue
        name, i = m.group(0), i + m.end()
        if not re.match(r"(stockcast|stock_forecast|push)_", name):
            continue
        j = i
        while j < n and expr[j] == " ":
            j += 1
        if j < n and expr[j] == "{":
            k, quoted = j, False
            while k < n and (quoted or expr[k] != "}"):
                if expr[k] == '"' and expr[k - 1] != "\\":
                    quoted = not quoted
                k += 1
            out.append(name + expr[j:k + 1])
            i = k + 1
        else:
            out.append(name)
    return out


def substitute(expr):
    """Grafana's variables replaced by values Prometheus accepts."""
    expr = re.sub(r"\$\{?ticker\}?", ".+", expr)
    expr = expr.replace("$__rate_interval", "5m").replace("$__interval", "1m")
    return expr.replace("$__range", "1h")


def query(url, expr):
    q = urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen("%s/api/v1/query?%s" % (url, q),
                                    timeout=10) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        return json.load(e)


def dashboard_exprs(dash):
    for p in dash.get("panels", []):
        for t in p.get("targets", []):
            yield p.get("title", "?"), t


def check_static(top):
    mon = os.path.join(top, "monitor")
    path = os.path.join(mon, "grafana/dashboards/stockcast.json")
    try:
        dash = json.load(open(path))
    except ValueError as e:
        check("dashboard is valid JSON", False, str(e))
        return None, []
    check("dashboard is valid JSON", True)
    ds = yaml.safe_load(open(os.path.join(
        mon, "grafana/provisioning/datasources/prometheus.yml")))
    uid = ds["datasources"][0]["uid"]
    prov = yaml.safe_load(open(os.path.join(
        mon, "grafana/provisioning/dashboards/stockcast.yml")))
    compose = yaml.safe_load(open(os.path.join(mon, "docker-compose.yml")))
    mounts = compose["services"]["grafana"]["volumes"]
    check("dashboard provider path is mounted",
          any(v.endswith(":" + prov["providers"][0]["options"]["path"] + ":ro")
              for v in mounts), str(mounts))
    check("dashboard uid and title",
          dash.get("uid") == "stockcast" and dash.get("title"), dash.get("uid"))
    check("dashboard schemaVersion", isinstance(dash.get("schemaVersion"), int))
    panels = dash.get("panels", [])
    ids = [p.get("id") for p in panels]
    check("panel ids unique", len(ids) == len(set(ids)) and None not in ids,
          str(ids))
    for p in panels:
        g = p.get("gridPos", {})
        check("panel %r has a type, title and grid place" % p.get("title"),
              p.get("type") and p.get("title") and
              all(isinstance(g.get(k), int) for k in "xywh") and
              g["x"] + g["w"] <= 24, str(g))
    exprs = []
    for title, t in dashboard_exprs(dash):
        check("panel %r target %s uses datasource %s" % (title, t.get("refId"), uid),
              t.get("expr") and t.get("refId") and
              t.get("datasource", {}).get("uid") == uid, str(t.get("datasource")))
        exprs.append(("panel %r" % title, t.get("expr", "")))
    allx = " ".join(e for _, e in exprs)
    for m in ("stockcast_rmse", "stockcast_skill", "stockcast_forecast_close",
              "stockcast_last_close", "stockcast_last_success_timestamp_seconds",
              "stockcast_model_version", "stockcast_drift_share",
              "stockcast_feature_drift"):
        check("dashboard shows %s" % m, m in allx)
    tv = dash.get("templating", {}).get("list", [])
    check("ticker variable", any(v.get("name") == "ticker" for v in tv))
    prom = yaml.safe_load(open(os.path.join(mon, "prometheus/prometheus.yml")))
    for f in prom["rule_files"]:
        rules = yaml.safe_load(open(os.path.join(mon, "prometheus", f)))
        for g in rules["groups"]:
            for r in g["rules"]:
                exprs.append(("rule %s" % r.get("alert", r.get("record")),
                              r["expr"]))
    docs = open(os.path.join(top, "docs/metrics.md")).read()
    for where, e in exprs:
        for s in selectors(e):
            name = re.match(r"[A-Za-z0-9_:]+", s).group(0)
            check("%s: %s documented in docs/metrics.md" % (where, name),
                  "`%s`" % name in docs)
    return dash, exprs


def check_live(url, dash, exprs):
    for v in dash.get("templating", {}).get("list", []):
        m = re.match(r"label_values\((.*),\s*(\w+)\)$", v.get("definition", ""))
        if not m:
            continue
        res = query(url, m.group(1))
        got = res.get("data", {}).get("result", [])
        check("variable %s: %s has %s values" % (v["name"], m.group(1), m.group(2)),
              res.get("status") == "success" and got and
              all(m.group(2) in s["metric"] for s in got), json.dumps(res)[:200])
    for where, e in exprs:
        e2 = substitute(e)
        res = query(url, e2)
        ok = res.get("status") == "success"
        if where.startswith("panel"):
            ok = ok and res["data"]["result"]
        check("%s: %s" % (where, " ".join(e2.split())), ok, json.dumps(res)[:300])
        for s in selectors(e2):
            res = query(url, s)
            check("%s: selector %s has data" % (where, s),
                  res.get("status") == "success" and res["data"]["result"],
                  json.dumps(res)[:200])
    with urllib.request.urlopen(url + "/api/v1/rules", timeout=10) as r:
        groups = json.load(r)["data"]["groups"]
    rules = [r for g in groups for r in g["rules"]]
    check("Prometheus loaded the rules", len(rules) >= 4, str(len(rules)))
    for r in rules:
        check("rule %s evaluates without error" % r["name"],
              r.get("health") == "ok", r.get("lastError", r.get("health")))


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: check_dashboard.py TOP [PROMETHEUS_URL]")
    dash, exprs = check_static(sys.argv[1])
    if dash is not None and len(sys.argv) == 3:
        check_live(sys.argv[2].rstrip("/"), dash, exprs)
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
