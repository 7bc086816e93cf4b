#!/usr/bin/env bash
# flows/fanout.py's tasks for real on a Dask cluster (Debian's
# python3-distributed): a scheduler and two workers on 127.0.0.1, started
# and stopped by this script by PID, over a shared S3 store (the S3 test
# server; a directory when it is not installed).  The sharded search,
# merged, equals one single-process search byte for byte; a worker killed
# (kill -9) while it runs a shard has that shard run again on the other
# worker, with no trial lost or duplicated; sc-predict --next over three
# ticker groups, concatenated, equals one run; a stored shard is not run
# twice; and a per-group backtest equals sc-backtest on that group.
# shellcheck disable=SC2016 # python programs in single quotes
. "$(dirname "$0")/../lib.sh"

PY=/usr/bin/python3
if ! "$PY" -c 'import distributed' 2> /dev/null ||
	! command -v dask-scheduler > /dev/null || ! command -v dask-worker > /dev/null; then
	t_skip "dask: python3-distributed not installed (make deps)"
	t_done
	exit
fi
d=$T_TMP
gate=$d/gate
mkdir -p "$gate"
export PYTHONPATH=$SC_TOP/flows${PYTHONPATH:+:$PYTHONPATH} PYTHONDONTWRITEBYTECODE=1
# Workers warn about their memory and such on stderr: keep it in files.

if t_start_s3rver fanout; then
	store=s3://fanout/sc
	t_ok "the shared store is S3 (the S3 test server)"
else
	store=$d/store
	t_skip "S3 test server not installed (make deps): the shared store is a directory"
fi
export SC_STORE=$store

sc-fetch --from 2024-01-01 --to 2025-06-30 synthetic:AAPL,AMZN,GOOG,MSFT,NVDA,TSLA,META > "$d/raw.csv"
sc-split -n 20 -o "$d/train.csv" -t "$d/test.csv" "$d/raw.csv"
t_exit "store the training table and the history" 0 sh -c \
	"sc-push processed/train.csv < '$d/train.csv' && sc-push history/ohlcv.csv < '$d/raw.csv'"

# The cluster: a scheduler on a free port, two one-thread workers without
# nannies (a killed worker stays dead), the gate hook on.
port=$(t_port)
t_bg dask-scheduler --host 127.0.0.1 --port "$port" --no-dashboard \
	--scheduler-file "$d/sched.json" > "$d/sched.log" 2>&1
