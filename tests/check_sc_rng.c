/* SPDX-License-Identifier: ISC */
/* The generator: reproducible streams, bounds, rough uniformity. */
#include <math.h>
#include <stdint.h>

#include <check.h>

#include "sc_rng.h"

START_TEST(test_rng_streams_reproducible)
{
	struct sc_rng a, b, c;
	int i, same = 0;

	sc_rng_seed(&a, 42, 3);
	sc_rng_seed(&b, 42, 3);
	sc_rng_seed(&c, 42, 4);
	for (i = 0; i < 1000; i++) {
		uint64_t x = sc_rng_next(&a);

		ck_assert(x == sc_rng_next(&b));
		same += x == sc_rng_next(&c);
	}
	ck_assert_int_eq(same, 0);
	/* Seed 0, stream 0 is a valid stream too (never all-zero state). */
	sc_rng_seed(&a, 0, 0);
	ck_assert(sc_rng_next(&a) != 0 || sc_rng_next(&a) != 0);
}
END_TEST

START_TEST(test_rng_below_uniform)
{
	struct sc_rng r;
	long n[10] = { 0 };
	double chi = 0, d;
	int i;

	sc_rng_seed(&r, 7, 0);
	for (i = 0; i < 100000; i++)
		n[sc_rng_below(&r, 10)]++;
	for (i = 0; i < 10; i++)
		chi += (n[i] - 10000.0) * (n[i] - 10000.0) / 10000.0;
	ck_assert_msg(chi < 30, "chi-square %g", chi); /* 9 dof, p ~ 4e-4 */
	for (i = 0; i < 1000; i++) {
		ck_assert(sc_rng_below(&r, 1) == 0);
		ck_assert(sc_rng_below(&r, 3) < 3);
		d = sc_rng_double(&r);
		ck_assert(d >= 0 && d < 1);
	}
	ck_assert(sc_rng_below(&r, UINT64_MAX) < UINT64_MAX);
}
END_TEST

Suite *
sc_rng_suite(void)
{
	Suite *s = suite_create("rng");
	TCase *tc;

	tc = tcase_create("streams");
	tcase_add_test(tc, test_rng_streams_reproducible);
	suite_add_tcase(s, tc);
	tc = tcase_create("below");
	tcase_add_test(tc, test_rng_below_uniform);
	suite_add_tcase(s, tc);
	return s;
}
