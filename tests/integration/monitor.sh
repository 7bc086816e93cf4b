#!/usr/bin/env bash
# monitor/: promtool checks and unit tests of the alert rules, amtool and
# docker-compose checks of the configs, the dashboard's structure, then a
# real Prometheus on 127.0.0.1 scraping a real Pushgateway after a real
# sc-push, through which every PromQL expression of the dashboard and of
# the rules is run (tests/check_dashboard.py).
. "$(dirname "$0")/../lib.sh"

MON=$SC_TOP/monitor
DATA=$SC_TOP/tests/data/push
PY=/usr/bin/python3

# have BINARY: true when installed, else a skip line naming the package.
have() {
	if command -v "$1" > /dev/null 2>&1; then return 0; fi
	t_skip "$1 not installed (apt-get install $2)"
	return 1
}

# run_checks CMD...: turn check_dashboard.py's ok / not ok lines into ours.
run_checks() {
	local line
	while IFS= read -r line; do
		case $line in
		"ok "*) t_ok "${line#ok }" ;;
		"not ok "*) t_fail "${line#not ok }" ;;
		*) echo "# $line" ;;
		esac
	done < <("$@" 2>&1 || echo "not ok $* exited $?")
}

if have promtool prometheus; then
	t_exit "promtool check rules" 0 promtool check rules "$MON/prometheus/rules.yml"
	t_exit "promtool test rules" 0 promtool test rules "$MON/prometheus/rules_test.yml"
	[ -s "$T_OUT" ] && grep -q FAILED "$T_OUT" && cat "$T_OUT"
	t_exit "promtool check config" 0 promtool check config "$MON/prometheus/prometheus.yml"
	t_exit "promtool check forecast rules" 0 promtool check rules "$MON/prometheus/forecast.rules.yml"
	t_exit "promtool test forecast rules" 0 promtool test rules "$MON/prometheus/forecast.rules_test.yml"
	[ -s "$T_OUT" ] && grep -q FAILED "$T_OUT" && cat "$T_OUT"
fi
if have amtool prometheus-alertmanager; then
	t_exit "amtool check-config" 0 amtool check-config "$MON/alertmanager/alertmanager.yml"
fi
if have docker-compose docker-compose; then
	t_exit "docker-compose config -q" 0 docker-compose -f "$MON/docker-compose.yml" config -q
	t_exit "docker-compose: ports on 127.0.0.1 only" 0 "$PY" -c '
import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
for name, s in c["services"].items():
    for p in s.get("ports", []):
        assert str(p).startswith("127.0.0.1:"), (name, p)
    assert ":" in s["image"] and not s["image"].endswith(":latest"), s["image"]
' "$MON/docker-compose.yml"
fi
if [ ! -x "$PY" ] || ! "$PY" -c 'import yaml' 2> /dev/null; then
	t_skip "dashboard checks: /usr/bin/python3 with python3-yaml needed"
	t_done
	exit
fi
run_checks "$PY" "$SC_TOP/tests/check_dashboard.py" "$SC_TOP"

if ! have prometheus prometheus || ! have prometheus-pushgateway prometheus-pushgateway; then
	t_done
	exit
fi

GPORT=$(t_port)
GW=http://127.0.0.1:$GPORT
t_bg prometheus-pushgateway --web.listen-address="127.0.0.1:$GPORT" \
	--persistence.file= --log.level=warn
t_wait_http "$GW/-/ready" 10 || t_fail "pushgateway did not start"
t_exit "push evaluation metrics" 0 sc-push -g "$GW" -j stockcast_evaluate \
	--duration 42 < "$DATA/metrics.json"
t_exit "push inference forecast" 0 sc-push -g "$GW" -j stockcast_inference \
	--duration 7 < "$DATA/forecast.csv"
t_exit "push drift" 0 sc-push -g "$GW" -j stockcast_drift < "$DATA/drift.json"
t_exit "push the served forecasts' evaluation" 0 sc-push -g "$GW" \
	-j stockcast_evaluate_served < "$DATA/served.json"

