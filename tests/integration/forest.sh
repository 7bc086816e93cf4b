#!/usr/bin/env bash
# sc-forest end to end: a model from a feature table, the same bytes
# whatever the thread count, atomic -o, and every kind of bad input with
# its message and exit code.
. "$(dirname "$0")/../lib.sh"

data=$T_TMP/train.csv
/usr/bin/env awk 'BEGIN {
	srand(1); print "date,ticker,close,f1,f2,f3,target_logret_1";
	for (i = 0; i < 400; i++) {
		a = rand(); b = rand(); c = int(rand() * 5);
		printf "2024-%02d-%02d,T%d,%.6f,%.17g,%.17g,%d,%.17g\n",
		    i % 12 + 1, i % 28 + 1, i % 3, 100 + a, a, b, c,
		    sin(6 * a) + b * b + c / 10 + rand() / 5;
	}
}' > "$data"

t_exit "fit from stdin" 0 sc-forest --trees 20 --max-features 0.5 < "$data"
cp "$T_OUT" "$T_TMP/m1.json"
t_grep "model header" '^\{"format":"sc-forest","version":1,"features":\["f1","f2","f3"\],"target":"target_logret_1"' "$T_TMP/m1.json"
t_grep "training record" '"training":\{"rows":400,"date_from":"2024-01-01","date_to":"2024-12-' "$T_TMP/m1.json"
sha=$(sha256sum < "$data" | cut -d' ' -f1)
t_grep "sha256 of the input" "\"sha256\":\"$sha\"" "$T_TMP/m1.json"
t_check "model is JSON" python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); assert len(m["trees"]) == 20' "$T_TMP/m1.json"

t_exit "fit with 1 thread" 0 sc-forest --trees 20 --max-features 0.5 -j 1 "$data"
t_check "same model with 1 and all threads" cmp -s "$T_OUT" "$T_TMP/m1.json"
t_exit "fit with 3 threads" 0 sc-forest --trees 20 --max-features 0.5 --threads 3 "$data"
t_check "same model with 3 threads" cmp -s "$T_OUT" "$T_TMP/m1.json"
t_exit "another seed" 0 sc-forest --trees 20 --max-features 0.5 --seed 7 "$data"
t_check "another seed, another model" sh -c "! cmp -s '$T_OUT' '$T_TMP/m1.json'"

t_exit "-o writes a file" 0 sc-forest --trees 5 -o "$T_TMP/m2.json" "$data"
t_check "-o leaves stdout empty" test ! -s "$T_OUT"
t_check "-o file is complete" grep -q ']}$' "$T_TMP/m2.json"
t_exit "-v reports OOB RMSE" 0 sc-forest -v --trees 5 -o "$T_TMP/m3.json" "$data"
t_grep "-v line" '^sc-forest: 400 rows, 3 features: .*OOB RMSE [0-9.]+' "$T_ERR"
t_exit "every option" 0 sc-forest --trees 3 --max-depth 4 --min-samples-split 0.1 \
	--min-samples-leaf 3 --max-features sqrt --max-samples 0.5 --seed 3 \
	--threads 2 --target target_logret_1 "$data"
t_grep "params recorded" '"params":\{"trees":3,"max_depth":4,"min_samples_split":0.10000000000000001,"min_samples_leaf":3,"max_features":"sqrt","bootstrap":true,"max_samples":0.5,"seed":3\}' "$T_OUT"
t_exit "--no-bootstrap" 0 sc-forest --trees 2 --no-bootstrap "$data"
t_grep "no OOB without bootstrap" '"bootstrap":false,"max_samples":null.*"oob_rmse":null' "$T_OUT"

# Usage errors: 64.
for bad in "--trees 0" "--trees x" "--max-depth 0" "--min-samples-split 1" \
	"--min-samples-split 1.5" "--min-samples-leaf 0" "--max-features 0" \
	"--max-features 2.0" "--max-features cube" "--max-samples 0" \
	"--seed -1" "--threads 0" "--no-bootstrap --max-samples 0.5"; do
	# shellcheck disable=SC2086
	t_exit "$bad is a usage error" 64 sc-forest $bad "$data"
	t_grep "$bad: usage follows" '^usage: sc-forest' "$T_ERR"
