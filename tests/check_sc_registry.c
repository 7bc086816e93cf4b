/* SPDX-License-Identifier: ISC */
/*
 * The model registry on a local temporary store: names and URIs,
 * registration (numbers, bytes, lineage), aliases set, moved and deleted,
 * resolving latest, a number or an alias, what is missing (SC_ENOINPUT),
 * models that are not models, an index that is stale or broken, claimed
 * numbers without a model, and eight registrations forked at once.  S3
 * (If-None-Match: *, 412) is covered by tests/integration/registry.sh.
 */
#include <sys/wait.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>

#include "check_sc.h"
#include "sc_registry.h"

#define NOW 1764115200 /* 2025-11-26T00:00:00Z */

static const char MODEL[] =
    "{\"format\": \"sc-forest\", \"version\": 1, \"target\": \"target_"
    "logret_1\", \"params\": {\"n_estimators\": 10, \"seed\": 42}, "
    "\"training\": {\"rows\": 500, \"date_from\": \"2024-01-02\", "
    "\"date_to\": \"2025-12-31\", \"sha256\": \"ab12\", \"extra\": 1}, "
    "\"oob_rmse\": 0.0123, \"cv\": {\"folds\": 5}, \"trees\": []}\n";

static char root[64];
static struct sc_store *st;

