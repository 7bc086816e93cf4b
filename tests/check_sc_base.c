/* SPDX-License-Identifier: ISC */
/* The small base modules: errors, numbers, dates, buffers, atomic output. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <check.h>

#include "check_sc.h"
#include "sc_buf.h"
#include "sc_date.h"
#include "sc_err.h"
#include "sc_io.h"
#include "sc_num.h"

START_TEST(test_base_err_set)
{
	struct sc_err e = { 0 };
	char longer[700];

	ck_assert_int_eq(sc_err_set(&e, SC_EDATA, 42, "column \"%s\"", "x"),
	    -1);
	ck_assert_int_eq(e.line, 42);
	ck_assert_str_eq(e.msg, "column \"x\"");
	ck_assert_int_eq(sc_exit_status(&e), EX_DATAERR);
	sc_err_prefix(&e, "stdin");
	ck_assert_str_eq(e.msg, "stdin: column \"x\"");
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	sc_err_set(&e, SC_ENOPERM, 0, "%s", longer);
	ck_assert_uint_eq(strlen(e.msg), sizeof(e.msg) - 1);
	ck_assert_str_eq(e.msg + sizeof(e.msg) - 4, "...");
	ck_assert_int_eq(sc_exit_status(&e), EX_NOPERM);
	sc_err_errno(&e, SC_EIO, ENOSPC, "%s", "out.csv");
	ck_assert_str_eq(e.msg, "out.csv: No space left on device");
	ck_assert_int_eq(sc_err_set(NULL, SC_EDATA, 0, "x"), -1);
}
END_TEST

/* No form of a planted secret survives in a message. */
START_TEST(test_base_err_redact)
{
	static const char key[] = "k+y/Se=cret9";
	static const char *const shows[] = { "k+y/Se=cret9",
		"k%2By%2FSe%3Dcret9", "k%2by%2fSe%3dcret9",
		"k%252By%252FSe%253Dcret9", "k+y\\/Se=cret9",
		"k\\u002by/Se=cret9" };
	struct sc_err e = { 0 };
	char pad[600], out[64];
	size_t i;

	ck_assert_int_eq(sc_err_secret(key), 0);
	ck_assert_int_eq(sc_err_secret("short"), 0); /* too short: kept out */
	for (i = 0; i < sizeof(shows) / sizeof(shows[0]); i++) {
		sc_err_set(&e, SC_EPROTO, 0, "body: x=%s&y", shows[i]);
		ck_assert_msg(strstr(e.msg, "cret") == NULL, "%s", e.msg);
		ck_assert_msg(strstr(e.msg, "***") != NULL, "%s", e.msg);
	}
	/* A long body: the cut comes after the redaction. */
	memset(pad, 'a', sizeof(pad));
	sc_err_set(&e, SC_EPROTO, 0, "%.*s%s", (int)(sizeof(e.msg) - 6), pad,
	    key);
	ck_assert_ptr_null(strstr(e.msg, "k+y/S"));
	sc_err_set(&e, SC_EPROTO, 0, "%.*s%s", (int)(sizeof(e.msg) - 12), pad,
	    key);
	ck_assert_ptr_null(strstr(e.msg, "k+y/S"));
	/* A cut before: most of the key, then "...". */
	sc_err_set(&e, SC_EPROTO, 0, "said: k+y/Se=cr...");
	ck_assert_str_eq(e.msg, "said: ***...");
	/* URL passwords, credential parameters and headers. */
	sc_err_set(&e, SC_EPROTO, 0,
	    "GET http://u:pa55@h:1/x?a=1&apikey=ZZ"
	    "&X-Amz-Signature=abc#f: HTTP 500");
	ck_assert_str_eq(e.msg,
	    "GET http://u:***@h:1/x?a=1&apikey=***&X-Amz-Signature=***#f: "
	    "HTTP 500");
	sc_err_set(&e, SC_ENOPERM, 0,
	    "<Message>X-Amz-Security-Token: FQoG/x+y</Message> token=T1");
	ck_assert_str_eq(e.msg,
	    "<Message>X-Amz-Security-Token: ***</Message> token=***");
	/* Prose keeps its words. */
	sc_err_set(&e, SC_EDATA, 3, "unexpected token: '{' at 10:20");
	ck_assert_str_eq(e.msg, "unexpected token: '{' at 10:20");
	/* Control bytes escaped; prefix and errno messages go through too. */
	sc_err_set(&e, SC_EDATA, 0, "a\033[2Jb\n");
	ck_assert_str_eq(e.msg, "a\\x1b[2Jb\\x0a");
	sc_err_prefix(&e, "http://u:%s@h/", key);
	ck_assert_str_eq(e.msg, "http://u:***@h/: a\\x1b[2Jb\\x0a");
	sc_err_errno(&e, SC_EIO, EACCES, "%s", key);
	ck_assert_str_eq(e.msg, "***: Permission denied");
	ck_assert_int_eq(sc_exit_status(&e), EX_NOPERM);
	ck_assert_uint_eq(sc_err_clean(out, sizeof(out), "x\001y", 3), 6);
	ck_assert_str_eq(out, "x\\x01y");
	sc_err_secret_clear();
	sc_err_set(&e, SC_EDATA, 0, "%s", key);
	ck_assert_str_eq(e.msg, key);
}
END_TEST

