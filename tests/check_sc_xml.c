/* SPDX-License-Identifier: ISC */
/* S3 XML replies: ListObjectsV2 pages, error bodies, bounds, bad XML. */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "sc_xml.h"

static const char LIST_PAGE[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
    "<Name>b</Name><Prefix>p/</Prefix><KeyCount>2</KeyCount>"
    "<MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>"
    "<Contents><Key>p/a &amp; b+c=d \xc3\xa9.csv</Key>"
    "<LastModified>2026-11-26T04:00:00.000Z</LastModified>"
    "<ETag>&quot;0123abcd&quot;</ETag><Size>12345678901</Size>"
    "<StorageClass>STANDARD</StorageClass></Contents>\n"
    "<Contents><Key>p/z</Key><Size>0</Size><ETag>\"e\"</ETag></Contents>"
    "<NextContinuationToken>tok/en+=</NextContinuationToken>"
    "</ListBucketResult>";

START_TEST(test_xml_list_page)
{
	struct sc_xml_list l;
	struct sc_err e = { 0 };

	ck_assert_int_eq(sc_xml_parse_list(LIST_PAGE, strlen(LIST_PAGE), &l,
	                     &e),
	    0);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.objs[0].key, "p/a & b+c=d \xc3\xa9.csv");
	ck_assert(l.objs[0].size == 12345678901ULL);
	ck_assert_str_eq(l.objs[0].etag, "0123abcd");
	ck_assert_str_eq(l.objs[0].last_modified, "2026-11-26T04:00:00.000Z");
	ck_assert_str_eq(l.objs[1].key, "p/z");
	ck_assert_str_eq(l.objs[1].etag, "e");
	ck_assert_int_eq(l.truncated, 1);
	ck_assert_str_eq(l.next_token, "tok/en+=");
	sc_xml_list_free(&l);
	sc_xml_list_free(&l); /* zeroed: a second free is harmless */
}
END_TEST

START_TEST(test_xml_list_empty)
{
	const char *x = "<ListBucketResult><IsTruncated>false</IsTruncated>"
	                "<KeyCount>0</KeyCount></ListBucketResult>";
	struct sc_xml_list l;

	ck_assert_int_eq(sc_xml_parse_list(x, strlen(x), &l, NULL), 0);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_int_eq(l.truncated, 0);
	ck_assert_ptr_null(l.next_token);
	sc_xml_list_free(&l);
}
END_TEST

static void
expect_bad(const char *x)
{
	struct sc_xml_list l;
	struct sc_err e = { 0 };

	ck_assert_msg(sc_xml_parse_list(x, strlen(x), &l, &e) == -1, "%s", x);
	ck_assert_int_eq(e.code, SC_EPROTO);
	ck_assert_ptr_null(l.objs);
}

START_TEST(test_xml_errors_bad_list)
{
	expect_bad("<ListBucketResult><Contents><Key>a</Key>");
	expect_bad("<Error><Code>x</Code></Error>");
	expect_bad("<ListBucketResult><Contents><Size>1</Size></Contents>"
	           "</ListBucketResult>");
	expect_bad("<ListBucketResult><Contents><Key>a</Key><Size>-1</Size>"
	           "</Contents></ListBucketResult>");
	expect_bad("<ListBucketResult><IsTruncated>true</IsTruncated>"
	           "</ListBucketResult>");
	expect_bad("<!DOCTYPE l [<!ENTITY a \"aaaa\">]><ListBucketResult>"
	           "&a;</ListBucketResult>");
	expect_bad("<ListBucketResult><a><b><c><d><e><f><g><h><i>"
	           "</i></h></g></f></e></d></c></b></a></ListBucketResult>");
	expect_bad("");
}
END_TEST

START_TEST(test_xml_errors_long_text)
{
	size_t n = SC_XML_MAX_TEXT + 100;
	char *x = malloc(n + 100);

	strcpy(x, "<ListBucketResult><Contents><Key>");
	memset(x + strlen(x), 'k', n);
	strcpy(x + 33 + n, "</Key></Contents></ListBucketResult>");
	expect_bad(x);
	free(x);
}
END_TEST

START_TEST(test_xml_error_body)
{
	const char *x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>"
	                "<Code>NoSuchKey</Code><Message>The specified key does "
	                "not exist.</Message><Key>a</Key>"
	                "<RequestId>4442587FB7D0A2F9</RequestId></Error>";
	struct sc_xml_error xe;

	ck_assert_int_eq(sc_xml_parse_error(x, strlen(x), &xe), 0);
	ck_assert_str_eq(xe.code, "NoSuchKey");
	ck_assert_str_eq(xe.message, "The specified key does not exist.");
	ck_assert_str_eq(xe.request_id, "4442587FB7D0A2F9");
	ck_assert_int_eq(sc_xml_parse_error("<html>502</html>", 16, &xe), -1);
	ck_assert_str_eq(xe.code, "");
	ck_assert_int_eq(sc_xml_parse_error("", 0, &xe), -1);
	ck_assert_int_eq(sc_xml_parse_error("<Error><Message>m</Message>"
	                                    "</Error>",
	                     35, &xe),
	    -1);
}
END_TEST

/*
 * Every truncation and 2000 seeded byte mutations of a page: the parser
 * answers 0 or SC_EPROTO, never crashes or leaks (ASan and valgrind run
 * this too).
 */
START_TEST(test_xml_errors_mutations)
{
	size_t n = strlen(LIST_PAGE), i, k;
	char *buf = malloc(n + 1);
	uint64_t x = 0x5eed;
	struct sc_xml_list l;
	struct sc_xml_error xe;
	struct sc_err e = { 0 };

	for (i = 0; i < n; i++) {
		if (sc_xml_parse_list(LIST_PAGE, i, &l, &e) == 0)
			sc_xml_list_free(&l);
		else
			ck_assert_int_eq(e.code, SC_EPROTO);
		(void)sc_xml_parse_error(LIST_PAGE, i, &xe);
	}
	for (k = 0; k < 2000; k++) {
		memcpy(buf, LIST_PAGE, n + 1);
		for (i = 0; i < 3; i++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			buf[(x >> 33) % n] = (char)(x >> 20);
		}
		if (sc_xml_parse_list(buf, n, &l, &e) == 0)
			sc_xml_list_free(&l);
		else
			ck_assert_int_eq(e.code, SC_EPROTO);
	}
	free(buf);
}
END_TEST

Suite *
sc_xml_suite(void)
{
	Suite *s = suite_create("xml");
	TCase *tc;

	tc = tcase_create("list");
	tcase_add_test(tc, test_xml_list_page);
	tcase_add_test(tc, test_xml_list_empty);
	suite_add_tcase(s, tc);
	tc = tcase_create("error");
	tcase_add_test(tc, test_xml_error_body);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_test(tc, test_xml_errors_bad_list);
	tcase_add_test(tc, test_xml_errors_long_text);
	tcase_add_test(tc, test_xml_errors_mutations);
	suite_add_tcase(s, tc);
	return s;
}
