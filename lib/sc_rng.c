/* SPDX-License-Identifier: ISC */
/*
 * xoshiro256** (Blackman and Vigna, public domain reference) with its
 * state filled by splitmix64 from a mix of the seed and the stream number.
 * Bounded integers use Lemire's multiply-and-reject method: unbiased and
 * without a division in the common case.
 */
#include "sc_rng.h"

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void
sc_rng_seed(struct sc_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed, y;
	int i;

	/* Two splitmix rounds decorrelate neighbouring seeds and streams. */
	y = splitmix64(&x) ^ (stream * 0xd1b54a32d192ed03ULL);
	x = y;
	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
	if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
		r->s[0] = 1;
}

uint64_t
sc_rng_next(struct sc_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t
sc_rng_below(struct sc_rng *r, uint64_t n)
{
	unsigned __int128 m;
	uint64_t lo, thresh;

	m = (unsigned __int128)sc_rng_next(r) * n;
	lo = (uint64_t)m;
	if (lo < n) {
		thresh = -n % n;
		while (lo < thresh) {
			m = (unsigned __int128)sc_rng_next(r) * n;
			lo = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

double
sc_rng_double(struct sc_rng *r)
{
	return (double)(sc_rng_next(r) >> 11) * 0x1.0p-53;
}
