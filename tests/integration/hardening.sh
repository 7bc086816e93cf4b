#!/usr/bin/env bash
# No silent loss, right codes, right names: the defects of the second
# adversarial round (issue 15), each with the rule that catches its
# siblings.  Outputs named twice (./X, ../dir/X, a link) are refused; an
# output through a link writes the target; "name/" is never a file; a store
# reached through links lists what was written there; Pushgateway job and
# label values must be UTF-8; sc-push refuses an object past its limit.
. "$(dirname "$0")/../lib.sh"

cd "$T_TMP" || exit 1
sc-fetch --from 2020-01-01 --to 2022-06-01 synthetic:AAPL > raw.csv
sc-split -o train.csv -t test.csv raw.csv
sc-forest --trees 5 -o m.json train.csv

# -- -o and -t naming one file: by device and inode, not by spelling.
mkdir -p sub
for t in ./X ../"$(basename "$T_TMP")"/X sub/../X Xlink; do
	rm -f X Xlink
	ln -s X Xlink
	t_exit "sc-split -o X -t $t (X absent): 64" 64 sc-split -o X -t "$t" raw.csv
	touch X
	t_exit "sc-split -o X -t $t (X there): 64" 64 sc-split -o X -t "$t" raw.csv
	t_grep "sc-split -o X -t $t: says so" 'name the same file' "$T_ERR"
done
t_check "X left alone" test ! -s X
t_exit "sc-split -o X -t Y still works" 0 sc-split -o X -t Y raw.csv

# -- -o through a symbolic link writes the target and keeps the link.
rm -f target.csv
ln -s target.csv link.csv
t_exit "sc-fetch -o a link to a new file" 0 sc-fetch -o link.csv - < raw.csv
t_check "the link is still a link" test -L link.csv
t_check "the target holds the data" cmp -s target.csv raw.csv
rm -f target2.csv
ln -s target2.csv link2.csv
t_exit "sc-push PATH through a link" 0 sc-push ./link2.csv < raw.csv
t_check "sc-push kept the link, wrote the target" sh -c 'test -L link2.csv && cmp -s target2.csv raw.csv'
mkdir -p real
ln -s real/deep.csv deeplink.csv
t_exit "sc-split -o a link into a directory" 0 sc-split -o deeplink.csv -t t2.csv raw.csv
t_check "the link kept, the target written" sh -c 'test -L deeplink.csv && test -s real/deep.csv'

# -- "name/" names a directory: never a file called name.
t_exit "sc-fetch -o dir/: 73" 73 sc-fetch -o newdir/ - < raw.csv
t_grep "sc-fetch -o dir/: says why" 'newdir/: Is a directory$' "$T_ERR"
t_exit "sc-push PATH/: 73" 73 sc-push ./newdir2/k/ < raw.csv
t_check "no file named k made" test ! -e newdir2/k
export SC_STORE=$T_TMP/store
mkdir -p store/dir
echo a > store/dir/f
t_exit "sc-push KEY/: 64" 64 sc-push dir/new/ < raw.csv
t_exit "sc-push --delete KEY/: 64" 64 sc-push --delete dir/f/
t_check "dir/f kept, dir/new not made" sh -c 'test -s store/dir/f && test ! -e store/dir/new'

# -- A store whose models/ is a link: listing and writing agree.
mkdir -p elsewhere/models
rm -rf store2 && mkdir store2 && ln -s ../elsewhere/models store2/models
ln -s .. elsewhere/models/loop
export SC_STORE=$T_TMP/store2
t_exit "register through a linked models/" 0 sc-push --run-id r1 models:/m < m.json
t_check "version 1" grep -qx 1 "$T_OUT"
t_check "no warning about the index" test ! -s "$T_ERR"
t_exit "register again" 0 sc-push --run-id r2 models:/m < m.json
t_check "version 2" grep -qx 2 "$T_OUT"
t_exit "latest is fetched" 0 sc-fetch -o got.json models:/m/latest
t_check "the model came back" cmp -s got.json m.json
t_exit "listing follows the link (and not the loop)" 0 sc-fetch -l models/
t_grep "listing shows version 2" '^models/m/2/model.json' "$T_OUT"
t_check "the loop is not walked" sh -c "! grep -q loop '$T_OUT'"
unset SC_STORE