done
t_exit "two files" 64 sc-forest "$data" "$data"
t_exit "--max-features above the feature count" 64 sc-forest --max-features 4 "$data"
t_grep "says why" '^sc-forest: max_features 4: more than the 3 features' "$T_ERR"
t_grep "then the usage" '^usage: sc-forest' "$T_ERR"
t_exit "full disk exits 74" 74 sh -c "sc-forest --trees 2 '$data' > /dev/full"
t_exit "missing file" 66 sc-forest "$T_TMP/nope.csv"

# Bad data: 65, with the place.
bad() {	# bad NAME CSV PATTERN
	printf '%b' "$2" > "$T_TMP/bad.csv"
	t_exit "$1 exits 65" 65 sc-forest < "$T_TMP/bad.csv"
	t_grep "$1 message" "$3" "$T_ERR"
	t_check "$1 writes no model" test ! -s "$T_OUT"
}
bad "non-numeric cell" 'a,target\n1,2\n2,3\nx1,4\n' '^sc-forest: stdin:4: column "a": not a number: "x1"'
bad "NaN" 'a,target\n1,2\nNaN,3\n' '^sc-forest: stdin:3: column "a": not a number'
bad "Inf" 'a,target\n1,2\n-inf,3\n' 'stdin:3: column "a": not a number'
bad "empty cell" 'a,target\n1,2\n,3\n' 'stdin:3: column "a": empty cell'
bad "missing target column" 'a,b\n1,2\n' 'stdin:1: no target column'
bad "several target columns" 'a,target_1,target_2\n1,2,3\n' 'several target columns \(target_1, target_2\)'
bad "empty target" 'a,target\n1,2\n2,\n' 'stdin:3: column "target": empty target'
bad "zero rows" 'a,target\n' '0 data rows: a forest needs at least 2'
bad "one row" 'a,target\n1,2\n' '1 data rows: a forest needs at least 2'
bad "constant target" 'a,target\n1,2\n2,2\n3,2\n' 'target "target" is constant'
bad "more features than rows" 'a,b,c,target\n1,2,3,4\n2,3,4,5\n' 'more features \(3\) than rows \(2\)'
bad "huge target" 'a,target\n1,2\n2,1e300\n' 'stdin:3: column "target": 1e\+300: beyond'
bad "empty input" '' 'stdin'
bad "ragged row" 'a,target\n1,2\n3\n' 'stdin:3:'
t_exit "-o not written on bad input" 65 sc-forest -o "$T_TMP/never.json" "$T_TMP/bad.csv"
t_check "no output file" test ! -e "$T_TMP/never.json"
# The binary form: --format binary, --convert both ways, exact round
# trips, the same predictions, and the registry storing it as given.
t_exit "--format binary" 0 sc-forest --trees 20 --max-features 0.5 --format binary "$data"
cp "$T_OUT" "$T_TMP/m1.bin"
t_check "binary magic" test "$(head -c 4 "$T_TMP/m1.bin" | od -An -c | tr -d ' ')" = '211SCF'
t_check "binary is smaller" test "$(wc -c < "$T_TMP/m1.bin")" -lt "$(($(wc -c < "$T_TMP/m1.json") / 2))"
t_exit "binary with 1 thread" 0 sc-forest --trees 20 --max-features 0.5 --format binary -j 1 "$data"
t_check "same binary model with 1 thread" cmp -s "$T_OUT" "$T_TMP/m1.bin"
t_exit "--convert binary to JSON" 0 sc-forest --convert "$T_TMP/m1.bin" -o "$T_TMP/c1.json"
t_check "binary -> JSON is the JSON sc-forest wrote" cmp -s "$T_TMP/c1.json" "$T_TMP/m1.json"
t_exit "--convert JSON to binary" 0 sc-forest --convert "$T_TMP/m1.json" --format binary -o "$T_TMP/c1.bin"
t_check "JSON -> binary is byte-identical" cmp -s "$T_TMP/c1.bin" "$T_TMP/m1.bin"
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); m["zz_note"]={"by":"a tool"}; m["tuning"]={"trials":3}; json.dump(m,open(sys.argv[2],"w"),separators=(",",":"))' "$T_TMP/m1.json" "$T_TMP/x.json"
t_exit "--convert keeps other members" 0 sc-forest --convert "$T_TMP/x.json" --format binary -o "$T_TMP/x.bin"
t_exit "and back" 0 sc-forest --convert "$T_TMP/x.bin"
t_check "calibration, tuning and unknown members survive" python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); x=json.load(open(sys.argv[2])); assert m["zz_note"]=={"by":"a tool"} and m["tuning"]=={"trials":3} and m.get("calibration")==x.get("calibration")' "$T_OUT" "$T_TMP/x.json"
t_exit "--convert from stdin" 0 sh -c "sc-forest --convert - < '$T_TMP/m1.bin' > '$T_TMP/c2.json'"
t_check "same JSON" cmp -s "$T_TMP/c2.json" "$T_TMP/m1.json"
# Two prediction files alike but for the "model" column (the hash of
# the model file's bytes, which differ between the forms).
same_but_model() {
	python3 -c 'import csv,sys
def rows(p):
    r = list(csv.reader(open(p)))
    k = [i for i, c in enumerate(r[0]) if c != "model"]
    return [[x[i] for i in k] for x in r]
sys.exit(rows(sys.argv[1]) != rows(sys.argv[2]))' "$1" "$2"
}
if command -v sc-predict > /dev/null; then
	t_exit "sc-predict with the JSON model" 0 sc-predict -m "$T_TMP/m1.json" -o "$T_TMP/p1.csv" "$data"
	t_exit "sc-predict with the binary model" 0 sc-predict -m "$T_TMP/m1.bin" -o "$T_TMP/p2.csv" "$data"
	t_check "the same predictions from both forms" same_but_model "$T_TMP/p1.csv" "$T_TMP/p2.csv"
	t_exit "sc-predict -i 0.9 with the JSON model" 0 sc-predict -i 0.9 -m "$T_TMP/m1.json" -o "$T_TMP/p1.csv" "$data"
	t_exit "sc-predict -i 0.9 with the binary model" 0 sc-predict -i 0.9 -m "$T_TMP/m1.bin" -o "$T_TMP/p2.csv" "$data"
	t_check "the same intervals from both forms" same_but_model "$T_TMP/p1.csv" "$T_TMP/p2.csv"
