/* SPDX-License-Identifier: ISC */
/*
 * The store's local backend and the operand parser: key validation,
 * atomic and exclusive puts (nothing left behind on failure), listing in
 * byte order under a prefix, get, exists and delete.  The S3 backend runs
 * against a real server in tests/integration/s3.sh.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "check_sc.h"
#include "sc_store.h"

static char root[64];

static void
setup(void)
{
	snprintf(root, sizeof(root), "/tmp/sc-store-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	(void)system(cmd);
}

static struct sc_store *
open_root(void)
{
	struct sc_err e = { 0 };
	struct sc_store *st = sc_store_open(root, NULL, &e);

	ck_assert_msg(st != NULL, "%s", e.msg);
	return st;
}

START_TEST(test_store_key_valid)
{
	static const char *const good[] = { "a", "raw/AAPL.csv",
		"models/m/1/model.json", "a b+c=d \xc3\xa9", "x..y", "a/b.c" };
	static const char *const bad[] = { "", "/abs", "../up", "a/../b",
		"a/./b", ".hidden", "a/.sc-tmp.x", "a//b", "a/", "tab\there",
		"nl\n", "back\\slash", "del\x7f" };
	struct sc_err e = { 0 };
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(sc_store_key_check(good[i], &e) == 0, "%s: %s",
		    good[i], e.msg);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(sc_store_key_check(bad[i], &e) == -1, "%s",
		    bad[i]);
		ck_assert_int_eq(e.code, SC_EUSAGE);
	}
	{
		char longkey[SC_STORE_MAX_KEY + 2];

		memset(longkey, 'k', sizeof(longkey) - 1);
		longkey[sizeof(longkey) - 1] = '\0';
		ck_assert_int_eq(sc_store_key_check(longkey, &e), -1);
	}
}
END_TEST

START_TEST(test_store_loc_parse)
{
	struct sc_loc l;
	struct sc_err e = { 0 };

	ck_assert_int_eq(sc_loc_parse("s3://bkt/a/b c", 0, &l, &e), 0);
	ck_assert_int_eq(l.kind, SC_LOC_S3);
	ck_assert_str_eq(l.bucket, "bkt");
	ck_assert_str_eq(l.key, "a/b c");
	sc_loc_free(&l);
	ck_assert_int_eq(sc_loc_parse("file:///tmp/a%20b", 0, &l, &e), 0);
	ck_assert_int_eq(l.kind, SC_LOC_PATH);
	ck_assert_str_eq(l.path, "/tmp/a b");
	sc_loc_free(&l);
	ck_assert_int_eq(sc_loc_parse("file://localhost/x", 0, &l, &e), 0);
	ck_assert_str_eq(l.path, "/x");
	sc_loc_free(&l);
	ck_assert_int_eq(sc_loc_parse("./rel/x.csv", 0, &l, &e), 0);
	ck_assert_int_eq(l.kind, SC_LOC_PATH);
	sc_loc_free(&l);
	ck_assert_int_eq(sc_loc_parse("raw/AAPL.csv", 0, &l, &e), 0);
	ck_assert_int_eq(l.kind, SC_LOC_KEY);
	ck_assert_str_eq(l.key, "raw/AAPL.csv");
	sc_loc_free(&l);
	ck_assert_int_eq(sc_loc_parse("", 1, &l, &e), 0);
	ck_assert_int_eq(l.kind, SC_LOC_KEY);
	sc_loc_free(&l);
	ck_assert_int_eq(sc_loc_parse("", 0, &l, &e), -1);
	ck_assert_int_eq(sc_loc_parse("yahoo:AAPL", 0, &l, &e), -1);
	ck_assert_int_eq(e.code, SC_EUSAGE);
	ck_assert_int_eq(sc_loc_parse("s3://", 0, &l, &e), -1);
	ck_assert_int_eq(sc_loc_parse("file://host/x", 0, &l, &e), -1);
	ck_assert_int_eq(sc_loc_parse("file:///a%zz", 0, &l, &e), -1);
	ck_assert_int_eq(sc_loc_parse("file:///a%00b", 0, &l, &e), -1);
	ck_assert_int_eq(sc_loc_parse("a/../../etc/passwd", 0, &l, &e), -1);
	ck_assert_ptr_null(l.key);
}
END_TEST

/* Names in dir (one level) other than "." and "..", counted. */
static int
count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static char *
get_str(struct sc_store *st, const char *key, struct sc_err *e)
{
	static char buf[256];
	FILE *fp = fmemopen(buf, sizeof(buf), "w");
	int rc;

	memset(buf, 0, sizeof(buf));
	rc = sc_store_get(st, key, fp, e);
	fclose(fp);
	return rc == 0 ? buf : NULL;
}

