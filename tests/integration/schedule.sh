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
t_check "crontab: inference weekdays after the close, New York time" \
	grep -q '^30 17  \*   \*   1-5 .*scripts/inference.sh' "$EX/crontab"
t_grep "crontab: time zone" '^CRON_TZ=America/New_York$' "$EX/crontab"
t_check "no secret value in the examples" sh -c "! grep -E 'AWS_SECRET_ACCESS_KEY=[A-Za-z0-9/+]{8}' '$EX'/*"
if command -v systemd-analyze > /dev/null 2>&1; then
	for f in "$EX"/*.timer; do
		cal=$(sed -n 's/^OnCalendar=//p' "$f")
		t_exit "$(basename "$f"): OnCalendar=$cal parses" 0 systemd-analyze calendar "$cal"
	done
	mkdir -p "$T_TMP/units"
	cp "$EX"/*.service "$EX"/*.timer "$T_TMP/units/"
	cp "$T_TMP/units/stockcast@.service" "$T_TMP/units/stockcast@inference.service"
	sed -i 's#/opt/stockcast#'"$SC_TOP"'#g; s#^User=.*#User=root#; s#^Group=.*#Group=root#' "$T_TMP"/units/*.service
	t_exit "systemd-analyze verify" 0 env SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no \
		"$T_TMP/units/stockcast@inference.service" "$T_TMP/units/stockcast-weekly.service"
	t_check "systemd-analyze: no warning" test ! -s "$T_ERR"
	sed "s/^/# /" "$T_ERR"
else
	t_skip "systemd units: systemd-analyze not installed"
fi
t_done
