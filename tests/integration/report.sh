#!/usr/bin/env bash
# sc-report in a real browser: the demo's page (synthetic data, a local
# store) loaded by Debian's chromium headless from a file and, after the
# store is copied to the S3 test server, from a presigned URL; the DOM it
# builds is checked (tables and their row counts against the store's own
# files, every ticker's chart with data points, no chart empty, no
# reference leaving the page: tests/check_report.py); the HTML validates
# with tidy; markup in names from the store shows as text; a screenshot of
# the page is written to BUILD/report.png; a scripted click on a header
# sorts its table (numbers as numbers, twice for descending).
. "$(dirname "$0")/../lib.sh"

BUILD=$(cd "$SC_BIN/.." && pwd)
DAY=2026-11-27
S=$T_TMP/store

t_exit "demo store with drift and the report" 0 env SC_STORE="$S" SC_TODAY=$DAY \
	SC_TRIALS=6 SC_TICKERS="AAPL MSFT NVDA" sh "$SC_TOP/scripts/demo.sh" "$SC_BIN"
t_grep "demo prints the report's path" "^Report: $S/reports/$DAY.html$" "$T_OUT"
t_check "the demo ends with it (its last line)" \
	test "$(tail -n 1 "$T_OUT")" = "Report: $S/reports/$DAY.html"
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

# Every number the page's tables show (a numeric cell carries its exact
# value in data-v) is one the store holds, in a JSON, JSONL or CSV object
# other than the reports: nothing recomputed.  A doctored number must fail.
# store_numbers STORE PAGE
store_numbers() {
	python3 - "$1" "$2" <<'EOF'
import csv, json, os, re, sys
store, page = sys.argv[1], sys.argv[2]
nums = set()
def walk(o):
    if isinstance(o, bool):
        return
    if isinstance(o, (int, float)):
        nums.add(float(o))
    for v in (o.values() if isinstance(o, dict) else o if isinstance(o, list) else ()):
        walk(v)
for d, _, fs in os.walk(store):
    if os.path.relpath(d, store).split(os.sep)[0] == "reports":
        continue
    for f in fs:
        p = os.path.join(d, f)
        if f.endswith(".json"):
            walk(json.load(open(p)))
        elif f.endswith(".jsonl"):
            for l in open(p):
                if l.strip():
                    walk(json.loads(l))
        elif f.endswith(".csv"):
            for row in csv.reader(open(p)):
                for x in row:
                    try:
                        nums.add(float(x))
                    except ValueError:
                        pass
t = open(page).read()
cells = re.findall(r'<td[^>]*>[^<]*</td>', t)
vs = [v for c in cells for v in re.findall(r'data-v="([^"]*)"', c)]
bad = [v for v in vs if float(v) not in nums]
plain = [c for c in cells if "data-v" not in c and re.fullmatch(r'<td[^>]*>-?[0-9.]+(e-?[0-9]+)?</td>', c)]
assert len(vs) > 100, "only %d numbers" % len(vs)
assert not bad, "not in the store: %s" % bad[:5]
assert not plain, "numbers without data-v: %s" % plain[:5]
EOF
}
t_check "every number in the page's tables is one the store holds" store_numbers "$S" "$PAGE"
sed '0,/data-v="[^"]*"/s//data-v="12345.678"/' "$PAGE" > "$T_TMP/doctored.html"
fails() { ! "$@" 2> /dev/null; }
t_check "a number the store does not hold fails that check" \
	fails store_numbers "$S" "$T_TMP/doctored.html"

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
			--disable-sync --user-data-dir="$prof" --window-size=1200,1000 \
			--dump-dom "$1" > "$2" 2> /dev/null
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

# Readable with scripts disabled: the same checks pass on the DOM chromium
# builds from the page with its script made inert (type="text/plain"; a
# headless chromium run with --blink-settings=scriptEnabled=false dumps
# nothing, so the script is switched off in the page instead).  The sort
# script, when it runs, marks the headers clickable: not there.
sed 's|^<script>$|<script type="text/plain">|' "$PAGE" > "$T_TMP/noscript.html"
t_check "the page with its script inert" grep -q '^<script type="text/plain">$' "$T_TMP/noscript.html"
t_check "chromium loads it" browse "file://$T_TMP/noscript.html" "$T_TMP/dom-noscript.html"
t_check "  the script did not run there" fails grep -q 'cursor: pointer' "$T_TMP/dom-noscript.html"
t_check "  (and it does in the page as written)" grep -q 'cursor: pointer' "$T_TMP/dom.html"
check_dom "no script" "$T_TMP/dom-noscript.html" "$T_TMP/expect.json"

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

