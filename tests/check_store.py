#!/usr/bin/python3
"""Check every object of a stockcast store copied to a directory (the local
store itself, or a mirror of an S3 store made with sc-fetch): each key is
one the pipeline writes, and each parses as its format says.  Prints
"ok ..." / "not ok ..." lines for tests/integration/ops.sh.
usage: check_store.py DIR TICKERS DAY MODEL_NAME"""
import csv, json, os, re, sys

top, tickers, day, name = sys.argv[1], sys.argv[2].split(), sys.argv[3], sys.argv[4]
OHLCV = "date,ticker,open,high,low,close,adj_close,volume".split(",")
PRED = "asof,date,ticker,close,predicted_close,actual_close,lower,upper,model,source".split(",")
bad = []


def rows(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def check(key, path):
    if re.fullmatch(r"raw/[A-Z0-9.^=-]+\.csv", key):
        r = rows(path)
        assert r[0] == OHLCV, r[0]
        t = key[4:-4]
        assert all(x[1] == t for x in r[1:]) and len(r) > 100, key
        dates = [x[0] for x in r[1:]]
        assert dates == sorted(set(dates)) and dates[-1] <= day, key
        assert all(float(x[5]) > 0 for x in r[1:])
    elif key in ("processed/train.csv", "processed/test.csv"):
        r = rows(path)
        assert r[0][:3] == ["date", "ticker", "close"] and r[0][-1].startswith("target_"), r[0]
        assert sorted({x[1] for x in r[1:]}) == sorted(tickers), key
        for x in r[1:]:
            [float(v) for v in x[2:]]
    elif re.fullmatch(r"runs/[A-Za-z0-9_.-]+/model\.json", key) or \
            re.fullmatch(r"models/[^/]+/[0-9]+/model\.json", key):
        m = json.load(open(path))
        assert m["format"] == "sc-forest" and m["trees"], key
    elif re.fullmatch(r"runs/[^/]+/trials\.jsonl", key):
        for line in open(path):
            json.loads(line)
    elif re.fullmatch(r"runs/[^/]+/metrics\.json", key) or \
            re.fullmatch(r"evaluations/[0-9-]+(-served|-backtest)?\.json", key):
        m = json.load(open(path))
        assert m["rmse"] > 0 and m["naive_rmse"] > 0, key
        assert sorted(m["tickers"]) == sorted(tickers), key
        assert m["n"] == sum(v["n"] for v in m["tickers"].values()), key
    elif re.fullmatch(r"runs/[^/]+/meta\.json", key):
        m = json.load(open(path))
        assert m["run_id"] == key.split("/")[1] and m["cv_rmse"] > 0 or \
            m["run_id"].startswith("bad"), key
        assert len(m["train_sha256"]) == 64, key
    elif re.fullmatch(r"models/[^/]+/[0-9]+/meta\.json", key):
        m = json.load(open(path))
        assert m["name"] == name and m["run_id"], key
    elif re.fullmatch(r"models/[^/]+/index\.json", key):
        m = json.load(open(path))
        assert m["format"] == "sc-registry" and m["latest"] >= 1, key
        assert "champion" in m["aliases"], key
    elif re.fullmatch(r"models/[^/]+/aliases/[a-z0-9_-]+", key):
        assert re.fullmatch(r"[0-9]+\n", open(path).read()), key
    elif re.fullmatch(r"predictions/[0-9-]+\.csv", key):
        r = rows(path)
        assert r[0] == PRED, r[0]
        assert sorted(x[2] for x in r[1:]) == sorted(tickers), key
        for x in r[1:]:
            assert x[5] == "" and float(x[6]) <= float(x[4]) <= float(x[7]), x
            assert x[1] > x[0] and x[9] in ("model", "naive"), x
            assert re.fullmatch(re.escape(name) + r"/[0-9]+", x[8]), x
    elif re.fullmatch(r"evaluations/[0-9-]+(-served|-backtest)?\.csv", key):
        r = rows(path)
        assert r[0] == PRED, r[0]
        assert sorted({x[2] for x in r[1:]}) == sorted(tickers), key
        # served forecasts whose day has not come have no actual yet
        assert all(x[5] != "" for x in r[1:]) or "-served" in key, key
    elif re.fullmatch(r"backtests/[0-9-]+\.json", key):
        m = json.load(open(path))
        assert m["n"] > 0 and m["naive_rmse"] > 0, key
        assert m["interval_coverage"] is not None and m["interval_level"] > 0, key
    elif re.fullmatch(r"backtests/[0-9-]+\.csv", key):
        r = rows(path)
        assert r[0] == PRED, r[0]
        assert sorted({x[2] for x in r[1:]}) == sorted(tickers), key
        assert all(x[1] > x[0] or x[5] == "" for x in r[1:]), key
    elif re.fullmatch(r"plots/[0-9-]+(-backtest)?\.png", key):
        assert open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n", key
    elif re.fullmatch(r"plots/[0-9-]+(-backtest)?\.svg", key):
        assert b"<svg" in open(path, "rb").read(4096), key
    elif re.fullmatch(r"drift/[0-9-]+\.json", key):
        d = json.load(open(path))
        assert 0 <= d["drift_share"] <= 1 and d["features"], key
    elif re.fullmatch(r"reports/[0-9-]+\.html", key):
        t = open(path, encoding="utf-8").read()
        assert t.startswith("<!DOCTYPE html>") and t.endswith("</html>\n"), key
    else:
        raise AssertionError("a key the pipeline does not write")


keys = []
for d, _, files in os.walk(top):
    for f in files:
        keys.append(os.path.relpath(os.path.join(d, f), top))
for key in sorted(keys):
    try:
        check(key, os.path.join(top, key))
        print("ok store object", key)
    except Exception as e:  # noqa: a failed check of any kind
        print("not ok store object", key, type(e).__name__, e)
for want in ["raw/%s.csv" % t for t in tickers] + [
        "processed/train.csv", "processed/test.csv", "predictions/%s.csv" % day,
        "evaluations/%s.json" % day, "evaluations/%s.csv" % day,
        "models/%s/index.json" % name]:
    print(("ok" if want in keys else "not ok") + " store holds " + want)