/* A long name gives way to the cause, which always shows. */
START_TEST(test_base_err_long_cause)
{
	struct sc_err e = { 0 };
	char name[5000];

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	sc_err_errno(&e, SC_ECANTCREAT, ENAMETOOLONG, "%s", name);
	ck_assert_uint_lt(strlen(e.msg), sizeof(e.msg));
	ck_assert_ptr_nonnull(strstr(e.msg, "...: File name too long"));
	sc_err_set(&e, SC_EIO, 0, "short cause");
	sc_err_prefix(&e, "%s", name);
	ck_assert_ptr_nonnull(strstr(e.msg, "...: short cause"));
}
END_TEST

START_TEST(test_base_err_codes)
{
	static const struct {
		enum sc_errcode code;
		int status;
	} map[] = { { SC_EOK, 0 }, { SC_EUSAGE, 64 }, { SC_EDATA, 65 },
		{ SC_ENOINPUT, 66 }, { SC_EUNAVAIL, 69 }, { SC_EINTERNAL, 70 },
		{ SC_EOS, 71 }, { SC_ECANTCREAT, 73 }, { SC_EIO, 74 },
		{ SC_ETEMP, 75 }, { SC_EPROTO, 76 }, { SC_ENOPERM, 77 },
		{ SC_ECONFIG, 78 } };
	struct sc_err e = { 0 };
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		e.code = map[i].code;
		ck_assert_int_eq(sc_exit_status(&e), map[i].status);
	}
}
END_TEST

START_TEST(test_base_num_parse)
{
	double v;
	long l;

	ck_assert_int_eq(sc_num_parse("1.25", 4, &v), 0);
	ck_assert_double_eq(v, 1.25);
	ck_assert_int_eq(sc_num_parse("-3e2", 4, &v), 0);
	ck_assert_double_eq(v, -300);
	ck_assert_int_eq(sc_num_parse("12xyz", 2, &v), 0);
	ck_assert_double_eq(v, 12);
	ck_assert_int_eq(sc_num_parse("", 0, &v), -1);
	ck_assert_int_eq(sc_num_parse(" 1", 2, &v), -1);
	ck_assert_int_eq(sc_num_parse("1,2", 3, &v), -1);
	ck_assert_int_eq(sc_num_parse("nan", 3, &v), -1);
	ck_assert_int_eq(sc_num_parse("inf", 3, &v), -1);
	ck_assert_int_eq(sc_num_parse("0x10", 4, &v), -1);
	ck_assert_int_eq(sc_num_parse("1e999", 5, &v), -1);
	ck_assert_int_eq(sc_num_parse(".", 1, &v), -1);
	ck_assert_int_eq(sc_num_parse_long("30", 1, 100, &l), 0);
	ck_assert_int_eq(l, 30);
	ck_assert_int_eq(sc_num_parse_long("0", 1, 100, &l), -1);
	ck_assert_int_eq(sc_num_parse_long("3x", 1, 100, &l), -1);
	ck_assert_int_eq(sc_num_parse_long("", 1, 100, &l), -1);
	ck_assert_int_eq(sc_num_parse_range("0.9", 0, 1, &v), 0);
	ck_assert_int_eq(sc_num_parse_range("1.5", 0, 1, &v), -1);
}
END_TEST