fi
if command -v sc-push > /dev/null && command -v sc-fetch > /dev/null; then
	t_exit "sc-push models:/ takes a binary model" 0 env SC_STORE="$T_TMP/store" sc-push models:/bin < "$T_TMP/x.bin"
	t_exit "sc-fetch models:/ returns it" 0 env SC_STORE="$T_TMP/store" sc-fetch models:/bin/1
	t_check "byte for byte" cmp -s "$T_OUT" "$T_TMP/x.bin"
	t_exit "the index has its lineage" 0 env SC_STORE="$T_TMP/store" sc-fetch models:/bin
	t_grep "training rows in the lineage" '"rows": ?400' "$T_OUT"
	t_exit "and a JSON model next to it" 0 env SC_STORE="$T_TMP/store" sc-push models:/bin < "$T_TMP/x.json"
	t_check "version 2" test "$(cat "$T_OUT")" = 2
	head -c 300 "$T_TMP/x.bin" > "$T_TMP/cut.bin"
	t_exit "sc-push refuses a truncated binary model" 65 env SC_STORE="$T_TMP/store" sc-push models:/bin < "$T_TMP/cut.bin"
	t_grep "says why" 'not a valid model.*binary' "$T_ERR"
fi

t_exit "--interval-grid 64" 0 sc-forest --trees 3 --interval-grid 64 "$data"
t_grep "recorded in params" '"seed":0,"interval_grid":64\}' "$T_OUT"
t_check "64 targets, split values 0" python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); assert len(m["targets"]) == 64; t=m["trees"][0]; assert all(v == 0 for f, v in zip(t["feature"], t["value"]) if f >= 0)' "$T_OUT"
t_exit "--interval-grid 15 is a usage error" 64 sc-forest --interval-grid 15 "$data"
t_grep "says why" 'interval_grid: want 0 \(exact\) or 16\.\.16777216' "$T_ERR"
if command -v sc-tune > /dev/null; then
	t_exit "sc-tune --format binary" 0 sc-tune -n 2 -k 2 --seed 1 --format binary -o "$T_TMP/tm.bin" "$data"
	t_exit "its model converts" 0 sc-forest --convert "$T_TMP/tm.bin"
	t_check "with its tuning record" python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); assert m["tuning"]["trials"] == 2' "$T_OUT"
	t_exit "sc-tune --format other is a usage error" 64 sc-tune --format yaml "$data"
