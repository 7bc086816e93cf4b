#!/usr/bin/env bash
# sc-push against a real Pushgateway (Debian's prometheus-pushgateway) on
# 127.0.0.1: push, read back /metrics and /api/v1/metrics, PUT replaces and
# POST merges, bad input refused before any request, a gateway that is down
# (exit 69 after retries) and one that answers 400 (exit 76, its message).
. "$(dirname "$0")/../lib.sh"

DATA=$SC_TOP/tests/data/push
PGW=/usr/bin/prometheus-pushgateway
PY=/usr/bin/python3
for b in "$PGW" /usr/bin/promtool "$PY"; do
	if [ ! -x "$b" ]; then
		t_skip "pushgw: $b not installed (apt-get install prometheus-pushgateway prometheus)"
		t_done
		exit 0
	fi
done
export SC_RETRY_BASE=0.01 SC_RETRY_CAP=0.05 SC_RETRY_MAX=3 \
	SC_HTTP_TIMEOUT=5 SC_HTTP_CONNECT_TIMEOUT=2

PORT=$(t_port)
GW=http://127.0.0.1:$PORT
t_bg "$PGW" --web.listen-address="127.0.0.1:$PORT" --persistence.file= \
	--web.enable-admin-api --log.level=warn
if ! t_wait_http "$GW/-/ready" 10; then
	t_fail "pushgateway did not start on port $PORT"
	t_done
	exit 1
fi
M=$T_TMP/metrics.txt
fetch() { curl -sf "$GW/metrics" > "$M"; }
wipe() { curl -sf -X PUT "$GW/api/v1/admin/wipe" > /dev/null; }
ngroups() { curl -sf "$GW/api/v1/metrics" | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["data"]))'; }

# The text sc-push generates passes promtool's parser and linter.
t_exit "dry run of metrics JSON" 0 sc-push -n --job stockcast_evaluate \
	--duration 1.5 < "$DATA/metrics.json"
t_exit "promtool check metrics on the JSON's text" 0 \
	sh -c "promtool check metrics < '$T_OUT'"
t_exit "dry run of a forecast CSV" 0 sc-push --dry-run --job stockcast_inference \
	< "$DATA/forecast.csv"
t_grep "forecast gauge in the text" '^stockcast_forecast_close\{ticker="BRK/B"\} 471.5$' "$T_OUT"
t_exit "promtool check metrics on the CSV's text" 0 \
	sh -c "promtool check metrics < '$T_OUT'"
t_exit "dry run with --started" 0 sc-push -n -j x --started "$(($(date +%s) - 100))" < /dev/null
t_grep "duration from --started" '^stockcast_last_run_duration_seconds 10[0-9](\.[0-9]+)?$' "$T_OUT"
t_exit "--started in the future: duration 0" 0 sc-push -n -j x -s "$(($(date +%s) + 100))" < /dev/null
t_grep "duration never negative" '^stockcast_last_run_duration_seconds 0$' "$T_OUT"
t_exit "--started junk: usage" 64 sc-push -n -j x -s yesterday < /dev/null
t_grep "dry run made no request" '^0$' <(ngroups)

# Push sc-rmse's metrics JSON and read it back.
t_exit "push metrics JSON" 0 sc-push --gateway "$GW" --job stockcast_evaluate \
	--duration 12.5 -v < "$DATA/metrics.json"
