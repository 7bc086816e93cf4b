/* SPDX-License-Identifier: ISC */
/*
 * The environment, read once.  Every value is copied, so the struct does
 * not depend on the environment staying the same.  The shared AWS files
 * are read the way the AWS CLI reads them: INI sections, "key = value",
 * "[default]" or "[name]" in credentials and "[profile name]" in config.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sc_config.h"
#include "sc_num.h"

static int
dup_env(char **dst, const char *name, const char *def, struct sc_err *e)
{
	const char *v = getenv(name);

	if (v == NULL || *v == '\0')
		v = def;
	if (v == NULL) {
		*dst = NULL;
		return 0;
	}
	if ((*dst = strdup(v)) == NULL)
		return sc_err_set(e, SC_EOS, 0, "out of memory");
	return 0;
}

static int
num_env(double *dst, const char *name, double def, double lo, double hi,
    struct sc_err *e)
{
	const char *v = getenv(name);

	*dst = def;
	if (v == NULL || *v == '\0')
		return 0;
	if (sc_num_parse_range(v, lo, hi, dst) == -1)
		return sc_err_set(e, SC_ECONFIG, 0,
		    "%s=%.32s: want a number from %g to %g", name, v, lo, hi);
	return 0;
}

static char *
trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/*
 * Look up key in section of an INI file; returns a copy or NULL.  Lines are
 * bounded by the buffer; a longer line is skipped.
 */
static char *
ini_get(const char *path, const char *section, const char *key)
{
	char line[1024], *p, *eq, *val = NULL;
	int in = 0;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	while (val == NULL && fgets(line, sizeof(line), fp) != NULL) {
		p = trim(line);
		if (*p == '#' || *p == ';' || *p == '\0')
			continue;
		if (*p == '[') {
			char *close = strchr(p, ']');

			if (close != NULL) {
				*close = '\0';
				in = strcmp(trim(p + 1), section) == 0;
			}
			continue;
		}
		if (!in || (eq = strchr(p, '=')) == NULL)
			continue;
		*eq = '\0';
		if (strcmp(trim(p), key) == 0)
			val = strdup(trim(eq + 1));
	}
	fclose(fp);
	return val;
}

static int
load_profile(struct sc_config *c, struct sc_err *e)
{
	const char *home = getenv("HOME");
	const char *cred = getenv("AWS_SHARED_CREDENTIALS_FILE");
	const char *conf = getenv("AWS_CONFIG_FILE");
	char credbuf[4096], confbuf[4096], section[300];

	if (home == NULL)
		home = "";
	if (cred == NULL || *cred == '\0') {
		snprintf(credbuf, sizeof(credbuf), "%s/.aws/credentials", home);
		cred = credbuf;
	}
	if (conf == NULL || *conf == '\0') {
		snprintf(confbuf, sizeof(confbuf), "%s/.aws/config", home);
		conf = confbuf;
	}
	if (c->aws_access_key == NULL && c->aws_secret_key == NULL) {
		c->aws_access_key =
		    ini_get(cred, c->aws_profile, "aws_access_key_id");
		c->aws_secret_key =
		    ini_get(cred, c->aws_profile, "aws_secret_access_key");
		c->aws_session_token =
		    ini_get(cred, c->aws_profile, "aws_session_token");
		if (c->aws_access_key != NULL) {
			size_t n = strlen(cred) + strlen(c->aws_profile) + 4;

			if ((c->aws_cred_source = malloc(n)) == NULL)
				return sc_err_set(e, SC_EOS, 0,
				    "out of memory");
			snprintf(c->aws_cred_source, n, "%s [%s]", cred,
			    c->aws_profile);
		}
	}
	if (c->aws_region == NULL) {
		if (strcmp(c->aws_profile, "default") == 0)
			snprintf(section, sizeof(section), "default");
		else
			snprintf(section, sizeof(section), "profile %s",
			    c->aws_profile);
		c->aws_region = ini_get(conf, section, "region");
	}
	return 0;
}

/* Register the password of a URL's user:password@ part, if any. */
static int
url_secret(const char *url)
{
	const char *host, *end, *colon, *at;
	char pw[512];
	int rc;

	if (url == NULL || (host = strstr(url, "://")) == NULL)
		return 0;
	host += 3;
	end = host + strcspn(host, "/?#");
	if ((at = memchr(host, '@', (size_t)(end - host))) == NULL ||
	    (colon = memchr(host, ':', (size_t)(at - host))) == NULL)
		return 0;
	snprintf(pw, sizeof(pw), "%.*s", (int)(at - colon - 1), colon + 1);
	rc = sc_err_secret(pw);
	explicit_bzero(pw, sizeof(pw));
	return rc;
}

/*
 * Every secret the configuration holds is registered with sc_err, so no
 * message made from here on can show it, in any form.
 */
