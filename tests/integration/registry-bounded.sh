#!/usr/bin/env bash
# Registering a big model takes bounded memory (issue 15): sc-push checks
# the model with sc_model_check, which reads it in fixed chunks and walks
# each tree node by node, instead of loading the forest.  A ~200 MB JSON
# model (sc-forest on synthetic data, 280 trees; SC_BOUNDED_TREES changes
# that) registers under `ulimit -v` of 64 MiB, with its lineage, and a
# model damaged in its last tree is refused there too; the same model in
# the binary form registers under the limit as well.  Peak RSS from
# /usr/bin/time; nothing is limited or measured under a sanitizer, whose
# shadow memory alone is larger.
. "$(dirname "$0")/../lib.sh"

PY=/usr/bin/python3
D=$T_TMP/d
RSS=$T_TMP/rss
LIMIT_KIB=65536
TREES=${SC_BOUNDED_TREES:-280}
mkdir -p "$D"
export SC_STORE=$T_TMP/store

sanitized() {
	[ -n "${SC_SANITIZED:-}" ] || case $SC_BIN in *asan* | *fuzz*) true ;; *) false ;; esac
}

# bounded CMD...: run CMD under the address-space limit (none under a
# sanitizer), its peak RSS in KiB written to $RSS when /usr/bin/time is there.
bounded() {
	if sanitized; then
		"$@"
	elif [ -x /usr/bin/time ]; then
		(ulimit -v "$LIMIT_KIB" && /usr/bin/time -o "$RSS" -f %M "$@")
	else
		(ulimit -v "$LIMIT_KIB" && "$@")
	fi
}

# json FILE EXPR: EXPR in Python over d, the JSON in FILE.
json() {
	"$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

"$PY" - > "$D/train.csv" << 'EOF_PY'
import random
random.seed(15)
print("x1,x2,x3,x4,target")
for i in range(15000):
    x = [random.random() for _ in range(4)]
    print("%.6f,%.6f,%.6f,%.6f,%.6f" % (x[0], x[1], x[2], x[3], 3 * x[0] + random.gauss(0, 1)))
EOF_PY
t_exit "a big model: sc-forest, $TREES trees" 0 \
	sc-forest --trees "$TREES" --no-validation --seed 1 -o "$D/big.json" "$D/train.csv"
bytes=$(wc -c < "$D/big.json")
echo "# model: $bytes bytes"

t_exit "registers under ulimit -v $LIMIT_KIB KiB" 0 \
	bounded sc-push --run-id big-run models:/big < "$D/big.json"
t_check "version 1" test "$(cat "$T_OUT")" = 1
if sanitized; then
	t_skip "peak RSS: not measured under a sanitizer"
elif [ ! -x /usr/bin/time ]; then
	t_skip "peak RSS: no /usr/bin/time (make deps)"
else
	kib=$(tail -n 1 "$RSS")
	echo "# register: $bytes-byte model, peak RSS $kib KiB"
	t_check "peak RSS $kib KiB < 32768 KiB" test "$kib" -lt 32768
fi
M=$SC_STORE/models/big/1/meta.json
t_check "lineage: run id" test "$(json "$M" 'd["run_id"]')" = big-run
t_check "lineage: training rows" test "$(json "$M" 'd["training"]["rows"]')" = 15000
t_check "lineage: params.trees" test "$(json "$M" 'd["params"]["trees"]')" = "$TREES"
t_check "lineage: model bytes" test "$(json "$M" 'd["model"]["bytes"]')" = "$bytes"
t_check "stored byte for byte" cmp -s "$D/big.json" "$SC_STORE/models/big/1/model.json"

# The same model in the binary form: mapped, its pages given back as the
# trees are checked.
t_exit "the binary form: sc-forest --convert" 0 \
	sc-forest --convert "$D/big.json" --format binary -o "$D/big.bin"
t_exit "the binary form registers under the same limit" 0 \
	bounded sc-push models:/big < "$D/big.bin"
t_check "version 2" test "$(cat "$T_OUT")" = 2
if ! sanitized && [ -x /usr/bin/time ]; then
	kib=$(tail -n 1 "$RSS")
	echo "# register: $(wc -c < "$D/big.bin")-byte binary model, peak RSS $kib KiB"
	t_check "binary: peak RSS $kib KiB < 32768 KiB" test "$kib" -lt 32768
fi
t_check "binary: the same lineage" test \
	"$(json "$SC_STORE/models/big/2/meta.json" '[d[k] for k in ("target", "training", "params", "oob_rmse")]')" = \
	"$(json "$M" '[d[k] for k in ("target", "training", "params", "oob_rmse")]')"

# The same model with one more tree whose root points past its end: found
# in the last tree, under the same limit.
{
	head -c $((bytes - 3)) "$D/big.json"
	printf ',{"feature":[0],"threshold":[0.5],"left":[1],"right":[2],"value":[0],"count":[0],"rank":[]}]}\n'
} > "$D/bad.json"
t_exit "a bad last tree: exit 65" 65 bounded sc-push models:/big < "$D/bad.json"
t_grep "names the tree and the node" \
	"^sc-push: stdin: not a valid model: tree $TREES: node 0: children 1, 2 out of range" "$T_ERR"
head -c $((bytes / 2)) "$D/big.json" > "$D/cut.json"
t_exit "cut in half: exit 65" 65 bounded sc-push models:/big < "$D/cut.json"
t_grep "says where" '^sc-push: stdin(:1:[0-9]+)?: not a valid (JSON )?model: ' "$T_ERR"
t_check "nothing more registered" test ! -e "$SC_STORE/models/big/3"
t_done