START_TEST(test_base_num_fmt_roundtrip)
{
	static const double vals[] = { 0.1, 74.05999755859375,
		72.71607208251953, 1500, 1e-7, 123456789012345678.0, -2.5,
		1.0 / 3, 18565664997.0, 5e-324, 1.7976931348623157e308 };
	char buf[SC_NUM_BUFSZ];
	size_t i;
	unsigned long long bits = 0x9e3779b97f4a7c15ULL;

	ck_assert_str_eq(sc_num_fmt(0.1, buf), "0.1");
	ck_assert_str_eq(sc_num_fmt(1500, buf), "1500");
	ck_assert_str_eq(sc_num_fmt(74.05999755859375, buf),
	    "74.05999755859375");
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		ck_assert(strtod(sc_num_fmt(vals[i], buf), NULL) == vals[i]);
	for (i = 0; i < 100000; i++) {
		double v;

		bits ^= bits << 13;
		bits ^= bits >> 7;
		bits ^= bits << 17;
		memcpy(&v, &bits, sizeof(v));
		if (!isfinite(v))
			continue;
		ck_assert(strtod(sc_num_fmt(v, buf), NULL) == v);
	}
}
END_TEST

/* The printer as it was: snprintf at 15, 16, 17 digits. */
static void
fmt_reference(double v, char *buf)
{
	int prec;

	for (prec = 15; prec <= 17; prec++) {
		snprintf(buf, SC_NUM_BUFSZ, "%.*g", prec, v);
		if (prec == 17 || strtod(buf, NULL) == v)
			break;
	}
}

/* The exact-integer digits give printf's text, digit for digit. */
START_TEST(test_base_num_fmt_like_printf)
{
	char a[SC_NUM_BUFSZ], b[SC_NUM_BUFSZ];
	unsigned long long bits = 0x2545f4914f6cdd1dULL;
	double scale[] = { 1e-7, 1e-5, 0.001, 1, 37, 1000, 1e6, 4e15, 1e17 };
	size_t i;

	for (i = 0; i < 300000; i++) {
		double v;

		bits ^= bits << 13;
		bits ^= bits >> 7;
		bits ^= bits << 17;
		v = (double)(bits >> 11) / 9007199254740992.0 *
		    scale[i % (sizeof(scale) / sizeof(scale[0]))];
		if (i & 1)
			v = -v;
		if (i % 7 == 0)
			v = round(v * 100) / 100; /* prices */
		sc_num_fmt17(v, a);
		snprintf(b, sizeof(b), "%.17g", v);
		ck_assert_msg(strcmp(a, b) == 0, "%.17g: %s", v, a);
		sc_num_fmt(v, a);
		fmt_reference(v, b);
		ck_assert_msg(strcmp(a, b) == 0, "%.17g: %s, want %s", v, a, b);
	}
	ck_assert_str_eq(sc_num_fmt(113.13, a), "113.13");
	ck_assert_str_eq(sc_num_fmt(1e-5, a), "1e-05");
	ck_assert_str_eq(sc_num_fmt(2.5e-7, a), "2.5e-07");
	ck_assert_str_eq(sc_num_fmt(-0.03125, a), "-0.03125");
}
END_TEST