static void
setup(void)
{
	struct sc_err e = { 0 };

	snprintf(root, sizeof(root), "/tmp/sc-registry-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	st = sc_store_open(root, NULL, &e);
	ck_assert_msg(st != NULL, "%s", e.msg);
}

static void
teardown(void)
{
	char cmd[128];

	sc_store_free(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	(void)system(cmd);
}

static struct sc_registry_opts
opts(void)
{
	struct sc_registry_opts o = { NULL, NULL, NAN, NOW, "stdin", 0 };

	return o;
}

/* Register text as a version of name; returns the version or -1. */
static long
reg(const char *name, const char *text, const struct sc_registry_opts *o,
    struct sc_err *e)
{
	struct sc_registry_opts d = opts();
	struct sc_registry_result res;
	FILE *fp = sc_test_str(text);
	int rc;

	rc = sc_registry_register(st, name, fp, o ? o : &d, &res, e);
	fclose(fp);
	if (rc == 0)
		ck_assert_int_eq(res.index_stale, 0);
	return rc == 0 ? res.version : -1;
}

/* The object under key, whole, as a string the caller frees. */
static char *
get(const char *key)
{
	struct sc_err e = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(fp);
	ck_assert_msg(sc_store_get(st, key, fp, &e) == 0, "%s: %s", key, e.msg);
	fclose(fp);
	return text;
}

static json_t *
get_json(const char *key)
{
	char *text = get(key);
	json_t *j = json_loads(text, 0, NULL);

	free(text);
	ck_assert_ptr_nonnull(j);
	return j;
}

/* What sc_registry_get writes for uri, or NULL with *e set. */
static char *
fetch(const char *uri, struct sc_err *e)
{
	struct sc_model_ref r;
	char *text = NULL;
	size_t len = 0;
	FILE *fp;
	int rc;

	ck_assert_msg(sc_registry_parse(uri, &r, e) == 0, "%s", e->msg);
	fp = open_memstream(&text, &len);
	rc = sc_registry_get(st, &r, fp, e);
	fclose(fp);
	if (rc == -1) {
		free(text);
		return NULL;
	}
	return text;
}

static long
index_count(json_t *idx)
{
	return (long)json_array_size(json_object_get(idx, "versions"));
}

START_TEST(test_registry_names_check)
{
	static const char *const good[] = { "m", "AAPL", "aapl-daily_v2.1", "0",
		"a.b" };
	static const char *const bad[] = { "", ".m", "-m", "_m", "a/b", "a b",
		"a@b", "ü", "m\n" };
	static const char *const agood[] = { "champion", "c", "a-1_b" };
	static const char *const abad[] = { "", "Champion", "1st", "-x",
		"latest", "a.b", "a/b" };
	char longname[SC_REGISTRY_MAX_NAME + 2];
	struct sc_err e = { 0 };
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(sc_registry_name_check(good[i], &e) == 0, "%s",
		    good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(sc_registry_name_check(bad[i], &e) == -1, "%s",
		    bad[i]);
		ck_assert_int_eq(e.code, SC_EUSAGE);
	}
	for (i = 0; i < sizeof(agood) / sizeof(agood[0]); i++)
		ck_assert_int_eq(sc_registry_alias_check(agood[i], &e), 0);
	for (i = 0; i < sizeof(abad) / sizeof(abad[0]); i++)
		ck_assert_msg(sc_registry_alias_check(abad[i], &e) == -1, "%s",
		    abad[i]);
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ck_assert_int_eq(sc_registry_name_check(longname, &e), -1);
	longname[SC_REGISTRY_MAX_NAME] = '\0';
	ck_assert_int_eq(sc_registry_name_check(longname, &e), 0);
}
END_TEST

START_TEST(test_registry_key_owned)
{
	static const char *const owned[] = { "models/m/3/model.json",
		"models/m/3/meta.json", "models/m/99999999/x",
		"models/m.v2/aliases/champion", "models/m/index.json" };
	static const char *const other[] = { "models/m/notes.txt",
		"models/m/03/model.json", "models/.m/3/model.json", "models/m",
		"models//3/model.json", "raw/models/m/3/model.json",
		"models/m/latest/model.json", "runs/m/3/model.json" };
	char name[SC_REGISTRY_MAX_NAME + 1];
	size_t i;

	for (i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
		ck_assert_msg(sc_registry_key_owned(owned[i], name,
		                  sizeof(name)) == 1,
		    "%s", owned[i]);
	ck_assert_str_eq(name, "m");
	ck_assert_int_eq(sc_registry_key_owned("models/m.v2/aliases/c", name,
	                     sizeof(name)),
	    1);
	ck_assert_str_eq(name, "m.v2");
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		ck_assert_msg(sc_registry_key_owned(other[i], NULL, 0) == 0,
		    "%s", other[i]);
}
END_TEST

START_TEST(test_registry_names_parse)
{
	static const char *const bad[] = { "models:", "models:/", "models://m",
		"models:m", "models:/m/", "models:/m/0", "models:/m/03",
		"models:/m/x", "models:/m/1/2", "models:/m@", "models:/m@Champ",
		"models:/m@latest", "models:/m/latest/", "models:/m/123456789",
		"model:/m", "models:/a b" };
	struct sc_model_ref r;
	struct sc_err e = { 0 };
	size_t i;

	ck_assert_int_eq(sc_registry_is_uri("models:/m"), 1);
	ck_assert_int_eq(sc_registry_is_uri("raw/models:x"), 0);
	ck_assert_int_eq(sc_registry_parse("models:/m", &r, &e), 0);
	ck_assert_int_eq(r.kind, SC_MREF_INDEX);
	ck_assert_str_eq(r.name, "m");
	ck_assert_int_eq(sc_registry_parse("models:/AAPL.v2/latest", &r, &e),
	    0);
	ck_assert_int_eq(r.kind, SC_MREF_LATEST);
	ck_assert_str_eq(r.name, "AAPL.v2");
	ck_assert_int_eq(sc_registry_parse("models:/m/42", &r, &e), 0);
	ck_assert_int_eq(r.kind, SC_MREF_VERSION);
	ck_assert_int_eq(r.version, 42);
	ck_assert_int_eq(sc_registry_parse("models:/m/99999999", &r, &e), 0);
	ck_assert_int_eq(sc_registry_parse("models:/m@champion", &r, &e), 0);
	ck_assert_int_eq(r.kind, SC_MREF_ALIAS);
	ck_assert_str_eq(r.alias, "champion");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(sc_registry_parse(bad[i], &r, &e) == -1, "%s",
		    bad[i]);
		ck_assert_int_eq(e.code, SC_EUSAGE);
	}
}
END_TEST

START_TEST(test_registry_register_increments)
{
	struct sc_err e = { 0 };
	char *text;
	json_t *idx;

	ck_assert_int_eq(reg("m", MODEL, NULL, &e), 1);
	ck_assert_int_eq(reg("m", "{\"format\":\"sc-forest\",\"n\":2}", NULL,
	                     &e),
	    2);
	ck_assert_int_eq(reg("m", MODEL, NULL, &e), 3);
	ck_assert_int_eq(reg("other", MODEL, NULL, &e), 1);
	text = get("models/m/1/model.json");
	ck_assert_str_eq(text, MODEL); /* byte for byte */
	free(text);
	text = get("models/m/2/model.json");
	ck_assert_str_eq(text, "{\"format\":\"sc-forest\",\"n\":2}");
	free(text);
	idx = get_json("models/m/index.json");
	ck_assert_str_eq(json_string_value(json_object_get(idx, "format")),
	    "sc-registry");
	ck_assert_int_eq(index_count(idx), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(idx, "latest")), 3);
	json_decref(idx);
}
END_TEST

START_TEST(test_registry_register_lineage)
{
	struct sc_registry_opts o = opts();
	struct sc_err e = { 0 };
	char metrics[96];
	json_t *m, *tr, *t;
	FILE *fp;

	snprintf(metrics, sizeof(metrics), "%s/metrics.json", root);
	fp = fopen(metrics, "w");
	fputs("{\"n\": 30, \"rmse\": 1.5, \"mae\": 1.25, \"naive_rmse\": 2, "
	      "\"skill\": 0.25, \"tickers\": {}}\n",
	    fp);
	fclose(fp);
	o.run_id = "run-7";
	o.metrics = metrics;
	o.cv_rmse = 0.0131;
	ck_assert_int_eq(reg("m", MODEL, &o, &e), 1);
	m = get_json("models/m/1/meta.json");
	ck_assert_int_eq(json_integer_value(json_object_get(m, "version")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(m, "registered")),
	    "2025-11-26T00:00:00Z");
	ck_assert_str_eq(json_string_value(json_object_get(m, "run_id")),
	    "run-7");
	ck_assert_str_eq(json_string_value(json_object_get(m, "target")),
	    "target_logret_1");
	tr = json_object_get(m, "training");
	ck_assert_int_eq(json_integer_value(json_object_get(tr, "rows")), 500);
	ck_assert_str_eq(json_string_value(json_object_get(tr, "sha256")),
	    "ab12");
	ck_assert_ptr_null(json_object_get(tr, "extra"));
	ck_assert_double_eq(json_number_value(json_object_get(m, "oob_rmse")),
	    0.0123);
	ck_assert_double_eq(json_number_value(json_object_get(m, "cv_rmse")),
	    0.0131);
	ck_assert(json_is_object(json_object_get(m, "cv")));
	ck_assert(json_is_null(json_object_get(m, "tuning")));
	t = json_object_get(m, "test");
	ck_assert_double_eq(json_number_value(json_object_get(t, "rmse")), 1.5);
	ck_assert_double_eq(json_number_value(json_object_get(t, "skill")),
	    0.25);
	ck_assert_int_eq(json_integer_value(
	                     json_object_get(json_object_get(m, "model"),
	                         "bytes")),
	    (json_int_t)strlen(MODEL));
	ck_assert_uint_eq(strlen(json_string_value(
	                      json_object_get(json_object_get(m, "model"),
	                          "sha256"))),
	    64);
	json_decref(m);
}
END_TEST

START_TEST(test_registry_register_not_a_model)
{
	static const char *const bad[] = { "", "[1]", "{\"format\": 1}",
		"{\"format\": \"other\"}", "{\"format\": \"sc-forest\"",
		"{\"format\": \"sc-forest\", \"training\": []}",
		"{\"format\": \"sc-forest\", \"training\": {\"rows\": \"x\"}}",
		"{\"format\": \"sc-forest\", \"oob_rmse\": \"x\"}",
		"{\"format\": \"sc-forest\", \"format\": \"sc-forest\"}",
		"{\"format\": \"sc-forest\"} trailing" };
	struct sc_registry_opts o = opts();
	struct sc_err e = { 0 };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(reg("m", bad[i], NULL, &e) == -1, "%s", bad[i]);
		ck_assert_int_eq(e.code, SC_EDATA);
		ck_assert_msg(strncmp(e.msg, "stdin", 5) == 0, "%s", e.msg);
	}
	ck_assert_int_eq(sc_store_exists(st, "models/m/1/meta.json", &e), 0);
	o.metrics = "/nonexistent/metrics.json";
	ck_assert_int_eq(reg("m", MODEL, &o, &e), -1);
	ck_assert_int_eq(e.code, SC_ENOINPUT);
	o.metrics = "/dev/null";
	ck_assert_int_eq(reg("m", MODEL, &o, &e), -1);
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_int_eq(reg("a/b", MODEL, NULL, &e), -1);
	ck_assert_int_eq(e.code, SC_EUSAGE);
	ck_assert_int_eq(sc_store_exists(st, "models/m/1/meta.json", &e), 0);
}
END_TEST

