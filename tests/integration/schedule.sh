#!/usr/bin/env bash
# shellcheck disable=SC2016 # awk programs in single quotes
# docs/examples/: the crontab and the systemd units run scripts that exist,
# at times cron and systemd understand (systemd-analyze calendar and
# verify, when systemd is installed), and hold no secret.
. "$(dirname "$0")/../lib.sh"

EX=$SC_TOP/docs/examples
t_check "crontab: every line is a comment, a variable or 5 fields and a command" awk '
	/^#/ || /^$/ || /^[A-Z_]+=/ { next }
	NF < 6 { bad++; next }
	{ for (i = 1; i <= 5; i++) if ($i !~ /^[0-9*,\/-]+$/) bad++ }
	END { exit bad > 0 }' "$EX/crontab"
# shellcheck disable=SC2013 # the names have no blanks
for s in $(grep -ho 'scripts/[a-z]*\.sh' "$EX"/crontab "$EX"/*.service | sort -u); do
	t_check "examples: $s exists" test -f "$SC_TOP/$s"
done
t_check "crontab: no CRON_TZ (Debian 12's cron ignores it)" sh -c "! grep -q '^CRON_TZ' '$EX/crontab'"
t_check "crontab: inference weekdays after the close" \
	grep -Eq '^30 21,22 +\* +\* +1-5 .*scripts/cron.sh --ny-hour 17 inference$' "$EX/crontab"
# Each line's UTC hours hold its New York hour in winter and in summer
# (fixed dates, not the clock's), and its steps exist.
while read -r m h _ _ _ cmd; do
	ny=$(echo "$cmd" | sed -n 's/.*--ny-hour \([0-9]*\).*/\1/p')
	steps=$(echo "$cmd" | sed 's/.*--ny-hour [0-9]*//; s/--log [^ ]*//')
	t_check "crontab: \"$h\" fires at $ny:$m New York in winter and in summer" sh -c '
		for d in 2026-01-15 2026-07-15; do
			u=$(date -u -d "TZ=\"America/New_York\" $d $1:$2" +%H)
			case ",$3," in *",$u,"* | *",${u#0},"*) ;; *) exit 1 ;; esac
		done' sh "$ny" "$m" "$h"
	for st in $steps; do
		t_check "crontab: step $st exists" test -f "$SC_TOP/scripts/$st.sh"
	done
done < <(grep -E '^[0-9]' "$EX/crontab")

# scripts/cron.sh: the New York guard, the log directory, output only on
# failure.  SC_CRON_NOW pins the clock: 2026-07-15 (EDT).
C=$SC_TOP/scripts/cron.sh
summer_2130=$(date -u -d '2026-07-15 21:30' +%s)
summer_2230=$(date -u -d '2026-07-15 22:30' +%s)
winter_2230=$(date -u -d '2026-01-15 22:30' +%s)
printf 'SC_TICKERS=AAPL\nSC_TEST_DAYS=10\n' > "$T_TMP/env"
export SC_ENV_FILE=$T_TMP/env SC_LOG_DIR=$T_TMP/log/stockcast SC_STORE=$T_TMP/store \
	SC_SOURCE=synthetic SC_TODAY=2026-07-15 SC_FROM=2026-01-02 SC_TRIALS=0 SC_BIN
t_exit "cron.sh: at 22:30 UTC in summer (18:30 New York) --ny-hour 17 does nothing" 0 \
	env SC_CRON_NOW="$summer_2230" sh "$C" --ny-hour 17 prepare
t_check "cron.sh: silent, nothing run" test ! -s "$T_OUT" -a ! -s "$T_ERR" -a ! -e "$SC_STORE"
t_exit "cron.sh: at 21:30 UTC in summer (17:30 New York) it runs" 0 \
	env SC_CRON_NOW="$summer_2130" sh "$C" --ny-hour 17 prepare
t_check "cron.sh: nothing printed on success (no mail)" test ! -s "$T_OUT" -a ! -s "$T_ERR"
t_check "cron.sh: the log directory created" test -d "$SC_LOG_DIR"
t_grep "cron.sh: the step's lines in NAME.log" 'prepare: processed/train.csv' "$SC_LOG_DIR/prepare.log"
t_check "cron.sh: the env file exported (SC_TICKERS, SC_TEST_DAYS)" test \
	"$(tail -n +2 "$SC_STORE/processed/test.csv" | wc -l)" = 10
t_exit "cron.sh: in winter 22:30 UTC is 17:30 New York" 0 \
	env SC_CRON_NOW="$winter_2230" sh "$C" --ny-hour 17 --log weekly prepare train
