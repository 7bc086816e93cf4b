/* SPDX-License-Identifier: ISC */
/*
 * The S3 client offline: URL building (path-style on an endpoint,
 * virtual-hosted on AWS), presigned URLs against botocore, the mapping of
 * S3 answers to error codes and messages, and bounded retries against a
 * closed loopback port.  Round trips with a real server are in
 * tests/integration/s3.sh.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "sc_s3.h"

#define SECRET "s3cr3t-never-printed"

static struct sc_s3 *
client(const char *endpoint)
{
	struct sc_s3_opts o = { 0 };
	struct sc_err e = { 0 };
	struct sc_s3 *s;

	o.access_key = "AKID";
	o.secret_key = SECRET;
	o.region = "eu-west-3";
	o.endpoint = endpoint;
	s = sc_s3_new(&o, &e);
	ck_assert_msg(s != NULL, "%s", e.msg);
	return s;
}

static void
expect_url(struct sc_s3 *s, const char *bucket, const char *key,
    const char *want)
{
	struct sc_buf b = { 0 };

	ck_assert_int_eq(sc_s3_url(s, bucket, key, &b, NULL), 0);
	ck_assert_str_eq(b.data, want);
	sc_buf_free(&b);
}

START_TEST(test_s3_url_path_style)
{
	struct sc_s3 *s = client("http://127.0.0.1:9000");

	expect_url(s, "bkt", "a b/\xc3\xbc+=.csv",
	    "http://127.0.0.1:9000/bkt/a%20b/%C3%BC%2B%3D.csv");
	expect_url(s, "bkt", NULL, "http://127.0.0.1:9000/bkt");
	expect_url(s, "bkt", "a//b/./c", "http://127.0.0.1:9000/bkt/a//b/./c");
	sc_s3_free(s);
	s = client("https://minio.example:9443/base/");
	expect_url(s, "bkt", "k", "https://minio.example:9443/base/bkt/k");
	sc_s3_free(s);
}
END_TEST

START_TEST(test_s3_url_aws)
{
	struct sc_s3 *s = client(NULL);

	expect_url(s, "bkt", "raw/AAPL.csv",
	    "https://bkt.s3.eu-west-3.amazonaws.com/raw/AAPL.csv");
	expect_url(s, "bkt", NULL, "https://bkt.s3.eu-west-3.amazonaws.com/");
	/* A dotted bucket breaks the TLS wildcard: path-style instead. */
	expect_url(s, "my.bkt", "k",
	    "https://s3.eu-west-3.amazonaws.com/my.bkt/k");
	sc_s3_free(s);
}
END_TEST

START_TEST(test_s3_url_bad_config)
{
	struct sc_s3_opts o = { 0 };
	struct sc_err e = { 0 };
	struct sc_buf b = { 0 };
	struct sc_s3 *s;

	ck_assert_ptr_null(sc_s3_new(&o, &e));
	ck_assert_int_eq(e.code, SC_ECONFIG);
	ck_assert_ptr_nonnull(strstr(e.msg, "AWS_ACCESS_KEY_ID"));
	ck_assert_ptr_nonnull(strstr(e.msg, "AWS_SECRET_ACCESS_KEY"));
	o.access_key = "AKID";
	o.secret_key = SECRET;
	o.endpoint = "ftp://x";
	ck_assert_ptr_null(sc_s3_new(&o, &e));
	ck_assert_int_eq(e.code, SC_ECONFIG);
	o.endpoint = "http://user@host/";
	ck_assert_ptr_null(sc_s3_new(&o, &e));
	s = client("http://127.0.0.1:9000");
	ck_assert_int_eq(sc_s3_url(s, "a", "k", &b, &e), -1);
	ck_assert_int_eq(e.code, SC_EUSAGE);
	ck_assert_int_eq(sc_s3_url(s, "bad/bucket", "k", &b, &e), -1);
	sc_buf_free(&b);
	sc_s3_free(s);
}
END_TEST

START_TEST(test_s3_presign_botocore)
{
	struct sc_s3_opts o = { 0 };
	struct sc_buf b = { 0 };
	struct sc_s3 *s;

	o.access_key = "S3RVER";
	o.secret_key = "S3RVER";
	o.endpoint = "http://127.0.0.1:9000";
	s = sc_s3_new(&o, NULL);
	ck_assert_int_eq(sc_s3_presign(s, "GET", "bkt", "a b/\xc3\xbc+=.csv",
	                     3600, 1440938160, &b, NULL),
	    0);
	ck_assert_str_eq(b.data,
	    "http://127.0.0.1:9000/bkt/a%20b/%C3%BC%2B%3D.csv?"
	    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=S3RVER%2F"
	    "20150830%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date="
	    "20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&"
	    "X-Amz-Signature="
	    "0bf8ab0666dd81f438d09b1118deea3bd7eb2c3d862b8ad356a4baaf01e0bc41");
	sc_buf_free(&b);
	sc_s3_free(s);
}
END_TEST