# The repository's prometheus.yml, pointed at the test gateway, scraping
# and evaluating every second.
PPORT=$(t_port)
PROM=http://127.0.0.1:$PPORT
CONF=$T_TMP/prometheus.yml
"$PY" - "$MON/prometheus/prometheus.yml" "$CONF" "$GPORT" "$MON/prometheus/rules.yml" <<'EOF'
import os, sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
c["global"].update(scrape_interval="1s", evaluation_interval="1s")
c["rule_files"] = [os.path.join(os.path.dirname(sys.argv[4]), f) for f in c["rule_files"]]
c.pop("alerting", None)
c["scrape_configs"] = [s for s in c["scrape_configs"] if s["job_name"] == "pushgateway"]
c["scrape_configs"][0]["static_configs"] = [{"targets": ["127.0.0.1:" + sys.argv[3]]}]
yaml.safe_dump(c, open(sys.argv[2], "w"))
EOF
t_exit "promtool check config (test copy)" 0 promtool check config "$CONF"
t_bg prometheus --config.file="$CONF" --storage.tsdb.path="$T_TMP/tsdb" \
	--web.listen-address="127.0.0.1:$PPORT" --log.level=warn
if ! t_wait_http "$PROM/-/ready" 30; then
	t_fail "prometheus did not start on $PPORT"
	t_done
	exit
fi
# Wait for a scrape that has both jobs and a rule evaluation after it.
i=0
until curl -sf "$PROM/api/v1/query" --data-urlencode \
	'query=count(stockcast_forecast_close) and count(stockcast_rmse)' |
	grep -q '"result":\[{' || [ $i -ge 100 ]; do
	sleep 0.2
	i=$((i + 1))
done
sleep 2
t_check "prometheus scraped the pushed metrics" [ $i -lt 100 ]
run_checks "$PY" "$SC_TOP/tests/check_dashboard.py" "$SC_TOP" "$PROM"
# The pushed AAPL skill is negative: its alert is pending (for: 1d).
t_check "skill alert pending for AAPL" sh -c "curl -sf '$PROM/api/v1/alerts' | grep -q '\"alertname\":\"StockcastSkillNegative\".*\"ticker\":\"AAPL\"'"

# scripts/monitor-local.sh: the stack without Docker, on free ports.
export SC_MONITOR_DIR=$T_TMP/local SC_MONITOR_PUSHGATEWAY_PORT SC_MONITOR_PROMETHEUS_PORT \
	SC_MONITOR_ALERTMANAGER_PORT
SC_MONITOR_PUSHGATEWAY_PORT=$(t_port)
SC_MONITOR_PROMETHEUS_PORT=$(t_port)
SC_MONITOR_ALERTMANAGER_PORT=$(t_port)
t_exit "monitor-local.sh start" 0 sh "$SC_TOP/scripts/monitor-local.sh" start
T_PIDS="$T_PIDS $(cat "$SC_MONITOR_DIR"/*.pid 2> /dev/null)"
t_grep "monitor-local.sh prints the gateway URL" "^export SC_PUSHGATEWAY_URL=http://127.0.0.1:$SC_MONITOR_PUSHGATEWAY_PORT$" "$T_OUT"
t_exit "monitor-local.sh status" 0 sh "$SC_TOP/scripts/monitor-local.sh" status
t_exit "push to the local stack" 0 env SC_PUSHGATEWAY_URL="http://127.0.0.1:$SC_MONITOR_PUSHGATEWAY_PORT" \
	sc-push -j stockcast_inference < "$DATA/forecast.csv"
t_check "local Prometheus loaded the rules" sh -c "curl -sf http://127.0.0.1:$SC_MONITOR_PROMETHEUS_PORT/api/v1/rules | grep -q StockcastInferenceStale"
t_exit "monitor-local.sh stop" 0 sh "$SC_TOP/scripts/monitor-local.sh" stop
t_exit "monitor-local.sh status after stop" 3 sh "$SC_TOP/scripts/monitor-local.sh" status
t_done