static int
register_secrets(const struct sc_config *c, struct sc_err *e)
{
	const char *const s[] = { c->aws_secret_key, c->aws_session_token,
		c->aws_access_key, c->stooq_apikey, c->av_apikey };
	const char *const u[] = { c->aws_endpoint, c->pushgateway_url,
		c->yahoo_url, c->yahoo_cookie_url, c->stooq_url, c->av_url };
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (sc_err_secret(s[i]) == -1)
			return sc_err_set(e, SC_EOS, 0,
			    "cannot register a secret for redaction");
	for (i = 0; i < sizeof(u) / sizeof(u[0]); i++)
		if (url_secret(u[i]) == -1)
			return sc_err_set(e, SC_EOS, 0,
			    "cannot register a secret for redaction");
	return 0;
}

int
sc_config_load(struct sc_config *c, struct sc_err *e)
{
	double retries;
	const char *ep;

	memset(c, 0, sizeof(*c));
	ep = getenv("AWS_ENDPOINT_URL_S3");
	if (ep == NULL || *ep == '\0')
		ep = getenv("AWS_ENDPOINT_URL");
	if (dup_env(&c->store, "SC_STORE", "./store", e) == -1 ||
	    dup_env(&c->aws_access_key, "AWS_ACCESS_KEY_ID", NULL, e) == -1 ||
	    dup_env(&c->aws_secret_key, "AWS_SECRET_ACCESS_KEY", NULL, e) ==
	        -1 ||
	    dup_env(&c->aws_session_token, "AWS_SESSION_TOKEN", NULL, e) ==
	        -1 ||
	    dup_env(&c->aws_region, "AWS_REGION", getenv("AWS_DEFAULT_REGION"),
	        e) == -1 ||
	    dup_env(&c->aws_profile, "AWS_PROFILE", "default", e) == -1 ||
	    dup_env(&c->yahoo_url, "SC_YAHOO_URL",
	        "https://query2.finance.yahoo.com", e) == -1 ||
	    dup_env(&c->yahoo_cookie_url, "SC_YAHOO_COOKIE_URL",
	        "https://fc.yahoo.com", e) == -1 ||
	    dup_env(&c->stooq_url, "SC_STOOQ_URL", "https://stooq.com", e) ==
	        -1 ||
	    dup_env(&c->stooq_apikey, "SC_STOOQ_APIKEY", NULL, e) == -1 ||
	    dup_env(&c->av_url, "SC_ALPHAVANTAGE_URL",
	        "https://www.alphavantage.co", e) == -1 ||
	    dup_env(&c->av_apikey, "ALPHAVANTAGE_API_KEY", NULL, e) == -1 ||
	    dup_env(&c->pushgateway_url, "SC_PUSHGATEWAY_URL", NULL, e) == -1)
		goto fail;
	if (ep != NULL && *ep != '\0' &&
	    (c->aws_endpoint = strdup(ep)) == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		goto fail;
	}
	if (c->aws_access_key != NULL &&
	    (c->aws_cred_source = strdup("AWS_ACCESS_KEY_ID")) == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		goto fail;
	}
	if (load_profile(c, e) == -1)
		goto fail;
	if (c->aws_region == NULL &&
	    (c->aws_region = strdup("us-east-1")) == NULL) {
		sc_err_set(e, SC_EOS, 0, "out of memory");
		goto fail;
	}
	if (num_env(&c->http_timeout, "SC_HTTP_TIMEOUT", 30, 0.1, 3600, e) ==
	        -1 ||
	    num_env(&c->http_connect_timeout, "SC_HTTP_CONNECT_TIMEOUT", 10,
	        0.1, 600, e) == -1 ||
	    num_env(&retries, "SC_RETRY_MAX", 4, 1, 20, e) == -1 ||
	    num_env(&c->retry_base, "SC_RETRY_BASE", 1, 0, 60, e) == -1 ||
	    num_env(&c->retry_cap, "SC_RETRY_CAP", 30, 0, 600, e) == -1 ||
	    num_env(&c->max_object, "SC_MAX_OBJECT_BYTES", 5368709120.0, 1,
	        5368709120.0, e) == -1)
		goto fail;
	c->retry_max = (int)retries;
	if (register_secrets(c, e) == -1)
		goto fail;
	return 0;
fail:
	sc_config_free(c);
	return -1;
}

int
sc_config_need_aws(const struct sc_config *c, struct sc_err *e)
{
	if (c->aws_access_key == NULL || c->aws_secret_key == NULL)
		return sc_err_set(e, SC_ECONFIG, 0,
		    "no AWS credentials: set AWS_ACCESS_KEY_ID and "
		    "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with "
		    "~/.aws/credentials");
	return 0;
}

void
sc_config_free(struct sc_config *c)
{
	free(c->store);
	free(c->aws_access_key);
	if (c->aws_secret_key != NULL)
		explicit_bzero(c->aws_secret_key, strlen(c->aws_secret_key));
	free(c->aws_secret_key);
	if (c->aws_session_token != NULL)
		explicit_bzero(c->aws_session_token,
		    strlen(c->aws_session_token));
	free(c->aws_session_token);
	free(c->aws_region);
	free(c->aws_endpoint);
	free(c->aws_profile);
	free(c->aws_cred_source);
	free(c->yahoo_url);
	free(c->yahoo_cookie_url);
	free(c->stooq_url);
	free(c->stooq_apikey);
	free(c->av_url);
	free(c->av_apikey);
	free(c->pushgateway_url);
	memset(c, 0, sizeof(*c));
}
