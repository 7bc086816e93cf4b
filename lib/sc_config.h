/* SPDX-License-Identifier: ISC */
/*
 * Configuration from the environment, read in one place: this is the only
 * module of libsc that calls getenv(3).  main() loads it once and passes
 * the parts each call needs.  Secrets (the AWS secret key, the session
 * token, API keys) live here and must never be printed or logged.
 */
#ifndef SC_CONFIG_H
#define SC_CONFIG_H

#include "sc_err.h"

struct sc_config {
	char *store; /* SC_STORE, default "./store" */
	/* S3 */
	char *aws_access_key;    /* AWS_ACCESS_KEY_ID or profile */
	char *aws_secret_key;    /* AWS_SECRET_ACCESS_KEY: secret */
	char *aws_session_token; /* AWS_SESSION_TOKEN: secret */
	char *
	    aws_region; /* AWS_REGION, AWS_DEFAULT_REGION, profile, us-east-1 */
	char *aws_endpoint; /* AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, or NULL */
	char *aws_profile;  /* AWS_PROFILE, default "default" */
	char *aws_cred_source; /* where the keys came from, for messages */
	/* Market data */
	char *
	    yahoo_url; /* SC_YAHOO_URL, default https://query2.finance.yahoo.com */
	char *
	    yahoo_cookie_url; /* SC_YAHOO_COOKIE_URL, default https://fc.yahoo.com */
	char *stooq_url;      /* SC_STOOQ_URL, default https://stooq.com */
	char *stooq_apikey; /* SC_STOOQ_APIKEY: secret */
	char *
	    av_url; /* SC_ALPHAVANTAGE_URL, default https://www.alphavantage.co */
	char *av_apikey; /* ALPHAVANTAGE_API_KEY: secret */
	/* Monitoring */
	char *pushgateway_url; /* SC_PUSHGATEWAY_URL, or NULL */
	/* HTTP behaviour (tests shorten these) */
	double http_timeout;         /* SC_HTTP_TIMEOUT seconds, default 30 */
	double http_connect_timeout; /* SC_HTTP_CONNECT_TIMEOUT, default 10 */
	int retry_max;     /* SC_RETRY_MAX attempts in all, default 4 */
	double retry_base; /* SC_RETRY_BASE seconds, default 1 */
	double retry_cap;  /* SC_RETRY_CAP seconds per wait, default 30 */
	/* Writes */
	double max_object; /* SC_MAX_OBJECT_BYTES, 1 to 5 GiB (the default) */
};

/*
 * Fill *c from the environment (and ~/.aws/credentials and ~/.aws/config
 * for the profile's keys and region when the variables are unset).  Missing
 * credentials are not an error here: sc_config_need_aws() says so when S3
 * is actually used.  Returns 0, or -1 with SC_ECONFIG for a malformed
 * number or SC_EOS.  Every secret found (the AWS keys and session token,
 * the API keys, the password of any configured URL) is registered with
 * sc_err_secret(), so no message shows it from then on.  Free with
 * sc_config_free().
 */
int sc_config_load(struct sc_config *, struct sc_err *);

/*
 * Check that S3 credentials are present; -1 with SC_ECONFIG naming the
 * variables to set otherwise.
 */
int sc_config_need_aws(const struct sc_config *, struct sc_err *);

/* Free every string; the struct is zeroed. */
void sc_config_free(struct sc_config *);

#endif
