/* SPDX-License-Identifier: ISC */
/*
 * The two S3 replies stockcast reads, parsed with expat (a streaming
 * parser that is fuzzed upstream) rather than a hand-made scanner: a
 * ListObjectsV2 page (keys, sizes, ETags, IsTruncated,
 * NextContinuationToken) and an error body (Code, Message, RequestId).
 * Everything is bounded: element depth, text per element, objects per page;
 * a DOCTYPE (and so any entity trick) is refused.
 */
#ifndef SC_XML_H
#define SC_XML_H

#include <stddef.h>
#include <stdint.h>

#include "sc_err.h"

#define SC_XML_MAX_TEXT 4096      /* bytes of text in one element */
#define SC_XML_MAX_OBJECTS 100000 /* objects in one page */

struct sc_xml_obj {
	char *key; /* owned, decoded UTF-8 */
	uint64_t size;
	char etag[80];          /* with S3's quotes removed */
	char last_modified[40]; /* as sent, ISO 8601 */
};

struct sc_xml_list {
	struct sc_xml_obj *objs; /* owned */
	size_t n;
	int truncated;    /* IsTruncated was "true" */
	char *next_token; /* NextContinuationToken, owned, or NULL */
};

struct sc_xml_error {
	char code[64];     /* "NoSuchKey", ...; "" when absent */
	char message[256]; /* cut short if longer */
	char request_id[128];
};

/*
 * Parse a ListObjectsV2 reply of len bytes into *out (zeroed first; free
 * with sc_xml_list_free()).  Returns 0, or -1 with SC_EPROTO for malformed
 * XML, another root element, a missing Key or a bad Size, or a bound
 * passed; SC_EOS when out of memory.
 */
int sc_xml_parse_list(const char *, size_t len, struct sc_xml_list *out,
    struct sc_err *);

/* Free what *l owns and zero it. */
void sc_xml_list_free(struct sc_xml_list *);

/*
 * Parse an S3 error body into *out.  Returns 0 when it is an <Error>
 * document with a Code, -1 otherwise (*out then holds empty strings); sets
 * no error, since a missing or odd body is reported by the HTTP status.
 */
int sc_xml_parse_error(const char *, size_t len, struct sc_xml_error *out);

#endif
