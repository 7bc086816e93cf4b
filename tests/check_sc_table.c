/* SPDX-License-Identifier: ISC */
/* Numeric tables: labels, the target column, bad cells, the input hash. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "check_sc.h"
#include "sc_table.h"

static struct sc_table *
read_text(const char *s, const char *target, int optional, struct sc_err *e)
{
	struct sc_table_opts o = { target, optional, 0 };
	FILE *fp = sc_test_str(s);
	struct sc_table *t = sc_table_read(fp, &o, e);

	fclose(fp);
	return t;
}

START_TEST(test_table_read_labels)
{
	struct sc_err e = { 0 };
	struct sc_table *t =
	    read_text("date,ticker,close,f1,target_x\n"
	              "2024-01-03,AAPL,10.5,1,0.1\n2024-01-02,AAPL,,2,-0.2\n",
	        NULL, 0, &e);
	const char *from, *to;

	ck_assert_msg(t != NULL, "%s", e.msg);
	ck_assert_uint_eq(sc_table_nrows(t), 2);
	ck_assert_uint_eq(sc_table_nfeatures(t), 1);
	ck_assert_str_eq(sc_table_feature(t, 0), "f1");
	ck_assert_str_eq(sc_table_target(t), "target_x");
	ck_assert(sc_table_y(t)[1] == -0.2);
	ck_assert(sc_table_column(t, 0)[1] == 2);
	ck_assert_str_eq(sc_table_date(t, 0), "2024-01-03");
	ck_assert_str_eq(sc_table_ticker(t, 1), "AAPL");
	ck_assert(sc_table_close(t, 0) == 10.5);
	ck_assert(isnan(sc_table_close(t, 1)));
	ck_assert_int_eq(sc_table_line(t, 1), 3);
	sc_table_dates(t, &from, &to);
	ck_assert_str_eq(from, "2024-01-02");
	ck_assert_str_eq(to, "2024-01-03");
	ck_assert_int_eq(sc_table_find(t, "f1"), 0);
	ck_assert_int_eq(sc_table_find(t, "close"), -1);
	ck_assert_str_eq(sc_table_sha256(t),
	    "d1fb784f5c8a594ff276dbd3e1650ac5"
	    "1dcf24411d1566dbcbe85d34a85bd471");
	sc_table_free(t);
}
END_TEST

START_TEST(test_table_read_target_choice)
{
	struct sc_err e = { 0 };
	struct sc_table *t;
	const char *names[2] = { "b", "a" };
	size_t map[2];

	/* "target" wins; other target_* columns are never features. */
	t = read_text("a,target_y,target,b\n1,2,3,4\n", NULL, 0, &e);
	ck_assert_msg(t != NULL, "%s", e.msg);
	ck_assert_str_eq(sc_table_target(t), "target");
	ck_assert_uint_eq(sc_table_nfeatures(t), 2);
	ck_assert_int_eq(sc_table_map(t, names, 2, map, &e), 0);
	ck_assert(map[0] == 1 && map[1] == 0);
	names[1] = "zz";
	ck_assert_int_eq(sc_table_map(t, names, 2, map, &e), -1);
	ck_assert_msg(strstr(e.msg, "\"zz\"") != NULL, "%s", e.msg);
	sc_table_free(t);
	/* --target picks any column. */
	t = read_text("a,y,b\n1,2,3\n", "y", 0, &e);
	ck_assert_msg(t != NULL, "%s", e.msg);
	ck_assert_str_eq(sc_table_target(t), "y");
	sc_table_free(t);
	/* A prediction table may lack the target, or leave it empty. */
	t = read_text("a,b\n1,2\n", "target_z", 1, &e);
	ck_assert_msg(t != NULL, "%s", e.msg);
	ck_assert_ptr_null(sc_table_target(t));
	ck_assert(isnan(sc_table_y(t)[0]));
	sc_table_free(t);
	t = read_text("a,target\n1,\n", NULL, 1, &e);
	ck_assert_msg(t != NULL, "%s", e.msg);
	ck_assert(isnan(sc_table_y(t)[0]));
	sc_table_free(t);
}
END_TEST

static void
fails(const char *csv, const char *target, long line, const char *msg)
{
	struct sc_err e = { 0 };

	ck_assert_ptr_null(read_text(csv, target, 0, &e));
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_int_eq(e.line, line);
	ck_assert_msg(strstr(e.msg, msg) != NULL, "message: %s", e.msg);
}