t_grep "four groups pushed, job group last" 'PUT .*/metrics/job/stockcast_evaluate: HTTP 200' <(tail -n 2 "$T_ERR")
fetch
t_grep "per-ticker value and labels" '^stockcast_rmse\{instance="",job="stockcast_evaluate",ticker="AAPL"\} 2.5$' "$M"
t_grep "ticker with a slash (base64 in the URL)" '^stockcast_skill\{instance="",job="stockcast_evaluate",ticker="BRK/B"\} 0.1666$' "$M"
t_grep "overall value without ticker" '^stockcast_rmse\{instance="",job="stockcast_evaluate"\} 1.23$' "$M"
t_grep "HELP line" '^# HELP stockcast_rmse Root mean squared error' "$M"
t_grep "TYPE line" '^# TYPE stockcast_rmse gauge$' "$M"
t_grep "legacy metric in its own job" '^stock_forecast_test_rmse\{instance="",job="stock_forecast_evaluator"\} 1.23$' "$M"
t_grep "run duration" '^stockcast_last_run_duration_seconds\{instance="",job="stockcast_evaluate"\} 12.5$' "$M"
t_grep "champion version" '^stockcast_model_version\{instance="",job="stockcast_evaluate",model="stockcast"\} 3$' "$M"
ts=$(sed -n 's/^stockcast_last_success_timestamp_seconds{instance="",job="stockcast_evaluate"} //p' "$M")
now=$(date +%s)
t_check "success timestamp is now" "$PY" -c "import sys; sys.exit(not abs(float('${ts:-0}') - $now) < 60)"
curl -sf "$GW/api/v1/metrics" > "$T_TMP/api.json"
t_check "api/v1/metrics: groups, type and help" "$PY" - "$T_TMP/api.json" <<'EOF'
import json, sys
data = json.load(open(sys.argv[1]))["data"]
keys = sorted(tuple(sorted(g["labels"].items())) for g in data)
want = sorted([(("job", "stock_forecast_evaluator"),),
               (("job", "stockcast_evaluate"),),
               (("job", "stockcast_evaluate"), ("ticker", "AAPL")),
               (("job", "stockcast_evaluate"), ("ticker", "BRK/B"))])
assert keys == want, keys
g = [g for g in data if g["labels"].get("ticker") == "AAPL"][0]
m = g["stockcast_rmse"]
assert m["type"] == "GAUGE" and m["help"].startswith("Root mean"), m
assert m["metrics"][0]["value"] == "2.5", m
assert "stockcast_last_success_timestamp_seconds" not in g
EOF

# A forecast CSV to the inference job.
t_exit "push forecast CSV" 0 sc-push -g "$GW" -j stockcast_inference < "$DATA/forecast.csv"
fetch
t_grep "forecast close per ticker" '^stockcast_forecast_close\{instance="",job="stockcast_inference",ticker="AAPL"\} 231.25$' "$M"
t_grep "interval upper bound" '^stockcast_forecast_upper\{instance="",job="stockcast_inference",ticker="BRK/B"\} 480$' "$M"

# PUT replaces a group, POST merges into it.
printf '# TYPE sc_t_a gauge\nsc_t_a 1\n' | sc-push -g "$GW" -j sc_put --replace
printf '# TYPE sc_t_b gauge\nsc_t_b 2\n' | sc-push -g "$GW" -j sc_put --replace
fetch
t_grep "PUT: new metric there" '^sc_t_b\{instance="",job="sc_put"\} 2$' "$M"
t_check "PUT: old metric replaced" sh -c "! grep -q '^sc_t_a{instance=\"\",job=\"sc_put\"}' '$M'"
printf '# TYPE sc_t_a gauge\nsc_t_a 1\n' | sc-push -g "$GW" -j sc_post --merge
printf '# TYPE sc_t_b gauge\nsc_t_b 2\n' | sc-push -g "$GW" -j sc_post --merge
printf '# TYPE sc_t_a gauge\nsc_t_a 3\n' | sc-push -g "$GW" -j sc_post --merge
fetch
t_grep "POST: first metric kept" '^sc_t_b\{instance="",job="sc_post"\} 2$' "$M"
t_grep "POST: same name replaced" '^sc_t_a\{instance="",job="sc_post"\} 3$' "$M"

# --one-group: one group per job, the ticker labels in the body.
t_exit "push with --one-group" 0 sc-push -g "$GW" -j sc_one --one-group < "$DATA/metrics.json"
fetch
t_grep "one group: ticker label kept" '^stockcast_rmse\{instance="",job="sc_one",ticker="BRK/B"\} 0.5$' "$M"
t_grep "one group: a single group for the job" '^1$' <(curl -sf "$GW/api/v1/metrics" | "$PY" -c 'import json,sys; print(sum(g["labels"].get("job") == "sc_one" for g in json.load(sys.stdin)["data"]))')

