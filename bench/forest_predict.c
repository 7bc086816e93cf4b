/* SPDX-License-Identifier: ISC */
/*
 * Bench-only: time prediction through libsc (sc-predict is the program for
 * users).  Loads a model, reads a test table (not timed), predicts every
 * row (timed), then predicts with 90% intervals (timed), and prints
 * "load_s predict_s interval_s rmse coverage".
 * usage: forest_predict MODEL TEST.csv [threads]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sc_forest.h"
#include "sc_model.h"
#include "sc_table.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int
main(int argc, char *argv[])
{
	struct sc_err e = { 0 };
	struct sc_table_opts o = { NULL, 0, 0 };
	const struct sc_forest *f;
	struct sc_model *m;
	struct sc_table *t;
	FILE *fp;
	double t0, t1, t2, t3, *mean, *lo, *hi, sse = 0;
	size_t n, i, in = 0, nf, *map;
	int threads = argc > 3 ? atoi(argv[3]) : 0;

	if (argc < 3 || (fp = fopen(argv[1], "r")) == NULL)
		return 64;
	t0 = now();
	if ((m = sc_model_read(fp, &e)) == NULL) {
		fprintf(stderr, "forest_predict: %s\n", e.msg);
		return 65;
	}
	t1 = now();
	fclose(fp);
	f = sc_model_forest(m);
	o.target = sc_forest_target(f);
	if ((fp = fopen(argv[2], "r")) == NULL ||
	    (t = sc_table_read(fp, &o, &e)) == NULL) {
		fprintf(stderr, "forest_predict: %s\n", e.msg);
		return 65;
	}
	fclose(fp);
	n = sc_table_nrows(t);
	nf = sc_forest_nfeatures(f);
	mean = malloc(n * sizeof(*mean));
	lo = malloc(n * sizeof(*lo));
	hi = malloc(n * sizeof(*hi));
	map = malloc(nf * sizeof(*map));
	for (i = 0; i < nf; i++)
		map[i] = (size_t)sc_table_find(t, sc_forest_feature(f, i));
	t2 = now();
	sc_forest_predict_table(f, t, map, 0, threads, mean, NULL, NULL, &e);
	t3 = now();
	sc_forest_predict_table(f, t, map, 0.9, threads, mean, lo, hi, &e);
	for (i = 0; i < n; i++) {
		double y = sc_table_y(t)[i];

		sse += (y - mean[i]) * (y - mean[i]);
		in += y >= lo[i] && y <= hi[i];
	}
	printf("%.3f %.3f %.3f %.6f %.4f\n", t1 - t0, t3 - t2, now() - t3,
	    sqrt(sse / n), (double)in / n);
	free(mean);
	free(lo);
	free(hi);
	free(map);
	sc_table_free(t);
	sc_model_free(m);
	return 0;
}