# The sort script, clicked: a copy of the page whose last script clicks a
# header once (ascending) or twice (descending); the DOM chromium built
# must have that table's rows in that order, the same rows as before.
# sorted_dom TABLE HEADER CLICKS OUT
sorted_dom() {
	sed "s|</body>|<script>(function(){var t=document.getElementById('$1'),h=[].filter.call(t.tHead.rows[0].cells,function(c){return c.textContent==='$2'})[0];for(var i=0;i<$3;i++)h.click()})()</script></body>|" \
		"$PAGE" > "$T_TMP/click.html" &&
		browse "file://$T_TMP/click.html" "$4"
}
# check_sorted TABLE HEADER CLICKS DOM: python3 checks the order.
check_sorted() {
	python3 - "$1" "$2" "$3" "$4" "$T_TMP/dom.html" <<'EOF'
import sys
from html.parser import HTMLParser
table, header, clicks, dom, before = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]

class T(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.on, self.head, self.rows, self.cell = False, [], [], None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.on = a.get("id") == table
        if not self.on:
            return
        if tag == "tr":
            self.row = []
        if tag in ("td", "th"):
            self.cell, self.v = "", a.get("data-v")
    def handle_data(self, d):
        if self.cell is not None:
            self.cell += d
    def handle_endtag(self, tag):
        if not self.on:
            return
        if tag == "th":
            self.head.append(self.cell)
        if tag == "td":
            self.row.append((self.cell, self.v))
        if tag in ("td", "th"):
            self.cell = None
        if tag == "tr" and self.row:
            self.rows.append(self.row)
        if tag == "table":
            self.on = False

def rows(path):
    t = T()
    t.feed(open(path).read())
    return t.head, t.rows

head, got = rows(dom)
_, orig = rows(before)
i = head.index(header)
numeric = all(r[i][1] is not None for r in orig)
key = (lambda r: float(r[i][1])) if numeric else (lambda r: r[i][0])
want = sorted(orig, key=key, reverse=clicks % 2 == 0)
assert len(orig) > 1, "fewer than 2 rows in %s" % table
assert [key(r) for r in orig] != [key(r) for r in want], \
    "%s was already in that order: the click would prove nothing" % table
assert sorted(got) == sorted(orig), "%s: the rows changed" % table
assert [key(r) for r in got] == [key(r) for r in want], \
    "%s by %s: %s, want %s" % (table, header, [key(r) for r in got], [key(r) for r in want])
EOF
}
t_check "click on the trials' CV RMSE header" sorted_dom t-trials "CV RMSE" 1 "$T_TMP/sort1.html"
t_check "trials sorted by CV RMSE, ascending (numbers as numbers)" \
	check_sorted t-trials "CV RMSE" 1 "$T_TMP/sort1.html"
t_check "two clicks on the forecasts' ticker header" sorted_dom t-forecasts ticker 2 "$T_TMP/sort2.html"
t_check "forecasts sorted by ticker, descending" \
	check_sorted t-forecasts ticker 2 "$T_TMP/sort2.html"
t_check "unclicked, the trials fail that check (it can fail)" \
	fails check_sorted t-trials "CV RMSE" 1 "$T_TMP/dom.html"

# Printable: chromium prints it to a PDF of several pages, and with the
# print styles applied to the screen at an A4 page's width (718 px, 19 cm)
# no table, chart or figure is wider than the page (none is cut off).
pdf() {
	local prof rc
	prof=$(mktemp -d "$T_TMP/chromium.XXXXXX")
	timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$prof" --no-pdf-header-footer --print-to-pdf="$2" "$1" \
		> /dev/null 2>&1
	rc=$?
	rm -rf "$prof"
	return $rc
}
t_check "chromium prints the page to a PDF" pdf "file://$PAGE" "$T_TMP/page.pdf"
pages=$(grep -a -o '/Count [0-9]*' "$T_TMP/page.pdf" | cut -d' ' -f2 | sort -n | tail -n 1)
t_check "the PDF has several pages (${pages:-none})" test "${pages:-0}" -ge 2
sed 's/@media print/@media all/; s|</body>|<script>var w=[],c=document.documentElement.clientWidth;document.querySelectorAll("table,figure,svg,pre").forEach(function(e){if(e.getBoundingClientRect().right>c+1)w.push(e.id\|\|e.tagName)});document.body.setAttribute("data-wide",document.documentElement.scrollWidth>c?"page "+w.join(" "):w.join(" "))</script></body>|' \
	"$PAGE" > "$T_TMP/print.html"