/*
 * A table in a regular file of a few MiB is read in pieces, in parallel,
 * to the table a serial read (from memory) gives: values, lines, labels
 * and their order, dates, hash; and each way of breaking the pieces'
 * assumptions (a quote, a bad cell far in, a short row) gives what the
 * serial reader gives.  Read without the hash (no_hash, as prediction
 * reads), either way, it is the same table with no hash.
 */
struct variant {
	const char *name;
	const char *head; /* before the header */
	const char *eol;  /* line end */
	int blank_every;  /* a blank line every so many rows (0: none) */
	int last_eol;     /* the last row ends with eol */
	long bad_row;     /* this row gets a bad cell (-1: none) */
	const char *bad;  /* that cell */
	int quote_row;    /* this row's ticker is quoted (-1: none) */
	int parallel;     /* read in pieces, when the machine has 2 CPUs */
};

static char *
big_table(const struct variant *v, size_t rows, size_t *len)
{
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);
	size_t i;

	fprintf(fp, "%sdate,ticker,f1,close,f2,target_y%s", v->head, v->eol);
	for (i = 0; i < rows; i++) {
		if (v->blank_every > 0 && i % (size_t)v->blank_every == 3)
			fputs(v->eol, fp);
		fprintf(fp, "2024-%02zu-%02zu,%s%c%zu%s,%.17g,%s,", i % 12 + 1,
		    i / 12 % 28 + 1, (long)i == v->quote_row ? "\"" : "",
		    'A' + (int)(i % 7), i % 13,
		    (long)i == v->quote_row ? "\"" : "", (double)i / 7.0,
		    i % 5 == 0 ? "" : "10.25");
		if ((long)i == v->bad_row) /* in place of f2 */
			fputs(v->bad, fp);
		else
			fprintf(fp, "%zu", i * 3);
		fprintf(fp, ",%.17g", sin((double)i));
		if (i + 1 < rows || v->last_eol)
			fputs(v->eol, fp);
	}
	fclose(fp);
	return buf;
}

/* a and b hold the same table; and the same input hash when hash. */
static void
same_table(const struct sc_table *a, const struct sc_table *b, int hash)
{
	size_t i, j, n = sc_table_nrows(a);
	const char *fa, *ta, *fb, *tb;

	ck_assert_uint_eq(n, sc_table_nrows(b));
	ck_assert_uint_eq(sc_table_nfeatures(a), sc_table_nfeatures(b));
	ck_assert_str_eq(sc_table_target(a), sc_table_target(b));
	if (hash)
		ck_assert_str_eq(sc_table_sha256(a), sc_table_sha256(b));
	for (j = 0; j < sc_table_nfeatures(a); j++) {
		ck_assert_str_eq(sc_table_feature(a, j),
		    sc_table_feature(b, j));
		ck_assert(memcmp(sc_table_column(a, j), sc_table_column(b, j),
		              n * sizeof(double)) == 0);
	}
	ck_assert(
	    memcmp(sc_table_y(a), sc_table_y(b), n * sizeof(double)) == 0);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(sc_table_line(a, i), sc_table_line(b, i));
		ck_assert_str_eq(sc_table_date(a, i), sc_table_date(b, i));
		ck_assert_str_eq(sc_table_ticker(a, i), sc_table_ticker(b, i));
		/* labels interned alike: in the same order, once each */
		ck_assert(sc_table_date(a, i) - sc_table_date(a, 0) ==
		    sc_table_date(b, i) - sc_table_date(b, 0));
		ck_assert(sc_table_ticker(a, i) - sc_table_date(a, 0) ==
		    sc_table_ticker(b, i) - sc_table_date(b, 0));
		ck_assert(memcmp(&(double){ sc_table_close(a, i) },
		              &(double){ sc_table_close(b, i) },
		              sizeof(double)) == 0);
	}
	sc_table_dates(a, &fa, &ta);
	sc_table_dates(b, &fb, &tb);
	ck_assert_str_eq(fa, fb);
	ck_assert_str_eq(ta, tb);
}

