/* SPDX-License-Identifier: ISC */
/*
 * Runs every Check suite (one per lib module) in one SRunner, fork mode by
 * default.  CK_RUN_SUITE=csv runs one suite, as Check itself allows.  The
 * last line, "check: N passed, N failed", is read by tests/run.sh.
 */
#include <stdio.h>
#include <stdlib.h>

#include <check.h>

#include "check_sc.h"

#define SUITE(name) Suite *sc_##name##_suite(void);
#include "suites.h"
#undef SUITE

int
main(void)
{
	SRunner *sr;
	int run, failed;

	sr = srunner_create(NULL);
#define SUITE(name) srunner_add_suite(sr, sc_##name##_suite());
#include "suites.h"
#undef SUITE
	srunner_run_all(sr, CK_NORMAL);
	run = srunner_ntests_run(sr);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	printf("check: %d passed, %d failed\n", run - failed, failed);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
