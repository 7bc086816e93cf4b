/* SPDX-License-Identifier: ISC */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sc_buf.h"

/* Appends one at a time: capacity doubles from the minimum, data kept. */
START_TEST(test_buf_grow_doubles)
{
	struct sc_err e = { 0 };
	long *a = NULL;
	size_t cap = 0, n;

	for (n = 0; n < 1000; n++) {
		ck_assert_int_eq(sc_buf_grow(&a, &cap, n + 1, sizeof(*a), &e),
		    0);
		ck_assert_uint_ge(cap, n + 1);
		a[n] = (long)n;
	}
	ck_assert_uint_eq(cap, 1024);
	for (n = 0; n < 1000; n++)
		ck_assert_int_eq(a[n], (long)n);
	free(a);
}
END_TEST

/* A want within the capacity changes nothing; a big want is met at once. */
START_TEST(test_buf_grow_noop_and_jump)
{
	struct sc_err e = { 0 };
	char *a = NULL, *was;
	size_t cap = 0;

	ck_assert_int_eq(sc_buf_grow(&a, &cap, 0, 1, &e), 0);
	ck_assert_ptr_null(a);
	ck_assert_uint_eq(cap, 0);
	ck_assert_int_eq(sc_buf_grow(&a, &cap, 3, 1, &e), 0);
	ck_assert_uint_eq(cap, SC_BUF_GROW_MIN);
	was = a;
	ck_assert_int_eq(sc_buf_grow(&a, &cap, SC_BUF_GROW_MIN, 1, &e), 0);
	ck_assert_ptr_eq(a, was);
	ck_assert_int_eq(sc_buf_grow(&a, &cap, 1000, 1, &e), 0);
	ck_assert_uint_eq(cap, 1024);
	free(a);
}
END_TEST

/* Element count times size overflowing: refused, array and cap untouched. */
START_TEST(test_buf_grow_overflow)
{
	struct sc_err e = { 0 };
	double *a = NULL, *was;
	size_t cap = 0;

	ck_assert_int_eq(sc_buf_grow(&a, &cap, 10, sizeof(*a), &e), 0);
	a[9] = 4.5;
	was = a;
	ck_assert_int_eq(sc_buf_grow(&a, &cap, SIZE_MAX / 4, sizeof(*a), &e),
	    -1);
	ck_assert_int_eq(e.code, SC_EOS);
	ck_assert_ptr_eq(a, was);
	ck_assert_uint_eq(cap, SC_BUF_GROW_MIN);
	ck_assert_int_eq(sc_buf_grow(&a, &cap, SIZE_MAX, 0, NULL), -1);
	ck_assert_ptr_eq(a, was);
	ck_assert_uint_eq(cap, SC_BUF_GROW_MIN);
	ck_assert(a[9] == 4.5);
	free(a);
}
END_TEST

#if defined(__SANITIZE_ADDRESS__)
#define SC_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SC_TEST_ASAN 1
#endif
#endif

/* realloc failing (a size no allocator grants): nothing changes. */
START_TEST(test_buf_grow_enomem)
{
	struct sc_err e = { 0 };
	char *a = NULL, *was;
	size_t cap = 0;

	ck_assert_int_eq(sc_buf_grow(&a, &cap, 5, 1, &e), 0);
	memcpy(a, "keep", 5);
	was = a;
#ifdef SC_TEST_ASAN
	/* ASan aborts on such a request instead of returning NULL. */
	(void)was;
#else
	ck_assert_int_eq(sc_buf_grow(&a, &cap, SIZE_MAX - 1, 1, &e), -1);
	ck_assert_int_eq(e.code, SC_EOS);
	ck_assert_ptr_eq(a, was);
	ck_assert_uint_eq(cap, SC_BUF_GROW_MIN);
	ck_assert_int_eq(sc_buf_grow(&a, &cap, SIZE_MAX, 1, NULL), -1);
	ck_assert_ptr_eq(a, was);
	ck_assert_uint_eq(cap, SC_BUF_GROW_MIN);
#endif
	ck_assert_str_eq(a, "keep");
	free(a);
}
END_TEST

Suite *
sc_buf_suite(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("grow");

	tcase_add_test(tc, test_buf_grow_doubles);
	tcase_add_test(tc, test_buf_grow_noop_and_jump);
	tcase_add_test(tc, test_buf_grow_overflow);
	tcase_add_test(tc, test_buf_grow_enomem);
	suite_add_tcase(s, tc);
	return s;
}