print_width() {
	local prof
	prof=$(mktemp -d "$T_TMP/chromium.XXXXXX")
	timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$prof" --window-size=718,1000 --dump-dom "$1" \
		> "$T_TMP/print-dom.html" 2> /dev/null
	rm -rf "$prof"
	grep -q 'data-wide=""' "$T_TMP/print-dom.html"
}
t_check "print styles: nothing wider than an A4 page" print_width "file://$T_TMP/print.html"
t_check "  (the check ran)" grep -q 'data-wide=' "$T_TMP/print-dom.html"
sed 's/@media all/@media not all/' "$T_TMP/print.html" > "$T_TMP/noprint.html"
t_check "without the print styles, wide tables fail that check (it can fail)" \
	fails print_width "file://$T_TMP/noprint.html"

# The whole page in the screenshot: its height measured in the browser.
sed 's|</body>|<script>document.body.setAttribute("data-height",document.documentElement.scrollHeight)</script></body>|' \
	"$PAGE" > "$T_TMP/height.html"
t_check "page height measured" browse "file://$T_TMP/height.html" "$T_TMP/height-dom.html"
height=$(sed -n 's/.*data-height="\([0-9]*\)".*/\1/p' "$T_TMP/height-dom.html" | head -n 1)
t_check "a plausible page height ($height px)" test "${height:-0}" -gt 1000 -a "${height:-0}" -lt 40000
t_check "screenshot of the demo's page" browse "file://$PAGE" "$BUILD/report.png" "1200,${height:-6000}"
t_check "screenshot written" test -s "$BUILD/report.png"
t_check "phone-sized screenshot" browse "file://$PAGE" "$BUILD/report-phone.png" 390,1600
# Readable on a phone: at 390 pixels the page itself is no wider than the
# screen (wide tables scroll inside their own box).
sed 's|</body>|<script>document.body.setAttribute("data-overflow",document.documentElement.scrollWidth-document.documentElement.clientWidth)</script></body>|' \
	"$PAGE" > "$T_TMP/phone.html"
phone_width() {
	local prof
	prof=$(mktemp -d "$T_TMP/chromium.XXXXXX")
	timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$prof" --window-size=390,844 --dump-dom "$1" \
		> "$T_TMP/phone-dom.html" 2> /dev/null
	rm -rf "$prof"
	grep -q 'data-overflow="0"' "$T_TMP/phone-dom.html"
}
t_check "at 390 pixels the page is no wider than the screen" phone_width "file://$T_TMP/phone.html"
sed 's|<div class="scroll">|<div>|' "$T_TMP/phone.html" > "$T_TMP/phone-noscroll.html"
t_check "  (tables outside their scroll box would be: the check can fail)" \
	fails phone_width "file://$T_TMP/phone-noscroll.html"

# Markup in names from the store: a ticker "<script>", a run id, a
# parameter name, a model label and a drift feature name with tags.
E=$T_TMP/evil
mkdir -p "$E/predictions" "$E/evaluations" "$E/runs/r1"
printf 'asof,date,ticker,close,predicted_close,actual_close,lower,upper,model,source\n2026-01-02,2026-01-05,<script>,10,11,,9,12,<em>m</em>/1,naive\n' \
	> "$E/predictions/2026-01-02.csv"
printf 'asof,ticker,close,predicted_close,actual_close,lower,upper,model\n2025-12-30,<script>,10,10.5,10.2,9,12,m/1\n2025-12-31,<script>,10.2,10.1,10.4,9,12,m/1\n' \
	> "$E/evaluations/2026-01-02.csv"
printf '{"run_id": "<img src=x onerror=alert(1)>", "started": "2026-01-01T00:00:00Z", "search": "sc-tune", "trials": 1}\n' \
	> "$E/runs/r1/meta.json"
printf '{"number":0,"state":"complete","value":0.5,"params":{"<b>p</b>":3}}\n' > "$E/runs/r1/trials.jsonl"
mkdir -p "$E/drift"
printf '{"model": "<s>x</s>/1", "trained_from": null, "trained_to": null, "drift_share": 0, "drifted": 0, "n_features": 1, "features": {"<i>f</i>": {"drifted": false}}}\n' \
	> "$E/drift/2026-01-02.json"
t_exit "report of a store with markup in names" 0 sc-report -o "$T_TMP/evil.html" "$E"
t_check "chromium loads it" browse "file://$T_TMP/evil.html" "$T_TMP/evil-dom.html"
printf '{"tables": {"t-forecasts": 1, "t-runs": 1, "t-trials": 1}, "tickers": ["<script>"], "texts": ["<script>", "<img src=x onerror=alert(1)>", "<em>m</em>/1", "<s>x</s>/1", "<i>f</i>"]}' \
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
