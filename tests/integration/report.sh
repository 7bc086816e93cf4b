#!/usr/bin/env bash
# sc-report in a real browser: the demo's page (synthetic data, a local
# store) loaded by Debian's chromium headless from a file and, after the
# store is copied to the S3 test server, from a presigned URL; the DOM it
# builds is checked (tables and their row counts against the store's own
# files, every ticker's chart with data points, no chart empty, no
# reference leaving the page: tests/check_report.py); the HTML validates
# with tidy; markup in names from the store shows as text; a screenshot of
# the page is written to BUILD/report.png.
. "$(dirname "$0")/../lib.sh"

BUILD=$(cd "$SC_BIN/.." && pwd)
DAY=2026-11-27
S=$T_TMP/store

t_exit "demo store with drift and the report" 0 env SC_STORE="$S" SC_TODAY=$DAY \
	SC_TRIALS=6 SC_TICKERS="AAPL MSFT NVDA" sh "$SC_TOP/scripts/demo.sh" "$SC_BIN"
t_grep "demo prints the report's path" "^Report: $S/reports/$DAY.html$" "$T_OUT"
PAGE=$S/reports/$DAY.html
t_check "the page is in the store" test -s "$PAGE"

# What the store holds, read by Python from the store's files: the
# expected row counts of the page's tables.
python3 - "$S" "$DAY" > "$T_TMP/expect.json" <<'EOF'
import csv, glob, json, os, sys
s, day = sys.argv[1], sys.argv[2]
pred = list(csv.DictReader(open(os.path.join(s, "predictions", day + ".csv"))))
evals = [e for e in glob.glob(os.path.join(s, "evaluations", "*.json"))
         if len(os.path.basename(e)) == len("YYYY-MM-DD.json")]
metas = glob.glob(os.path.join(s, "runs", "*", "meta.json"))
newest = max(metas, key=lambda m: json.load(open(m))["started"])
trials = [l for l in open(os.path.join(os.path.dirname(newest), "trials.jsonl")) if l.strip()]
index = json.load(open(os.path.join(s, "models", "stockcast", "index.json")))
drift = json.load(open(os.path.join(s, "drift", day + ".json")))
champ = index["aliases"]["champion"]
model = json.load(open(os.path.join(s, "models", "stockcast", str(champ), "model.json")))
print(json.dumps({
    "tables": {"t-forecasts": len(pred), "t-metrics": len(evals),
               "t-runs": len(metas), "t-trials": len(trials),
               "t-versions": len(index["versions"]),
               "t-aliases": len(index["aliases"]),
               "t-drift": len(drift["features"]), "t-drift-summary": 1,
               "t-importances": len(model["importances"]),
               "t-glance": 6},
    "tickers": sorted({r["ticker"] for r in pred})}))
EOF
t_check "expected counts from the store" test -s "$T_TMP/expect.json"

if command -v tidy > /dev/null 2>&1; then
	# tidy exits 0 when clean, 1 with warnings, 2 with errors.
	t_exit "tidy: no errors or warnings" 0 tidy -q -e "$PAGE"
else
	t_skip "tidy not installed (apt-get install tidy)"
fi

if command -v node > /dev/null 2>&1; then
	sed -n '/^<script>$/,/^<\/script>$/p' "$PAGE" | sed '1d;$d' > "$T_TMP/sort.js"
	t_check "the sort script is there" test -s "$T_TMP/sort.js"
	t_exit "the sort script parses (node --check)" 0 node --check "$T_TMP/sort.js"
fi

if ! command -v chromium > /dev/null 2>&1; then
	t_skip "chromium not installed (apt-get install chromium): no browser checks"
	t_done
	exit
fi

# browse URL OUT [SCREENSHOT]: chromium headless, DOM (or a screenshot)
# to OUT; its own profile, no network of its own.
browse() {
	local prof rc
	prof=$(mktemp -d "$T_TMP/chromium.XXXXXX")
	if [ -n "${3:-}" ]; then
		timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic \
			--no-first-run --disable-background-networking --disable-component-update \
			--disable-sync --user-data-dir="$prof" --hide-scrollbars \
			--window-size="$3" --screenshot="$2" "$1" > /dev/null 2>&1
		rc=$?
	else
		timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic \
			--no-first-run --disable-background-networking --disable-component-update \
			--disable-sync --user-data-dir="$prof" --dump-dom "$1" > "$2" 2> /dev/null
		rc=$?
	fi
	rm -rf "$prof"
	return $rc
}

# check_dom NAME DOM EXPECT: check_report.py's lines as ours.
check_dom() {
	local line
	while IFS= read -r line; do
		case $line in
		"ok "*) t_ok "$1: ${line#ok }" ;;
		"not ok "*) t_fail "$1: ${line#not ok }" ;;
		esac
	done < <(python3 "$SC_TOP/tests/check_report.py" "$2" "$3" 2>&1 ||
		echo "not ok check_report.py exited $?")
}

