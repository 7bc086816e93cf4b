/* SPDX-License-Identifier: ISC */
/*
 * The tables of runs and versions on a local temporary store: the runs
 * listed in order with their record's and metrics' values, a run still
 * training left out, a broken record named; the versions with their
 * aliases and lineage; the diff of two runs (record, metrics, best
 * trial's params); and the three renderings (text, CSV quoting and exact
 * reals, JSON).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "check_sc.h"
#include "sc_registry.h"
#include "sc_runs.h"

static char root[64];
static struct sc_store *st;

static void
put(const char *key, const char *text)
{
	struct sc_err e = { 0 };

	ck_assert_msg(sc_store_put_buf(st, key, text, strlen(text), 0, &e) == 0,
	    "%s", e.msg);
}

static void
setup(void)
{
	struct sc_err e = { 0 };

	snprintf(root, sizeof(root), "/tmp/sc-runs-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	st = sc_store_open(root, NULL, &e);
	ck_assert_msg(st != NULL, "%s", e.msg);
	put("runs/b/meta.json",
	    "{\"run_id\": \"b\", \"today\": \"2026-07-10\", \"tickers\": "
	    "\"AAPL MSFT\", \"search\": \"sc-tune\", \"trials\": 3, \"seed\": "
	    "1, \"cv_rmse\": 0.0125, \"test_rmse\": 1.5, \"register\": "
	    "{\"promoted\": true}}");
	put("runs/b/metrics.json", "{\"rmse\": 1.5, \"skill\": 0.25}");
	put("runs/b/trials.jsonl",
	    "{\"number\": 0, \"state\": \"complete\", \"value\": 0.02, "
	    "\"params\": {\"trees\": 10}}\n"
	    "{\"number\": 1, \"state\": \"complete\", \"value\": 0.0125, "
	    "\"params\": {\"trees\": 50}}\n"
	    "{\"number\": 2, \"state\": \"pruned\", \"value\": 0.001, "
	    "\"params\": {\"trees\": 99}}\n");
	put("runs/a/meta.json",
	    "{\"run_id\": \"a\", \"today\": \"2026-07-03\", \"tickers\": "
	    "\"AAPL MSFT\", \"search\": \"none\", \"trials\": 0, \"seed\": 0, "
	    "\"cv_rmse\": 0.0131, \"test_rmse\": 1.75, \"registered_model\": "
	    "\"m\", \"registered_version\": 1, \"register\": {\"promoted\": "
	    "false}}");
	put("runs/training/model.json", "{}"); /* no meta.json yet */
}

static void
teardown(void)
{
	char cmd[128];

	sc_store_free(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	(void)system(cmd);
}

/* The table rendered as f, in a string the caller frees. */
static char *
render(const struct sc_runs_table *t, enum sc_runs_format f)
{
	struct sc_err e = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(mem);
	ck_assert_msg(sc_runs_write(t, f, mem, &e) == 0, "%s", e.msg);
	fclose(mem);
	return text;
}

START_TEST(test_runs_list)
{
	struct sc_runs_table t;
	struct sc_err e = { 0 };
	json_t *r;
	char *s;

	ck_assert_msg(sc_runs_list(st, &t, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(json_array_size(t.rows), 2);
	r = json_array_get(t.rows, 0);
	ck_assert_str_eq(json_string_value(json_object_get(r, "run")), "a");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "version")), 1);
	ck_assert(json_is_null(json_object_get(r, "skill")));
	r = json_array_get(t.rows, 1);
	ck_assert(json_real_value(json_object_get(r, "skill")) == 0.25);
	ck_assert(json_is_null(json_object_get(r, "version")));
	s = render(&t, SC_RUNS_CSV);
	ck_assert_str_eq(s,
	    "run,date,tickers,search,trials,seed,cv_rmse,test_rmse,skill,"
	    "model,version\n"
	    "a,2026-07-03,AAPL MSFT,none,0,0,0.0131,1.75,,m,1\n"
	    "b,2026-07-10,AAPL MSFT,sc-tune,3,1,0.0125,1.5,0.25,,\n");
	free(s);
	s = render(&t, SC_RUNS_TEXT);
	ck_assert_msg(strstr(s, "run  date        tickers    search   ") == s,
	    "%s", s);
	ck_assert_msg(strstr(s, "\nb    2026-07-10  AAPL MSFT  sc-tune  3 ") !=
	        NULL,
	    "%s", s);
	ck_assert_msg(strstr(s, "0.25   -      -\n") != NULL, "%s", s);
	free(s);
	s = render(&t, SC_RUNS_JSON);
	r = json_loads(s, 0, NULL);
	ck_assert(json_equal(r, t.rows));
	json_decref(r);
	free(s);
	sc_runs_table_free(&t);
}
END_TEST

START_TEST(test_runs_list_broken)
{
	struct sc_runs_table t;
	struct sc_err e = { 0 };

	put("runs/c/meta.json", "[1]");
	ck_assert_int_eq(sc_runs_list(st, &t, &e), -1);
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_str_eq(e.msg, "runs/c/meta.json: not a JSON object");
	ck_assert_ptr_null(t.rows);
	put("runs/c/meta.json", "{\"a\": ");
	ck_assert_int_eq(sc_runs_list(st, &t, &e), -1);
	ck_assert_msg(strncmp(e.msg, "runs/c/meta.json:1:", 19) == 0, "%s",
	    e.msg);
}
END_TEST