t_check "cron.sh: train's run id goes to the log, not to cron" test ! -s "$T_OUT" -a ! -s "$T_ERR"
t_grep "cron.sh: --log names the file" 'train: ' "$SC_LOG_DIR/weekly.log"
t_exit "cron.sh: a failing step (no champion): its status" 66 sh "$C" inference
t_grep "cron.sh: the failure printed, so cron mails it" '^stockcast inference failed with exit status 66' "$T_OUT"
t_grep "cron.sh: with the end of the log" 'inference: error: .*(no champion|no such model)' "$T_OUT"
t_exit "cron.sh: the first failure stops the chain" 66 sh "$C" --log chain inference prepare
t_check "cron.sh: prepare did not run after it" sh -c "! grep -q 'prepare:' '$SC_LOG_DIR/chain.log'"
t_exit "cron.sh: unknown step" 64 sh "$C" deploy
t_exit "cron.sh: bad hour" 64 sh "$C" --ny-hour 25 prepare
: > "$T_TMP/afile"
t_exit "cron.sh: a log directory that cannot be created" 73 env SC_LOG_DIR="$T_TMP/afile/log" sh "$C" prepare
t_grep "cron.sh: says so" 'log directory .* cannot be created' "$T_ERR"
t_exit "cron.sh: a missing SC_ENV_FILE" 66 env SC_ENV_FILE="$T_TMP/none" sh "$C" prepare
# Every line of the shipped crontab is one cron.sh accepts: at a New York
# hour none of them names (23:00) each exits 0 without a word.
late=$(date -u -d '2026-07-16 03:00' +%s)
while read -r _ _ _ _ _ cmd; do
	args=${cmd#*scripts/cron.sh }
	# shellcheck disable=SC2086 # the line's words
	t_exit "crontab: cron.sh accepts \"$args\"" 0 env SC_CRON_NOW="$late" sh "$C" $args
	t_check "crontab: \"$args\" silent at another hour" test ! -s "$T_OUT" -a ! -s "$T_ERR"
done < <(grep -E '^[0-9]' "$EX/crontab")
unset SC_ENV_FILE SC_LOG_DIR SC_STORE SC_SOURCE SC_TODAY SC_FROM SC_TRIALS
t_check "no secret value in the examples" sh -c "! grep -E 'AWS_SECRET_ACCESS_KEY=[A-Za-z0-9/+]{8}' '$EX'/*"
# make install-systemd into a temporary root: the units with SC_HOME, the
# user, the env file; every service gets its state directory from systemd
# (StateDirectory=), so none needs /var/lib/stockcast to exist beforehand.
R=$T_TMP/root
t_exit "make install-systemd DESTDIR=..." 0 make -s -C "$SC_TOP" install-systemd DESTDIR="$R" SC_HOME="$SC_TOP"
U=$R/etc/systemd/system
for f in "$EX"/*.service "$EX"/*.timer; do
	t_check "installed: $(basename "$f")" test -f "$U/$(basename "$f")"
done
t_check "installed units run SC_HOME, not /opt/stockcast" sh -c "! grep -q /opt/stockcast '$U'/* && grep -q 'ExecStart=/bin/sh $SC_TOP/scripts/%i.sh' '$U/stockcast@.service'"
t_check "installed: the env file, mode 600" test "$(stat -c %a "$R/etc/stockcast/env")" = 600
echo "SC_STORE=kept" > "$R/etc/stockcast/env"
t_exit "make install-systemd again" 0 make -s -C "$SC_TOP" install-systemd DESTDIR="$R" SC_HOME="$SC_TOP"
t_check "an existing env file is kept" test "$(cat "$R/etc/stockcast/env")" = SC_STORE=kept
for f in "$EX"/*.service; do
	t_check "$(basename "$f"): StateDirectory=stockcast" grep -qx 'StateDirectory=stockcast' "$f"
	t_check "$(basename "$f"): no ReadWritePaths= that must exist" sh -c "! grep -E '^ReadWritePaths=[^-]' '$f'"
	t_check "$(basename "$f"): runs as the user the sysusers entry creates" grep -qx 'User=stockcast' "$f"
done
if command -v systemd-sysusers > /dev/null 2>&1; then
	t_exit "sysusers entry: creates user stockcast (dry run in the temporary root)" 0 \
		systemd-sysusers --dry-run --root="$R"
	t_check "sysusers: the user" sh -c "cat '$T_OUT' '$T_ERR' | grep -q \"Creating user .stockcast.\""
else
	t_skip "sysusers entry: systemd-sysusers not installed"
fi
if command -v systemd-analyze > /dev/null 2>&1; then
	for f in "$EX"/*.timer; do
		cal=$(sed -n 's/^OnCalendar=//p' "$f")
		t_exit "$(basename "$f"): OnCalendar=$cal parses" 0 systemd-analyze calendar "$cal"
	done
	mkdir -p "$T_TMP/units"
	cp "$U"/*.service "$U"/*.timer "$T_TMP/units/"
	cp "$T_TMP/units/stockcast@.service" "$T_TMP/units/stockcast@inference.service"
	sed -i 's#^User=.*#User=root#; s#^Group=.*#Group=root#' "$T_TMP"/units/*.service
	t_exit "systemd-analyze verify" 0 env SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no \
		"$T_TMP/units/stockcast@inference.service" "$T_TMP/units/stockcast-weekly.service" \
		"$T_TMP/units/stockcast-report.service"
	t_check "systemd-analyze: no warning" test ! -s "$T_ERR"
	sed "s/^/# /" "$T_ERR"
else
	t_skip "systemd units: systemd-analyze not installed"
fi
# The staleness alerts and the shipped schedules agree: every job a
# pipeline script pushes has a *Stale alert whose allowance depends on the
# weekday of the last success (day_of_week: no page every weekend), and
# every schedule of that step (crontab, systemd timers, prefect.yaml) runs
# it on weekdays only, at a New York hour from 01:00 (its UTC time minus
# 5 h, which the rules use, is then the New York day, EST or EDT).
cat > "$T_TMP/agree.py" << 'PY'
import glob, os, re, sys, yaml
top = sys.argv[1]
bad = []
jobs = set()
for f in glob.glob(os.path.join(top, "scripts", "*.sh")):
    for m in re.finditer(r'^push "?stockcast_([a-z]+)', open(f).read(), re.M):
        jobs.add(m.group(1))
stale = {}
for f in glob.glob(os.path.join(top, "monitor", "prometheus", "*rules.yml")):
    for g in yaml.safe_load(open(f))["groups"]:
        for r in g["rules"]:
            m = re.search(r'last_success_timestamp_seconds\{job="stockcast_([a-z]+)"\}',
                          r.get("expr", ""))
            if r.get("alert", "").endswith("Stale") and m:
                stale[m.group(1)] = r["expr"]
if not jobs:
    bad.append("no job pushed by scripts/*.sh (push stockcast_NAME)")
for j in sorted(jobs):
    if j not in stale:
        bad.append(f"{j}: pushed, but no staleness alert")
    elif "day_of_week(" not in stale[j]:
        bad.append(f"{j}: the staleness allowance ignores the weekday (fires every weekend)")
ex = os.path.join(top, "docs", "examples")
seen = {j: 0 for j in stale}


def check(where, step, weekdays, hour):
    seen[step] += 1
    if not weekdays:
        bad.append(f"{where}: {step} not on weekdays only")
    if not 1 <= hour <= 19:
        bad.append(f"{where}: {step} at New York hour {hour}")


for line in open(os.path.join(ex, "crontab")):
    f = line.split()
    if not line[:1].isdigit():
        continue
    cmd = " ".join(f[5:])
    m = re.search(r"--ny-hour (\d+)", cmd)
    steps = re.sub(r".*scripts/cron\.sh", "", cmd)
    for st in re.sub(r"--(ny-hour|log) \S+", "", steps).split():
        if st in seen:
            check("crontab", st, f[4] == "1-5", int(m.group(1)) if m else -1)
for t in glob.glob(os.path.join(ex, "*.timer")):
    txt = open(t).read()
    cal = re.search(r"^OnCalendar=(.*)$", txt, re.M).group(1)
    unit = re.search(r"^Unit=(.*)$", txt, re.M)
    unit = unit.group(1) if unit else os.path.basename(t)[:-6] + ".service"
    if "@" in unit:
        steps = [unit.split("@")[1].split(".")[0]]
    else:
        steps = re.findall(r"^ExecStart=.*scripts/([a-z]+)\.sh",
                           open(os.path.join(ex, unit)).read(), re.M)
    h = re.search(r" (\d\d):\d\d America/New_York$", cal)
    for st in steps:
        if st in seen:
            check(os.path.basename(t), st, cal.startswith("Mon..Fri "),
                  int(h.group(1)) if h else -1)
for d in yaml.safe_load(open(os.path.join(top, "prefect.yaml")))["deployments"]:
    st = d["parameters"]["step"]
    for sc in d.get("schedules", []) if st in seen else []:
        c = sc["cron"].split()
        ny = sc.get("timezone") == "America/New_York"
        check("prefect.yaml " + d["name"], st, c[4] == "1-5", int(c[1]) if ny else -1)
for st, n in seen.items():
    if n < 3:
        bad.append(f"{st}: has a staleness alert but {n} schedules (crontab, timer, prefect.yaml)")
print("\n".join(bad), file=sys.stderr)
sys.exit(1 if bad else 0)
PY
if /usr/bin/python3 -c 'import yaml' 2> /dev/null; then
	t_exit "staleness alerts: weekday-aware for every pushed job; every schedule of it on weekdays" 0 \
		/usr/bin/python3 "$T_TMP/agree.py" "$SC_TOP"
	sed "s/^/# /" "$T_ERR"
else
	t_skip "staleness alerts against the schedules: /usr/bin/python3 with python3-yaml needed"
fi
# No stray comment inside a unit's sections: a comment there only introduces
# the StateDirectory= line it explains (the header above [Unit] says the rest).
for f in "$EX"/*.service "$EX"/*.timer; do
	t_check "$(basename "$f"): no stray comment in its sections" awk '
		/^\[/ { sec = 1; next }
		sec && /^#/ { pending = 1; next }
		pending && !/^StateDirectory=/ { bad++ }
		{ pending = 0 }
		END { exit bad > 0 || pending }' "$f"
done
make -s -n -C "$SC_TOP" install-systemd > "$T_TMP/install.n" 2>&1
t_grep "make install-systemd: its hint enables every timer" \
	"enable --now $(cd "$EX" && echo ./*.timer | sed 's#\./##g')" "$T_TMP/install.n"
t_done