/* The parser as it was: a character whitelist, then strtod(). */
static int
parse_reference(const char *s, size_t n, double *out)
{
	char buf[64], *end;
	size_t i;
	int digits = 0;
	double v;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (strchr("+-.eE", s[i]) == NULL || s[i] == '\0')
			return -1;
	}
	if (digits == 0)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	v = strtod(buf, &end);
	if (end != buf + n || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

/*
 * sc_num_parse() accepts what the reference accepts, to the same bits.
 * (Plain tests, not ck_assert: Check sends a message per assertion, and
 * these run millions of times.)
 */
static void
parse_same(const char *s)
{
	double a = 0, b = 0;
	int ra = sc_num_parse(s, strlen(s), &a);
	int rb = parse_reference(s, strlen(s), &b);

	if (ra != rb)
		ck_abort_msg("%s: %d, want %d", s, ra, rb);
	if (ra == 0 && memcmp(&a, &b, sizeof(a)) != 0)
		ck_abort_msg("%s: %a, want %a", s, a, b);
}

static unsigned long long
xorshift(unsigned long long *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static double
bits_double(unsigned long long b)
{
	double v;

	memcpy(&v, &b, sizeof(v));
	return v;
}

/* Both printers and the parser on one value. */
static void
num_same(double v)
{
	char a[SC_NUM_BUFSZ], b[SC_NUM_BUFSZ];
	int n = sc_num_fmtn(v, a);

	fmt_reference(v, b);
	if (strcmp(a, b) != 0 || n != (int)strlen(a))
		ck_abort_msg("%a: %s (%d), want %s", v, a, n, b);
	parse_same(a);
	sc_num_fmt17(v, a);
	snprintf(b, sizeof(b), "%.17g", v);
	if (strcmp(a, b) != 0)
		ck_abort_msg("%a: %s, want %s", v, a, b);
	parse_same(a);
}

/* Values at the edges: powers of 2 and 10, subnormals, ties, extremes. */
START_TEST(test_base_num_hard)
{
	static const char *texts[] = { "2.2250738585072011e-308",
		"2.2250738585072012e-308", "2.2250738585072014e-308",
		"4.9406564584124654e-324", "2.4703282292062327e-324",
		"2.4703282292062328e-324", "1e-324", "1e-400", "-1e-400",
		"1.7976931348623157e308", "1.7976931348623158e308",
		"1.7976931348623159e308", "1e308", "1e309", "9007199254740993",
		"9007199254740995", "9007199254740992.5", "4503599627370495.5",
		"4503599627370496.5", "1e23", "8.589973e9", "0.1", "0.3",
		"123456789012345678", "1234567890123456789",
		"12345678901234567890", "123456789012345678901e-21",
		"1.00000000000000011102230246251565404236316680908203125",
		"1.00000000000000011102230246251565404236316680908203124",
		"1.00000000000000011102230246251565404236316680908203126",
		"0000000000000000000000000000001.5", "0.000000000000000000001",
		"-0", "+0", "0e999999", "0.0e-999999", "1e-99999999999",
		"1e99999999999", "+.5", "-5.", "5.e3", ".5E+3", "1e", "1e+",
		"e5", ".", "+", "-", "--1", "+-1", "1.2.3", "1e5e5", "1e5.5",
		".e1", "1 ", " 1", "1\t", "0x1p3", "inf", "-nan", "infinity",
		"1,5", "" };
	static const double vals[] = { 5e-324, 1e-323, 2.2250738585072009e-308,
		2.2250738585072014e-308, 1.7976931348623157e308, 1e23, 1e22,
		9007199254740993.0, 4503599627370495.5, 0.1, 0.2, 0.3, 5e-310,
		1e-310, 123456789012345678.0, 1e16, 1e17, 99999999999999999.0,
		0.000001, 0.0000009999999999999999, 1e21, 1e15,
		999999999999999.9 };
	char buf[80];
	size_t i;
	int k;
	double v;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		parse_same(texts[i]);
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		num_same(vals[i]);
		num_same(-vals[i]);
	}
	for (k = -1074; k <= 1023; k++) { /* powers of two, and beside */
		v = ldexp(1, k);
		num_same(v);
		num_same(nextafter(v, 0));
		num_same(nextafter(v, INFINITY));
	}
	for (k = -323; k <= 308; k++) { /* powers of ten, and beside */
		snprintf(buf, sizeof(buf), "1e%d", k);
		parse_same(buf);
		v = strtod(buf, NULL);
		num_same(v);
		num_same(nextafter(v, 0));
		num_same(nextafter(v, INFINITY));
	}
	for (i = 1; i < 4096; i++) { /* the smallest subnormals */
		num_same(bits_double(i));
		num_same(bits_double(0x000fffffffffffffULL - i));
	}
	for (i = 0; i < 20000; i++) { /* integers near 2^53, halves near 2^52 */
		num_same((double)(9007199254740992ULL - 10000 + i));
		num_same(4503599627370496.0 - 5000 + (double)i * 0.5);
	}
}
END_TEST

/* Half a million doubles of any bit pattern, and random number texts. */
START_TEST(test_base_num_random)
{
	static const char alpha[] = "0123456789+-.eE";
	unsigned long long x = 0x853c49e6748fea9bULL;
	char s[80];
	long i;
	int n, j, dot;
	double v;

	for (i = 0; i < 500000; i++) {
		v = bits_double(xorshift(&x));
		if (isfinite(v))
			num_same(v);
	}
	for (i = 0; i < 300000; i++) { /* digit strings, any exponent */
		n = 1 + (int)(xorshift(&x) % 24);
		dot = (int)(xorshift(&x) % (unsigned)(n + 2));
		for (j = 0; j < n; j++)
			s[j] = (char)('0' + xorshift(&x) % 10);
		s[n] = '\0';
		if (dot < n) {
			memmove(s + dot + 1, s + dot, (size_t)(n - dot + 1));
			s[dot] = '.';
		}
		if (i & 1)
			snprintf(s + strlen(s), 16, "e%d",
			    (int)(xorshift(&x) % 700) - 350);
		parse_same(s);
	}
	for (i = 0; i < 300000; i++) { /* the grammar's alphabet */
		n = 1 + (int)(xorshift(&x) % 8);
		for (j = 0; j < n; j++)
			s[j] = alpha[xorshift(&x) % (sizeof(alpha) - 1)];
		s[n] = '\0';
		parse_same(s);
	}
	for (i = 0; i < 300000; i++) { /* every precision printf can give */
		v = bits_double(xorshift(&x));
		if (!isfinite(v))
			continue;
		snprintf(s, sizeof(s), "%.*g", 1 + (int)(i % 25), v);
		parse_same(s);
		snprintf(s, sizeof(s), "%.*f", (int)(i % 12), v / 1e290);
		parse_same(s);
	}
}
END_TEST

START_TEST(test_base_date)
{
	char buf[SC_DATE_BUFSZ];
	long d;
	int y, m, dd;

	ck_assert_int_eq(sc_date_from_ymd(1970, 1, 1), 0);
	ck_assert_int_eq(sc_date_parse("2020-01-02", 10, &d), 0);
	ck_assert_int_eq(d, 18263);
	ck_assert_int_eq(sc_date_wday(d), 4); /* a Thursday */
	ck_assert_str_eq(sc_date_fmt(d, buf), "2020-01-02");
	ck_assert_int_eq(sc_date_parse("2024-02-29", 10, &d), 0);
	ck_assert_int_eq(sc_date_parse("2023-02-29", 10, &d), -1);
	ck_assert_int_eq(sc_date_parse("2023-13-01", 10, &d), -1);
	ck_assert_int_eq(sc_date_parse("2023-1-01", 9, &d), -1);
	ck_assert_int_eq(sc_date_parse("2023/01/01", 10, &d), -1);
	for (d = -800000; d < 3000000; d += 997) {
		sc_date_to_ymd(d, &y, &m, &dd);
		ck_assert_int_eq(sc_date_from_ymd(y, m, dd), d);
	}
}
END_TEST

START_TEST(test_base_buf)
{
	struct sc_buf b = { 0 };
	struct sc_err e = { 0 };

	ck_assert_int_eq(sc_buf_add(&b, "ab", 2, &e), 0);
	ck_assert_int_eq(sc_buf_printf(&b, &e, "%d-%s", 12, "x"), 0);
	ck_assert_str_eq(b.data, "ab12-x");
	ck_assert_uint_eq(b.len, 6);
	b.limit = 8;
	ck_assert_int_eq(sc_buf_add(&b, "xyz", 3, &e), -1);
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_uint_eq(b.len, 6);
	sc_buf_free(&b);
	sc_buf_free(&b);
}
END_TEST

START_TEST(test_base_io_atomic)
{
	char dir[] = "/tmp/sc-io-XXXXXX", path[64], buf[32];
	struct sc_err e = { 0 };
	struct sc_out *o;
	FILE *fp;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.csv", dir);
	fp = fopen(path, "w");
	fputs("old\n", fp);
	fclose(fp);

	/* Aborted: the old contents stay, no temporary file is left. */
	o = sc_out_open(path, &e);
	ck_assert_ptr_nonnull(o);
	fputs("half", sc_out_fp(o));
	sc_out_abort(o);
	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), fp));
	ck_assert_str_eq(buf, "old\n");
	fclose(fp);

	o = sc_out_open(path, &e);
	fputs("new\n", sc_out_fp(o));
	ck_assert_int_eq(sc_out_commit(o, &e), 0);
	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), fp));
	ck_assert_str_eq(buf, "new\n");
	fclose(fp);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0); /* fails if a temp file is left */

	ck_assert_ptr_null(sc_out_open("/nonexistent-dir/x.csv", &e));
	ck_assert_int_eq(e.code, SC_ECANTCREAT);
}
END_TEST

