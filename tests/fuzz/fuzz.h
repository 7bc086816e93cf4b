/* SPDX-License-Identifier: ISC */
/*
 * Shared by the libFuzzer harnesses in tests/fuzz/: a FILE over the
 * fuzzer's bytes, so that readers that take a stream see exactly the input
 * (an empty input included, which fmemopen(3) refuses).
 */
#ifndef SC_FUZZ_H
#define SC_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * A stream reading the n bytes at data; the caller fcloses it and then
 * frees *copy.  NULL when out of memory.
 */
static inline FILE *
fuzz_stream(const uint8_t *data, size_t n, char **copy)
{
	FILE *fp;

	*copy = malloc(n + 1);
	if (*copy == NULL)
		return NULL;
	memcpy(*copy, data, n);
	if (n == 0)
		fp = fopen("/dev/null", "r");
	else
		fp = fmemopen(*copy, n, "r");
	if (fp == NULL) {
		free(*copy);
		*copy = NULL;
	}
	return fp;
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#endif
