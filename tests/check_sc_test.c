/* SPDX-License-Identifier: ISC */
/* The test helpers of check_sc.h, with a suite of their own. */
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "check_sc.h"

const char *
sc_test_shared(void)
{
	static const char *const cand[] = { "../shared", "../../shared" };
	const char *env = getenv("SC_SHARED");
	struct stat st;
	size_t i;

	if (env != NULL && *env != '\0')
		return stat(env, &st) == 0 ? env : NULL;
	for (i = 0; i < sizeof(cand) / sizeof(cand[0]); i++)
		if (stat(cand[i], &st) == 0 && S_ISDIR(st.st_mode))
			return cand[i];
	return NULL;
}

FILE *
sc_test_str(const char *s)
{
	size_t n = strlen(s);

	/* fmemopen() of zero bytes fails on some libcs: give one NUL less. */
	return n == 0 ? fopen("/dev/null", "r") : fmemopen((void *)s, n, "r");
}

START_TEST(test_test_str_reads)
{
	FILE *fp = sc_test_str("abc");
	char buf[8] = { 0 };

	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fread(buf, 1, sizeof(buf), fp), 3);
	ck_assert_str_eq(buf, "abc");
	fclose(fp);
}
END_TEST

Suite *
sc_test_suite(void)
{
	Suite *s = suite_create("test");
	TCase *tc = tcase_create("helpers");

	tcase_add_test(tc, test_test_str_reads);
	suite_add_tcase(s, tc);
	return s;
}
