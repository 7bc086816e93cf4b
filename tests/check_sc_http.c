/* SPDX-License-Identifier: ISC */
/*
 * The HTTP helpers that need no network: percent-encoding, header lookup,
 * the backoff schedule (with a fake sleep) and Retry-After parsing.
 */
#include <string.h>
#include <time.h>

#include <check.h>

#include "sc_buf.h"
#include "sc_date.h"
#include "sc_http.h"

static double slept[16];
static int nslept;

static void
fake_sleep(double s)
{
	if (nslept < 16)
		slept[nslept] = s;
	nslept++;
}

static void
set_headers(struct sc_http_resp *r, const char *raw)
{
	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(sc_buf_add(&r->headers, raw, strlen(raw), NULL), 0);
}

START_TEST(test_http_escape_cases)
{
	struct sc_buf b = { 0 };

	ck_assert_int_eq(sc_http_escape(&b, "AZaz09-_.~", 0, NULL), 0);
	ck_assert_str_eq(b.data, "AZaz09-_.~");
	sc_buf_reset(&b);
	ck_assert_int_eq(sc_http_escape(&b, "^GSPC=X a/b&c", 0, NULL), 0);
	ck_assert_str_eq(b.data, "%5EGSPC%3DX%20a%2Fb%26c");
	sc_buf_reset(&b);
	ck_assert_int_eq(sc_http_escape(&b, "raw/a b", 1, NULL), 0);
	ck_assert_str_eq(b.data, "raw/a%20b");
	sc_buf_reset(&b);
	ck_assert_int_eq(sc_http_escape(&b, "\xc3\xa9", 0, NULL), 0);
	ck_assert_str_eq(b.data, "%C3%A9");
	sc_buf_reset(&b);
	ck_assert_int_eq(sc_http_escape(&b, "", 0, NULL), 0);
	ck_assert_str_eq(b.data, "");
	sc_buf_free(&b);
}
END_TEST