# Grouping labels and the default gateway from the environment.
t_exit "SC_PUSHGATEWAY_URL and --label" 0 env SC_PUSHGATEWAY_URL="$GW" \
	sc-push -j sc_env --label env=ci --label path=a/b < "$DATA/forecast.csv"
fetch
t_grep "grouping labels on the samples" '^stockcast_forecast_close\{env="ci",instance="",job="sc_env",path="a/b",ticker="AAPL"\} 231.25$' "$M"
t_exit "no gateway at all: usage" 64 sc-push -j x < "$DATA/metrics.json"
t_exit "--label without =: usage" 64 sc-push -g "$GW" -j x --label env < "$DATA/metrics.json"
t_exit "--label job=: usage" 64 sc-push -g "$GW" -j x --label job=y < "$DATA/metrics.json"
t_exit "no --job: usage" 64 sc-push -g "$GW" < "$DATA/metrics.json"
t_exit "bad URL scheme: usage" 64 sc-push -g "ftp://127.0.0.1:$PORT" -j x < "$DATA/metrics.json"

# Malformed input: exit 65 and the gateway got nothing.
wipe
t_grep "wiped" '^0$' <(ngroups)
t_exit "malformed JSON: 65" 65 sc-push -g "$GW" -j x < <(printf '{"n": 1, "rmse": }\n')
t_grep "malformed JSON: place named" '^sc-push: stdin:1: JSON' "$T_ERR"
t_exit "JSON figure not a number: 65" 65 sc-push -g "$GW" -j x < <(printf '{"n": 1, "rmse": "x"}\n')
t_exit "bad metric name: 65" 65 sc-push -g "$GW" -j x < <(printf 'ok 1\nbad-name 1\n')
t_grep "bad metric name: line named" '^sc-push: stdin:2: invalid metric name' "$T_ERR"
t_exit "reserved label name: 65" 65 sc-push -g "$GW" -j x < <(printf 'a{__x="1"} 1\n')
t_exit "bad label escape: 65" 65 sc-push -g "$GW" -j x < <(printf 'a{x="\\q"} 1\n')
t_exit "timestamp: 65" 65 sc-push -g "$GW" -j x < <(printf 'a 1 1700000000000\n')
t_exit "duplicate series: 65" 65 sc-push -g "$GW" -j x < <(printf 'a{t="1"} 1\na{t="1"} 2\n')
t_exit "bad CSV date: 65" 65 sc-push -g "$GW" -j x < <(printf 'asof,ticker,predicted_close\n2026-02-30,A,1\n')
t_grep "bad CSV date: line named" '^sc-push: stdin:2: column "asof"' "$T_ERR"
t_exit "input over 16 MiB: 65" 65 sc-push -g "$GW" -j x < <(head -c 17000000 /dev/zero | tr '\0' a)
t_grep "input over 16 MiB: said once" '^sc-push: stdin: larger than' "$T_ERR"
t_exit "--format unknown: usage" 64 sc-push -g "$GW" -j x -f xml < "$DATA/metrics.json"
t_exit "--format csv on JSON: 65" 65 sc-push -g "$GW" -j x -f csv < "$DATA/metrics.json"
t_grep "no request for malformed input" '^0$' <(ngroups)

# A gateway that answers 400: its message, exit 76.
printf '# TYPE sc_conflict gauge\nsc_conflict 1\n' | sc-push -g "$GW" -j sc_a
t_exit "gateway 400: 76" 76 sc-push -g "$GW" -j sc_b < <(printf '# TYPE sc_conflict counter\nsc_conflict 1\n')
t_grep "gateway 400: its message shown" 'HTTP 400: pushed metrics are invalid or inconsistent' "$T_ERR"

# A gateway that is down: retries, then 69.
DEAD=$(t_port)
t_exit "gateway down: 69" 69 sc-push -v -g "http://u:hunter2@127.0.0.1:$DEAD" -j x < "$DATA/metrics.json"
t_grep "gateway down: retried" 'retrying \(attempt 3\)' "$T_ERR"
t_check "gateway down: password not shown" sh -c "! grep -q hunter2 '$T_ERR'"
t_done
