/* SPDX-License-Identifier: ISC */
/*
 * Pushgateway client: grouping-key URLs (base64 for '/' and empty values),
 * option checks, grouping and order of a push, and the answers of a
 * loopback responder on 127.0.0.1 (400, 403, 429, 503, refused
 * connections) mapped to errors and retries.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "sc_log.h"
#include "sc_pushgw.h"

/* A responder: answers each connection with the next canned reply. */
struct responder {
	int fd;
	int port;
	const char *const *replies;
	char requests[8][2048]; /* request line and body of each */
	int nreq;
	pthread_t thread;
};

static void
read_request(int c, char *out, size_t size)
{
	char buf[8192], *hdr_end, *cl;
	size_t n = 0, want = 0;
	ssize_t r;

	while (n < sizeof(buf) - 1 &&
	    (r = read(c, buf + n, sizeof(buf) - 1 - n)) > 0) {
		n += (size_t)r;
		buf[n] = '\0';
		if ((hdr_end = strstr(buf, "\r\n\r\n")) == NULL)
			continue;
		cl = strstr(buf, "Content-Length:");
		want = (size_t)(hdr_end + 4 - buf) +
		    (cl ? strtoul(cl + 15, NULL, 10) : 0);
		if (n >= want)
			break;
	}
	buf[n] = '\0';
	hdr_end = strstr(buf, "\r\n\r\n");
	snprintf(out, size, "%.*s|%s", (int)strcspn(buf, "\r"), buf,
	    hdr_end ? hdr_end + 4 : "");
}

static void *
serve(void *arg)
{
	struct responder *s = arg;
	int c;

	while (s->replies[s->nreq] != NULL && s->nreq < 8) {
		if ((c = accept(s->fd, NULL, NULL)) == -1)
			break;
		read_request(c, s->requests[s->nreq], sizeof(s->requests[0]));
		if (write(c, s->replies[s->nreq], strlen(s->replies[s->nreq])) <
		    0)
			break;
		s->nreq++;
		close(c);
	}
	return NULL;
}

static void
responder_start(struct responder *s, const char *const *replies)
{
	struct sockaddr_in a = { 0 };
	socklen_t len = sizeof(a);

	memset(s, 0, sizeof(*s));
	s->replies = replies;
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(s->fd, 0);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(s->fd, 8), 0);
	getsockname(s->fd, (struct sockaddr *)&a, &len);
	s->port = ntohs(a.sin_port);
	pthread_create(&s->thread, NULL, serve, s);
}

static void
responder_stop(struct responder *s)
{
	pthread_join(s->thread, NULL);
	close(s->fd);
}

