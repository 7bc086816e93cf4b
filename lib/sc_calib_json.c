/* SPDX-License-Identifier: ISC */
/*
 * The calibration as the model file's "calibration" member, and its strict
 * reader: a model file is untrusted input, and a tampered lambda or score
 * would silently change every forecast, so every member must be present
 * with its type, no other member is accepted, and the values must pass
 * sc_calib_check().
 */
#include <math.h>
#include <string.h>

#include "sc_calib.h"

json_t *
sc_calib_to_json(const struct sc_calib *c)
{
	json_t *scores = json_array(), *o;
	size_t i;

	if (scores == NULL)
		return NULL;
	for (i = 0; c->nscores > 0 && i < SC_CALIB_GRID; i++)
		if (json_array_append_new(scores, json_real(c->score[i])) ==
		    -1) {
			json_decref(scores);
			return NULL;
		}
	o = json_pack("{s:f,s:f,s:f,s:{s:f,s:f,s:f,s:f},s:I,s:i,"
	              "s:{s:s,s:f},s:{s:I,s:o},s:{s:f}}",
	    "lambda", c->lambda, "skill", c->skill, "tstat", c->tstat, "mse",
	    "naive", c->mse_naive, "model", c->mse_model, "drift", c->mse_drift,
	    "served", c->mse_served, "pairs", (json_int_t)c->n, "folds",
	    c->folds, "volatility", "feature", c->vol_feature, "floor",
	    c->vol_floor, "conformal", "n", (json_int_t)c->nscores, "scores",
	    scores, "aci", "gamma", c->gamma);
	return o;
}

/* Every key of o must be one of names (n of them), each present. */
static int
exact_keys(const json_t *o, const char *where, const char *const *names,
    size_t n, struct sc_err *e)
{
	const char *k;
	json_t *v;
	size_t i;

	if (!json_is_object(o))
		return sc_err_set(e, SC_EDATA, 0, "%s: not an object", where);
	json_object_foreach((json_t *)o, k, v)
	{
		for (i = 0; i < n && strcmp(k, names[i]) != 0; i++)
			;
		if (i == n)
			return sc_err_set(e, SC_EDATA, 0,
			    "%s: unknown member \"%.40s\"", where, k);
	}
	for (i = 0; i < n; i++)
		if (json_object_get(o, names[i]) == NULL)
			return sc_err_set(e, SC_EDATA, 0,
			    "%s: member \"%s\" missing", where, names[i]);
	return 0;
}

static int
get_num(const json_t *o, const char *where, const char *k, double *out,
    struct sc_err *e)
{
	json_t *v = json_object_get(o, k);

	if (!json_is_number(v) || !isfinite(json_number_value(v)))
		return sc_err_set(e, SC_EDATA, 0, "%s.%s: not a finite number",
		    where, k);
	*out = json_number_value(v);
	return 0;
}

static int
get_count(const json_t *o, const char *where, const char *k, json_int_t max,
    json_int_t *out, struct sc_err *e)
{
	json_t *v = json_object_get(o, k);

	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > max)
		return sc_err_set(e, SC_EDATA, 0,
		    "%s.%s: not an integer in 0..%lld", where, k,
		    (long long)max);
	*out = json_integer_value(v);
	return 0;
}

