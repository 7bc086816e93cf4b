#!/usr/bin/env bash
# sc-tune end to end on a small synthetic table: trials JSONL, the model
# and its tuning record, reproducibility, the test set never read, shards
# and merge, timeout, and bad options.
# shellcheck disable=SC2016 # python programs in single quotes
. "$(dirname "$0")/../lib.sh"

d=$T_TMP
py=/usr/bin/python3
sc-fetch --from 2025-01-01 --to 2025-12-31 synthetic:AAPL,MSFT,NVDA > "$d/raw.csv"
sc-split -o "$d/train.csv" -t "$d/test.csv" "$d/raw.csv"

t_exit "12 trials with a model" 0 sc-tune -n 12 --seed 1 -o "$d/model.json" "$d/train.csv"
cp "$T_OUT" "$d/trials.jsonl"
t_check "one JSON line per trial, numbered 0..11" test \
	"$(cut -d, -f1 "$d/trials.jsonl" | tr '\n' ' ')" = \
	"$(for i in $(seq 0 11); do printf '{"number":%d ' "$i"; done)"
t_check "each trial: state, value, params, folds, duration" "$py" -c '
import json, sys
for line in open(sys.argv[1]):
    t = json.loads(line)
    assert t["state"] in ("complete", "pruned"), t
    assert set(t["params"]) == {"trees", "max_depth", "min_samples_split", "min_samples_leaf", "max_features"}, t
    assert 50 <= t["params"]["trees"] <= 300 and 3 <= t["params"]["max_depth"] <= 10, t
    assert isinstance(t["params"]["min_samples_split"], float), t
    n = len(t["folds"])
    assert (n == 5) if t["state"] == "complete" else (1 <= n < 5), t
    assert abs(t["value"] - sum(t["folds"]) / n) < 1e-12, t
    assert t["duration"] >= 0, t
' "$d/trials.jsonl"
t_grep "a summary on stderr" '^sc-tune: 12 trials .* best: trial [0-9]+, CV RMSE' "$T_ERR"
t_check "the model holds the best trial's parameters and the tuning record" "$py" -c '
import json, sys
m = json.load(open(sys.argv[1]))
trials = [json.loads(l) for l in open(sys.argv[2])]
best = min((t for t in trials if t["state"] == "complete"), key=lambda t: (t["value"], t["number"]))
r = m["tuning"]
assert r["best_trial"] == best["number"] and r["cv_rmse"] == best["value"], (r, best)
assert r["best_params"] == best["params"] and r["trials"] == 12 and r["folds"] == 5, r
assert r["sampler"] == "tpe" and r["seed"] == 1 and r["complete"] + r["pruned"] == 12, r
p = m["params"]
assert p["trees"] == best["params"]["trees"] and p["max_depth"] == best["params"]["max_depth"], p
assert p["min_samples_leaf"] == best["params"]["min_samples_leaf"], p
assert m["training"]["rows"] == sum(1 for _ in open(sys.argv[3])) - 1, m["training"]
' "$d/model.json" "$d/trials.jsonl" "$d/train.csv"
t_exit "sc-predict reads the tuned model" 0 sc-predict -m "$d/model.json" "$d/test.csv"

t_exit "the same search again, 1 thread, on stdin" 0 sh -c "sc-tune -n 12 --seed 1 -j 1 -o '$d/model2.json' < '$d/train.csv'"
t_check "same trials but for duration" test \
	"$(sed 's/"duration":[0-9.]*//' "$d/trials.jsonl")" = "$(sed 's/"duration":[0-9.]*//' "$T_OUT")"
t_check "byte-identical model" cmp -s "$d/model.json" "$d/model2.json"
t_exit "another seed" 0 sc-tune -n 12 --seed 2 "$d/train.csv"
t_check "gives other trials" test "$(cut -d'"' -f1-12 "$d/trials.jsonl")" != "$(cut -d'"' -f1-12 "$T_OUT")"

# The test set is never read: sc-tune opens no file but its table.
if command -v strace > /dev/null; then
	# LeakSanitizer cannot run under ptrace: off for this one run.
	t_exit "under strace" 0 env ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" strace -f -e trace=open,openat -o "$d/strace" sc-tune -n 3 "$d/train.csv"
	t_check "test.csv never opened" sh -c "! grep -q 'test.csv' '$d/strace'"
	t_check "train.csv opened" grep -q 'train.csv' "$d/strace"
else
	t_skip "strace not installed: the test set is not read (checked by construction)"
fi