START_TEST(test_runs_versions)
{
	static const char model[] =
	    "{\"format\": \"sc-forest\", \"version\": 1, \"training\": "
	    "{\"rows\": 500, \"date_from\": \"2024-01-02\", \"date_to\": "
	    "\"2025-12-31\"}, \"trees\": []}";
	struct sc_registry_opts o = { "a", NULL, 0.0131, 1764115200, "m", 0 };
	struct sc_registry_result res;
	struct sc_model_ref ref;
	struct sc_runs_table t;
	struct sc_err e = { 0 };
	FILE *in;
	char *s;
	int k;

	for (k = 0; k < 2; k++) {
		in = fmemopen((void *)model, strlen(model), "r");
		ck_assert_msg(sc_registry_register(st, "m", in, &o, &res, &e) ==
		        0,
		    "%s", e.msg);
		fclose(in);
		o.run_id = NULL;
		o.cv_rmse = NAN;
	}
	ck_assert_int_eq(sc_registry_parse("models:/m/1", &ref, &e), 0);
	ck_assert_int_eq(sc_registry_alias(st, "m", "champion", &ref, NULL, &e),
	    0);
	ck_assert_int_eq(sc_registry_alias(st, "m", "prod", &ref, NULL, &e), 0);
	ck_assert_msg(sc_runs_versions(st, "m", &t, &e) == 0, "%s", e.msg);
	s = render(&t, SC_RUNS_CSV);
	ck_assert_msg(strncmp(s,
	                  "version,aliases,registered,run,cv_rmse,test_rmse,"
	                  "naive_rmse,skill,rows,date_from,date_to,sha256\n"
	                  "1,champion prod,2025-11-26T00:00:00Z,a,0.0131,,,,"
	                  "500,2024-01-02,2025-12-31,",
	                  153) == 0,
	    "%s", s);
	ck_assert_msg(strstr(s, "\n2,,2025-11-26T00:00:00Z,,,,,,500,") != NULL,
	    "%s", s);
	free(s);
	sc_runs_table_free(&t);
	ck_assert_int_eq(sc_runs_versions(st, "none", &t, &e), -1);
	ck_assert_int_eq(e.code, SC_ENOINPUT);
	ck_assert_int_eq(sc_runs_versions(st, ".bad", &t, &e), -1);
	ck_assert_int_eq(e.code, SC_EUSAGE);
}
END_TEST

START_TEST(test_runs_diff)
{
	struct sc_runs_table t;
	struct sc_err e = { 0 };
	char *s;

	ck_assert_msg(sc_runs_diff(st, "a", "b", &t, &e) == 0, "%s", e.msg);
	s = render(&t, SC_RUNS_CSV);
	ck_assert_str_eq(s,
	    "what,a,b\n"
	    "run_id,a,b\n"
	    "today,2026-07-03,2026-07-10\n"
	    "search,none,sc-tune\n"
	    "trials,0,3\n"
	    "seed,0,1\n"
	    "cv_rmse,0.0131,0.0125\n"
	    "test_rmse,1.75,1.5\n"
	    "registered_model,m,\n"
	    "registered_version,1,\n"
	    "register.promoted,false,true\n"
	    "test.rmse,,1.5\n"
	    "test.skill,,0.25\n"
	    "params.trees,,50\n");
	free(s);
	sc_runs_table_free(&t);
	ck_assert_msg(sc_runs_diff(st, "a", "a", &t, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(json_array_size(t.rows), 0);
	sc_runs_table_free(&t);
	ck_assert_int_eq(sc_runs_diff(st, "a", "zz", &t, &e), -1);
	ck_assert_int_eq(e.code, SC_ENOINPUT);
	ck_assert_int_eq(sc_runs_diff(st, "a", "../x", &t, &e), -1);
	ck_assert_int_eq(e.code, SC_EUSAGE);
}
END_TEST

START_TEST(test_runs_write_csv_quoting)
{
	static const char *const cols[] = { "x", "y" };
	struct sc_runs_table t = { { cols[0], cols[1] }, 2, json_array() };
	char *s;

	json_array_append_new(t.rows,
	    json_pack("{s:s, s:f}", "x", "a,\"b\"", "y", 0.1 + 0.2));
	s = render(&t, SC_RUNS_CSV);
	ck_assert_str_eq(s, "x,y\n\"a,\"\"b\"\"\",0.30000000000000004\n");
	free(s);
	s = render(&t, SC_RUNS_TEXT);
	ck_assert_str_eq(s, "x      y\na,\"b\"  0.3\n");
	free(s);
	sc_runs_table_free(&t);
}
END_TEST

Suite *
sc_runs_suite(void)
{
	Suite *s = suite_create("runs");
	TCase *tc = tcase_create("tables");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_runs_list);
	tcase_add_test(tc, test_runs_list_broken);
	tcase_add_test(tc, test_runs_versions);
	tcase_add_test(tc, test_runs_diff);
	tcase_add_test(tc, test_runs_write_csv_quoting);
	suite_add_tcase(s, tc);
	return s;
}
