/* SPDX-License-Identifier: ISC */
/*
 * Private to sc_prom.c (the data model and the writer) and sc_prom_parse.c
 * (the text parser): the representation of a struct sc_prom and the few
 * helpers the parser needs from the model.  Nothing else includes it.
 */
#ifndef SC_PROM_INT_H
#define SC_PROM_INT_H

#include <stddef.h>
#include <stdint.h>

#include "sc_err.h"
#include "sc_prom.h"

struct family {
	char *name;
	enum sc_prom_type type;
	char *help;
	int has_samples;
	int typed;  /* a TYPE line was read */
	int helped; /* a HELP line was read */
};

struct sample {
	char *name;
	size_t fam;
	size_t nlab;
	char **lab; /* name, value, name, value, ... sorted by name */
	double value;
	uint64_t hash;
};

struct sc_prom {
	struct family *fam;
	size_t nfam, capfam;
	struct sample *s;
	size_t ns, caps;
	size_t *slot; /* open addressing: sample index + 1, 0 free */
	size_t nslot;
	size_t *fslot; /* the same for families by name */
	size_t nfslot;
};

/* "untyped", "counter", ...: the TYPE word of each enum sc_prom_type. */
extern const char *const sc_prom_type_names[];

/* Non-zero when s (n bytes) is well-formed UTF-8 without NUL. */
int sc_prom_utf8_ok(const char *s, size_t n);

/* A float as the text format has it: decimal, NaN, +Inf, -Inf; 0 or -1. */
int sc_prom_float(const char *s, double *v);

/* The index of the family called name, or -1. */
long sc_prom_find_family(const struct sc_prom *, const char *name);

/*
 * Append a family (name not declared yet) with type and help (may be
 * NULL); 0, or -1 with SC_EOS.
 */
int sc_prom_new_family(struct sc_prom *, const char *name,
    enum sc_prom_type type, const char *help, struct sc_err *);

#endif