# Shards of a random search and their merge give the one search's best.
t_exit "one random search" 0 sc-tune -n 9 --sampler random --pruner none --seed 4 -o "$d/one.json" "$d/train.csv"
cp "$T_OUT" "$d/one.jsonl"
for k in 1 2 3; do
	t_exit "shard $k/3" 0 sc-tune -n 9 --shard "$k/3" --seed 4 "$d/train.csv"
	cp "$T_OUT" "$d/shard$k.jsonl"
done
t_check "shard 2/3 ran trials 1, 4, 7" test "$(cut -d, -f1 "$d/shard2.jsonl" | tr -d '{"number:' | tr '\n' ' ')" = "1 4 7 "
t_exit "merge" 0 sh -c "sc-tune --merge -n 9 --seed 4 -o '$d/merged.json' '$d/shard3.jsonl' '$d/shard1.jsonl' '$d/shard2.jsonl' < '$d/train.csv'"
t_check "merged trials = the one search's, but for duration" test \
	"$(sed 's/"duration":[0-9.]*//' "$d/one.jsonl")" = "$(sed 's/"duration":[0-9.]*//' "$T_OUT")"
t_check "same best, same model" cmp -s "$d/one.json" "$d/merged.json"
t_exit "merge with another seed: exit 65" 65 sh -c "sc-tune --merge -n 9 --seed 5 '$d/shard1.jsonl' < '$d/train.csv'"
t_grep "says another search" "another search" "$T_ERR"
t_exit "merge of a shard twice: exit 65" 65 sh -c "sc-tune --merge -n 9 --seed 4 '$d/shard1.jsonl' '$d/shard1.jsonl' < '$d/train.csv'"
t_exit "shard with TPE: exit 64" 64 sc-tune --shard 1/2 --sampler tpe "$d/train.csv"

t_exit "timeout stops with the best so far" 0 sc-tune -n 100000 --timeout 1 -o "$d/t.json" "$d/train.csv"
t_grep "says so" "stopped by --timeout" "$T_ERR"
t_check "and a model" test -s "$d/t.json"
t_exit "progress line" 0 sc-tune -n 3 --progress "$d/train.csv"
t_grep "trial k of N, best, ETA" 'trial 3 of 3, best .*ETA' "$T_ERR"

printf '{"trees": "int:5:10", "max_depth": "cat:2,4"}\n' > "$d/space.json"
t_exit "--space file and --param" 0 sc-tune -n 4 --space "$d/space.json" --param max_features=cat:sqrt,0.5 "$d/train.csv"
t_check "params from the space" "$py" -c '
import json, sys
for l in open(sys.argv[1]):
    p = json.loads(l)["params"]
    assert 5 <= p["trees"] <= 10 and p["max_depth"] in ("2", "4") and p["max_features"] in ("sqrt", "0.5"), p
' "$T_OUT"

for spec in trees=int:10 trees=int:9:3 nope=int:1:2 trees=float:0.1:0.2 max_features=cat:cube \
	min_samples_split=int:1:4 'trees=int:1:5:lin' max_features=float:0.5:2; do
	t_exit "bad --param $spec: exit 64" 64 sc-tune --param "$spec" "$d/train.csv"
done
t_grep "one line then usage" "^usage: sc-tune" "$T_ERR"
t_exit "bad --folds: exit 64" 64 sc-tune --folds 1 "$d/train.csv"
t_exit "bad --sampler: exit 64" 64 sc-tune --sampler grid "$d/train.csv"
t_exit "max_features above the features: exit 64" 64 sc-tune -n 2 --param max_features=int:100:200 "$d/train.csv"
head -n 6 "$d/train.csv" > "$d/short.csv"
t_exit "too few dates for the folds: exit 65" 65 sc-tune "$d/short.csv"
t_grep "names the file and the problem" "short.csv: 5 dates: too few for 5 folds" "$T_ERR"
head -n 20 "$d/train.csv" > "$d/short2.csv"
t_exit "a fold too small to fit: exit 65" 65 sc-tune "$d/short2.csv"
t_grep "names the trial and fold" "short2.csv: trial 0, fold 0: more features" "$T_ERR"
printf 'a,b\n1,2\n' > "$d/notarget.csv"
t_exit "no target: exit 65" 65 sc-tune "$d/notarget.csv"
t_exit "missing table: exit 66" 66 sc-tune "$d/none.csv"
t_exit "failed run leaves no model" 65 sc-tune -o "$d/none.json" "$d/short.csv"
t_check "no model file" test ! -e "$d/none.json"
t_done