fi

# A plain regression target (no date, not a next-day forecast): no naive
# forecast, so no calibration, and sc-predict serves the forest itself.
/usr/bin/env awk 'BEGIN {
	srand(2); print "a,b,target";
	for (i = 0; i < 300; i++) {
		a = rand(); b = rand();
		printf "%.17g,%.17g,%.17g\n", a, b, 10 + 5 * a + b;
	}
}' > "$T_TMP/plain.csv"
t_exit "plain target fits" 0 sc-forest -v --trees 10 -o "$T_TMP/plain.json" "$T_TMP/plain.csv"
t_grep "says it is not calibrated" 'target "target" is not a next-day forecast.*serves the forest' "$T_ERR"
t_check "no calibration member" python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); assert "calibration" not in m' "$T_TMP/plain.json"
# 300 predictions of 10 + 5a + b, none far outside [10, 16]
forest_range() {
	awk -F, 'NR > 1 && ($1 < 9 || $1 > 17) { bad = 1 } END { exit bad || NR != 301 }' "$1"
}
if command -v sc-predict > /dev/null; then
	t_exit "sc-predict on a plain target" 0 sc-predict -v -m "$T_TMP/plain.json" -i 0.9 "$T_TMP/plain.csv"
	t_grep "serves the forest" 'no calibration in the model: serving the forest' "$T_ERR"
	t_check "the forest's predictions, not 0" forest_range "$T_OUT"
	t_exit "plain target, --no-validation" 0 sc-forest --no-validation --trees 10 -o "$T_TMP/plain-nv.json" "$T_TMP/plain.csv"
	t_exit "sc-predict on it" 0 sc-predict -m "$T_TMP/plain-nv.json" "$T_TMP/plain.csv"
	t_check "still the forest's predictions" forest_range "$T_OUT"
fi

# Bad binary models: 65, never a crash.
size=$(wc -c < "$T_TMP/m1.bin")
head -c $((size / 2)) "$T_TMP/m1.bin" > "$T_TMP/half.bin"
t_exit "truncated binary model exits 65" 65 sc-forest --convert "$T_TMP/half.bin"
t_grep "says so" 'model: binary: .*(truncated|payload bytes)' "$T_ERR"
cp "$T_TMP/m1.bin" "$T_TMP/flip.bin"
printf '\377' | dd of="$T_TMP/flip.bin" bs=1 seek=$((size - 100)) conv=notrunc 2> /dev/null
t_exit "a changed byte exits 65" 65 sc-forest --convert "$T_TMP/flip.bin"
t_grep "checksum" 'model: binary: checksum mismatch' "$T_ERR"
cp "$T_TMP/m1.bin" "$T_TMP/ver.bin"
printf '\007' | dd of="$T_TMP/ver.bin" bs=1 seek=8 conv=notrunc 2> /dev/null
t_exit "another version exits 65" 65 sc-forest --convert "$T_TMP/ver.bin"
t_grep "names the version" 'model: binary: version 7, not 1' "$T_ERR"
if command -v sc-predict > /dev/null; then
	t_exit "sc-predict: a changed byte exits 65" 65 sc-predict -m "$T_TMP/flip.bin" "$data"
	t_grep "sc-predict says so" '^sc-predict: .*flip.bin: model: binary: checksum' "$T_ERR"
fi
t_exit "--format other is a usage error" 64 sc-forest --format yaml "$data"
t_grep "names the option" '^sc-forest: --format: yaml: want json or binary' "$T_ERR"
t_exit "--convert with an input is a usage error" 64 sc-forest --convert "$T_TMP/m1.bin" "$data"
t_exit "--convert of a missing file exits 66" 66 sc-forest --convert "$T_TMP/none.bin"
t_done
