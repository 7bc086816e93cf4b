/* SPDX-License-Identifier: ISC */
/*
 * sc_tune: folds, the space, the samplers (TPE against random on a known
 * function), the median pruner, the search (reproducible, thread count
 * free, timeout), trials JSONL and merging shards.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "check_sc.h"
#include "sc_rng.h"
#include "sc_table.h"
#include "sc_tune.h"

/* A table of ndays dates x 3 tickers (or no date column), y = f(x) + noise. */
static struct sc_table *
make_table(int ndays, int dated)
{
	static char buf[1 << 20];
	struct sc_table *t;
	struct sc_rng r;
	struct sc_err e = { 0 };
	size_t at = 0;
	double x1, x2;
	int d, k;
	FILE *fp;

	sc_rng_seed(&r, 42, 0);
	at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%sx1,x2,target\n",
	    dated ? "date,ticker," : "");
	for (d = 0; d < ndays; d++)
		for (k = 0; k < 3; k++) {
			x1 = sc_rng_double(&r);
			x2 = sc_rng_double(&r);
			if (dated)
				at += (size_t)snprintf(buf + at,
				    sizeof(buf) - at, "2024-%02d-%02d,T%d,",
				    1 + d / 28, 1 + d % 28, k);
			at += (size_t)snprintf(buf + at, sizeof(buf) - at,
			    "%.6f,%.6f,%.6f\n", x1, x2,
			    3 * x1 - 2 * x2 * x2 + 0.3 * sc_rng_double(&r));
		}
	fp = fmemopen(buf, at, "r");
	t = sc_table_read(fp, NULL, &e);
	fclose(fp);
	ck_assert_msg(t != NULL, "%s", e.msg);
	return t;
}

START_TEST(test_tune_folds_by_date)
{
	struct sc_err e = { 0 };
	struct sc_table *t = make_table(60, 1);
	struct sc_tune_folds *f;
	const size_t *tr, *va;
	size_t ntr, nva, a, b;
	int i, gap;

	for (gap = 0; gap <= 3; gap += 3) {
		f = sc_tune_folds_make(t, 5, gap, &e);
		ck_assert_msg(f != NULL, "%s", e.msg);
		ck_assert_int_eq(sc_tune_folds_n(f), 5);
		for (i = 0; i < 5; i++) {
			sc_tune_folds_get(f, i, &tr, &ntr, &va, &nva);
			/* 60 dates: blocks of 10, the first validates 10..19 */
			ck_assert_uint_eq(nva, 30);
			ck_assert_uint_eq(ntr,
			    3 * (size_t)(10 * (i + 1) - gap));
			for (a = 0; a < ntr; a++)
				for (b = 0; b < nva; b++)
					ck_assert_int_lt(strcmp(sc_table_date(t,
					                            tr[a]),
					                     sc_table_date(t,
					                         va[b])),
					    0);
		}
		sc_tune_folds_free(f);
	}
	ck_assert_ptr_null(sc_tune_folds_make(t, 5, 10, &e));
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_ptr_null(sc_tune_folds_make(t, 100, 0, &e));
	sc_table_free(t);
}
END_TEST

/*
 * 1,500 dates (more than the first hash table holds) of 2 tickers, rows in
 * no date order: one ticker's dates descending, the other's by a stride.
 * Each fold validates exactly the rows whose date ranks in its block.
 */