START_TEST(test_http_header_lookup)
{
	struct sc_http_resp r;
	char buf[64];

	set_headers(&r,
	    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
	    "X-Empty:\r\nset-cookie: a=1\r\nSet-Cookie: b=2  \r\n"
	    "Content-Typo: no\r\n\r\n");
	ck_assert_int_eq(sc_http_header(&r, "content-type", buf, sizeof(buf)),
	    16);
	ck_assert_str_eq(buf, "application/json");
	ck_assert_int_eq(sc_http_header(&r, "Set-Cookie", buf, sizeof(buf)), 3);
	ck_assert_str_eq(buf, "b=2"); /* the last one, trimmed */
	ck_assert_int_eq(sc_http_header(&r, "x-empty", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(sc_http_header(&r, "content", buf, sizeof(buf)), -1);
	ck_assert_int_eq(sc_http_header(&r, "Retry-After", buf, sizeof(buf)),
	    -1);
	/* a short buffer still gets a terminated prefix */
	ck_assert_int_eq(sc_http_header(&r, "content-type", buf, 5), 16);
	ck_assert_str_eq(buf, "appl");
	sc_http_resp_free(&r);
}
END_TEST

START_TEST(test_http_retry_schedule)
{
	struct sc_retry rt = { 4, 1.0, 3.0, 0, 99, 0, fake_sleep };
	int i;

	nslept = 0;
	ck_assert_int_eq(sc_retry_wait(&rt, 1, -1), 1);
	ck_assert_int_eq(sc_retry_wait(&rt, 2, -1), 1);
	ck_assert_int_eq(sc_retry_wait(&rt, 3, -1), 1);
	ck_assert_int_eq(sc_retry_wait(&rt, 4, -1), 0); /* used up */
	ck_assert_int_eq(nslept, 3);
	/* full jitter: within [0, min(cap, base * 2^(attempt-1))] */
	ck_assert(slept[0] >= 0 && slept[0] <= 1.0);
	ck_assert(slept[1] >= 0 && slept[1] <= 2.0);
	ck_assert(slept[2] >= 0 && slept[2] <= 3.0);
	ck_assert_double_eq_tol(rt.waited, slept[0] + slept[1] + slept[2],
	    1e-12);
	/* Retry-After wins when larger, still bounded by cap */
	nslept = 0;
	rt.waited = 0;
	ck_assert_int_eq(sc_retry_wait(&rt, 1, 2.5), 1);
	ck_assert_double_eq(slept[0], 2.5);
	ck_assert_int_eq(sc_retry_wait(&rt, 1, 60), 1);
	ck_assert_double_eq(slept[1], 3.0);
	/* a budget stops early */
	rt.budget = 4;
	rt.waited = 0;
	nslept = 0;
	ck_assert_int_eq(sc_retry_wait(&rt, 1, 3), 1);
	ck_assert_int_eq(sc_retry_wait(&rt, 2, 3), 0);
	ck_assert_int_eq(nslept, 1);
	/* the jitter is not constant */
	rt.budget = 0;
	nslept = 0;
	for (i = 0; i < 8; i++)
		sc_retry_wait(&rt, 3, -1);
	ck_assert_double_ne(slept[0], slept[1]);
}
END_TEST

START_TEST(test_http_retry_after_parse)
{
	struct sc_http_resp r;
	char raw[128], date[SC_DATE_BUFSZ];
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t now = time(NULL) + 3600;
	int y, m, d;
	double v;

	set_headers(&r, "HTTP/1.1 429 x\r\nRetry-After: 7\r\n\r\n");
	ck_assert_double_eq(sc_http_retry_after(&r), 7);
	sc_http_resp_free(&r);
	set_headers(&r, "HTTP/1.1 429 x\r\nretry-after: 0\r\n\r\n");
	ck_assert_double_eq(sc_http_retry_after(&r), 0);
	sc_http_resp_free(&r);
	set_headers(&r, "HTTP/1.1 429 x\r\nRetry-After: soon\r\n\r\n");
	ck_assert_double_eq(sc_http_retry_after(&r), -1);
	sc_http_resp_free(&r);
	set_headers(&r, "HTTP/1.1 429 x\r\nRetry-After: 5x\r\n\r\n");
	ck_assert_double_eq(sc_http_retry_after(&r), -1);
	sc_http_resp_free(&r);
	set_headers(&r, "HTTP/1.1 429 x\r\n\r\n");
	ck_assert_double_eq(sc_http_retry_after(&r), -1);
	sc_http_resp_free(&r);
	set_headers(&r,
	    "HTTP/1.1 503 x\r\nRetry-After: Wed, 21 Oct 2015 "
	    "07:28:00 GMT\r\n\r\n");
	ck_assert_double_eq(sc_http_retry_after(&r), 0); /* in the past */
	sc_http_resp_free(&r);
	/* an hour from now, give or take the clock tick */
	sc_date_to_ymd((long)(now / 86400), &y, &m, &d);
	(void)date;
	snprintf(raw, sizeof(raw),
	    "HTTP/1.1 503 x\r\nRetry-After: Mon, %02d %s %d %02d:%02d:%02d "
	    "GMT\r\n\r\n",
	    d, mon[m - 1], y, (int)(now % 86400 / 3600), (int)(now % 3600 / 60),
	    (int)(now % 60));
	set_headers(&r, raw);
	v = sc_http_retry_after(&r);
	ck_assert_msg(v > 3590 && v <= 3600, "%g", v);
	sc_http_resp_free(&r);
}
END_TEST

Suite *
sc_http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc;

	tc = tcase_create("escape");
	tcase_add_test(tc, test_http_escape_cases);
	suite_add_tcase(s, tc);
	tc = tcase_create("headers");
	tcase_add_test(tc, test_http_header_lookup);
	suite_add_tcase(s, tc);
	tc = tcase_create("retry");
	tcase_add_test(tc, test_http_retry_schedule);
	tcase_add_test(tc, test_http_retry_after_parse);
	suite_add_tcase(s, tc);
	return s;
}
