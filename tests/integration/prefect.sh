#!/usr/bin/env bash
# prefect.yaml and flows/stockcast_flow.py (Prefect itself cannot be
# installed here): the YAML's structure (every deployment's entrypoint is a
# flow function in a file that exists, its step a script that exists, a cron
# schedule with a time zone the system knows, a work pool, no secret), the
# flow file compiles, and the flow, run with a stand-in `prefect` module,
# runs a script, copies its output into the log and fails when it fails,
# refuses an unset store (an unrendered STOCKCAST_STORE template), and runs
# a script that exits 75 (temporary failure) again with backoff.
. "$(dirname "$0")/../lib.sh"

PY=/usr/bin/python3
if [ ! -x "$PY" ] || ! "$PY" -c 'import yaml' 2> /dev/null; then
	t_skip "prefect: /usr/bin/python3 with python3-yaml needed"
	t_done
	exit
fi
FLOW=$SC_TOP/flows/stockcast_flow.py
t_exit "py_compile of the flow file" 0 "$PY" -c 'import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)' "$FLOW" "$T_TMP/flow.pyc"

lines() {
	local line
	while IFS= read -r line; do
		case $line in
		"ok "*) t_ok "${line#ok }" ;;
		"not ok "*) t_fail "${line#not ok }" ;;
		*) echo "# $line" ;;
		esac
	done < <("$@" 2>&1 || echo "not ok $* exited $?")
}

lines "$PY" - "$SC_TOP" <<'PYEOF'
import ast, os, re, sys, yaml
top = sys.argv[1]
text = open(os.path.join(top, "prefect.yaml")).read()
y = yaml.safe_load(text)
def ok(name, cond):
    print(("ok " if cond else "not ok ") + "prefect.yaml: " + name)
ok("has a name and deployments", y.get("name") and isinstance(y.get("deployments"), list))
ok("pull step sets the working directory from the environment",
   any("set_working_directory" in list(s)[0] for s in y.get("pull", [])))
names = [d["name"] for d in y["deployments"]]
ok("deployment names unique", len(names) == len(set(names)))
steps = {}
for d in y["deployments"]:
    n = d["name"]
    path, _, func = d["entrypoint"].partition(":")
    f = os.path.join(top, path)
    ok(n + ": entrypoint file exists", os.path.isfile(f))
    tree = ast.parse(open(f).read())
    flows = {x.name for x in tree.body if isinstance(x, ast.FunctionDef) and any(
        (isinstance(dd, ast.Call) and getattr(dd.func, "id", "") == "flow") or
        getattr(dd, "id", "") == "flow" for dd in x.decorator_list)}
    ok(n + ": entrypoint is a flow function", func in flows)
    p = d["parameters"]
    ok(n + ": its script exists", os.path.isfile(os.path.join(top, "scripts", p["step"] + ".sh")))
    ok(n + ": tickers valid", all(re.fullmatch(r"[A-Z0-9.^=-]{1,20}", t) for t in p["tickers"].split()))
    ok(n + ": store is a parameter from the environment", p.get("store", "").startswith("{{ $"))
    for s in d["schedules"]:
        ok(n + ": cron has 5 fields", len(s["cron"].split()) == 5)
        ok(n + ": time zone known", os.path.isfile("/usr/share/zoneinfo/" + s["timezone"]))
    ok(n + ": work pool", d["work_pool"]["name"])
    steps[p["step"]] = d["schedules"][0]["cron"]
ok("inference and evaluate daily on weekdays after the close",
   steps.get("inference", "").endswith("* * 1-5") and steps.get("evaluate", "").endswith("* * 1-5")
   and int(steps["inference"].split()[1]) >= 16)
ok("prepare, train and register weekly", all(steps.get(s, "").endswith("* * 6") for s in ("prepare", "train", "register")))
def walk(v):
    if isinstance(v, dict):
        for k, x in v.items():
            yield str(k)
            yield from walk(x)
    elif isinstance(v, list):
        for x in v:
            yield from walk(x)
    else:
        yield str(v)
bad = [w for w in walk(y) if re.search(r"(?i)secret_access|session_token|password|^AKIA", w)]
ok("no secret in the file (keys and values) %s" % bad, not bad)
PYEOF

# The flow with a stand-in prefect module: the decorator returns the
# function, the logger prints.
mkdir -p "$T_TMP/stub/prefect"
printf '%s\n' 'import logging, sys' \
	'logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="LOG %(message)s")' \
	'def flow(*a, **k):' \
	'    return (lambda f: f) if not a or not callable(a[0]) else a[0]' \
	'def get_run_logger():' \
	'    return logging.getLogger("flow")' > "$T_TMP/stub/prefect/__init__.py"
export SC_SOURCE=synthetic SC_TODAY=2026-06-30 SC_FROM=2026-01-02 SC_BIN
t_exit "flow: prepare on a local store" 0 env PYTHONPATH="$T_TMP/stub" "$PY" -c '
import sys; sys.path.insert(0, sys.argv[1]); import stockcast_flow as f
f.run_step("prepare", tickers="AAPL MSFT", store=sys.argv[2], env={"SC_TEST_DAYS": "20"})' \
	"$SC_TOP/flows" "$T_TMP/store"