# -- Pushgateway job and label values must be UTF-8 (a bad one breaks the
# gateway for everyone).
printf 'm 1\n' > m.prom
t_exit "sc-push -j not UTF-8: 64" 64 sc-push -n -f prom -j "$(printf 'ok\377')" < m.prom
t_grep "says job" 'job: not valid UTF-8' "$T_ERR"
t_exit "sc-push -l value not UTF-8: 64" 64 sc-push -n -f prom -j ok -l "env=$(printf '\300\257')" < m.prom
t_grep "says the label" 'label env: value not valid UTF-8' "$T_ERR"
t_exit "sc-push -l a surrogate: 64" 64 sc-push -n -f prom -j ok -l "env=$(printf '\355\240\200')" < m.prom
t_exit "sc-push -j UTF-8 is fine" 0 sc-push -n -f prom -j "jöb" -l "env=prod€" < m.prom

# -- Outputs checked before the work: no trial runs when -o cannot be
# written (sc-tune ran its whole search first).
t_exit "sc-tune -o /nodir/m.json: 73 before the search" 73 \
	sc-tune -n 40 -o /nonexistent-dir/m.json train.csv
t_check "no trial was run" test ! -s "$T_OUT"
t_grep "names the output" '^sc-tune: /nonexistent-dir/m.json: No such file or directory$' "$T_ERR"
t_exit "sc-forest -o /nodir/m.json: 73 before the fit" 73 \
	sc-forest -v -o /nonexistent-dir/m.json train.csv
t_check "nothing was fitted" sh -c "! grep -q 'rows, .* features' '$T_ERR'"
t_exit "sc-tune -o dir/: 73" 73 sc-tune -n 2 -o newdir3/ train.csv

# -- sc-push: an object past the maximum size is refused, nothing written.
export SC_STORE=$T_TMP/store3
SC_MAX_OBJECT_BYTES=100000 t_exit "sc-push KEY < /dev/zero: refused (65)" 65 \
	sc-push zeros < /dev/zero
t_grep "says the limit" 'larger than the maximum object size, 100000 bytes' "$T_ERR"
t_check "no object, no temporary file" sh -c "test -z \"\$(find '$T_TMP/store3' -type f)\""
head -c 200000 /dev/zero > z.bin
SC_MAX_OBJECT_BYTES=100000 t_exit "sc-push PATH < a file past the limit: 65" 65 \
	sc-push ./z-copy.bin < z.bin
t_check "no copy made" test ! -e z-copy.bin
SC_MAX_OBJECT_BYTES=300000 t_exit "sc-push under the limit: 0" 0 sc-push zeros < z.bin
t_exit "SC_MAX_OBJECT_BYTES past 5 GiB: 78" 78 env SC_MAX_OBJECT_BYTES=6000000000 sc-push zeros < z.bin
if t_start_s3rver lim 2> /dev/null; then
	SC_MAX_OBJECT_BYTES=100000 t_exit "S3: sc-push s3:// < /dev/zero: 65" 65 \
		sc-push s3://lim/zeros < /dev/zero
	t_exit "S3: no object" 66 sc-fetch s3://lim/zeros
	SC_MAX_OBJECT_BYTES=100000 t_exit "S3: a seekable file past the limit: 65" 65 \
		sc-push s3://lim/zeros < z.bin
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_ENDPOINT_URL
else
	t_skip "S3 object size: s3rver not available (make deps)"
fi
unset SC_STORE

# -- A UTF-8 byte-order mark on the first line is accepted everywhere.
sc-predict -m m.json test.csv > pred.csv
for f in raw train test pred; do
	printf '\357\273\277' > "bom-$f.csv"
	cat "$f.csv" >> "bom-$f.csv"