START_TEST(test_table_read_pieces)
{
	static const struct variant vs[] = {
		{ "lf", "", "\n", 0, 1, -1, "", -1, 1 },
		{ "crlf, blank lines, no last end", "\n\r\n", "\r\n", 1000, 0,
		    -1, "", -1, 1 },
		{ "byte-order mark", "\xef\xbb\xbf", "\n", 0, 1, -1, "", -1,
		    1 },
		{ "a quote: serial", "", "\n", 0, 1, -1, "", 30000, 0 },
		{ "a bad cell far in", "", "\n", 0, 1, 29000, "x", -1, 0 },
		{ "a short row far in", "", "\n", 0, 1, 25000, "\n1,2", -1, 0 },
		{ "a lone CR", "", "\n", 0, 1, 20000, "1\r2", -1, 0 },
		{ "a CR before each LF of a row", "", "\n", 0, 1, 20000, "1\r",
		    -1, 0 },
		{ "a field too many", "", "\n", 0, 1, 21000, "1,2", -1, 0 },
		{ "a line of blanks", "", "\n", 0, 1, 22000, "3\n   ", -1, 0 },
		{ "blanks around a number", "", "\n", 0, 1, 23000, " 3 ", -1,
		    0 },
	};
	static const struct sc_table_opts nohash = { NULL, 0, 1 };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t i, len;

	for (i = 0; i < sizeof(vs) / sizeof(vs[0]); i++) {
		struct sc_err e1 = { 0 }, e2 = { 0 };
		char *text = big_table(&vs[i], 40000, &len);
		FILE *mem = fmemopen(text, len, "r"), *file = tmpfile();
		struct sc_table *a, *b, *c;

		ck_assert_uint_gt(len, 2 << 20);
		ck_assert_uint_eq(fwrite(text, 1, len, file), len);
		rewind(file);
		a = sc_table_read(mem, NULL, &e1);
		b = sc_table_read(file, NULL, &e2);
		ck_assert_msg((a == NULL) == (b == NULL), "%s", vs[i].name);
		if (a == NULL) {
			ck_assert_int_eq(e1.code, e2.code);
			ck_assert_int_eq(e1.line, e2.line);
			ck_assert_str_eq(e1.msg, e2.msg);
		} else {
			same_table(a, b, 1);
			ck_assert_uint_eq(strlen(sc_table_sha256(a)), 64);
			rewind(file);
			c = sc_table_read(file, &nohash, &e2);
			ck_assert_ptr_nonnull(c);
			same_table(b, c, 0);
			ck_assert_str_eq(sc_table_sha256(c), "");
			ck_assert_uint_eq(sc_table_pieces(c),
			    sc_table_pieces(b));
			sc_table_free(c);
			rewind(mem);
			c = sc_table_read(mem, &nohash, &e1);
			ck_assert_ptr_nonnull(c);
			same_table(a, c, 0);
			ck_assert_str_eq(sc_table_sha256(c), "");
			sc_table_free(c);
			ck_assert_uint_eq(sc_table_pieces(a), 0);
			ck_assert_msg(sc_table_pieces(b) ==
			            (vs[i].parallel && cpus >= 2 ? 2u : 0u) ||
			        (vs[i].parallel && cpus > 2 &&
			            sc_table_pieces(b) > 2),
			    "%s: %zu pieces", vs[i].name, sc_table_pieces(b));
			/* Read to its end, as a serial read leaves it. */
			ck_assert_int_eq(fgetc(file), EOF);
		}
		sc_table_free(a);
		sc_table_free(b);
		fclose(mem);
		fclose(file);
		free(text);
	}
}
END_TEST

START_TEST(test_table_errors_cells)
{
	fails("a,target\n1,2\nx,3\n", NULL, 3, "column \"a\": not a number");
	fails("a,target\n1,2\nnan,3\n", NULL, 3, "not a number");
	fails("a,target\n1,2\ninf,3\n", NULL, 3, "not a number");
	fails("a,target\n1,2\n1e999,3\n", NULL, 3, "not a number");
	fails("a,target\n1,2\n,3\n", NULL, 3, "column \"a\": empty cell");
	fails("a,target\n1,\n", NULL, 2, "empty target");
	fails("a,target\n1,2\n3\n", NULL, 3, "");
}
END_TEST

START_TEST(test_table_errors_columns)
{
	fails("a,b\n1,2\n", NULL, 1, "no target column");
	fails("a,b\n1,2\n", "c", 1, "no target column \"c\"");
	fails("a,target_1,target_5\n1,2,3\n", NULL, 1,
	    "several target columns (target_1, target_5)");
	fails("date,ticker,target\n2024-01-02,X,1\n", NULL, 1,
	    "no feature column");
	fails("", NULL, 1, "");
}
END_TEST

