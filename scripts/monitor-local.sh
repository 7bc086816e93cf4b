#!/bin/sh
# Start the monitoring stack without Docker, from Debian's packages
# (apt-get install prometheus prometheus-pushgateway
# prometheus-alertmanager): Pushgateway, Prometheus with stockcast's alert
# rules and, when installed, Alertmanager, all on 127.0.0.1.  Grafana is not
# packaged by Debian; point one at Prometheus and import
# monitor/grafana/dashboards/stockcast.json.
#
# usage: scripts/monitor-local.sh start|stop|status
#
# Environment: SC_MONITOR_DIR (state: data, logs, PIDs; default
# ~/.local/state/stockcast-monitor), SC_MONITOR_PUSHGATEWAY_PORT (9091),
# SC_MONITOR_PROMETHEUS_PORT (9090), SC_MONITOR_ALERTMANAGER_PORT (9093).
# Then: export SC_PUSHGATEWAY_URL=http://127.0.0.1:9091
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
dir=${SC_MONITOR_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/stockcast-monitor}
gw_port=${SC_MONITOR_PUSHGATEWAY_PORT:-9091}
prom_port=${SC_MONITOR_PROMETHEUS_PORT:-9090}
am_port=${SC_MONITOR_ALERTMANAGER_PORT:-9093}
PGW=/usr/bin/prometheus-pushgateway
PROM=/usr/bin/prometheus
AM=/usr/bin/prometheus-alertmanager

die() {
	echo "monitor-local: $*" >&2
	exit 1
}

running() {	# running NAME: the PID file names a live process
	[ -f "$dir/$1.pid" ] && kill -0 "$(cat "$dir/$1.pid")" 2> /dev/null
}

wait_ready() {	# wait_ready NAME URL
	i=0
	while [ $i -lt 100 ]; do
		if curl -sf -o /dev/null "$2"; then return 0; fi
		running "$1" || break
		sleep 0.1
		i=$((i + 1))
	done
	die "$1 did not start; see $dir/$1.log"
}

launch() {	# launch NAME READY-URL CMD...: start CMD in the background
	name=$1 url=$2
	shift 2
	if running "$name"; then
		echo "$name already running (pid $(cat "$dir/$name.pid"))"
		return 0
	fi
	"$@" > "$dir/$name.log" 2>&1 &
	echo $! > "$dir/$name.pid"
	wait_ready "$name" "$url"
	echo "$name: $(echo "$url" | sed 's,/-/ready$,,') (pid $(cat "$dir/$name.pid"))"
}

write_config() {
	alerting=""
	if [ -x "$AM" ]; then
		alerting="alerting:
  alertmanagers:
    - static_configs:
        - targets: [\"127.0.0.1:$am_port\"]"
	fi
	cat > "$dir/prometheus.yml" << EOF
# Written by scripts/monitor-local.sh from monitor/prometheus/prometheus.yml.
global:
  scrape_interval: 15s
  evaluation_interval: 15s
rule_files:
  - $top/monitor/prometheus/rules.yml
  - $top/monitor/prometheus/forecast.rules.yml
$alerting
scrape_configs:
  - job_name: pushgateway
    honor_labels: true
    static_configs:
      - targets: ["127.0.0.1:$gw_port"]
EOF
	"${PROMTOOL:-promtool}" check config "$dir/prometheus.yml" > /dev/null ||
		die "bad generated config $dir/prometheus.yml"
}

start() {
	if [ ! -x "$PGW" ] || [ ! -x "$PROM" ]; then
		die "needs Debian's prometheus and prometheus-pushgateway packages"
	fi
	mkdir -p "$dir/prometheus" "$dir/alertmanager"
	write_config
	launch pushgateway "http://127.0.0.1:$gw_port/-/ready" "$PGW" \
		--web.listen-address="127.0.0.1:$gw_port" \
		--persistence.file="$dir/pushgateway.db" --persistence.interval=1m
	if [ -x "$AM" ]; then
		launch alertmanager "http://127.0.0.1:$am_port/-/ready" "$AM" \
			--config.file="$top/monitor/alertmanager/alertmanager.yml" \
			--storage.path="$dir/alertmanager" \
			--web.listen-address="127.0.0.1:$am_port" \
			--cluster.listen-address=
	fi
	launch prometheus "http://127.0.0.1:$prom_port/-/ready" "$PROM" \
		--config.file="$dir/prometheus.yml" \
		--storage.tsdb.path="$dir/prometheus" \
		--storage.tsdb.retention.time=400d \
		--web.listen-address="127.0.0.1:$prom_port"
	echo "export SC_PUSHGATEWAY_URL=http://127.0.0.1:$gw_port"
}

stop() {
	for name in prometheus alertmanager pushgateway; do
		if running "$name"; then
			pid=$(cat "$dir/$name.pid")
			kill "$pid"
			i=0
			while kill -0 "$pid" 2> /dev/null && [ $i -lt 100 ]; do
				sleep 0.1
				i=$((i + 1))
			done
			echo "$name stopped"
		fi
		rm -f "$dir/$name.pid"
	done
}

status() {
	rc=0
	for name in pushgateway alertmanager prometheus; do
		if running "$name"; then
			echo "$name: running (pid $(cat "$dir/$name.pid"))"
		else
			echo "$name: stopped"
			[ "$name" = alertmanager ] || rc=3
		fi
	done
	return $rc
}

case ${1:-} in
start) start ;;
stop) stop ;;
status) status ;;
*)
	echo "usage: scripts/monitor-local.sh start|stop|status" >&2
	exit 64
	;;
esac