START_TEST(test_registry_alias_set_move_delete)
{
	struct sc_model_ref r;
	struct sc_registry_result res;
	struct sc_err e = { 0 };
	json_t *idx;
	long v;

	ck_assert_int_eq(reg("m", MODEL, NULL, &e), 1);
	ck_assert_int_eq(reg("m", MODEL, NULL, &e), 2);
	sc_registry_parse("models:/m/1", &r, &e);
	ck_assert_int_eq(sc_registry_alias(st, "m", "champion", &r, &res, &e),
	    0);
	ck_assert_int_eq(res.version, 1);
	sc_registry_parse("models:/m@champion", &r, &e);
	ck_assert_int_eq(sc_registry_resolve(st, &r, &v, &e), 0);
	ck_assert_int_eq(v, 1);
	/* Move it, and point a second alias at the first one's target. */
	sc_registry_parse("models:/m/latest", &r, &e);
	ck_assert_int_eq(sc_registry_alias(st, "m", "champion", &r, &res, &e),
	    0);
	ck_assert_int_eq(res.version, 2);
	sc_registry_parse("models:/m@champion", &r, &e);
	ck_assert_int_eq(sc_registry_alias(st, "m", "prod", &r, &res, &e), 0);
	ck_assert_int_eq(res.version, 2);
	idx = get_json("models/m/index.json");
	ck_assert_int_eq(json_integer_value(
	                     json_object_get(json_object_get(idx, "aliases"),
	                         "champion")),
	    2);
	json_decref(idx);
	ck_assert_int_eq(sc_registry_delete(st, "m", "champion", NULL, &e), 0);
	ck_assert_int_eq(sc_registry_resolve(st, &r, &v, &e), -1);
	ck_assert_int_eq(e.code, SC_ENOINPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "no such alias"));
	idx = get_json("models/m/index.json");
	ck_assert_ptr_null(
	    json_object_get(json_object_get(idx, "aliases"), "champion"));
	ck_assert_int_eq(json_integer_value(
	                     json_object_get(json_object_get(idx, "aliases"),
	                         "prod")),
	    2);
	json_decref(idx);
	/* Deleting it again, or pointing one at what is not there. */
	ck_assert_int_eq(sc_registry_delete(st, "m", "champion", NULL, &e), -1);
	ck_assert_int_eq(e.code, SC_ENOINPUT);
	sc_registry_parse("models:/m/9", &r, &e);
	ck_assert_int_eq(sc_registry_alias(st, "m", "champion", &r, NULL, &e),
	    -1);
	ck_assert_int_eq(e.code, SC_ENOINPUT);
	ck_assert_int_eq(sc_registry_alias(st, "m", "Bad", &r, NULL, &e), -1);
	ck_assert_int_eq(e.code, SC_EUSAGE);
	sc_registry_parse("models:/other/1", &r, &e);
	ck_assert_int_eq(sc_registry_alias(st, "m", "x", &r, NULL, &e), -1);
	ck_assert_int_eq(e.code, SC_EUSAGE);
}
END_TEST