/* A port with nothing listening on 127.0.0.1. */
static int
dead_port(void)
{
	struct sockaddr_in a = { 0 };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	getsockname(fd, (struct sockaddr *)&a, &len);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static int sleeps;

static void
count_sleep(double s)
{
	(void)s;
	sleeps++;
}

static struct sc_retry
fast_retry(int max)
{
	struct sc_retry r = { 0 };

	r.max = max;
	r.base = 0.001;
	r.cap = 0.01;
	r.state = 42;
	r.sleep = count_sleep;
	sleeps = 0;
	return r;
}

static char logged[16][256];
static int nlogged;

static void
log_sink(enum sc_loglevel level, const char *msg, void *arg)
{
	(void)level;
	(void)arg;
	if (nlogged < 16)
		snprintf(logged[nlogged++], sizeof(logged[0]), "%s", msg);
}

static void
url_is(const char *job, const char *ticker, const char *const *labels,
    const char *want)
{
	struct sc_buf b = { 0 };
	struct sc_err e = { 0 };

	ck_assert_int_eq(sc_pushgw_url(&b, "http://h:9091//", job, ticker,
	                     labels, &e),
	    0);
	ck_assert_str_eq(b.data, want);
	sc_buf_free(&b);
}

START_TEST(test_pushgw_url_encoding)
{
	const char *env[] = { "env", "prod", "path", "a/b", "e", "", NULL };

	url_is("j", NULL, NULL, "http://h:9091/metrics/job/j");
	url_is("j", "AAPL", NULL, "http://h:9091/metrics/job/j/ticker/AAPL");
	url_is("a/b", NULL, NULL, "http://h:9091/metrics/job@base64/YS9i");
	url_is("j", "BRK/B", NULL,
	    "http://h:9091/metrics/job/j/ticker@base64/QlJLL0I=");
	url_is("j", "^GSPC", NULL,
	    "http://h:9091/metrics/job/j/ticker/%5EGSPC");
	url_is("j", "", NULL, "http://h:9091/metrics/job/j/ticker@base64/=");
	url_is("j", NULL, env,
	    "http://h:9091/metrics/job/j/env/prod/path@base64/YS9i"
	    "/e@base64/=");
	/* The URL-safe alphabet: '+' and '/' of standard base64 become - _. */
	url_is("j", "/>?", NULL,
	    "http://h:9091/metrics/job/j/ticker@base64/Lz4_");
	url_is("j", "/>>", NULL,
	    "http://h:9091/metrics/job/j/ticker@base64/Lz4-");
}
END_TEST

START_TEST(test_pushgw_check_options)
{
	struct sc_pushgw_opts o = { 0 };
	struct sc_err e = { 0 };
	const char *bad1[] = { "job", "x", NULL };
	const char *bad2[] = { "__a", "x", NULL };
	const char *bad3[] = { "ticker", "x", NULL };
	const char *good[] = { "env", "x", NULL };

	o.url = "ftp://h";
	o.job = "j";
	ck_assert_int_eq(sc_pushgw_check(&o, &e), -1);
	ck_assert_int_eq(e.code, SC_EUSAGE);
	o.url = "https://h";
	ck_assert_int_eq(sc_pushgw_check(&o, &e), 0);
	o.job = "";
	ck_assert_int_eq(sc_pushgw_check(&o, &e), -1);
	o.job = "j";
	o.labels = bad1;
	ck_assert_int_eq(sc_pushgw_check(&o, &e), -1);
	o.labels = bad2;
	ck_assert_int_eq(sc_pushgw_check(&o, &e), -1);
	o.labels = bad3;
	ck_assert_int_eq(sc_pushgw_check(&o, &e), -1);
	o.labels = good;
	ck_assert_int_eq(sc_pushgw_check(&o, &e), 0);
}
END_TEST

/* A set like sc-rmse's: overall, two tickers, the legacy metric. */
static struct sc_prom *
sample_set(void)
{
	struct sc_err e = { 0 };
	struct sc_prom *p = sc_prom_create(&e);
	const char *a[] = { "ticker", "AAPL", NULL };
	const char *m[] = { "ticker", "MSFT", NULL };
	const char *legacy[] = { "job", "stock_forecast_evaluator", NULL };

	ck_assert_int_eq(sc_prom_std(p, "stockcast_rmse", &e), 0);
	ck_assert_int_eq(sc_prom_add(p, "stockcast_rmse", NULL, 1.5, &e), 0);
	ck_assert_int_eq(sc_prom_add(p, "stockcast_rmse", a, 2, &e), 0);
	ck_assert_int_eq(sc_prom_add(p, "stockcast_rmse", m, 1, &e), 0);
	ck_assert_int_eq(sc_prom_std(p, "stock_forecast_test_rmse", &e), 0);
	ck_assert_int_eq(sc_prom_add(p, "stock_forecast_test_rmse", legacy, 1.5,
	                     &e),
	    0);
	ck_assert_int_eq(sc_pushgw_success(p, 1700000000, 3.5, &e), 0);
	return p;
}

START_TEST(test_pushgw_push_groups)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"
	                         "Connection: close\r\n\r\n";
	const char *replies[] = { ok, ok, ok, ok, NULL };
	const char *labels[] = { "env", "prod", NULL };
	struct sc_pushgw_opts o = { 0 };
	struct sc_retry r = fast_retry(3);
	struct sc_err e = { 0 };
	struct responder s;
	struct sc_prom *p = sample_set();
	struct sc_http *h = sc_http_new(NULL, &e);
	char url[64];

	responder_start(&s, replies);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", s.port);
	o.url = url;
	o.job = "stockcast_evaluate";
	o.labels = labels;
	o.replace = 0;
	ck_assert_int_eq(sc_pushgw_push(h, &r, &o, p, &e), 4);
	responder_stop(&s);
	ck_assert_int_eq(s.nreq, 4);
	ck_assert_str_eq(s.requests[0],
	    "POST /metrics/job/stockcast_evaluate/ticker/AAPL/env/prod "
	    "HTTP/1.1|"
	    "# HELP stockcast_rmse Root mean squared error of the predicted "
	    "close, in price units.\n# TYPE stockcast_rmse gauge\n"
	    "stockcast_rmse 2\n");
	ck_assert_ptr_nonnull(strstr(s.requests[1], "/ticker/MSFT/env/prod "));
	ck_assert_ptr_nonnull(strstr(s.requests[2],
	    "POST /metrics/job/stock_forecast_evaluator/env/prod HTTP/1.1|"));
	ck_assert_ptr_nonnull(
	    strstr(s.requests[2], "\nstock_forecast_test_rmse 1.5\n"));
	ck_assert_ptr_nonnull(strstr(s.requests[3],
	    "POST /metrics/job/stockcast_evaluate/env/prod HTTP/1.1|"));
	ck_assert_ptr_nonnull(strstr(s.requests[3],
	    "\nstockcast_last_success_timestamp_seconds 1700000000\n"));
	ck_assert_ptr_nonnull(strstr(s.requests[3],
	    "\nstockcast_last_run_duration_seconds 3.5\n"));
	ck_assert_ptr_nonnull(strstr(s.requests[3], "\nstockcast_rmse 1.5\n"));
	ck_assert_ptr_null(strstr(s.requests[3], "ticker"));
	ck_assert_int_eq(sleeps, 0);
	sc_http_free(h);
	sc_prom_free(p);
}
END_TEST

