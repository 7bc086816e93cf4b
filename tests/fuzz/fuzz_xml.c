/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the S3 XML readers (lib/sc_xml.c): a ListObjectsV2 page and an
 * error reply.
 */
#include "fuzz.h"
#include "sc_xml.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct sc_xml_list l = { 0 };
	struct sc_xml_error x;
	struct sc_err e = { 0 };
	const char *body = (const char *)data;

	(void)sc_xml_parse_list(body, n, &l, &e);
	sc_xml_list_free(&l);
	(void)sc_xml_parse_error(body, n, &x);
	return 0;
}