START_TEST(test_registry_delete_alias)
{
	struct sc_model_ref r;
	struct sc_registry_result res;
	struct sc_err e = { 0 };
	char *idx;

	ck_assert_int_eq(reg("m", MODEL, NULL, &e), 1);
	sc_registry_parse("models:/m/1", &r, &e);
	ck_assert_int_eq(sc_registry_alias(st, "m", "champion", &r, NULL, &e),
	    0);
	ck_assert_int_eq(sc_registry_delete(st, "m", "champion", &res, &e), 0);
	ck_assert_int_eq(res.index_stale, 0);
	ck_assert_int_eq(sc_store_exists(st, "models/m/aliases/champion", &e),
	    0);
	idx = get("models/m/index.json");
	ck_assert_ptr_null(strstr(idx, "champion"));
	free(idx);
	/* The version stays; what is not there is named. */
	ck_assert_int_eq(sc_store_exists(st, "models/m/1/model.json", &e), 1);
	ck_assert_int_eq(sc_registry_delete(st, "m", "champion", &res, &e), -1);
	ck_assert_int_eq(e.code, SC_ENOINPUT);
	ck_assert_str_eq(e.msg, "models:/m@champion: no such alias");
	ck_assert_int_eq(sc_registry_delete(st, "nope", "champion", NULL, &e),
	    -1);
	ck_assert_int_eq(e.code, SC_ENOINPUT);
	ck_assert_str_eq(e.msg, "models:/nope: no such model");
	ck_assert_int_eq(sc_registry_delete(st, "m", "latest", NULL, &e), -1);
	ck_assert_int_eq(e.code, SC_EUSAGE);
	ck_assert_int_eq(sc_registry_delete(st, "a/b", "champion", NULL, &e),
	    -1);
	ck_assert_int_eq(e.code, SC_EUSAGE);
}
END_TEST