i=0
while [ ! -s "$d/sched.json" ] && [ "$i" -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
t_check "the scheduler is up" test -s "$d/sched.json"
workers=""
for w in a b; do
	t_bg env SC_FANOUT_GATE="$gate" dask-worker --scheduler-file "$d/sched.json" \
		--host 127.0.0.1 --nthreads 1 --no-nanny --no-dashboard --name "w$w" \
		> "$d/worker-$w.log" 2>&1
	workers="$workers $T_LASTPID"
done
t_exit "two workers join" 0 timeout 120 "$PY" -c '
import sys
from distributed import Client
with Client(scheduler_file=sys.argv[1], timeout=60) as c:
    c.wait_for_workers(2, timeout=60)
' "$d/sched.json"

# The search: 4 shards of 12 trials, on the cluster, in the background.
cat > "$d/search.py" << 'EOF'
import sys
from distributed import Client
import fanout
with Client(scheduler_file=sys.argv[1], timeout=60) as c:
    out = fanout.search_on_dask(c, sys.argv[2], "search/t1", shards=4,
                                trials=12, seed=5, tune_args=("--folds", "3"))
    print(out["model"], out["trials"])
EOF
t_bg timeout 600 "$PY" "$d/search.py" "$d/sched.json" "$store"
driver=$T_LASTPID
# Kill the worker of the first shard to start, while it waits at the gate.
i=0
while ! ls "$gate"/started.shard* > /dev/null 2>&1 && [ "$i" -lt 1200 ]; do
	sleep 0.1
	i=$((i + 1))
done
first=$(find "$gate" -name 'started.shard*' | sort | head -n 1)
victim=${first##*.}
shard=${first#"$gate"/started.}
shard=${shard%%.*}
case " $workers " in
*" $victim "*)
	t_ok "$shard started on worker $victim (one of ours)"
	kill -9 "$victim"
	wait "$victim" 2> /dev/null
	;;
*) t_fail "no shard started on one of our workers (marker: ${first:-none})" ;;
esac
touch "$gate/go"
wait "$driver"
rc=$?
t_check "the search finished after the kill (exit $rc)" test "$rc" -eq 0
t_check "$shard ran again, on the other worker" sh -c \
	"ls '$gate' | grep '^started\.$shard\.' | grep -v '\.$victim\$' | grep -q ."

sc-fetch search/t1/trials.jsonl > "$d/merged.jsonl"
sc-fetch search/t1/model.json > "$d/merged.json"
t_check "12 trials, numbers 0..11, none twice" test \
	"$(sed 's/^{"number":\([0-9]*\),.*/\1/' "$d/merged.jsonl" | tr '\n' ' ')" = \
	"0 1 2 3 4 5 6 7 8 9 10 11 "
t_exit "one single-process search" 0 sh -c \
	"sc-tune -n 12 --seed 5 --folds 3 --sampler random --pruner none -o '$d/one.json' < '$d/train.csv'"
t_check "the merged trials are the one search's (but for duration)" test \
	"$(sed 's/"duration":[0-9.e+-]*//' "$T_OUT")" = "$(sed 's/"duration":[0-9.e+-]*//' "$d/merged.jsonl")"
t_check "the merged model is the one search's, byte for byte" cmp -s "$d/one.json" "$d/merged.json"

# A stored shard is not run again (a retry after the write is harmless).
sc-fetch search/t1/shards/2-of-4.jsonl > "$d/s2-before"
t_exit "tune_shard on a stored shard" 0 env -u SC_FANOUT_GATE "$PY" -c '
import sys, fanout
print(fanout.tune_shard(sys.argv[1], "search/t1", 2, 4, 12, 5, ("--folds", "3")))
' "$store"
t_check "returns its key" test "$(cat "$T_OUT")" = search/t1/shards/2-of-4.jsonl
sc-fetch search/t1/shards/2-of-4.jsonl > "$d/s2-after"
t_check "and leaves it as it was" cmp -s "$d/s2-before" "$d/s2-after"

# Inference over three ticker groups on the (now one-worker) cluster.
sc-push models/m.json < "$d/merged.json"
t_exit "sc-predict --next over 3 ticker groups" 0 timeout 300 "$PY" -c '
import sys
from distributed import Client
import fanout
tickers = "TSLA AAPL NVDA AMZN MSFT GOOG META".split()
print(fanout.ticker_groups(tickers, 3), file=sys.stderr)
with Client(scheduler_file=sys.argv[1], timeout=60) as c:
    print(fanout.predict_on_dask(c, sys.argv[2], "predict/t1", tickers, 3,
                                 "models/m.json", "history/ohlcv.csv",
                                 "predictions/fanout.csv", ("-i", "0.9")))
' "$d/sched.json" "$store"
t_grep "groups are contiguous in ticker order" "\[\['AAPL', 'AMZN', 'GOOG'\], \['META', 'MSFT'\], \['NVDA', 'TSLA'\]\]" "$T_ERR"
sc-fetch predictions/fanout.csv > "$d/fanout.csv"
t_exit "one sc-predict --next" 0 sc-predict -m "$d/merged.json" --next -i 0.9 "$d/raw.csv"
t_check "the concatenated forecasts are the one run's, byte for byte" cmp -s "$T_OUT" "$d/fanout.csv"
t_check "one forecast per ticker" test "$(wc -l < "$d/fanout.csv")" -eq 8

# A per-group backtest: the task equals sc-backtest on that group's rows.
if command -v sc-backtest > /dev/null; then
	bt="-d 5 -r 5 --trees 20 --max-depth 4 -j 1"
	t_exit "a backtest task for group 2 of 3" 0 timeout 300 "$PY" -c '
import sys
from distributed import Client
import fanout
with Client(scheduler_file=sys.argv[1], timeout=60) as c:
    print(c.submit(fanout.backtest_group, sys.argv[2], "bt/t1", 2, 3,
                   ["META", "MSFT"], "history/ohlcv.csv",
                   tuple(sys.argv[3].split()), pure=False).result())
' "$d/sched.json" "$store" "$bt"
	sc-fetch bt/t1/backtest/2-of-3.csv > "$d/bt-task.csv"
	awk -F, 'NR == 1 || $2 == "META" || $2 == "MSFT"' "$d/raw.csv" > "$d/group2.csv"
	# shellcheck disable=SC2086 # bt is a list of options
	t_exit "sc-backtest on the group's history" 0 sc-backtest $bt "$d/group2.csv"
	t_check "the same backtest" cmp -s "$T_OUT" "$d/bt-task.csv"
else
	t_skip "sc-backtest not built: no backtest task"
fi
# The Prefect flows of fanout.py, with a stand-in prefect module (Prefect
# itself is not packaged for Debian): mapped shard tasks then the merge,
# mapped ticker groups then the concatenation, with the same results.
mkdir -p "$d/fake/prefect"
cat > "$d/fake/prefect/__init__.py" << 'EOF'
class unmapped:
    def __init__(self, v):
        self.v = v
class _Done:
    def __init__(self, v):
        self.v = v
    def result(self):
        return self.v
class _Task:
    def __init__(self, fn, **opts):
        self.fn, self.opts = fn, opts
    def __call__(self, *a, **k):
        return self.fn(*a, **k)
    def map(self, *args):
        n = max(len(a) for a in args if not isinstance(a, unmapped))
        return [_Done(self.fn(*[a.v if isinstance(a, unmapped) else a[i]
                                for a in args])) for i in range(n)]
def task(fn=None, **opts):
    return _Task(fn, **opts) if fn else lambda f: _Task(f, **opts)
def flow(fn=None, **opts):
    return fn if fn else lambda f: f
EOF
t_exit "the Prefect flows (stand-in prefect): search, then predict" 0 env -u SC_FANOUT_GATE \
	PYTHONPATH="$d/fake:$PYTHONPATH" timeout 300 "$PY" -c '
import sys, fanout
assert fanout.tune_shard_task.opts["retries"] == 2
print(fanout.fanout_search(sys.argv[1], "search/p1", 3, 12, 5, ["--folds", "3"]))
print(fanout.fanout_predict(sys.argv[1], "predict/p1", "AAPL AMZN GOOG META MSFT NVDA TSLA", 2,
                            "models/m.json", "history/ohlcv.csv", "predictions/p1.csv", ["-i", "0.9"]))
' "$store"
t_check "its model is the one search's" sh -c "sc-fetch search/p1/model.json | cmp -s - '$d/one.json'"
t_check "its forecasts are the one run's" sh -c "sc-fetch predictions/p1.csv | cmp -s - '$d/fanout.csv'"
t_done