START_TEST(test_base_io_full_disk)
{
	struct sc_err e = { 0 };
	struct sc_out *o;

	/* It redirects stdout: only in a forked child. */
	if (access("/dev/full", W_OK) != 0 ||
	    (getenv("CK_FORK") != NULL && strcmp(getenv("CK_FORK"), "no") == 0))
		return;
	/* A write error must surface at commit, not pass silently. */
	o = sc_out_open("-", &e);
	ck_assert_ptr_nonnull(o);
	ck_assert_ptr_nonnull(freopen("/dev/full", "w", stdout));
	fputs("data\n", sc_out_fp(o));
	ck_assert_int_eq(sc_out_commit(o, &e), -1);
	ck_assert_int_eq(e.code, SC_EIO);
}
END_TEST

/* Another module's temporary file is removed by the signal cleanup. */
START_TEST(test_base_io_tracked_tmp)
{
	char dir[] = "/tmp/sc-io-XXXXXX", path[64];
	int fd, slot;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/.sc-tmp.XXXXXX", dir);
	ck_assert_int_ge(fd = sc_out_mkstemp(path, &slot), 0);
	ck_assert_int_ge(slot, 0);
	close(fd);
	sc_out_cleanup_signal();
	ck_assert_int_eq(access(path, F_OK), -1);
	sc_out_untrack(slot);
	/* once untracked, a file of the same name is left alone */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	sc_out_cleanup_signal();
	ck_assert_int_eq(access(path, F_OK), 0);
	unlink(path);
	rmdir(dir);
}
END_TEST