START_TEST(test_store_put_atomic)
{
	struct sc_store *st = open_root();
	struct sc_err e = { 0 };
	char dir[128];
	FILE *in = sc_test_str("from a stream\n");

	ck_assert_int_eq(sc_store_put_buf(st, "runs/r1/meta.json", "v1", 2, 0,
	                     &e),
	    0);
	ck_assert_str_eq(get_str(st, "runs/r1/meta.json", &e), "v1");
	ck_assert_int_eq(sc_store_put(st, "runs/r1/meta.json", in, 0, &e), 0);
	ck_assert_str_eq(get_str(st, "runs/r1/meta.json", &e),
	    "from a stream\n");
	snprintf(dir, sizeof(dir), "%s/runs/r1", root);
	ck_assert_int_eq(count_entries(dir), 1); /* no temporary left */
	ck_assert_int_eq(sc_store_exists(st, "runs/r1/meta.json", &e), 1);
	ck_assert_int_eq(sc_store_exists(st, "runs/r1/none", &e), 0);
	fclose(in);
	sc_store_free(st);
}
END_TEST

START_TEST(test_store_put_failure_leaves_nothing)
{
	struct sc_store *st = open_root();
	struct sc_err e = { 0 };
	char dir[128];
	FILE *bad;

	/* Reading a directory fails (EISDIR) half-way into the put. */
	snprintf(dir, sizeof(dir), "%s", root);
	bad = fopen(dir, "r");
	ck_assert_ptr_nonnull(bad);
	ck_assert_int_eq(sc_store_put(st, "k/v.csv", bad, 0, &e), -1);
	ck_assert_int_eq(e.code, SC_EIO);
	fclose(bad);
	ck_assert_int_eq(sc_store_exists(st, "k/v.csv", &e), 0);
	snprintf(dir, sizeof(dir), "%s/k", root);
	ck_assert_int_eq(access(dir, F_OK), -1); /* no empty key directory */
	ck_assert_int_eq(count_entries(root), 0);
	ck_assert_int_eq(sc_store_put_buf(st, "../x", "v", 1, 0, &e), -1);
	ck_assert_int_eq(e.code, SC_EUSAGE);
	sc_store_free(st);
}
END_TEST

/*
 * A put from a pipe refused past the maximum object size leaves neither
 * the object nor the directories it created; directories that were there
 * before stay.
 */
START_TEST(test_store_put_too_big_leaves_no_dir)
{
	struct sc_store *st = open_root();
	struct sc_err e = { 0 };
	char path[160];
	int fd[2];
	FILE *in;

	snprintf(path, sizeof(path), "%s/keep", root);
	ck_assert_int_eq(mkdir(path, 0777), 0);
	sc_store_set_max_object(st, 10);
	ck_assert_int_eq(pipe(fd), 0);
	ck_assert_int_eq(write(fd[1], "0123456789ABCDEF", 16), 16);
	close(fd[1]);
	ck_assert_ptr_nonnull(in = fdopen(fd[0], "r"));
	ck_assert_int_eq(sc_store_put(st, "keep/a/b/v.csv", in, 0, &e), -1);
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_ptr_nonnull(strstr(e.msg, "maximum object size"));
	fclose(in);
	ck_assert_int_eq(access(path, F_OK), 0);
	ck_assert_int_eq(count_entries(path), 0);
	ck_assert_int_eq(count_entries(root), 1);
	/* At the limit the put succeeds and the directories are made. */
	ck_assert_int_eq(sc_store_put_buf(st, "keep/a/b/v.csv", "0123456789",
	                     10, 0, &e),
	    0);
	snprintf(path, sizeof(path), "%s/keep/a/b", root);
	ck_assert_int_eq(count_entries(path), 1);
	sc_store_free(st);
}
END_TEST

START_TEST(test_store_put_exclusive)
{
	struct sc_store *st = open_root();
	struct sc_err e = { 0 };
	char dir[128];

	ck_assert_int_eq(sc_store_put_buf(st, "models/m/1/model.json", "one", 3,
	                     SC_STORE_EXCL, &e),
	    0);
	ck_assert_int_eq(sc_store_put_buf(st, "models/m/1/model.json", "two", 3,
	                     SC_STORE_EXCL, &e),
	    SC_STORE_EXISTS);
	ck_assert_int_eq(e.code, SC_ECANTCREAT);
	ck_assert_ptr_nonnull(strstr(e.msg, "already exists"));
	ck_assert_str_eq(get_str(st, "models/m/1/model.json", &e), "one");
	snprintf(dir, sizeof(dir), "%s/models/m/1", root);
	ck_assert_int_eq(count_entries(dir), 1);
	sc_store_free(st);
}
END_TEST

static int
collect(const char *key, uint64_t size, void *arg)
{
	char *out = arg;
	size_t n = strlen(out);

	snprintf(out + n, 512 - n, "%s=%llu;", key, (unsigned long long)size);
	return 0;
}