START_TEST(test_tune_folds_unordered_dates)
{
	enum { ND = 1500, K = 4 };
	static char buf[1 << 17];
	static size_t rk[2 * ND];
	static char dates[ND][40]; /* 10 used, room for any three ints */
	struct sc_err e = { 0 };
	struct sc_tune_folds *f;
	struct sc_table *t;
	const size_t *tr, *va;
	size_t ntr, nva, at = 0, r, b = ND / (K + 1), vs, j;
	int d, i;
	FILE *fp;

	for (d = 0; d < ND; d++) /* day d of 2000-2005, ascending */
		snprintf(dates[d], sizeof(dates[d]), "%04d-%02d-%02d",
		    2000 + d / 300, 1 + d / 25 % 12, 1 + d % 25);
	at += (size_t)snprintf(buf + at, sizeof(buf) - at,
	    "date,ticker,x,target\n");
	for (d = ND - 1; d >= 0; d--)
		at += (size_t)snprintf(buf + at, sizeof(buf) - at,
		    "%s,A,%d,%d\n", dates[d], d, d);
	for (d = 0; d < ND; d++)
		at += (size_t)snprintf(buf + at, sizeof(buf) - at,
		    "%s,B,%d,%d\n", dates[d * 7 % ND], d, d);
	fp = fmemopen(buf, at, "r");
	t = sc_table_read(fp, NULL, &e);
	fclose(fp);
	ck_assert_msg(t != NULL, "%s", e.msg);
	for (r = 0; r < 2 * ND; r++) /* rank by counting, as the doc says */
		for (d = 0; d < ND; d++)
			rk[r] += strcmp(dates[d], sc_table_date(t, r)) < 0;
	f = sc_tune_folds_make(t, K, 2, &e);
	ck_assert_msg(f != NULL, "%s", e.msg);
	for (i = 0; i < K; i++) {
		sc_tune_folds_get(f, i, &tr, &ntr, &va, &nva);
		vs = ND - (size_t)(K - i) * b;
		ck_assert_uint_eq(nva, 2 * b);
		ck_assert_uint_eq(ntr, 2 * (vs - 2));
		for (j = 0; j < nva; j++)
			ck_assert(rk[va[j]] >= vs && rk[va[j]] < vs + b);
		for (j = 0; j < ntr; j++)
			ck_assert_uint_lt(rk[tr[j]], vs - 2);
		for (j = 1; j < ntr; j++) /* table order */
			ck_assert_uint_lt(tr[j - 1], tr[j]);
	}
	sc_tune_folds_free(f);
	sc_table_free(t);
}
END_TEST

START_TEST(test_tune_folds_rows)
{
	struct sc_err e = { 0 };
	struct sc_table *t = make_table(20, 0);
	struct sc_tune_folds *f = sc_tune_folds_make(t, 5, 1, &e);
	const size_t *tr, *va;
	size_t ntr, nva;

	/* 60 rows, no dates: row order, blocks of 10 rows. */
	ck_assert_ptr_nonnull(f);
	sc_tune_folds_get(f, 4, &tr, &ntr, &va, &nva);
	ck_assert_uint_eq(nva, 10);
	ck_assert_uint_eq(ntr, 49);
	ck_assert_uint_eq(tr[ntr - 1], 48);
	ck_assert_uint_eq(va[0], 50);
	sc_tune_folds_free(f);
	sc_table_free(t);
}
END_TEST

START_TEST(test_tune_space_parse_good)
{
	struct sc_err e = { 0 };
	struct sc_tune_space s;
	struct sc_forest_params base, p;
	double x[SC_TUNE_MAXPARAMS] = { 100, 4, 0.05, 2, 1 };

	sc_tune_space_defaults(&s);
	ck_assert_uint_eq(s.n, 5);
	ck_assert_int_eq(sc_tune_space_parse(&s, "trees=int:10:20:log", &e), 0);
	ck_assert_uint_eq(s.n, 5);
	ck_assert_int_eq(s.d[0].log, 1);
	ck_assert_int_eq(sc_tune_space_parse(&s, "max_features=cat:sqrt,0.5,3",
	                     &e),
	    0);
	ck_assert_int_eq(sc_tune_space_parse(&s, "bootstrap=cat:true,false",
	                     &e),
	    0);
	ck_assert_uint_eq(s.n, 6);
	sc_forest_defaults(&base);
	ck_assert_int_eq(sc_tune_apply(&s, x, &base, &p, &e), 0);
	ck_assert_int_eq(p.trees, 100);
	ck_assert_int_eq(p.max_features.kind, SC_SHARE_FRAC);
	ck_assert_double_eq(p.max_features.value, 0.5);
	ck_assert_int_eq(p.min_samples_split.kind, SC_SHARE_FRAC);
	x[5] = 1;
	ck_assert_int_eq(sc_tune_apply(&s, x, &base, &p, &e), 0);
	ck_assert_int_eq(p.bootstrap, 0);
}
END_TEST