static const char *
body(const char *code, const char *msg)
{
	static char buf[512];

	snprintf(buf, sizeof(buf),
	    "<?xml version=\"1.0\"?><Error><Code>%s</Code><Message>%s"
	    "</Message><RequestId>R1</RequestId></Error>",
	    code, msg);
	return buf;
}

static void
expect_error(long status, const char *b, enum sc_errcode code,
    const char *needle)
{
	struct sc_err e = { 0 };
	int rc = sc_s3_error(status, b, b ? strlen(b) : 0, "s3://b/k", &e);

	ck_assert_int_eq(rc, code == SC_ECANTCREAT ? SC_S3_PRECONDITION : -1);
	ck_assert_msg(e.code == code, "HTTP %ld: code %d, want %d (%s)", status,
	    e.code, code, e.msg);
	ck_assert_msg(strstr(e.msg, needle) != NULL, "no \"%s\" in \"%s\"",
	    needle, e.msg);
	ck_assert_ptr_null(strstr(e.msg, SECRET));
	ck_assert_ptr_nonnull(strstr(e.msg, "s3://b/k"));
}

START_TEST(test_s3_error_mapping)
{
	expect_error(404,
	    body("NoSuchKey", "The specified key does not exist."), SC_ENOINPUT,
	    "NoSuchKey: The specified key");
	expect_error(404, NULL, SC_ENOINPUT, "HTTP 404");
	expect_error(404, body("NoSuchBucket", "no"), SC_ENOINPUT,
	    "NoSuchBucket");
	expect_error(403, body("SignatureDoesNotMatch", "calculated"),
	    SC_ENOPERM, "check AWS_SECRET_ACCESS_KEY");
	expect_error(403, body("AccessDenied", "Access Denied"), SC_ENOPERM,
	    "AccessDenied");
	expect_error(403, body("RequestTimeTooSkewed", "skew"), SC_ENOPERM,
	    "clock");
	expect_error(403, body("InvalidAccessKeyId", "x"), SC_ENOPERM,
	    "AWS_ACCESS_KEY_ID");
	expect_error(403, NULL, SC_ENOPERM, "HTTP 403");
	expect_error(503, body("SlowDown", "Please reduce"), SC_ETEMP,
	    "SlowDown");
	expect_error(429, NULL, SC_ETEMP, "HTTP 429");
	expect_error(500, body("InternalError", "oops"), SC_EUNAVAIL,
	    "InternalError");
	expect_error(502, "<html>bad gateway</html>", SC_EUNAVAIL, "HTTP 502");
	expect_error(412, body("PreconditionFailed", "x"), SC_ECANTCREAT,
	    "precondition failed");
	expect_error(409, body("ConditionalRequestConflict", "x"),
	    SC_ECANTCREAT, "precondition failed");
	expect_error(400, body("InvalidArgument", "bad\t\nthing"), SC_EPROTO,
	    "bad??thing");
	expect_error(301, NULL, SC_EPROTO, "HTTP 301");
}
END_TEST

static int sleeps;
static double slept;

static void
fake_sleep(double s)
{
	sleeps++;
	slept += s;
}

/* A loopback port with nobody listening: bound, then closed. */
static int
closed_port(void)
{
	struct sockaddr_in a = { 0 };
	socklen_t n = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &n), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

START_TEST(test_s3_retry_bounded)
{
	struct sc_s3_opts o = { 0 };
	struct sc_err e = { 0 };
	char ep[64];
	struct sc_s3 *s;
	FILE *out = tmpfile();

	snprintf(ep, sizeof(ep), "http://127.0.0.1:%d", closed_port());
	o.access_key = "AKID";
	o.secret_key = SECRET;
	o.endpoint = ep;
	o.retry_max = 3;
	o.retry_base = 1;
	o.retry_cap = 4;
	o.sleep = fake_sleep;
	o.seed = 42;
	s = sc_s3_new(&o, &e);
	sleeps = 0;
	slept = 0;
	ck_assert_int_eq(sc_s3_get(s, "bkt", "k", NULL, out, &e), -1);
	ck_assert_int_eq(e.code, SC_EUNAVAIL);
	ck_assert_int_eq(sleeps, 2); /* three attempts, two waits */
	ck_assert(slept >= 0 && slept <= 1 + 2);
	ck_assert_ptr_nonnull(strstr(e.msg, "after 3 attempts"));
	ck_assert_ptr_null(strstr(e.msg, SECRET));
	sc_s3_free(s);
	fclose(out);
}
END_TEST

Suite *
sc_s3_suite(void)
{
	Suite *s = suite_create("s3");
	TCase *tc;

	tc = tcase_create("url");
	tcase_add_test(tc, test_s3_url_path_style);
	tcase_add_test(tc, test_s3_url_aws);
	tcase_add_test(tc, test_s3_url_bad_config);
	tcase_add_test(tc, test_s3_presign_botocore);
	suite_add_tcase(s, tc);
	tc = tcase_create("error");
	tcase_add_test(tc, test_s3_error_mapping);
	suite_add_tcase(s, tc);
	tc = tcase_create("retry");
	tcase_add_test(tc, test_s3_retry_bounded);
	suite_add_tcase(s, tc);
	return s;
}
