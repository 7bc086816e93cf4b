# shellcheck shell=sh disable=SC2154 # work, kind, features: set by common.sh and evaluate.sh
# Sourced by evaluate.sh after common.sh: scoring only what a model never
# saw.  unseen_only keeps the forecasts after the model's last training
# day (the model records its training dates); served_forecasts scores the
# forecasts inference stored, with their actual closes filled in from the
# stored history as the days arrive; fresh_backtest scores a backtest that
# refits on the days before each forecast only.

# unseen_only MODEL PRED: drop from the predictions CSV PRED the rows whose
# asof is on or before MODEL's training date_to, and say so.  Returns 1
# (and says it refuses) when no row is left.
unseen_only() {
	_to=$(json_str "$1" date_to)
	if [ -z "$_to" ]; then
		log "warning: the model records no training dates: the window is not checked against them"
		return 0
	fi
	_all=$(($(wc -l < "$2") - 1))
	awk -F, -v to="$_to" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == "asof") c = i
			if (!c) for (i = 1; i <= NF; i++) if ($i == "date") c = i
			print; next }
		c && $c > to' "$2" > "$2.unseen"
	_n=$(($(wc -l < "$2.unseen") - 1))
	if [ "$_n" -eq 0 ]; then
		log "refusing to score the model on the test window: all $_all forecasts are as of $_to or before, its last training day (its own training data)"
		return 1
	fi
	if [ "$_n" -lt "$_all" ]; then
		log "window shortened: $((_all - _n)) of $_all forecasts are as of $_to or before, the model's last training day; scoring the $_n after it"
	fi
	mv "$2.unseen" "$2"
}

# fill_actuals HISTORY IN OUT: IN's rows (any predictions CSV, columns by
# name, with or without date and source) in the current form, the forecast
# day being the date column or else the ticker's next day in HISTORY after
# asof, and actual_close its close in HISTORY (empty until it is there).
fill_actuals() {
	awk -F, -v OFS=, '
		FNR == 1 { for (i = 1; i <= NF; i++) col[FILENAME, $i] = i
			if (FILENAME == ARGV[1]) {
				hd = col[FILENAME, "date"]; ht = col[FILENAME, "ticker"]
				hc = col[FILENAME, "close"]
			} else if (!done++)
				print "asof,date,ticker,close,predicted_close,actual_close,lower,upper,model,source"
			next }
		FILENAME == ARGV[1] {
			if (($ht, prev[$ht]) in seen) next_day[$ht, prev[$ht]] = $hd
			cl[$ht, $hd] = $hc; seen[$ht, $hd] = 1; prev[$ht] = $hd; next }
		function f(name) { return (FILENAME, name) in col ? $col[FILENAME, name] : "" }
		{ t = f("ticker"); a = f("asof"); d = f("date")
		  if (d == "" && (t, a) in next_day) d = next_day[t, a]
		  y = (t, d) in cl ? cl[t, d] : ""
		  s = f("source"); if (s == "") s = "model"
		  print a, d, t, f("close"), f("predicted_close"), y, f("lower"), f("upper"), f("model"), s }
	' "$1" "$2" > "$3"
}