START_TEST(test_tune_space_parse_bad)
{
	static const char *bad[] = { "trees", "trees=int:10", "trees=int:20:10",
		"trees=int:0:10", "trees=float:0.1:0.5", "nope=int:1:2",
		"trees=int:1.5:3", "max_depth=int:3:10:lin",
		"min_samples_split=int:1:5", "max_features=float:0:0.5",
		"max_features=float:0.5:1.5", "max_features=cat:sqrt,cube",
		"bootstrap=int:0:1", "bootstrap=cat:yes",
		"trees=cat:", "trees=list:1,2", "max_features=cat:sqrt,sqrt",
		"min_samples_leaf=float:0.1:0.2", "trees=int:x:10" };
	struct sc_err e = { 0 };
	struct sc_tune_space s;
	size_t i;

	sc_tune_space_defaults(&s);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(sc_tune_space_parse(&s, bad[i], &e) == -1,
		    "accepted %s", bad[i]);
		ck_assert_int_eq(e.code, SC_EUSAGE);
	}
}
END_TEST

/* A known function with its optimum at (1.3, -2.1, 20). */
static double
bowl(const double *x)
{
	double a = x[0] - 1.3, b = x[1] + 2.1, c = log(x[2] / 20);

	return a * a + b * b + c * c;
}

/* Best value of a search of n trials of sampler smp with seed. */
static double
search_bowl(enum sc_tune_sampler smp, uint64_t seed, int n)
{
	struct sc_tune_space s;
	struct sc_tune_trial h[64];
	double best = HUGE_VAL;
	int k;

	memset(&s, 0, sizeof(s));
	s.n = 3;
	s.d[0].kind = s.d[1].kind = SC_TUNE_FLOAT;
	s.d[0].lo = s.d[1].lo = -5;
	s.d[0].hi = s.d[1].hi = 5;
	s.d[2].kind = SC_TUNE_INT;
	s.d[2].lo = 1;
	s.d[2].hi = 1000;
	s.d[2].log = 1;
	for (k = 0; k < n; k++) {
		memset(&h[k], 0, sizeof(h[k]));
		h[k].number = k;
		sc_tpe_sample(&s, smp, seed, k, h, (size_t)k, h[k].x);
		ck_assert(h[k].x[2] == floor(h[k].x[2]));
		ck_assert(h[k].x[2] >= 1 && h[k].x[2] <= 1000);
		ck_assert(h[k].x[0] >= -5 && h[k].x[0] <= 5);
		h[k].value = bowl(h[k].x);
		h[k].nfolds = 1;
		h[k].fold[0] = h[k].value;
		if (h[k].value < best)
			best = h[k].value;
	}
	return best;
}

START_TEST(test_tune_tpe_beats_random)
{
	double tpe = 0, rnd = 0, a, b;
	int seed, wins = 0;

	/*
	 * 20 seeds of 50 trials.  Over 10 disjoint sets of 20 seeds
	 * (0..199) random search's mean best was 1.7..2.6 and TPE's
	 * 0.32..0.68, a ratio under 0.3 every time, and TPE won on 16..20
	 * seeds of 20: the margins asserted (0.5, 14) are far from chance.
	 */
	for (seed = 0; seed < 20; seed++) {
		a = search_bowl(SC_TUNE_TPE, (uint64_t)seed, 50);
		b = search_bowl(SC_TUNE_RANDOM, (uint64_t)seed, 50);
		tpe += a / 20;
		rnd += b / 20;
		wins += a < b;
	}
	ck_assert_msg(tpe < 0.5 * rnd, "TPE %g, random %g", tpe, rnd);
	ck_assert_msg(wins >= 14, "TPE better on %d of 20 seeds", wins);
}
END_TEST

START_TEST(test_tune_tpe_deterministic)
{
	ck_assert_double_eq(search_bowl(SC_TUNE_TPE, 7, 30),
	    search_bowl(SC_TUNE_TPE, 7, 30));
	ck_assert_double_ne(search_bowl(SC_TUNE_TPE, 7, 30),
	    search_bowl(SC_TUNE_TPE, 8, 30));
}
END_TEST

static void
complete(struct sc_tune_trial *t, double f0, double f1)
{
	memset(t, 0, sizeof(*t));
	t->state = SC_TUNE_COMPLETE;
	t->nfolds = 2;
	t->fold[0] = f0;
	t->fold[1] = f1;
	t->value = (f0 + f1) / 2;
}