START_TEST(test_pushgw_push_dry_run)
{
	struct sc_pushgw_opts o = { 0 };
	struct sc_err e = { 0 };
	struct sc_prom *p = sample_set();

	nlogged = 0;
	sc_log_set(log_sink, NULL, SC_LOG_INFO);
	o.url = "http://user:secret@127.0.0.1:1";
	o.job = "j";
	o.replace = 1;
	o.dry_run = 1;
	ck_assert_int_eq(sc_pushgw_push(NULL, NULL, &o, p, &e), 4);
	sc_log_set(NULL, NULL, SC_LOG_WARN);
	ck_assert_int_eq(nlogged, 4);
	ck_assert_ptr_nonnull(strstr(logged[0],
	    "would PUT http://127.0.0.1:1/metrics/job/j/ticker/AAPL"));
	ck_assert_ptr_nonnull(
	    strstr(logged[3], "would PUT http://127.0.0.1:1/metrics/job/j ("));
	ck_assert_ptr_null(strstr(logged[0], "secret"));
	sc_prom_free(p);
}
END_TEST

/* Thousands of tickers: one group each, the job group last. */
START_TEST(test_pushgw_push_many_groups)
{
	struct sc_pushgw_opts o = { 0 };
	struct sc_err e = { 0 };
	struct sc_prom *p = sc_prom_create(&e);
	char t[16];
	const char *lab[] = { "ticker", t, NULL };
	int i;

	for (i = 0; i < 5000; i++) {
		snprintf(t, sizeof(t), "T%d", i);
		ck_assert_int_eq(sc_prom_add(p, "a", lab, i, &e), 0);
		ck_assert_int_eq(sc_prom_add(p, "b", lab, i, &e), 0);
	}
	ck_assert_int_eq(sc_pushgw_success(p, 1, -1, &e), 0);
	nlogged = 0;
	sc_log_set(log_sink, NULL, SC_LOG_INFO);
	o.url = "http://127.0.0.1:1";
	o.job = "j";
	o.dry_run = 1;
	ck_assert_int_eq(sc_pushgw_push(NULL, NULL, &o, p, &e), 5001);
	sc_log_set(NULL, NULL, SC_LOG_WARN);
	ck_assert_int_eq(nlogged, 16);
	ck_assert_ptr_nonnull(strstr(logged[0], "/metrics/job/j/ticker/T0 ("));
	sc_prom_free(p);
}
END_TEST