START_TEST(test_registry_open_config)
{
	struct sc_config c = { 0 };
	struct sc_registry_opts o = opts();
	struct sc_registry_result res;
	struct sc_store *own;
	struct sc_err e = { 0 };
	FILE *fp;

	/* The store of the configuration is the one the calls work on. */
	c.store = root;
	own = sc_registry_open(&c, &e);
	ck_assert_msg(own != NULL, "%s", e.msg);
	fp = sc_test_str(MODEL);
	ck_assert_int_eq(sc_registry_register(own, "m", fp, &o, &res, &e), 0);
	fclose(fp);
	ck_assert_int_eq(res.version, 1);
	sc_store_free(own);
	ck_assert_int_eq(sc_store_exists(st, "models/m/1/model.json", &e), 1);
	/* S3 without credentials, or no location at all. */
	c.store = "s3://bucket/prefix";
	ck_assert_ptr_null(sc_registry_open(&c, &e));
	ck_assert_int_eq(e.code, SC_ECONFIG);
	c.store = "";
	ck_assert_ptr_null(sc_registry_open(&c, &e));
	ck_assert_int_eq(e.code, SC_EUSAGE);
}
END_TEST

START_TEST(test_registry_resolve_fetch)
{
	struct sc_model_ref r;
	struct sc_err e = { 0 };
	char *text;

	ck_assert_int_eq(reg("m", MODEL, NULL, &e), 1);
	ck_assert_int_eq(reg("m", "{\"format\":\"sc-forest\",\"n\":2}", NULL,
	                     &e),
	    2);
	sc_registry_parse("models:/m/1", &r, &e);
	ck_assert_int_eq(sc_registry_alias(st, "m", "champion", &r, NULL, &e),
	    0);
	text = fetch("models:/m/latest", &e);
	ck_assert_str_eq(text, "{\"format\":\"sc-forest\",\"n\":2}");
	free(text);
	text = fetch("models:/m/1", &e);
	ck_assert_str_eq(text, MODEL);
	free(text);
	text = fetch("models:/m@champion", &e);
	ck_assert_str_eq(text, MODEL);
	free(text);
	text = fetch("models:/m", &e);
	ck_assert_ptr_nonnull(strstr(text, "\"champion\": 1"));
	ck_assert_ptr_nonnull(strstr(text, "\"latest\": 2"));
	free(text);
}
END_TEST