START_TEST(test_tune_prune_median)
{
	struct sc_tune_trial h[7];
	int i;

	for (i = 0; i < 4; i++)
		complete(&h[i], 1 + i, 1);
	/* Four complete trials: below Optuna's 5 start-up trials. */
	ck_assert_int_eq(sc_tune_prune(h, 4, 0, 100), 0);
	complete(&h[4], 5, 1);
	/* Fold 0 values 1..5: median 3; strictly above prunes. */
	ck_assert_int_eq(sc_tune_prune(h, 5, 0, 3), 0);
	ck_assert_int_eq(sc_tune_prune(h, 5, 0, 3.01), 1);
	/* At fold 1 the running means are 1, 1.5, ..., 3: median 2. */
	ck_assert_int_eq(sc_tune_prune(h, 5, 1, 2.01), 1);
	ck_assert_int_eq(sc_tune_prune(h, 5, 1, 1.99), 0);
	/* A pruned trial does not count; an even count averages. */
	complete(&h[5], 0, 0);
	h[5].state = SC_TUNE_PRUNED;
	ck_assert_int_eq(sc_tune_prune(h, 6, 0, 3.01), 1);
	complete(&h[6], 6, 1);
	ck_assert_int_eq(sc_tune_prune(h, 7, 0, 3.4), 0);
	ck_assert_int_eq(sc_tune_prune(h, 7, 0, 3.6), 1);
}
END_TEST

static struct sc_tune *
small_search(const struct sc_table *t, enum sc_tune_sampler smp, int prune,
    int threads, long shard, long nshard)
{
	struct sc_err e = { 0 };
	struct sc_tune_space s;
	struct sc_tune_opts o;
	struct sc_tune *r;

	sc_tune_space_defaults(&s);
	ck_assert_int_eq(sc_tune_space_parse(&s, "trees=int:5:20", &e), 0);
	sc_tune_defaults(&o);
	o.trials = 14;
	o.folds = 3;
	o.sampler = smp;
	o.prune = prune;
	o.seed = 3;
	o.base.threads = threads;
	o.shard = shard;
	o.nshard = nshard;
	r = sc_tune_run(t, &s, &o, NULL, NULL, &e);
	ck_assert_msg(r != NULL, "%s", e.msg);
	return r;
}

START_TEST(test_tune_search_reproducible)
{
	struct sc_table *t = make_table(80, 1);
	struct sc_tune *a = small_search(t, SC_TUNE_TPE, 1, 1, 0, 1);
	struct sc_tune *b = small_search(t, SC_TUNE_TPE, 1, 2, 0, 1);
	size_t i, pruned = 0;

	ck_assert_uint_eq(sc_tune_ntrials(a), 14);
	ck_assert_uint_eq(sc_tune_ntrials(b), 14);
	for (i = 0; i < 14; i++) {
		const struct sc_tune_trial *x = sc_tune_trial(a, i),
		                           *y = sc_tune_trial(b, i);

		ck_assert_int_eq(x->number, (long)i);
		ck_assert(x->value == y->value);
		ck_assert(memcmp(x->x, y->x, sizeof(x->x)) == 0);
		ck_assert_int_eq(x->state, y->state);
		pruned += x->state == SC_TUNE_PRUNED;
		ck_assert_int_eq(x->nfolds,
		    x->state == SC_TUNE_PRUNED ? x->nfolds : 3);
	}
	ck_assert_uint_gt(pruned, 0);
	ck_assert(sc_tune_best(a)->state == SC_TUNE_COMPLETE);
	sc_tune_free(a);
	sc_tune_free(b);
	sc_table_free(t);
}
END_TEST

START_TEST(test_tune_search_timeout)
{
	struct sc_err e = { 0 };
	struct sc_table *t = make_table(80, 1);
	struct sc_tune_space s;
	struct sc_tune_opts o;
	struct sc_tune *r;

	sc_tune_space_defaults(&s);
	sc_tune_defaults(&o);
	o.trials = 1000;
	o.timeout = 1e-6;
	r = sc_tune_run(t, &s, &o, NULL, NULL, &e);
	ck_assert_ptr_nonnull(r);
	/* The first trial always finishes, so there is a best. */
	ck_assert_uint_eq(sc_tune_ntrials(r), 1);
	ck_assert_int_eq(sc_tune_timed_out(r), 1);
	ck_assert_ptr_nonnull(sc_tune_best(r));
	sc_tune_free(r);
	sc_table_free(t);
}
END_TEST