t_grep "flow: the script's log lines in the flow's log" '^LOG .*Z prepare: processed/train.csv' "$T_OUT"
t_check "flow: the store was written" test -s "$T_TMP/store/processed/test.csv"
t_check "flow: SC_TEST_DAYS from env" test "$(tail -n +2 "$T_TMP/store/processed/test.csv" | wc -l)" = 40
t_exit "flow: a failing script fails the flow" 1 env PYTHONPATH="$T_TMP/stub" "$PY" -c '
import sys; sys.path.insert(0, sys.argv[1]); import stockcast_flow as f
f.run_step("inference", tickers="AAPL", store=sys.argv[2])' "$SC_TOP/flows" "$T_TMP/store"
t_grep "flow: with the exit status" 'RuntimeError: scripts/inference.sh exited with status 66' "$T_ERR"
t_grep "flow: and the reason in the log" '^LOG .*inference: error: .*(no champion|no such model)' "$T_OUT"
t_exit "flow: an unknown step" 1 env PYTHONPATH="$T_TMP/stub" "$PY" -c '
import sys; sys.path.insert(0, sys.argv[1]); import stockcast_flow as f
f.run_step("deploy")' "$SC_TOP/flows"
t_exit "flow: a secret as a parameter is refused" 1 env PYTHONPATH="$T_TMP/stub" "$PY" -c '
import sys; sys.path.insert(0, sys.argv[1]); import stockcast_flow as f
f.run_step("prepare", env={"AWS_SECRET_ACCESS_KEY": "x"})' "$SC_TOP/flows"

# An unset STOCKCAST_STORE: the template reaches the flow unrendered (or no
# store at all); the flow refuses it before running anything, and no
# directory named after the template appears.
# shellcheck disable=SC2016 # the template is meant literally
t_exit "flow: an unrendered store template is refused" 1 env PYTHONPATH="$T_TMP/stub" "$PY" -c '
import sys; sys.path.insert(0, sys.argv[1]); import stockcast_flow as f
f.run_step("prepare", tickers="AAPL", store="{{ $STOCKCAST_STORE }}")' "$SC_TOP/flows"
t_grep "flow: says to set STOCKCAST_STORE" 'ValueError: store .* unrendered template: set STOCKCAST_STORE' "$T_ERR"
t_check "flow: no directory named after the template" sh -c "! ls -A '$SC_TOP' | grep -q STOCKCAST"
t_exit "flow: no store at all is refused" 1 env -u SC_STORE PYTHONPATH="$T_TMP/stub" "$PY" -c '
import sys; sys.path.insert(0, sys.argv[1]); import stockcast_flow as f
f.run_step("prepare", tickers="AAPL")' "$SC_TOP/flows"
t_grep "flow: says so" 'ValueError: no store' "$T_ERR"

# Temporary failures (exit 75) are retried with backoff: a stand-in
# sc-fetch answers market requests with 75 the first N times
# ($T_TMP/fail75 holds N), then runs the real one.
mkdir -p "$T_TMP/bin75"
for p in "$SC_BIN"/sc-*; do ln -sf "$p" "$T_TMP/bin75/"; done
rm -f "$T_TMP/bin75/sc-fetch"
cat > "$T_TMP/bin75/sc-fetch" <<EOF
#!/bin/sh
case " \$* " in
*" --from "*)
	echo x >> "$T_TMP/calls75"
	if [ "\$(wc -l < "$T_TMP/calls75")" -le "\$(cat "$T_TMP/fail75")" ]; then
		echo "sc-fetch: yahoo:AAPL: rate limited (HTTP 429) after 4 attempts" >&2
		exit 75
	fi ;;
esac
exec "$SC_BIN/sc-fetch" "\$@"
EOF
chmod +x "$T_TMP/bin75/sc-fetch"
echo 2 > "$T_TMP/fail75"
: > "$T_TMP/calls75"
t_exit "flow: exit 75 twice, then success" 0 env SC_BIN="$T_TMP/bin75" PYTHONPATH="$T_TMP/stub" "$PY" -c '
import sys; sys.path.insert(0, sys.argv[1]); import stockcast_flow as f
f.run_step("prepare", tickers="AAPL", store=sys.argv[2], retry_delay=0.01)' "$SC_TOP/flows" "$T_TMP/store75"
t_check "flow: three runs of the script" test "$(wc -l < "$T_TMP/calls75")" = 3
t_grep "flow: the retries logged with their delay (backoff)" 'retry 2 of 3 in 0.02 s' "$T_OUT"
t_check "flow: the store written in the end" test -s "$T_TMP/store75/processed/test.csv"
echo 99 > "$T_TMP/fail75"
: > "$T_TMP/calls75"
t_exit "flow: exit 75 every time fails after the retries" 1 env SC_BIN="$T_TMP/bin75" PYTHONPATH="$T_TMP/stub" "$PY" -c '
import sys; sys.path.insert(0, sys.argv[1]); import stockcast_flow as f
f.run_step("prepare", tickers="AAPL", store=sys.argv[2], retries=2, retry_delay=0.01)' "$SC_TOP/flows" "$T_TMP/store75b"
t_check "flow: 1 + 2 runs" test "$(wc -l < "$T_TMP/calls75")" = 3
t_grep "flow: with the status and the attempts" 'RuntimeError: scripts/prepare.sh exited with status 75 after 3 attempts' "$T_ERR"
t_exit "flow: another failure is not retried" 1 env PYTHONPATH="$T_TMP/stub" "$PY" -c '
import sys; sys.path.insert(0, sys.argv[1]); import stockcast_flow as f
f.run_step("inference", tickers="AAPL", store=sys.argv[2], retry_delay=0.01)' "$SC_TOP/flows" "$T_TMP/store75"
t_check "flow: 66 not retried" sh -c "! grep -q retry '$T_OUT'"
rm -rf "$SC_TOP/flows/__pycache__"
t_done

