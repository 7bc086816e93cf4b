/* SPDX-License-Identifier: ISC */
/*
 * A small fast pseudo-random generator: xoshiro256** seeded through
 * splitmix64.  Every tree of a forest draws from its own stream, derived
 * from (seed, stream number) alone, so results never depend on which
 * thread builds which tree.  The state is a plain struct so that it can
 * live on the stack or inside a per-tree workspace without allocation.
 */
#ifndef SC_RNG_H
#define SC_RNG_H

#include <stdint.h>

struct sc_rng {
	uint64_t s[4];
};

/*
 * Seed r for stream number stream of seed: distinct (seed, stream) pairs
 * give independent-looking sequences.  Never fails.
 */
void sc_rng_seed(struct sc_rng *r, uint64_t seed, uint64_t stream);

/* The next 64 random bits. */
uint64_t sc_rng_next(struct sc_rng *r);

/* A uniform integer in [0, n) without modulo bias; n must be > 0. */
uint64_t sc_rng_below(struct sc_rng *r, uint64_t n);

/* A uniform double in [0, 1) with 53 random bits. */
double sc_rng_double(struct sc_rng *r);

#endif