START_TEST(test_pushgw_push_one_group)
{
	struct sc_pushgw_opts o = { 0 };
	struct sc_err e = { 0 };
	struct sc_prom *p = sample_set();

	nlogged = 0;
	sc_log_set(log_sink, NULL, SC_LOG_INFO);
	o.url = "http://127.0.0.1:1";
	o.job = "j";
	o.dry_run = 1;
	o.one_group = 1;
	ck_assert_int_eq(sc_pushgw_push(NULL, NULL, &o, p, &e), 2);
	sc_log_set(NULL, NULL, SC_LOG_WARN);
	ck_assert_ptr_nonnull(
	    strstr(logged[0], "/metrics/job/stock_forecast_"));
	ck_assert_ptr_nonnull(strstr(logged[1], "/metrics/job/j ("));
	sc_prom_free(p);
}
END_TEST

START_TEST(test_pushgw_success_twice)
{
	struct sc_err e = { 0 };
	struct sc_prom *p = sample_set();

	ck_assert_int_eq(sc_pushgw_success(p, 1, -1, &e), -1);
	ck_assert_int_eq(e.code, SC_EDATA);
	sc_prom_free(p);
}
END_TEST

static int
send_to(const char *const *replies, int max, struct sc_err *e,
    struct responder *s)
{
	struct sc_retry r = fast_retry(max);
	struct sc_http *h = sc_http_new(NULL, e);
	char url[64];
	int rc;

	responder_start(s, replies);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/metrics/job/j",
	    s->port);
	rc = sc_pushgw_send(h, &r, "PUT", url, "a 1\n", 4, e);
	responder_stop(s);
	sc_http_free(h);
	return rc;
}

START_TEST(test_pushgw_send_400)
{
	const char *replies[] = {
		"HTTP/1.1 400 Bad Request\r\nContent-Length: 44\r\n"
		"Connection: close\r\n\r\n"
		"text format parsing error in line 1: oops\r\n\n",
		NULL
	};
	struct sc_err e = { 0 };
	struct responder s;

	ck_assert_int_eq(send_to(replies, 3, &e, &s), -1);
	ck_assert_int_eq(e.code, SC_EPROTO);
	ck_assert_int_eq(sc_exit_status(&e), 76);
	ck_assert_ptr_nonnull(
	    strstr(e.msg, "HTTP 400: text format parsing error in line 1"));
	ck_assert_int_eq(s.nreq, 1);
	ck_assert_int_eq(sleeps, 0);
	ck_assert_str_eq(s.requests[0], "PUT /metrics/job/j HTTP/1.1|a 1\n");
}
END_TEST

START_TEST(test_pushgw_send_403)
{
	const char *replies[] = { "HTTP/1.1 403 Forbidden\r\nContent-Length: 0"
		                  "\r\nConnection: close\r\n\r\n",
		NULL };
	struct sc_err e = { 0 };
	struct responder s;

	ck_assert_int_eq(send_to(replies, 3, &e, &s), -1);
	ck_assert_int_eq(e.code, SC_ENOPERM);
}
END_TEST

START_TEST(test_pushgw_send_5xx_retried)
{
	static const char busy[] = "HTTP/1.1 503 Unavailable\r\n"
	                           "Content-Length: 4\r\nConnection: close\r\n"
	                           "\r\nbusy";
	static const char ok[] = "HTTP/1.1 202 Accepted\r\nContent-Length: 0"
	                         "\r\nConnection: close\r\n\r\n";
	const char *replies[] = { busy, busy, ok, NULL };
	const char *all_busy[] = { busy, busy, NULL };
	struct sc_err e = { 0 };
	struct responder s;

	ck_assert_int_eq(send_to(replies, 3, &e, &s), 202);
	ck_assert_int_eq(sleeps, 2);
	ck_assert_int_eq(send_to(all_busy, 2, &e, &s), -1);
	ck_assert_int_eq(e.code, SC_EUNAVAIL);
	ck_assert_ptr_nonnull(strstr(e.msg, "HTTP 503: busy"));
	ck_assert_int_eq(sleeps, 1);
}
END_TEST

START_TEST(test_pushgw_send_429)
{
	static const char slow[] = "HTTP/1.1 429 Too Many\r\nRetry-After: 0\r\n"
	                           "Content-Length: 0\r\nConnection: close\r\n"
	                           "\r\n";
	const char *replies[] = { slow, slow, NULL };
	struct sc_err e = { 0 };
	struct responder s;

	ck_assert_int_eq(send_to(replies, 2, &e, &s), -1);
	ck_assert_int_eq(e.code, SC_ETEMP);
	ck_assert_int_eq(s.nreq, 2);
}
END_TEST