START_TEST(test_registry_resolve_missing)
{
	static const char *const uris[] = { "models:/m/3", "models:/m@prod",
		"models:/none", "models:/none/latest", "models:/none/1",
		"models:/none@champion" };
	static const char *const msgs[] = { "no such version", "no such alias",
		"no such model", "no such model", "no such model",
		"no such model" };
	struct sc_err e = { 0 };
	size_t i;

	ck_assert_int_eq(reg("m", MODEL, NULL, &e), 1);
	for (i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) {
		ck_assert_ptr_null(fetch(uris[i], &e));
		ck_assert_int_eq(e.code, SC_ENOINPUT);
		ck_assert_msg(strstr(e.msg, msgs[i]) != NULL, "%s: %s", uris[i],
		    e.msg);
	}
}
END_TEST

/* A claimed number without a model: skipped, and never reused. */
START_TEST(test_registry_resolve_incomplete)
{
	struct sc_err e = { 0 };
	char *text;

	ck_assert_int_eq(reg("m", MODEL, NULL, &e), 1);
	ck_assert_int_eq(sc_store_put_buf(st, "models/m/2/meta.json", "{}", 2,
	                     SC_STORE_EXCL, &e),
	    0);
	text = fetch("models:/m/latest", &e);
	ck_assert_str_eq(text, MODEL);
	free(text);
	ck_assert_ptr_null(fetch("models:/m/2", &e));
	ck_assert_int_eq(e.code, SC_ENOINPUT);
	ck_assert_int_eq(reg("m", MODEL, NULL, &e), 3);
	text = fetch("models:/m", &e);
	ck_assert_ptr_null(strstr(text, "\"version\": 2"));
	free(text);
}
END_TEST

START_TEST(test_registry_index_stale)
{
	struct sc_err e = { 0 };
	const char *junk = "{\"versions\": 7}";
	char *text;
	json_t *idx;

	ck_assert_int_eq(reg("m", MODEL, NULL, &e), 1);
	ck_assert_int_eq(reg("m", MODEL, NULL, &e), 2);
	/* A stale index (one version behind) and then a broken one. */
	text = get("models/m/index.json");
	ck_assert_int_eq(reg("m", MODEL, NULL, &e), 3);
	ck_assert_int_eq(sc_store_put_buf(st, "models/m/index.json", text,
	                     strlen(text), 0, &e),
	    0);
	free(text);
	text = fetch("models:/m", &e);
	ck_assert_ptr_nonnull(strstr(text, "\"latest\": 3"));
	free(text);
	ck_assert_int_eq(sc_store_put_buf(st, "models/m/index.json", junk,
	                     strlen(junk), 0, &e),
	    0);
	text = fetch("models:/m", &e);
	ck_assert_ptr_nonnull(strstr(text, "\"latest\": 3"));
	free(text);
	ck_assert_int_eq(sc_registry_refresh(st, "m", &e), 0);
	idx = get_json("models/m/index.json");
	ck_assert_int_eq(index_count(idx), 3);
	json_decref(idx);
	ck_assert_int_eq(sc_registry_refresh(st, "none", &e), -1);
	ck_assert_int_eq(e.code, SC_ENOINPUT);
	/* A broken alias object is a data error, named. */
	ck_assert_int_eq(sc_store_put_buf(st, "models/m/aliases/bad", "x", 1, 0,
	                     &e),
	    0);
	ck_assert_ptr_null(fetch("models:/m", &e));
	ck_assert_int_eq(e.code, SC_EDATA);
	ck_assert_ptr_nonnull(strstr(e.msg, "models/m/aliases/bad"));
}
END_TEST