static int
read_parts(const json_t *j, struct sc_calib *c, struct sc_err *e)
{
	static const char *const top[] = { "lambda", "skill", "tstat", "mse",
		"pairs", "folds", "volatility", "conformal", "aci" };
	static const char *const mse[] = { "naive", "model", "drift",
		"served" };
	static const char *const vol[] = { "feature", "floor" };
	static const char *const aci[] = { "gamma" };
	const json_t *m = json_object_get(j, "mse"),
	             *v = json_object_get(j, "volatility"),
	             *a = json_object_get(j, "aci");
	json_int_t pairs, folds;

	if (exact_keys(j, "calibration", top, 9, e) == -1 ||
	    exact_keys(m, "calibration.mse", mse, 4, e) == -1 ||
	    exact_keys(v, "calibration.volatility", vol, 2, e) == -1 ||
	    exact_keys(a, "calibration.aci", aci, 1, e) == -1)
		return -1;
	if (get_num(j, "calibration", "lambda", &c->lambda, e) == -1 ||
	    get_num(j, "calibration", "skill", &c->skill, e) == -1 ||
	    get_num(j, "calibration", "tstat", &c->tstat, e) == -1 ||
	    get_num(m, "calibration.mse", "naive", &c->mse_naive, e) == -1 ||
	    get_num(m, "calibration.mse", "model", &c->mse_model, e) == -1 ||
	    get_num(m, "calibration.mse", "drift", &c->mse_drift, e) == -1 ||
	    get_num(m, "calibration.mse", "served", &c->mse_served, e) == -1 ||
	    get_num(v, "calibration.volatility", "floor", &c->vol_floor, e) ==
	        -1 ||
	    get_num(a, "calibration.aci", "gamma", &c->gamma, e) == -1 ||
	    get_count(j, "calibration", "pairs", 1000000000, &pairs, e) == -1 ||
	    get_count(j, "calibration", "folds", 100, &folds, e) == -1)
		return -1;
	c->n = (size_t)pairs;
	c->folds = (int)folds;
	if (!json_is_string(json_object_get(v, "feature")) ||
	    strlen(json_string_value(json_object_get(v, "feature"))) >=
	        SC_CALIB_NAMESZ)
		return sc_err_set(e, SC_EDATA, 0,
		    "calibration.volatility.feature: not a string of at most "
		    "%d bytes",
		    SC_CALIB_NAMESZ - 1);
	strcpy(c->vol_feature,
	    json_string_value(json_object_get(v, "feature")));
	return 0;
}

static int
read_scores(const json_t *j, struct sc_calib *c, struct sc_err *e)
{
	static const char *const conf[] = { "n", "scores" };
	const json_t *o = json_object_get(j, "conformal"), *s;
	json_int_t n;
	size_t i;

	if (exact_keys(o, "calibration.conformal", conf, 2, e) == -1 ||
	    get_count(o, "calibration.conformal", "n", 1000000000, &n, e) == -1)
		return -1;
	s = json_object_get(o, "scores");
	if (!json_is_array(s) ||
	    json_array_size(s) != (n > 0 ? SC_CALIB_GRID : 0))
		return sc_err_set(e, SC_EDATA, 0,
		    "calibration.conformal.scores: want an array of %d numbers "
		    "(none when n is 0)",
		    SC_CALIB_GRID);
	c->nscores = (size_t)n;
	for (i = 0; i < json_array_size(s); i++) {
		json_t *x = json_array_get(s, i);

		if (!json_is_number(x))
			return sc_err_set(e, SC_EDATA, 0,
			    "calibration.conformal.scores[%zu]: not a number",
			    i);
		c->score[i] = json_number_value(x);
	}
	return 0;
}

int
sc_calib_from_json(const json_t *j, struct sc_calib *c, struct sc_err *e)
{
	sc_calib_none(c);
	if (read_parts(j, c, e) == -1 || read_scores(j, c, e) == -1 ||
	    sc_calib_check(c, e) == -1)
		return -1;
	if (c->nscores > 0 && c->nscores > c->n)
		return sc_err_set(e, SC_EDATA, 0,
		    "calibration.conformal.n: more scores than pairs");
	return 0;
}

int
sc_calib_from_extra(const json_t *extra, struct sc_calib *c, struct sc_err *e)
{
	const json_t *j =
	    extra != NULL ? json_object_get(extra, "calibration") : NULL;

	sc_calib_none(c);
	if (j == NULL)
		return 0;
	return sc_calib_from_json(j, c, e) == -1 ? -1 : 1;
}