# served_forecasts: score the forecasts inference stored for the last
# SC_TEST_DAYS days up to SC_TODAY; store them with their actual closes as
# evaluations/SC_TODAY-served.csv and the metrics as .json, push them (job
# stockcast_evaluate_served).  A forecast as of a day its model was
# trained on (a rerun of inference for a past day) is left out.
served_forecasts() {
	_p=${out_prefix:-}
	sc-fetch -l "${_p}predictions/" > "$work/plist" || exit $?
	sed -n 's#.*/\([0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]\)\.csv$#\1#p' "$work/plist" |
		awk -v today="$SC_TODAY" '$1 <= today' | LC_ALL=C sort | tail -n "$SC_TEST_DAYS" > "$work/pdays"
	if [ ! -s "$work/pdays" ]; then
		log "no stored forecasts (${_p}predictions/) up to $SC_TODAY: nothing served to score"
		return 0
	fi
	: > "$work/served.raw"
	while read -r _d; do
		get "${_p}predictions/$_d.csv" "$work/p.$_d.csv" < /dev/null || exit $?
		fill_actuals "$work/ohlcv.csv" "$work/p.$_d.csv" "$work/f.$_d.csv"
		if [ -s "$work/served.raw" ]; then
			tail -n +2 "$work/f.$_d.csv" >> "$work/served.raw"
		else
			cat "$work/f.$_d.csv" > "$work/served.raw"
		fi
	done < "$work/pdays"
	# The training date_to of each model that made forecasts.
	: > "$work/trained"
	for _m in $(tail -n +2 "$work/served.raw" | cut -d, -f9 | LC_ALL=C sort -u); do
		case $_m in
		*/*)
			if get "models:/$_m" "$work/m.json" 2> /dev/null; then
				echo "$_m,$(json_str "$work/m.json" date_to)" >> "$work/trained"
			fi ;;
		esac
	done
	awk -F, 'FILENAME == ARGV[1] { to[$1] = $2; next }
		FNR == 1 || !(($9 in to) && to[$9] != "" && $1 <= to[$9])' \
		"$work/trained" "$work/served.raw" > "$work/served.csv"
	_drop=$(($(wc -l < "$work/served.raw") - $(wc -l < "$work/served.csv")))
	[ "$_drop" -eq 0 ] ||
		log "left out $_drop stored forecasts made as of a day their model was trained on"
	_known=$(awk -F, 'NR > 1 && $6 != ""' "$work/served.csv" | wc -l)
	if [ "$_known" -eq 0 ]; then
		log "stored forecasts of $(wc -l < "$work/pdays") days: none has its actual close yet"
		return 0
	fi
	run sc-rmse -l "$SC_INTERVAL" -o "$work/served.json" "$work/served.csv"
	put "${_p}evaluations/$SC_TODAY-served.csv" "$work/served.csv"
	put "${_p}evaluations/$SC_TODAY-served.json" "$work/served.json"
	log "${_p}evaluations/$SC_TODAY-served.json: $_known forecasts served, RMSE $(json_num "$work/served.json" rmse), skill $(json_num "$work/served.json" skill), coverage $(json_num "$work/served.json" interval_coverage)"
	push "stockcast_evaluate_served${job_suffix:-}" "$work/served.json"
}

# fresh_backtest: a backtest of the last SC_EVAL_BACKTEST_DAYS (default
# SC_TEST_DAYS; 0: none) trading days with the model's features and target
# and the training step's forest, refit every SC_BACKTEST_REFIT days on the
# days before (so it never scores a model on its training days); stored as
# evaluations/SC_TODAY-backtest.csv and .json and pushed (job
# stockcast_evaluate_backtest).  Too short a history is logged, not fatal.
fresh_backtest() {
	_p=${out_prefix:-}
	_days=${SC_EVAL_BACKTEST_DAYS:-$SC_TEST_DAYS}
	case $_days in
	'' | *[!0-9]*) die 64 "SC_EVAL_BACKTEST_DAYS=$_days: want a whole number" ;;
	0) return 0 ;;
	esac
	_rc=0
	# shellcheck disable=SC2086 # SC_FOREST_ARGS is a list of options
	sc-backtest -d "$_days" -r "${SC_BACKTEST_REFIT:-20}" -i "$SC_INTERVAL" \
		${features:+-f "$features"} -T "$kind" $SC_FOREST_ARGS --seed "$SC_SEED" \
		-N "backtest/$SC_TODAY" --no-progress -o "$work/bt.csv" "$work/ohlcv.csv" \
		2> "$work/bt.err" || _rc=$?
	if [ "$_rc" -eq 65 ]; then
		log "no fresh backtest: $(head -n 1 "$work/bt.err")"
		return 0
	elif [ "$_rc" -ne 0 ]; then
		cat "$work/bt.err" >&2
		die "$_rc" "sc-backtest failed with exit status $_rc"
	fi
	run sc-rmse -l "$SC_INTERVAL" -o "$work/bt.json" "$work/bt.csv"
	put "${_p}evaluations/$SC_TODAY-backtest.csv" "$work/bt.csv"
	put "${_p}evaluations/$SC_TODAY-backtest.json" "$work/bt.json"
	log "${_p}evaluations/$SC_TODAY-backtest.json: backtest of $_days days, RMSE $(json_num "$work/bt.json" rmse), skill $(json_num "$work/bt.json" skill), coverage $(json_num "$work/bt.json" interval_coverage)"
	push "stockcast_evaluate_backtest${job_suffix:-}" "$work/bt.json"
}