Suite *
sc_base_suite(void)
{
	Suite *s = suite_create("base");
	TCase *tc;

	tc = tcase_create("err");
	tcase_add_test(tc, test_base_err_set);
	tcase_add_test(tc, test_base_err_codes);
	tcase_add_test(tc, test_base_err_redact);
	tcase_add_test(tc, test_base_err_long_cause);
	suite_add_tcase(s, tc);
	tc = tcase_create("num");
	tcase_add_test(tc, test_base_num_parse);
	tcase_add_test(tc, test_base_num_fmt_roundtrip);
	tcase_add_test(tc, test_base_num_fmt_like_printf);
	tcase_add_test(tc, test_base_num_hard);
	tcase_add_test(tc, test_base_num_random);
	tcase_set_timeout(tc, 120); /* a million values against libc */
	suite_add_tcase(s, tc);
	tc = tcase_create("date");
	tcase_add_test(tc, test_base_date);
	suite_add_tcase(s, tc);
	tc = tcase_create("buf");
	tcase_add_test(tc, test_base_buf);
	suite_add_tcase(s, tc);
	tc = tcase_create("io");
	tcase_add_test(tc, test_base_io_atomic);
	tcase_add_test(tc, test_base_io_full_disk);
	tcase_add_test(tc, test_base_io_tracked_tmp);
	suite_add_tcase(s, tc);
	return s;
}
