#!/usr/bin/env bash
# 64 registrations of one model name at once, on the local store and on the
# S3 test server: 64 distinct versions, each what its writer pushed, a
# complete index, nothing lost and nothing on stderr.  (registry.sh runs 8;
# this is the depth the issue asked for.)
. "$(dirname "$0")/../lib.sh"

N=64
cd "$T_TMP" || exit 1
sc-fetch --from 2023-01-01 --to 2024-06-01 synthetic:AAPL > raw.csv
sc-split -o train.csv -t test.csv raw.csv
sc-forest --trees 2 -o m.json train.csv
# N models that differ (the seed recorded in their parameters) and load.
python3 - m.json "$N" << 'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
for i in range(1, int(sys.argv[2]) + 1):
    m["params"]["seed"] = i
    json.dump(m, open("m%d.json" % i, "w"))
EOF

# many STORE NAME: register the N models at once; check what came out.
many() {
	local where=$1 name=$2 i ok=0 versions pids=""
	rm -f out.* err.* rc.*
	for i in $(seq "$N"); do
		(sc-push --run-id "r$i" "models:/$name" < "m$i.json" > "out.$i" 2> "err.$i"
			echo $? > "rc.$i") &
		pids="$pids $!"
	done
	# shellcheck disable=SC2086 # the writers only, not the servers
	wait $pids
	t_check "$where: $N at once: all exit 0" test "$(cat rc.* | sort -u)" = 0
	t_check "$where: versions 1 to $N, each once" test \
		"$(cat out.* | sort -n | tr '\n' ' ')" = "$(seq -s ' ' "$N") "
	t_check "$where: nothing on stderr" test -z "$(cat err.*)"
	t_exit "$where: the index" 0 sc-fetch "models:/$name"
	versions=$(python3 -c 'import json,sys; print(" ".join(str(v["version"]) for v in json.load(open(sys.argv[1]))["versions"]))' "$T_OUT")
	t_check "$where: the index lists all $N" test "$versions" = "$(seq -s ' ' "$N")"
	t_check "$where: latest is $N" test "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["latest"])' "$T_OUT")" = "$N"
	for i in $(seq "$N"); do
		sc-fetch "models:/$name/$(cat "out.$i")" > got.json 2> /dev/null &&
			cmp -s got.json "m$i.json" && ok=$((ok + 1))
	done
	t_check "$where: each version is what its writer pushed ($ok of $N)" test "$ok" -eq "$N"
	ok=0
	for i in $(seq "$N"); do
		python3 -c 'import json,sys; i=json.load(open(sys.argv[1])); v=[x for x in i["versions"] if x["version"]==int(sys.argv[2])][0]; sys.exit(v["run_id"]!=sys.argv[3])' \
			"$T_OUT" "$(cat "out.$i")" "r$i" && ok=$((ok + 1))
	done
	t_check "$where: each version's lineage names its run ($ok of $N)" test "$ok" -eq "$N"
}

export SC_STORE=$T_TMP/store
many "local" m

if t_start_s3rver reg 2> /dev/null; then
	# s3rver ignores If-None-Match and writes objects in place (a reader
	# can see half of one): tests/servers/faults.py in front gives S3's
	# atomic, conditional writes, one request at a time.
	fport=$(t_port)
	t_bg python3 "$SC_TOP/tests/servers/faults.py" --port "$fport" \
		--upstream "127.0.0.1:$T_S3_PORT"
	t_wait_http "http://127.0.0.1:$fport/__faults__/log" 10
	curl -sf -X POST "http://127.0.0.1:$fport/__faults__/arm?mode=s3atomic&fail=0" > /dev/null
	export SC_STORE=s3://reg/p AWS_ENDPOINT_URL=http://127.0.0.1:$fport
	many "S3" m
else
	t_skip "S3: s3rver not available (make deps)"
fi
t_done
