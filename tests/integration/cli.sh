#!/usr/bin/env bash
# Every program follows the conventions of DESIGN.md: --help on stdout with
# exit 0, --version as "NAME (stockcast) X.Y.Z", a bad option gives one line
# and the usage on stderr with exit 64.
. "$(dirname "$0")/../lib.sh"

for prog in "$SC_BIN"/sc-*; do
	name=$(basename "$prog")
	t_exit "$name --help exits 0" 0 "$prog" --help
	t_grep "$name --help prints usage on stdout" "^usage: $name" "$T_OUT"
	t_exit "$name -h exits 0" 0 "$prog" -h
	t_exit "$name --version exits 0" 0 "$prog" --version
	t_grep "$name --version format" "^$name \(stockcast\) [0-9]+\.[0-9]+\.[0-9]+$" "$T_OUT"
	t_exit "$name bad option exits 64" 64 "$prog" --no-such-option
	t_grep "$name bad option prints usage on stderr" "^usage: $name" "$T_ERR"
	t_exit "$name --help > /dev/full exits 74" 74 sh -c "\"$prog\" --help > /dev/full"
done

# Real output to a full or closed stdout: 74 and the real cause, from every
# program that writes to stdout (sc-tune said 70 "stdout: ok").
cd "$T_TMP" || exit 1
sc-fetch --from 2020-01-01 --to 2022-06-01 synthetic:AAPL > raw.csv
sc-split -o train.csv -t test.csv raw.csv
sc-forest --trees 5 -o m.json train.csv
sc-predict -m m.json test.csv > pred.csv
printf 'm 1\n' > m.prom
while IFS='|' read -r label cmd; do
	t_exit "$label > /dev/full exits 74" 74 sh -c "$cmd > /dev/full"
	t_grep "$label > /dev/full says why" ': stdout: No space left on device$' "$T_ERR"
	t_exit "$label >&- exits 74" 74 sh -c "$cmd >&-"
	t_grep "$label >&- says why" ': stdout: Bad file descriptor$' "$T_ERR"
done << 'EOF'
sc-fetch|sc-fetch --from 2020-01-01 --to 2021-01-01 synthetic:AAPL
sc-split|sc-split -o - -t t2.csv raw.csv
sc-forest|sc-forest --trees 5 train.csv
sc-tune|sc-tune -n 2 train.csv
sc-predict|sc-predict -m m.json test.csv
sc-rmse|sc-rmse pred.csv
sc-push|sc-push -n -j job -f prom < m.prom
EOF

# Messages escape control bytes, and a long name keeps its cause.
t_exit "a name with an escape sequence" 66 sc-rmse "$(printf 'bad\033[2Jname\n.csv')"
t_grep "the escape is printed escaped" '^sc-rmse: bad\\x1b\[2Jname\\x0a\.csv: No such file' "$T_ERR"
t_check "no raw control byte on stderr" sh -c "! grep -q \"\$(printf '\\033')\" '$T_ERR'"
long=$(printf 'n%.0s' $(seq 3000))
t_exit "a 3000-byte output name" 73 sc-fetch -o "$T_TMP/$long" synthetic:AAPL
t_grep "the cause survives the cut" '\.\.\.: File name too long$' "$T_ERR"
t_done