START_TEST(test_pushgw_send_down)
{
	struct sc_retry r = fast_retry(3);
	struct sc_err e = { 0 };
	struct sc_http *h = sc_http_new(NULL, &e);
	char url[96];

	snprintf(url, sizeof(url),
	    "http://stockcast:hunter2@127.0.0.1:%d/metrics/job/j", dead_port());
	ck_assert_int_eq(sc_pushgw_send(h, &r, "PUT", url, "a 1\n", 4, &e), -1);
	ck_assert_int_eq(e.code, SC_EUNAVAIL);
	ck_assert_int_eq(sc_exit_status(&e), 69);
	ck_assert_int_eq(sleeps, 2);
	ck_assert_ptr_null(strstr(e.msg, "hunter2"));
	ck_assert_ptr_nonnull(strstr(e.msg, "PUT http://127.0.0.1:"));
	sc_http_free(h);
}
END_TEST

/* sc_http's own messages: no user:password, no query (session tokens). */
START_TEST(test_pushgw_http_error_redacted)
{
	struct sc_http_req req = { 0 };
	struct sc_http_resp resp = { 0 };
	struct sc_err e = { 0 };
	struct sc_http *h = sc_http_new(NULL, &e);
	char url[128];

	snprintf(url, sizeof(url),
	    "http://ak:hunter2@127.0.0.1:%d/b/k?X-Amz-Security-Token=tok3n",
	    dead_port());
	req.url = url;
	ck_assert_int_eq(sc_http_do(h, &req, &resp, &e), -1);
	ck_assert_int_eq(e.code, SC_EUNAVAIL);
	ck_assert_ptr_null(strstr(e.msg, "hunter2"));
	ck_assert_ptr_null(strstr(e.msg, "tok3n"));
	ck_assert_ptr_nonnull(strstr(e.msg, "http://127.0.0.1:"));
	ck_assert_ptr_nonnull(strstr(e.msg, "/b/k?..."));
	sc_http_resp_free(&resp);
	sc_http_free(h);
}
END_TEST

START_TEST(test_pushgw_delete_group)
{
	const char *replies[] = { "HTTP/1.1 202 Accepted\r\nContent-Length: 0"
		                  "\r\nConnection: close\r\n\r\n",
		NULL };
	struct sc_pushgw_opts o = { 0 };
	struct sc_retry r = fast_retry(1);
	struct sc_err e = { 0 };
	struct sc_http *h = sc_http_new(NULL, &e);
	struct responder s;
	char url[64];

	responder_start(&s, replies);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", s.port);
	o.url = url;
	o.job = "j";
	ck_assert_int_eq(sc_pushgw_delete(h, &r, &o, "A/B", &e), 202);
	responder_stop(&s);
	ck_assert_str_eq(s.requests[0],
	    "DELETE /metrics/job/j/ticker@base64/QS9C HTTP/1.1|");
	sc_http_free(h);
}
END_TEST

Suite *
sc_pushgw_suite(void)
{
	Suite *s = suite_create("pushgw");
	TCase *tc;

	tc = tcase_create("url");
	tcase_add_test(tc, test_pushgw_url_encoding);
	tcase_add_test(tc, test_pushgw_check_options);
	suite_add_tcase(s, tc);
	tc = tcase_create("push");
	tcase_add_test(tc, test_pushgw_push_groups);
	tcase_add_test(tc, test_pushgw_push_dry_run);
	tcase_add_test(tc, test_pushgw_success_twice);
	tcase_add_test(tc, test_pushgw_push_one_group);
	tcase_add_test(tc, test_pushgw_push_many_groups);
	tcase_add_test(tc, test_pushgw_delete_group);
	suite_add_tcase(s, tc);
	tc = tcase_create("send");
	tcase_add_test(tc, test_pushgw_send_400);
	tcase_add_test(tc, test_pushgw_send_403);
	tcase_add_test(tc, test_pushgw_send_5xx_retried);
	tcase_add_test(tc, test_pushgw_send_429);
	tcase_add_test(tc, test_pushgw_send_down);
	tcase_add_test(tc, test_pushgw_http_error_redacted);
	suite_add_tcase(s, tc);
	return s;
}