t_check "chromium loads the page from a file" browse "file://$PAGE" "$T_TMP/dom.html"
check_dom "file" "$T_TMP/dom.html" "$T_TMP/expect.json"

# The checker must catch an empty chart: the first ticker's points and
# lines removed from the DOM.
python3 - "$T_TMP/dom.html" "$T_TMP/empty.html" <<'EOF'
import re, sys
t = open(sys.argv[1]).read()
i = t.index(": evaluation window")
j = t.index("</svg>", i)
head, body = t[:i], t[i:j]
body = re.sub(r'<(circle|polyline|polygon)[^>]*>(</\1>)?', '', body)
open(sys.argv[2], "w").write(head + body + t[j:])
EOF
t_exit "an empty chart fails the check" 1 python3 "$SC_TOP/tests/check_report.py" \
	"$T_TMP/empty.html" "$T_TMP/expect.json"
t_grep "named as empty" "^not ok (chart of .* present|no chart is empty)" "$T_OUT"

t_check "screenshot of the demo's page" browse "file://$PAGE" "$BUILD/report.png" 1200,5200
t_check "screenshot written" test -s "$BUILD/report.png"
t_check "phone-sized screenshot" browse "file://$PAGE" "$BUILD/report-phone.png" 390,1600

# Markup in names from the store: a ticker "<script>", a run id and a
# parameter name with tags.
E=$T_TMP/evil
mkdir -p "$E/predictions" "$E/evaluations" "$E/runs/r1"
printf 'asof,date,ticker,close,predicted_close,actual_close,lower,upper,model,source\n2026-01-02,2026-01-05,<script>,10,11,,9,12,m/1,naive\n' \
	> "$E/predictions/2026-01-02.csv"
printf 'asof,ticker,close,predicted_close,actual_close,lower,upper,model\n2025-12-30,<script>,10,10.5,10.2,9,12,m/1\n2025-12-31,<script>,10.2,10.1,10.4,9,12,m/1\n' \
	> "$E/evaluations/2026-01-02.csv"
printf '{"run_id": "<img src=x onerror=alert(1)>", "started": "2026-01-01T00:00:00Z", "search": "sc-tune", "trials": 1}\n' \
	> "$E/runs/r1/meta.json"
printf '{"number":0,"state":"complete","value":0.5,"params":{"<b>p</b>":3}}\n' > "$E/runs/r1/trials.jsonl"
t_exit "report of a store with markup in names" 0 sc-report -o "$T_TMP/evil.html" "$E"
t_check "chromium loads it" browse "file://$T_TMP/evil.html" "$T_TMP/evil-dom.html"
printf '{"tables": {"t-forecasts": 1, "t-runs": 1, "t-trials": 1}, "tickers": ["<script>"], "texts": ["<script>", "<img src=x onerror=alert(1)>"]}' \
	> "$T_TMP/evil.json"
check_dom "markup" "$T_TMP/evil-dom.html" "$T_TMP/evil.json"
t_grep "the parameter name is text" '&lt;b&gt;p&lt;/b&gt;=3' "$T_TMP/evil-dom.html"

# The same store on the S3 test server: sc-report reads it there, the
# page goes back with report.sh, and chromium opens a presigned URL.
t_start_s3rver bkt
case $? in
2) t_skip "s3rver not installed (make deps): no S3 checks"; t_done; exit ;;
1) t_fail "s3rver did not start"; t_done; exit ;;
esac
copied=0
while IFS= read -r f; do
	k=${f#"$S"/}
	sc-push "s3://bkt/st/$k" < "$f" || copied=1
done < <(find "$S" -type f ! -name '.*' ! -path "$S/reports/*" | sort)
t_check "store copied to S3" test "$copied" -eq 0
t_exit "sc-report from the S3 store" 0 env SC_STORE=s3://bkt/st \
	sc-report -d $DAY -o "$T_TMP/s3.html"
t_check "the same page as from the local store (but the store's name)" bash -c \
	"diff <(grep -v '^<p class=\"note\">Model' '$T_TMP/s3.html') <(grep -v '^<p class=\"note\">Model' '$PAGE')"
t_exit "report.sh on the S3 store" 0 env SC_STORE=s3://bkt/st SC_TODAY=$DAY \
	SC_TICKERS="AAPL MSFT NVDA" sh "$SC_TOP/scripts/report.sh"
t_grep "prints the s3:// URI" "^s3://bkt/st/reports/$DAY.html$" "$T_OUT"
t_exit "presign the page" 0 sc-fetch --presign 300 "s3://bkt/st/reports/$DAY.html"
url=$(cat "$T_OUT")
t_check "served as text/html" sh -c "curl -sf -D - -o /dev/null '$url' | grep -qi '^content-type: text/html'"
t_check "chromium loads the page from the presigned URL" browse "$url" "$T_TMP/dom-s3.html"
check_dom "s3" "$T_TMP/dom-s3.html" "$T_TMP/expect.json"
t_done