done
t_exit "BOM: sc-split" 0 sc-split -o bs1.csv -t bs2.csv bom-raw.csv
t_check "BOM: sc-split wrote the same tables" sh -c 'sc-split -o ns1.csv -t ns2.csv raw.csv && cmp -s bs1.csv ns1.csv && cmp -s bs2.csv ns2.csv'
t_exit "BOM: sc-predict" 0 sc-predict -m m.json bom-test.csv
t_check "BOM: sc-predict: the same predictions" cmp -s "$T_OUT" pred.csv
t_exit "BOM: sc-forest" 0 sc-forest --trees 2 -o bm.json bom-train.csv
t_exit "BOM: sc-tune" 0 sc-tune -n 1 --folds 2 bom-train.csv
t_exit "BOM: sc-rmse" 0 sc-rmse bom-pred.csv
t_exit "BOM: sc-push -n (predictions)" 0 sc-push -n -j x < bom-pred.csv

# -- sc-predict reads only the model's features: other columns, text or
# not, before or after them, are ignored as its help says.
awk -F, 'BEGIN { OFS = "," } NR == 1 { print "note", $0, "extra"; next } { print "some text", $0, "x y" }' test.csv > extra.csv
t_exit "sc-predict ignores unused text columns" 0 sc-predict -m m.json extra.csv
t_check "the same predictions" cmp -s "$T_OUT" pred.csv

# -- A write error names the output, not "output".
export SC_STORE=$T_TMP/store2
t_exit "sc-fetch -o /dev/full models:/...: 74" 74 sc-fetch -o /dev/full models:/m/latest
t_grep "sc-fetch names the output" '^sc-fetch: /dev/full: No space left on device$' "$T_ERR"
t_exit "sc-fetch -o /dev/full KEY: 74" 74 sc-fetch -o /dev/full models/m/index.json
t_grep "sc-fetch KEY names the output" '^sc-fetch: /dev/full: No space left on device$' "$T_ERR"
t_exit "sc-predict -o /dev/full: 74" 74 sc-predict -m m.json -o /dev/full test.csv
t_grep "sc-predict names the output" '^sc-predict: /dev/full: No space left on device$' "$T_ERR"
unset SC_STORE

# -- Permission refused is 77 everywhere (reading, creating, a store key):
# one mapping of EACCES and EPERM in sc_err.  As root, run as nobody.
if [ "$(id -u)" -ne 0 ]; then
	asuser() { "$@"; }
elif command -v setpriv > /dev/null; then
	asuser() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
else
	asuser() { return 1; }
fi
if [ "$(id -u)" -ne 0 ] || command -v setpriv > /dev/null; then
	chmod 711 "$T_TMP"
	mkdir -p perm/ro && cp pred.csv perm/p.csv && chmod 000 perm/p.csv
	chmod 555 perm/ro && chmod 755 perm
	chmod 644 raw.csv test.csv m.json
	t_exit "unreadable input: sc-rmse 77" 77 asuser sc-rmse perm/p.csv
	t_grep "says so" '^sc-rmse: perm/p.csv: Permission denied$' "$T_ERR"
	t_exit "unreadable model: sc-predict 77" 77 asuser sc-predict -m perm/p.csv test.csv
	t_exit "unwritable directory: sc-fetch -o 77" 77 asuser sc-fetch -o perm/ro/x.csv synthetic:AAPL
	t_exit "unwritable directory: sc-split 77" 77 asuser sc-split -o perm/ro/a.csv -t perm/ro/b.csv raw.csv
	t_exit "unwritable store: sc-push KEY 77" 77 asuser env SC_STORE="$T_TMP/perm/ro" sc-push k < raw.csv
	t_exit "unwritable directory: sc-forest -o 77" 77 asuser sc-forest -o perm/ro/m.json train.csv
	chmod 755 perm/ro
	chmod 700 "$T_TMP"
else
	t_skip "permission: root without setpriv"
fi

# -- sc-rmse with nothing to score: 65 and no output (register.sh read the
# null RMSE as 0 and kept a champion it could not score).
printf 'asof,ticker,close,predicted_close,actual_close,lower,upper,model\n2025-01-02,AAPL,1,1.1,,,,m\n' > noactual.csv
t_exit "sc-rmse: nothing scored: 65" 65 sc-rmse -o nothing.json noactual.csv
t_grep "sc-rmse says why" 'noactual.csv: no row has both a prediction and an actual value' "$T_ERR"
t_check "no metrics written" test ! -e nothing.json

t_done
