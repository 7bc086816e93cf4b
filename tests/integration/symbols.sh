#!/usr/bin/env bash
# tests/symbols.sh (part of make lint): libsc exports only sc_* symbols,
# and the check fails on a library that exports another (a shared helper
# without the prefix), while static helpers and undefined references to
# libc do not count, nor names the implementation reserves (__*, such as
# the __odr_asan.* that AddressSanitizer adds for each global).
. "$(dirname "$0")/../lib.sh"

lint="$SC_TOP/tests/symbols.sh"
t_exit "libsc exports only sc_* symbols" 0 sh "$lint" "$SC_BIN/../libsc.a"
t_check "and says nothing" test ! -s "$T_OUT"

cd "$T_TMP" || exit 1
printf 'static int helper(void) { return 1; }\nint sc_ok_fn(void) { return helper(); }\nint sc_ok_var = 1;\n' > ok.c
printf '#include <string.h>\nint sc_ok2(const char *s) { return (int)strlen(s); }\n' > ok2.c
printf 'int rp_get(void) { return 2; }\n' > bad.c
printf 'int __impl_reserved = 3;\n' > impl.c
${CC:-cc} -c ok.c ok2.c bad.c impl.c || exit 1
ar rcs good.a ok.o ok2.o impl.o
ar rcs bad.a ok.o bad.o
t_exit "static helpers, libc references and __ names pass" 0 sh "$lint" good.a
t_exit "an unprefixed global fails" 1 sh "$lint" bad.a
t_grep "naming the object and the symbol" 'bad.o exports rp_get, not sc_\*' \
	"$T_OUT"
t_exit "a missing library fails" 1 sh "$lint" "$T_TMP/none.a"

t_done