START_TEST(test_store_list_sorted)
{
	struct sc_store *st = open_root();
	struct sc_err e = { 0 };
	char out[512] = "", hidden[128];
	FILE *fp;

	ck_assert_int_eq(sc_store_put_buf(st, "raw/b.csv", "bb", 2, 0, &e), 0);
	ck_assert_int_eq(sc_store_put_buf(st, "raw/a.csv", "a", 1, 0, &e), 0);
	ck_assert_int_eq(sc_store_put_buf(st, "raw/x/y.csv", "", 0, 0, &e), 0);
	ck_assert_int_eq(sc_store_put_buf(st, "rawer", "r", 1, 0, &e), 0);
	ck_assert_int_eq(sc_store_put_buf(st, "other/z", "z", 1, 0, &e), 0);
	snprintf(hidden, sizeof(hidden), "%s/raw/.sc-tmp.abc", root);
	fp = fopen(hidden, "w");
	fclose(fp);
	ck_assert_int_eq(sc_store_list(st, "raw/", collect, out, &e), 0);
	ck_assert_str_eq(out, "raw/a.csv=1;raw/b.csv=2;raw/x/y.csv=0;");
	out[0] = '\0';
	ck_assert_int_eq(sc_store_list(st, "raw", collect, out, &e), 0);
	ck_assert_str_eq(out, "raw/a.csv=1;raw/b.csv=2;raw/x/y.csv=0;rawer=1;");
	out[0] = '\0';
	ck_assert_int_eq(sc_store_list(st, "none/", collect, out, &e), 0);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(sc_store_list(st, "../", collect, out, &e), -1);
	sc_store_free(st);
}
END_TEST

START_TEST(test_store_get_delete)
{
	struct sc_store *st = open_root();
	struct sc_err e = { 0 };

	ck_assert_ptr_null(get_str(st, "missing.csv", &e));
	ck_assert_int_eq(e.code, SC_ENOINPUT);
	ck_assert_int_eq(sc_store_put_buf(st, "d/x", "x", 1, 0, &e), 0);
	ck_assert_int_eq(sc_store_delete(st, "d/x", &e), 0);
	ck_assert_int_eq(sc_store_exists(st, "d/x", &e), 0);
	ck_assert_int_eq(sc_store_delete(st, "d/x", &e), 0); /* idempotent */
	sc_store_free(st);
}
END_TEST

START_TEST(test_store_open_errors)
{
	struct sc_err e = { 0 };

	ck_assert_ptr_null(sc_store_open("s3://bkt/p", NULL, &e));
	ck_assert_int_eq(e.code, SC_ECONFIG);
	ck_assert_ptr_null(sc_store_open("gopher://x", NULL, &e));
	ck_assert_int_eq(e.code, SC_EUSAGE);
	{
		struct sc_s3_opts o = { 0 };

		ck_assert_ptr_null(sc_store_open("s3://bkt/p", &o, &e));
		ck_assert_int_eq(e.code, SC_ECONFIG);
		ck_assert_ptr_nonnull(strstr(e.msg, "AWS_SECRET_ACCESS_KEY"));
	}
}
END_TEST

/*
 * A device as the target is written in place: renaming over it replaced
 * /dev/null with a regular file when sc-push ran as root.  The node here
 * is a private copy of /dev/null (mknod needs root; skipped otherwise).
 */
START_TEST(test_store_put_device_kept)
{
	struct sc_err e = { 0 };
	struct sc_store *st = open_root();
	char path[128];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/null", root);
	if (mknod(path, S_IFCHR | 0666, makedev(1, 3)) == -1) {
		fprintf(stderr, "skipped: mknod: %s\n", strerror(errno));
		sc_store_free(st);
		return;
	}
	ck_assert_int_eq(sc_store_put_buf(st, "null", "v1", 2, 0, &e), 0);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_msg(S_ISCHR(sb.st_mode), "the device was replaced");
	ck_assert_int_eq(sc_store_put_buf(st, "null", "v", 1, SC_STORE_EXCL,
	                     &e),
	    SC_STORE_EXISTS);
	sc_store_free(st);
}
END_TEST

Suite *
sc_store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc;

	tc = tcase_create("keys");
	tcase_add_test(tc, test_store_key_valid);
	tcase_add_test(tc, test_store_loc_parse);
	tcase_add_test(tc, test_store_open_errors);
	suite_add_tcase(s, tc);
	tc = tcase_create("put");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_store_put_atomic);
	tcase_add_test(tc, test_store_put_failure_leaves_nothing);
	tcase_add_test(tc, test_store_put_too_big_leaves_no_dir);
	tcase_add_test(tc, test_store_put_exclusive);
	tcase_add_test(tc, test_store_put_device_kept);
	suite_add_tcase(s, tc);
	tc = tcase_create("list");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_store_list_sorted);
	tcase_add_test(tc, test_store_get_delete);
	suite_add_tcase(s, tc);
	return s;
}
