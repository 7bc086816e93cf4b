/* SPDX-License-Identifier: ISC */
/* Helpers shared by the Check suites. */
#ifndef CHECK_SC_H
#define CHECK_SC_H

#include <stdio.h>

/*
 * The directory of the shared test data (../shared beside the checkout, or
 * $SC_SHARED), or NULL when it is absent: tests that need it then skip with
 * a message.
 */
const char *sc_test_shared(void);

/* A read-only stream over a string literal (fmemopen). */
FILE *sc_test_str(const char *s);

#endif