/*
 * Processes register at once (released together through a pipe): one
 * number each, none lost from the index.
 */
static void
concurrent(int n)
{
	struct sc_registry_result res;
	struct sc_registry_opts o = opts();
	struct sc_err e = { 0 };
	char text[64], c;
	pid_t pids[32];
	int i, status, fds[2], seen[33] = { 0 };
	json_t *idx, *it;
	FILE *fp;
	size_t k;

	ck_assert_int_eq(pipe(fds), 0);
	for (i = 0; i < n; i++) {
		if ((pids[i] = fork()) == 0) {
			close(fds[1]);
			(void)read(fds[0], &c, 1); /* until the parent closes */
			snprintf(text, sizeof(text),
			    "{\"format\": \"sc-forest\", \"writer\": %d}", i);
			fp = sc_test_str(text);
			if (sc_registry_register(st, "m", fp, &o, &res, &e) ==
			        -1 ||
			    res.index_stale || res.version > n) {
				fprintf(stderr, "writer %d: %s\n", i,
				    res.index_stale ? res.index_err.msg
				                    : e.msg);
				_exit(100);
			}
			_exit((int)res.version);
		}
		ck_assert_int_gt(pids[i], 0);
	}
	close(fds[0]);
	close(fds[1]);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert(WIFEXITED(status));
		ck_assert_int_le(WEXITSTATUS(status), n);
		seen[WEXITSTATUS(status)]++;
	}
	for (i = 1; i <= n; i++)
		ck_assert_int_eq(seen[i], 1);
	idx = get_json("models/m/index.json");
	ck_assert_int_eq(index_count(idx), n);
	json_array_foreach(json_object_get(idx, "versions"), k, it)
	    ck_assert_int_eq(json_integer_value(json_object_get(it, "version")),
	        (json_int_t)k + 1);
	json_decref(idx);
}

START_TEST(test_registry_concurrent_eight)
{
	concurrent(8);
}
END_TEST

START_TEST(test_registry_concurrent_thirty_two)
{
	concurrent(32);
}
END_TEST

Suite *
sc_registry_suite(void)
{
	Suite *s = suite_create("registry");
	TCase *tc;

	tc = tcase_create("names");
	tcase_add_test(tc, test_registry_names_check);
	tcase_add_test(tc, test_registry_names_parse);
	tcase_add_test(tc, test_registry_key_owned);
	suite_add_tcase(s, tc);
	tc = tcase_create("register");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_registry_register_increments);
	tcase_add_test(tc, test_registry_register_lineage);
	tcase_add_test(tc, test_registry_register_not_a_model);
	suite_add_tcase(s, tc);
	tc = tcase_create("alias");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_registry_alias_set_move_delete);
	tcase_add_test(tc, test_registry_delete_alias);
	tcase_add_test(tc, test_registry_open_config);
	suite_add_tcase(s, tc);
	tc = tcase_create("resolve");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_registry_resolve_fetch);
	tcase_add_test(tc, test_registry_resolve_missing);
	tcase_add_test(tc, test_registry_resolve_incomplete);
	suite_add_tcase(s, tc);
	tc = tcase_create("index");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_registry_index_stale);
	suite_add_tcase(s, tc);
	tc = tcase_create("concurrent");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_registry_concurrent_eight);
	tcase_add_test(tc, test_registry_concurrent_thirty_two);
	suite_add_tcase(s, tc);
	return s;
}