START_TEST(test_tune_merge_shards)
{
	struct sc_err e = { 0 };
	struct sc_table *t = make_table(80, 1);
	struct sc_tune *all = small_search(t, SC_TUNE_RANDOM, 0, 0, 0, 1);
	struct sc_tune *p[3], *m = NULL;
	struct sc_tune_space s;
	char *buf = NULL;
	size_t len = 0, i, k;
	FILE *fp = open_memstream(&buf, &len);

	sc_tune_space_defaults(&s);
	ck_assert_int_eq(sc_tune_space_parse(&s, "trees=int:5:20", &e), 0);
	for (k = 0; k < 3; k++) {
		p[k] = small_search(t, SC_TUNE_RANDOM, 0, 0, (long)k, 3);
		for (i = 0; i < sc_tune_ntrials(p[k]); i++)
			ck_assert_int_eq(sc_tune_write_trial(fp, &s,
			                     sc_tune_trial(p[k], i), "id", &e),
			    0);
		sc_tune_free(p[k]);
	}
	fclose(fp);
	fp = fmemopen(buf, len, "r");
	ck_assert_int_eq(sc_tune_read_trials(&m, fp, &s, "id", &e), 0);
	fclose(fp);
	ck_assert_uint_eq(sc_tune_ntrials(m), 14);
	for (i = 0; i < 14; i++) {
		ck_assert_int_eq(sc_tune_trial(m, i)->number, (long)i);
		ck_assert(
		    sc_tune_trial(m, i)->value == sc_tune_trial(all, i)->value);
	}
	ck_assert_int_eq(sc_tune_best(m)->number, sc_tune_best(all)->number);
	ck_assert(sc_tune_best(m)->value == sc_tune_best(all)->value);
	/* Another search's trials, or the same trial twice, are refused. */
	fp = fmemopen(buf, len, "r");
	ck_assert_int_eq(sc_tune_read_trials(&m, fp, &s, "other", &e), -1);
	ck_assert_int_eq(e.code, SC_EDATA);
	fclose(fp);
	fp = fmemopen(buf, len, "r");
	ck_assert_int_eq(sc_tune_read_trials(&m, fp, &s, "id", &e), -1);
	ck_assert_int_eq(e.code, SC_EDATA);
	fclose(fp);
	free(buf);
	sc_tune_free(m);
	sc_tune_free(all);
	sc_table_free(t);
}
END_TEST

START_TEST(test_tune_subset_copies)
{
	struct sc_err e = { 0 };
	struct sc_table *t = make_table(10, 1), *s;
	size_t rows[] = { 4, 1, 4 };

	s = sc_table_subset(t, rows, 3, &e);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(sc_table_nrows(s), 3);
	ck_assert_str_eq(sc_table_date(s, 1), sc_table_date(t, 1));
	ck_assert(sc_table_y(s)[0] == sc_table_y(t)[4]);
	ck_assert(sc_table_column(s, 1)[2] == sc_table_column(t, 1)[4]);
	ck_assert_str_eq(sc_table_sha256(s), sc_table_sha256(t));
	sc_table_free(t);
	ck_assert_str_eq(sc_table_ticker(s, 0), "T1");
	sc_table_free(s);
}
END_TEST

Suite *
sc_tune_suite(void)
{
	Suite *s = suite_create("tune");
	TCase *tc;

	tc = tcase_create("folds");
	tcase_add_test(tc, test_tune_folds_by_date);
	tcase_add_test(tc, test_tune_folds_rows);
	tcase_add_test(tc, test_tune_folds_unordered_dates);
	tcase_add_test(tc, test_tune_subset_copies);
	suite_add_tcase(s, tc);
	tc = tcase_create("space");
	tcase_add_test(tc, test_tune_space_parse_good);
	tcase_add_test(tc, test_tune_space_parse_bad);
	suite_add_tcase(s, tc);
	tc = tcase_create("sampler");
	tcase_add_test(tc, test_tune_tpe_beats_random);
	tcase_add_test(tc, test_tune_tpe_deterministic);
	suite_add_tcase(s, tc);
	tc = tcase_create("pruner");
	tcase_add_test(tc, test_tune_prune_median);
	suite_add_tcase(s, tc);
	tc = tcase_create("search");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_tune_search_reproducible);
	tcase_add_test(tc, test_tune_search_timeout);
	tcase_add_test(tc, test_tune_merge_shards);
	suite_add_tcase(s, tc);
	return s;
}