START_TEST(test_table_read_many_rows)
{
	struct sc_err e = { 0 };
	char *buf = NULL;
	size_t len = 0, i;
	FILE *fp = open_memstream(&buf, &len);
	struct sc_table *t;

	fputs("x,y,target\n", fp);
	for (i = 0; i < 5000; i++)
		fprintf(fp, "%zu,%.17g,%zu\n", i, i / 3.0, i % 7);
	fclose(fp);
	fp = fmemopen(buf, len, "r");
	t = sc_table_read(fp, NULL, &e);
	fclose(fp);
	ck_assert_msg(t != NULL, "%s", e.msg);
	ck_assert_uint_eq(sc_table_nrows(t), 5000);
	ck_assert(sc_table_column(t, 1)[4999] == 4999 / 3.0);
	ck_assert(sc_table_column(t, 0)[1234] == 1234);
	ck_assert(sc_table_y(t)[4999] == 4999 % 7);
	ck_assert_ptr_null(sc_table_date(t, 0));
	sc_table_free(t);
	free(buf);
}
END_TEST

/*
 * Labels repeat (interned once each): 20,000 rows over 50 dates and 9
 * tickers, in runs and out of order, with prefixes of one another; every
 * row reads back its own text, in the table, in a subset and in a subset
 * of a subset, and the date range is right.
 */
START_TEST(test_table_labels_interned)
{
	static const char *tk[] = { "A", "AA", "AAA", "B", "BA", "X", "XY", "Z",
		"ZZ" };
	struct sc_err e = { 0 };
	char *buf = NULL, want[32];
	size_t len = 0, i, n = 20000, rows[1000];
	FILE *fp = open_memstream(&buf, &len);
	struct sc_table *t, *u, *v;
	const char *from, *to;

	fputs("date,ticker,x,target\n", fp);
	for (i = 0; i < n; i++)
		fprintf(fp, "2020-01-%02zu,%s,%zu,1\n", (i * 37) % 50 + 10,
		    tk[(i / 13) % 9], i);
	fclose(fp);
	fp = fmemopen(buf, len, "r");
	t = sc_table_read(fp, NULL, &e);
	fclose(fp);
	ck_assert_msg(t != NULL, "%s", e.msg);
	for (i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "2020-01-%02zu",
		    (i * 37) % 50 + 10);
		ck_assert_str_eq(sc_table_date(t, i), want);
		ck_assert_str_eq(sc_table_ticker(t, i), tk[(i / 13) % 9]);
		ck_assert(sc_table_column(t, 0)[i] == (double)i);
	}
	sc_table_dates(t, &from, &to);
	ck_assert_str_eq(from, "2020-01-10");
	ck_assert_str_eq(to, "2020-01-59");
	for (i = 0; i < 1000; i++)
		rows[i] = (i * 7919) % n;
	u = sc_table_subset(t, rows, 1000, &e);
	ck_assert_msg(u != NULL, "%s", e.msg);
	/* Rows of t are out of u's range. */
	v = sc_table_subset(u, rows + 500, 300, &e);
	ck_assert_ptr_null(v);
	for (i = 0; i < 1000; i++)
		rows[i] = 999 - i;
	v = sc_table_subset(u, rows, 1000, &e);
	ck_assert_msg(v != NULL, "%s", e.msg);
	for (i = 0; i < 1000; i++) {
		size_t r = (i * 7919) % n, r2 = ((999 - i) * 7919) % n;

		ck_assert_str_eq(sc_table_date(u, i), sc_table_date(t, r));
		ck_assert_str_eq(sc_table_ticker(u, i), sc_table_ticker(t, r));
		ck_assert_str_eq(sc_table_ticker(v, i), sc_table_ticker(t, r2));
		ck_assert(sc_table_column(v, 0)[i] == (double)r2);
	}
	sc_table_free(v);
	sc_table_free(u);
	sc_table_free(t);
	free(buf);
}
END_TEST

Suite *
sc_table_suite(void)
{
	Suite *s = suite_create("table");
	TCase *tc;

	tc = tcase_create("read");
	tcase_add_test(tc, test_table_read_labels);
	tcase_add_test(tc, test_table_read_target_choice);
	tcase_add_test(tc, test_table_read_many_rows);
	tcase_add_test(tc, test_table_labels_interned);
	suite_add_tcase(s, tc);
	tc = tcase_create("pieces");
	tcase_add_test(tc, test_table_read_pieces);
	tcase_set_timeout(tc, 120); /* nine tables of 2 MiB, twice each */
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_test(tc, test_table_errors_cells);
	tcase_add_test(tc, test_table_errors_columns);
	suite_add_tcase(s, tc);
	return s;
}
