/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The credentials chain. Each source either finds nothing (CREDS_ENOTFOUND,
 * and the chain goes on) or settles the matter, successfully or not, as in
 * botocore: partial credentials stop the chain, a failing container endpoint
 * is an error, a failing instance metadata service only means "not here".
 *
 * jansson frees the parsed credential documents without wiping them; its
 * allocator is process-wide, so it is not swapped here. Everything this
 * module allocates for a secret it wipes.
 */
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "ses/awsconfig.h"
#include "ses/awsenv.h"
#include "ses/creds.h"
#include "ses/creds_process.h"
#include "ses/creds_sso.h"
#include "ses/creds_sts.h"
#include "ses/file.h"
#include "ses/http.h"
#include "ses/errbuf.h"

#define ADVISORY_REFRESH (15 * 60)
#define MANDATORY_REFRESH (10 * 60)
#define MAX_ID 256
#define MAX_SECRET 256
#define MAX_TOKEN 16384
#define MAX_DOCUMENT (64 * 1024)
#define MSG_MAX 512
#define MAX_CHAIN 16 /* source_profile hops */
#define API_CONNECT_MS 10000
#define API_TIMEOUT_MS 30000

#define CONTAINER_BASE "http://169.254.170.2"
#define IMDS_BASE "http://169.254.169.254"
#define IMDS_BASE_V6 "http://[fd00:ec2::254]"
#define IMDS_TOKEN_TTL "21600"
#define IMDS_CREDS_PATH "/latest/meta-data/iam/security-credentials/"

struct creds_provider {
	pthread_mutex_t lock;
	char *profile; /* explicit, or NULL */
	void (*debug)(void *, const char *);
	void *debug_arg;
	struct creds cur;         /* source NONE: chain not run */
	struct http_client *http; /* for the metadata endpoints */
	struct http_client *api;  /* for STS and SSO, through proxies */
	int attempts;
	char *region; /* of STS; NULL: found at each call */
	int (*mfa_prompt)(void *, const char *, char *, size_t);
	void *mfa_arg;
	const struct ses_cancel *cancel;
};

static void __attribute__((format(printf, 2, 3)))
debug(struct creds_provider *p, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (p->debug == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	p->debug(p->debug_arg, buf);
}

const char *
creds_source_name(enum creds_source s)
{
	switch (s) {
	case CREDS_SOURCE_ENV:
		return "env";
	case CREDS_SOURCE_ASSUME_ROLE:
		return "assume-role";
	case CREDS_SOURCE_WEB_IDENTITY:
		return "assume-role-with-web-identity";
	case CREDS_SOURCE_PROCESS:
		return "custom-process";
	case CREDS_SOURCE_SSO:
		return "sso";
	case CREDS_SOURCE_SHARED_CREDENTIALS:
		return "shared-credentials-file";
	case CREDS_SOURCE_SHARED_CONFIG:
		return "config-file";
	case CREDS_SOURCE_CONTAINER:
		return "container-role";
	case CREDS_SOURCE_IMDS:
		return "iam-role";
	case CREDS_SOURCE_NONE:
		break;
	}
	return "none";
}

void
creds_clear(struct creds *c)
{
	awsconfig_free_secret(c->access_key_id);
	awsconfig_free_secret(c->secret_access_key);
	awsconfig_free_secret(c->session_token);
	memset(c, 0, sizeof(*c));
}

/* Printable ASCII without spaces: whatever goes into a header must be. */
static int
valid_value(const char *s, size_t max)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++)
		if (s[n] <= ' ' || s[n] > '~' || n >= max)
			return 0;
	return n > 0;
}

enum creds_status
creds_set(struct creds *out, const char *id, const char *secret,
    const char *token, time_t expiration, enum creds_source src, char *err,
    size_t errlen)
{
	const char *bad = NULL;

	memset(out, 0, sizeof(*out));
	if (token != NULL && *token == '\0')
		token = NULL;
	if (!valid_value(id, MAX_ID))
		bad = "access key id";
	else if (!valid_value(secret, MAX_SECRET))
		bad = "secret access key";
	else if (token != NULL && !valid_value(token, MAX_TOKEN))
		bad = "session token";
	if (bad != NULL) {
		errbuf_set(err, errlen,
		    "Invalid credentials from %s: the %s is "
		    "empty, too long or not printable",
		    creds_source_name(src), bad);
		return CREDS_EINVALID;
	}
	if ((out->access_key_id = strdup(id)) == NULL ||
	    (out->secret_access_key = strdup(secret)) == NULL ||
	    (token != NULL && (out->session_token = strdup(token)) == NULL)) {
		creds_clear(out);
		errbuf_set(err, errlen, "%s", strerror(ENOMEM));
		return CREDS_ENOMEM;
	}
	out->expiration = expiration;
	out->source = src;
	return CREDS_OK;
}

static int
digits(const char **p, int n, int *v)
{
	int i;

	for (*v = 0, i = 0; i < n; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		*v = *v * 10 + (**p - '0');
	}
	return 0;
}

int
creds_parse_time(const char *s, time_t *out)
{
	struct tm tm;
	const char *p = s;
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	time_t t;

	if (digits(&p, 4, &y) == -1 || *p++ != '-' ||
	    digits(&p, 2, &mo) == -1 || *p++ != '-' ||
	    digits(&p, 2, &d) == -1 || (*p != 'T' && *p != 't' && *p != ' '))
		return -1;
	p++;
	if (digits(&p, 2, &h) == -1 || *p++ != ':' ||
	    digits(&p, 2, &mi) == -1 || *p++ != ':' ||
	    digits(&p, 2, &sec) == -1)
		return -1;
	if (*p == '.') {
		if (*++p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (digits(&p, 2, &oh) == -1)
			return -1;
		if (*p == ':')
			p++;
		if (digits(&p, 2, &om) == -1 || oh > 23 || om > 59)
			return -1;
	}
	if (*p != '\0' || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h > 23 || mi > 59 || sec > 59)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	/* timegm() moves an impossible day (April 31) on: refuse it. */
	if ((t = timegm(&tm)) == (time_t)-1 || tm.tm_mday != d)
		return -1;
	*out = t - sign * (oh * 3600 + om * 60);
	return 0;
}

static const char *
json_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

enum creds_status
creds_parse_document(const char *json, size_t len, enum creds_source src,
    struct creds *out, char *err, size_t errlen)
{
	static const char *const fields[] = { "AccessKeyId", "SecretAccessKey",
		"Token", "Expiration" };
	const char *v[4], *code;
	json_t *root;
	json_error_t je;
	enum creds_status st = CREDS_EFETCH;
	time_t exp;
	size_t i;

	memset(out, 0, sizeof(*out));
	/* je.text can quote the document: it never reaches a message. */
	if ((root = json_loadb(json, len, 0, &je)) == NULL ||
	    !json_is_object(root)) {
		errbuf_set(err, errlen,
		    "Error when retrieving credentials from "
		    "%s: the response is not a JSON object",
		    creds_source_name(src));
		goto done;
	}
	code = json_str(root, "Code");
	if (json_object_get(root, "Code") != NULL &&
	    (code == NULL || strcmp(code, "Success") != 0)) {
		errbuf_set(err, errlen,
		    "Error when retrieving credentials from "
		    "%s: the response's Code is not Success",
		    creds_source_name(src));
		goto done;
	}
	for (i = 0; i < 4; i++)
		if ((v[i] = json_str(root, fields[i])) == NULL) {
			errbuf_set(err, errlen,
			    "Error when retrieving credentials "
			    "from %s: the response has no %s",
			    creds_source_name(src), fields[i]);
			goto done;
		}
	if (creds_parse_time(v[3], &exp) == -1) {
		errbuf_set(err, errlen,
		    "Error when retrieving credentials from "
		    "%s: the Expiration is not an ISO 8601 time",
		    creds_source_name(src));
		goto done;
	}
	st = creds_set(out, v[0], v[1], v[2], exp, src, err, errlen);
done:
	json_decref(root);
	return st;
}

static int
copy_creds(struct creds *dst, const struct creds *src)
{
	return creds_set(dst, src->access_key_id, src->secret_access_key,
		   src->session_token, src->expiration, src->source, NULL,
		   0) == CREDS_OK
	    ? 0
	    : -1;
}

static enum creds_status
from_env(struct creds_provider *p, struct creds *out, char *err, size_t errlen)
{
	const char *id, *secret;
	enum creds_status st;

	if ((id = awsenv_get("AWS_ACCESS_KEY_ID")) == NULL)
		return CREDS_ENOTFOUND;
	if ((secret = awsenv_get("AWS_SECRET_ACCESS_KEY")) == NULL) {
		errbuf_set(err, errlen,
		    "Partial credentials found in env, "
		    "missing: AWS_SECRET_ACCESS_KEY");
		return CREDS_EPARTIAL;
	}
	st = creds_set(out, id, secret, awsenv_get("AWS_SESSION_TOKEN"), 0,
	    CREDS_SOURCE_ENV, err, errlen);
	if (st == CREDS_OK)
		debug(p, "Found credentials in environment variables.");
	return st;
}

static enum creds_status
from_file(struct creds_provider *p, const struct awsconfig *cfg,
    const char *profile, const char *path, enum creds_source src,
    struct creds *out, char *err, size_t errlen)
{
	const char *id, *secret;
	enum creds_status st;

	id = awsconfig_get(cfg, profile, "aws_access_key_id");
	if (id == NULL || *id == '\0')
		return CREDS_ENOTFOUND;
	secret = awsconfig_get(cfg, profile, "aws_secret_access_key");
	if (secret == NULL || *secret == '\0') {
		errbuf_set(err, errlen,
		    "Partial credentials found in %s, "
		    "missing: aws_secret_access_key",
		    creds_source_name(src));
		return CREDS_EPARTIAL;
	}
	st = creds_set(out, id, secret,
	    awsconfig_get(cfg, profile, "aws_session_token"), 0, src, err,
	    errlen);
	if (st == CREDS_OK)
		debug(p, "Found credentials in %s: %s",
		    src == CREDS_SOURCE_SHARED_CREDENTIALS
			? "shared credentials file"
			: "config file",
		    path);
	return st;
}

/*
 * Makes the provider's HTTP client on first use, with the metadata
 * timeouts of the environment at that time.
 */
static int
metadata_client(struct creds_provider *p, char *err, size_t errlen)
{
	struct http_options o;
	const char *v;
	char *end;
	double secs = 1;
	long n;

	if (p->http != NULL)
		return 0;
	if ((v = awsenv_get("AWS_METADATA_SERVICE_TIMEOUT")) != NULL) {
		secs = strtod(v, &end);
		if (*end != '\0' || !(secs >= 0.001 && secs <= 3600))
			secs = 1;
	}
	p->attempts = 2;
	if ((v = awsenv_get("AWS_METADATA_SERVICE_NUM_ATTEMPTS")) != NULL) {
		n = strtol(v, &end, 10);
		if (*end == '\0' && n >= 1 && n <= 10)
			p->attempts = n;
	}
	memset(&o, 0, sizeof(o));
	o.connect_timeout_ms = secs * 1000;
	o.timeout_ms = secs * 1000;
	o.max_response = MAX_DOCUMENT;
	o.no_proxy = 1;
	o.cancel = p->cancel;
	if ((p->http = http_client_new(&o, err, errlen)) == NULL)
		return -1;
	return 0;
}

/*
 * One metadata request, tried again after a transport error or a 5xx.
 * 0 with a response of status < 500; else -1 and a message in ERR.
 */
static int
metadata_request(struct creds_provider *p, const char *method, const char *url,
    const struct http_header *h, size_t n, struct http_response *resp,
    char *err, size_t errlen)
{
	int i;

	for (i = 0; i < p->attempts; i++) {
		if (i > 0)
			http_response_free(resp);
		if (http_request(p->http, method, url, h, n, NULL, 0, resp) ==
			0 &&
		    resp->status < 500)
			return 0;
		if (resp->message != NULL)
			errbuf_set(err, errlen, "%s", resp->message);
		else
			errbuf_set(err, errlen, "HTTP status %ld from %s",
			    resp->status, url);
		debug(p, "%s %s, attempt %d of %d: %s", method, url, i + 1,
		    p->attempts, err);
	}
	return -1;
}

/* The botocore wording for a metadata source that failed, as EFETCH. */
static enum creds_status
fetch_fail(enum creds_source src, const char *why, char *err, size_t errlen)
{
	errbuf_set(err, errlen, "Error when retrieving credentials from %s: %s",
	    creds_source_name(src), why);
	return CREDS_EFETCH;
}

static int
container_host_ok(const char *host)
{
	static const char *const hosts[] = { "localhost", "[::1]",
		"169.254.170.2", "169.254.170.23", "[fd00:ec2::23]" };
	struct in_addr a;
	size_t i;

	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
		if (strcmp(host, hosts[i]) == 0)
			return 1;
	return inet_pton(AF_INET, host, &a) == 1 &&
	    (ntohl(a.s_addr) >> 24) == 127;
}

/* The token file is read at every fetch: the agent rotates it. */
static char *
read_token_file(const char *path, char *err, size_t errlen)
{
	char *buf;
	size_t len;

	if (file_read(path, MAX_TOKEN, 0, &buf, &len) == -1) {
		errbuf_set(err, errlen,
		    "cannot read the container authorization "
		    "token file %s: %s",
		    path, strerror(errno));
		return NULL;
	}
	/* A final newline, as an editor or echo leaves it, is not part of it. */
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	buf[len] = '\0';
	return buf;
}

static int
header_value_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7f)
			return 0;
	return 1;
}

static enum creds_status
from_container(
    struct creds_provider *p, struct creds *out, char *err, size_t errlen)
{
	struct awsenv_endpoint ep;
	struct http_response resp;
	struct http_header h[2] = { { "Accept", "application/json" } };
	const char *rel, *full, *file, *tok;
	char why[MSG_MAX] = "", *url = NULL, *auth = NULL;
	enum creds_status st;
	size_t nh = 1;

	rel = awsenv_get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	full = awsenv_get("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	if (rel == NULL && full == NULL)
		return CREDS_ENOTFOUND;
	if (rel != NULL &&
	    asprintf(&url, CONTAINER_BASE "%s%s", *rel == '/' ? "" : "/",
		rel) == -1) {
		errbuf_set(err, errlen, "%s", strerror(ENOMEM));
		return CREDS_ENOMEM;
	}
	if (awsenv_endpoint_parse(url != NULL ? url : full, &ep) == -1) {
		snprintf(why, sizeof(why), "unsupported URI %.300s",
		    url != NULL ? url : full);
		free(url);
		return fetch_fail(CREDS_SOURCE_CONTAINER, why, err, errlen);
	}
	free(url);
	memset(&resp, 0, sizeof(resp));
	if (rel == NULL && !ep.tls && !container_host_ok(ep.host)) {
		snprintf(why, sizeof(why),
		    "Unsupported host '%.200s'. Can only "
		    "retrieve metadata from a loopback address or "
		    "169.254.170.2, 169.254.170.23, fd00:ec2::23",
		    ep.host);
		goto fail;
	}
	if ((file = awsenv_get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) !=
	    NULL) {
		if ((auth = read_token_file(file, why, sizeof(why))) == NULL)
			goto fail;
		tok = auth;
	} else
		tok = awsenv_get("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	if (tok != NULL) {
		if (!header_value_ok(tok)) {
			snprintf(why, sizeof(why),
			    "the authorization token is "
			    "not a legal header value");
			goto fail;
		}
		h[nh].name = "Authorization";
		h[nh++].value = tok;
	}
	if (metadata_client(p, err, errlen) == -1) {
		st = CREDS_ENOMEM;
		goto done;
	}
	debug(p, "Fetching credentials from %s", ep.url);
	if (metadata_request(
		p, "GET", ep.url, h, nh, &resp, why, sizeof(why)) == -1)
		goto fail;
	if (resp.status != 200) {
		snprintf(why, sizeof(why),
		    "Received non 200 response (%ld) "
		    "from container metadata",
		    resp.status);
		goto fail;
	}
	st = creds_parse_document(
	    resp.body, resp.len, CREDS_SOURCE_CONTAINER, out, err, errlen);
	if (st == CREDS_OK)
		debug(p, "Found credentials from container-role at %s", ep.url);
	goto done;

fail:
	st = fetch_fail(CREDS_SOURCE_CONTAINER, why, err, errlen);
done:
	http_response_free(&resp);
	awsconfig_free_secret(auth);
	awsenv_endpoint_free(&ep);
	return st;
}

/* The role name goes into a URL path: IAM's own alphabet only. */
static int
role_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 128)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
			(s[i] >= 'A' && s[i] <= 'Z') ||
			(s[i] >= '0' && s[i] <= '9') ||
			strchr("+=,.@_-", s[i])))
			return 0;
	return 1;
}

static enum creds_status
from_imds(struct creds_provider *p, struct creds *out, char *err, size_t errlen)
{
	struct http_response resp;
	struct http_header h;
	const char *base, *v;
	char why[MSG_MAX] = "", *token = NULL, *url = NULL, role[129];
	enum creds_status st = CREDS_EFETCH;
	size_t n, blen;

	if ((v = awsenv_get("AWS_EC2_METADATA_DISABLED")) != NULL &&
	    strcasecmp(v, "true") == 0) {
		debug(p, "IMDS credential fetching is disabled");
		return CREDS_ENOTFOUND;
	}
	if ((base = awsenv_get("AWS_EC2_METADATA_SERVICE_ENDPOINT")) == NULL) {
		v = awsenv_get("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
		base = v != NULL && strcasecmp(v, "ipv6") == 0 ? IMDS_BASE_V6
							       : IMDS_BASE;
	}
	for (blen = strlen(base); blen > 0 && base[blen - 1] == '/'; blen--)
		;
	memset(&resp, 0, sizeof(resp));
	if (metadata_client(p, err, errlen) == -1)
		return CREDS_ENOMEM;

	if (asprintf(&url, "%.*s/latest/api/token", (int)blen, base) == -1)
		goto nomem;
	h.name = "x-aws-ec2-metadata-token-ttl-seconds";
	h.value = IMDS_TOKEN_TTL;
	if (metadata_request(p, "PUT", url, &h, 1, &resp, why, sizeof(why)) ==
	    -1)
		goto fail;
	if (resp.status != 200 || resp.body == NULL ||
	    !valid_value(resp.body, 1024)) {
		snprintf(why, sizeof(why),
		    "no metadata token from %s "
		    "(HTTP status %ld)",
		    url, resp.status);
		goto fail;
	}
	token = resp.body;
	resp.body = NULL;
	http_response_free(&resp);
	free(url);

	if (asprintf(&url, "%.*s" IMDS_CREDS_PATH, (int)blen, base) == -1)
		goto nomem;
	h.name = "x-aws-ec2-metadata-token";
	h.value = token;
	if (metadata_request(p, "GET", url, &h, 1, &resp, why, sizeof(why)) ==
	    -1)
		goto fail;
	n = resp.body != NULL ? strcspn(resp.body, "\r\n") : 0;
	if (resp.status != 200 || !role_ok(resp.body, n)) {
		snprintf(why, sizeof(why),
		    "no instance profile role at %s "
		    "(HTTP status %ld)",
		    url, resp.status);
		goto fail;
	}
	memcpy(role, resp.body, n);
	role[n] = '\0';
	http_response_free(&resp);
	free(url);

	if (asprintf(
		&url, "%.*s" IMDS_CREDS_PATH "%s", (int)blen, base, role) == -1)
		goto nomem;
	if (metadata_request(p, "GET", url, &h, 1, &resp, why, sizeof(why)) ==
	    -1)
		goto fail;
	if (resp.status != 200) {
		snprintf(why, sizeof(why), "HTTP status %ld from %s",
		    resp.status, url);
		goto fail;
	}
	st = creds_parse_document(
	    resp.body, resp.len, CREDS_SOURCE_IMDS, out, err, errlen);
	if (st == CREDS_OK)
		debug(p, "Found credentials from IAM Role: %s", role);
	goto done;

nomem:
	errbuf_set(err, errlen, "%s", strerror(ENOMEM));
	st = CREDS_ENOMEM;
	goto done;
fail:
	st = fetch_fail(CREDS_SOURCE_IMDS, why, err, errlen);
done:
	http_response_free(&resp);
	awsconfig_free_secret(token);
	free(url);
	return st;
}

/*
 * A profile's KEY as botocore's full_config holds it: the credentials
 * file's value over the config file's. Present but empty is present.
 */
static const char *
prof_get(const struct awsenv_shared *sh, const char *profile, const char *key)
{
	const char *v = awsconfig_get(sh->credentials, profile, key);

	return v != NULL ? v : awsconfig_get(sh->config, profile, key);
}

static int
has_static(const struct awsenv_shared *sh, const char *profile)
{
	return prof_get(sh, profile, "aws_access_key_id") != NULL ||
	    prof_get(sh, profile, "aws_secret_access_key") != NULL;
}

/* botocore's test: web identity settings take the profile over. */
static int
has_assume_role(const struct awsenv_shared *sh, const char *profile)
{
	return prof_get(sh, profile, "role_arn") != NULL &&
	    prof_get(sh, profile, "web_identity_token_file") == NULL;
}

static int
api_client(struct creds_provider *p, char *err, size_t errlen)
{
	struct http_options o;

	if (p->api != NULL)
		return 0;
	memset(&o, 0, sizeof(o));
	o.ca_file = awsenv_get("AWS_CA_BUNDLE");
	o.connect_timeout_ms = API_CONNECT_MS;
	o.timeout_ms = API_TIMEOUT_MS;
	o.max_response = MAX_DOCUMENT;
	o.cancel = p->cancel;
	p->api = http_client_new(&o, err, errlen);
	return p->api != NULL ? 0 : -1;
}

/* One STS call, at the endpoint and for the region the tools would use. */
static enum creds_status
sts(struct creds_provider *p, const char *action,
    const struct creds_sts_param *prm, size_t n, const struct creds *signer,
    enum creds_source src, struct creds *out, char *err, size_t errlen)
{
	struct awsenv_region r;
	struct awsenv_endpoint ep;
	const char *region = p->region;
	enum creds_status st;

	if (region == NULL &&
	    awsenv_region(NULL, p->profile, &r, NULL, 0) == AWSENV_OK)
		region = r.name;
	if (awsenv_service_endpoint(
		AWSENV_STS, NULL, region, &ep, err, errlen) != AWSENV_OK)
		return CREDS_EINVALID;
	if (api_client(p, err, errlen) == -1) {
		awsenv_endpoint_free(&ep);
		return CREDS_ENOMEM;
	}
	debug(p, "Calling STS %s at %s (%s)", action, ep.url, ep.source);
	st = creds_sts_call(
	    p->api, &ep, region, action, prm, n, signer, src, out, err, errlen);
	awsenv_endpoint_free(&ep);
	return st;
}

/* botocore's default RoleSessionName. */
static const char *
session_name(const char *given, char *buf, size_t len)
{
	if (given != NULL)
		return given;
	snprintf(buf, len, "botocore-session-%lld", (long long)time(NULL));
	return buf;
}

/*
 * Environment first, key by key, unless a profile was named explicitly;
 * then the profile's keys (botocore's _get_config).
 */
static const char *
web_config(const struct awsenv_shared *sh, const char *profile, int use_env,
    const char *env, const char *key)
{
	const char *v;

	if (use_env && (v = awsenv_get(env)) != NULL)
		return v;
	return prof_get(sh, profile, key);
}

static enum creds_status
from_web_identity(struct creds_provider *p, const struct awsenv_shared *sh,
    const char *profile, int use_env, struct creds *out, char *err,
    size_t errlen)
{
	struct creds_sts_param prm[3];
	const char *file, *arn;
	char name[64], *token;
	size_t len;
	enum creds_status st;

	file = web_config(sh, profile, use_env, "AWS_WEB_IDENTITY_TOKEN_FILE",
	    "web_identity_token_file");
	if (file == NULL || *file == '\0')
		return CREDS_ENOTFOUND;
	arn = web_config(sh, profile, use_env, "AWS_ROLE_ARN", "role_arn");
	if (arn == NULL || *arn == '\0') {
		errbuf_set(err, errlen,
		    "The provided profile or the current environment is "
		    "configured to assume role with web identity but has no "
		    "role ARN configured. Ensure that the profile has the "
		    "role_arnconfiguration set or the AWS_ROLE_ARN env var "
		    "is set.");
		return CREDS_EINVALID;
	}
	/* Read at every fetch: Kubernetes rotates the token. */
	if (file_read(file, MAX_TOKEN, 0, &token, &len) == -1) {
		errbuf_set(err, errlen,
		    "Error when retrieving credentials from "
		    "assume-role-with-web-identity: cannot read the web "
		    "identity token file %.300s: %s",
		    file, strerror(errno));
		return CREDS_EFETCH;
	}
	prm[0] = (struct creds_sts_param){ "RoleArn", arn };
	prm[1] = (struct creds_sts_param){ "RoleSessionName",
		session_name(web_config(sh, profile, use_env,
				 "AWS_ROLE_SESSION_NAME", "role_session_name"),
		    name, sizeof(name)) };
	prm[2] = (struct creds_sts_param){ "WebIdentityToken", token };
	debug(
	    p, "Assuming role %s with the web identity token in %s", arn, file);
	st = sts(p, "AssumeRoleWithWebIdentity", prm, 3, NULL,
	    CREDS_SOURCE_WEB_IDENTITY, out, err, errlen);
	file_free(token, len);
	return st;
}

static enum creds_status
from_process(struct creds_provider *p, const struct awsenv_shared *sh,
    const char *profile, struct creds *out, char *err, size_t errlen)
{
	const char *cmd = prof_get(sh, profile, "credential_process");
	enum creds_status st;

	if (cmd == NULL || *cmd == '\0')
		return CREDS_ENOTFOUND;
	/* Not the command line: its arguments may hold a secret. */
	debug(p, "Running the credential_process of profile %s", profile);
	st = creds_process_run(
	    cmd, CREDS_PROCESS_TIMEOUT, p->cancel, out, err, errlen);
	if (st == CREDS_OK)
		debug(p, "Found credentials from custom-process");
	return st;
}

/*
 * A profile key merged with its sso-session's (botocore's
 * _resolve_sso_session_reference): -1 when the two disagree.
 */
static int
sso_key(const struct awsenv_shared *sh, const char *profile,
    const char *session, const char *key, const char **out, char *err,
    size_t errlen)
{
	const char *pv = prof_get(sh, profile, key), *sv = NULL;

	if (session != NULL)
		sv = awsconfig_session_get(sh->config, session, key);
	if (pv != NULL && sv != NULL && strcmp(pv, sv) != 0) {
		errbuf_set(err, errlen,
		    "The value for %s is inconsistent between profile "
		    "(%.150s) and sso-session (%.150s).",
		    key, pv, sv);
		return -1;
	}
	*out = sv != NULL ? sv : pv;
	return 0;
}

static enum creds_status
from_sso(struct creds_provider *p, const struct awsenv_shared *sh,
    const char *profile, struct creds *out, char *err, size_t errlen)
{
	static const char *const keys[] = { "sso_role_name", "sso_account_id",
		"sso_start_url", "sso_region", "sso_session" };
	struct awsenv_endpoint ep;
	const char *v[5], *session;
	char missing[160] = "", name[CREDS_SSO_CACHE_NAME_SIZE], *path = NULL,
	     *doc = NULL, *token = NULL;
	size_t i, len = 0, nkeys = 4;
	enum creds_status st;

	if (prof_get(sh, profile, keys[0]) == NULL &&
	    prof_get(sh, profile, keys[1]) == NULL)
		return CREDS_ENOTFOUND;
	if ((session = prof_get(sh, profile, "sso_session")) != NULL) {
		if (!awsconfig_has_session(sh->config, session)) {
			errbuf_set(err, errlen,
			    "The specified sso-session does not exist: "
			    "\"%.100s\"",
			    session);
			return CREDS_EINVALID;
		}
		nkeys = 5;
	}
	for (i = 0; i < nkeys; i++) {
		if (sso_key(sh, profile, session, keys[i], &v[i], err,
			errlen) == -1)
			return CREDS_EINVALID;
		if (v[i] == NULL)
			snprintf(missing + strlen(missing),
			    sizeof(missing) - strlen(missing), "%s%s",
			    missing[0] != '\0' ? ", " : "", keys[i]);
	}
	if (missing[0] != '\0') {
		errbuf_set(err, errlen,
		    "The profile \"%.100s\" is configured to use SSO but is "
		    "missing required configuration: %s",
		    profile, missing);
		return CREDS_EINVALID;
	}
	if (!awsenv_region_valid(v[3])) {
		errbuf_set(err, errlen, "Invalid sso_region '%.64s'", v[3]);
		return CREDS_EINVALID;
	}
	if (creds_sso_cache_name(session != NULL ? session : v[2], name) ==
		-1 ||
	    asprintf(&path, "/.aws/sso/cache/%s", name) == -1) {
		errbuf_set(err, errlen, "%s", strerror(ENOMEM));
		return CREDS_ENOMEM;
	}
	doc = awsenv_home_path(path);
	free(path);
	if (doc == NULL) {
		errbuf_set(err, errlen, "%s", strerror(ENOMEM));
		return CREDS_ENOMEM;
	}
	path = doc;
	debug(p, "Reading the SSO token cached in %s", path);
	if (file_read(path, MAX_DOCUMENT, 0, &doc, &len) == -1) {
		errbuf_set(err, errlen,
		    "Error loading SSO Token: Token for %.200s does not exist",
		    session != NULL ? session : v[2]);
		free(path);
		return CREDS_EFETCH;
	}
	free(path);
	st = creds_sso_parse_token(doc, len, time(NULL),
	    session != NULL ? session : v[2], &token, err, errlen);
	file_free(doc, len);
	if (st != CREDS_OK)
		return st;
	if (awsenv_service_endpoint(AWSENV_SSO, NULL, v[3], &ep, err, errlen) !=
	    AWSENV_OK) {
		awsconfig_free_secret(token);
		return CREDS_EINVALID;
	}
	if (api_client(p, err, errlen) == -1)
		st = CREDS_ENOMEM;
	else {
		debug(p, "Calling SSO GetRoleCredentials at %s (%s)", ep.url,
		    ep.source);
		st = creds_sso_fetch(
		    p->api, &ep, v[0], v[1], token, out, err, errlen);
	}
	awsenv_endpoint_free(&ep);
	awsconfig_free_secret(token);
	return st;
}

/*
 * The static keys of PROFILE's own: the credentials file, its
 * credential_process, the config file.
 */
static enum creds_status
profile_static(struct creds_provider *p, const struct awsenv_shared *sh,
    const char *profile, struct creds *out, char *err, size_t errlen)
{
	enum creds_status st;

	debug(p, "Looking for credentials via: shared-credentials-file");
	st = from_file(p, sh->credentials, profile, sh->credentials_path,
	    CREDS_SOURCE_SHARED_CREDENTIALS, out, err, errlen);
	if (st == CREDS_ENOTFOUND) {
		debug(p, "Looking for credentials via: custom-process");
		st = from_process(p, sh, profile, out, err, errlen);
	}
	if (st == CREDS_ENOTFOUND) {
		debug(p, "Looking for credentials via: config-file");
		st = from_file(p, sh->config, profile, sh->config_path,
		    CREDS_SOURCE_SHARED_CONFIG, out, err, errlen);
	}
	return st;
}

/* The profile-based providers a source_profile without a role runs. */
static enum creds_status
profile_keys(struct creds_provider *p, const struct awsenv_shared *sh,
    const char *profile, struct creds *out, char *err, size_t errlen)
{
	enum creds_status st;

	st = from_web_identity(p, sh, profile, 0, out, err, errlen);
	if (st == CREDS_ENOTFOUND)
		st = from_sso(p, sh, profile, out, err, errlen);
	if (st == CREDS_ENOTFOUND)
		st = profile_static(p, sh, profile, out, err, errlen);
	return st;
}

struct chain {
	const char *visited[MAX_CHAIN];
	size_t n;
};

static enum creds_status assume_role(struct creds_provider *,
    const struct awsenv_shared *, const char *profile, struct chain *,
    struct creds *, char *, size_t);

static enum creds_status
loop_error(const struct chain *c, const char *source, char *err, size_t errlen)
{
	char list[256] = "";
	size_t i, off = 0;
	int n;

	for (i = 0; i < c->n && off < sizeof(list); i++) {
		n = snprintf(list + off, sizeof(list) - off, "%s'%s'",
		    i > 0 ? ", " : "", c->visited[i]);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	errbuf_set(err, errlen,
	    "Infinite loop in credential configuration detected. Attempting "
	    "to load from profile %.100s which has already been visited. "
	    "Visited profiles: [%s]",
	    source, list);
	return CREDS_EINVALID;
}

/* The credentials of SRC, the source_profile of PARENT. */
static enum creds_status
from_source_profile(struct creds_provider *p, const struct awsenv_shared *sh,
    const char *parent, const char *src, struct chain *c, struct creds *out,
    char *err, size_t errlen)
{
	enum creds_status st;
	size_t i;

	if (!awsconfig_has_profile(sh->credentials, src) &&
	    !awsconfig_has_profile(sh->config, src)) {
		errbuf_set(err, errlen,
		    "The source_profile \"%.100s\" referenced in the profile "
		    "\"%.100s\" does not exist.",
		    src, parent);
		return CREDS_EINVALID;
	}
	for (i = 0; i < c->n; i++)
		if (strcmp(c->visited[i], src) == 0)
			break;
	/* A profile may name itself to take its own static keys. */
	if (i < c->n && (strcmp(src, parent) != 0 || !has_static(sh, src)))
		return loop_error(c, src, err, errlen);
	if (c->n == MAX_CHAIN) {
		errbuf_set(err, errlen,
		    "More than %d source_profile hops from profile \"%.100s\"",
		    MAX_CHAIN, c->visited[0]);
		return CREDS_EINVALID;
	}
	c->visited[c->n++] = src;
	if (has_static(sh, src) || !has_assume_role(sh, src)) {
		st = profile_keys(p, sh, src, out, err, errlen);
		if (st == CREDS_ENOTFOUND) {
			errbuf_set(err, errlen,
			    "The source profile \"%.100s\" must have "
			    "credentials.",
			    src);
			st = CREDS_EINVALID;
		}
		return st;
	}
	return assume_role(p, sh, src, c, out, err, errlen);
}

static enum creds_status
from_credential_source(struct creds_provider *p, const char *profile,
    const char *name, struct creds *out, char *err, size_t errlen)
{
	enum creds_status st;

	if (strcmp(name, "Environment") == 0)
		st = from_env(p, out, err, errlen);
	else if (strcmp(name, "EcsContainer") == 0)
		st = from_container(p, out, err, errlen);
	else if (strcmp(name, "Ec2InstanceMetadata") == 0)
		st = from_imds(p, out, err, errlen);
	else {
		errbuf_set(err, errlen,
		    "The credential source \"%.100s\" referenced in profile "
		    "\"%.100s\" is not valid.",
		    name, profile);
		return CREDS_EINVALID;
	}
	if (st == CREDS_ENOTFOUND) {
		errbuf_set(err, errlen,
		    "Error when retrieving credentials from %.100s: No "
		    "credentials found in credential_source referenced in "
		    "profile %.100s",
		    name, profile);
		st = CREDS_EFETCH;
	}
	return st;
}

static enum creds_status
assume_role(struct creds_provider *p, const struct awsenv_shared *sh,
    const char *profile, struct chain *c, struct creds *out, char *err,
    size_t errlen)
{
	struct creds_sts_param prm[6];
	struct creds src;
	const char *arn, *source, *cs, *mfa;
	char name[64], code[64] = "";
	enum creds_status st;
	size_t n = 0;

	arn = prof_get(sh, profile, "role_arn");
	source = prof_get(sh, profile, "source_profile");
	cs = prof_get(sh, profile, "credential_source");
	mfa = prof_get(sh, profile, "mfa_serial");
	if (source != NULL && cs != NULL) {
		errbuf_set(err, errlen,
		    "The profile \"%.100s\" contains both source_profile and "
		    "credential_source.",
		    profile);
		return CREDS_EINVALID;
	}
	if (source == NULL && cs == NULL) {
		errbuf_set(err, errlen,
		    "Partial credentials found in assume-role, missing: "
		    "source_profile or credential_source");
		return CREDS_EPARTIAL;
	}
	if (mfa != NULL && p->mfa_prompt == NULL) {
		errbuf_set(err, errlen,
		    "The profile \"%.100s\" assumes its role with an MFA code "
		    "(mfa_serial), which nobody can type here",
		    profile);
		return CREDS_EINVALID;
	}
	st = cs != NULL
	    ? from_credential_source(p, profile, cs, &src, err, errlen)
	    : from_source_profile(p, sh, profile, source, c, &src, err, errlen);
	if (st != CREDS_OK)
		return st;
	prm[n++] = (struct creds_sts_param){ "RoleArn", arn };
	prm[n++] = (struct creds_sts_param){ "RoleSessionName",
		session_name(prof_get(sh, profile, "role_session_name"), name,
		    sizeof(name)) };
	prm[n++] = (struct creds_sts_param){ "ExternalId",
		prof_get(sh, profile, "external_id") };
	prm[n++] = (struct creds_sts_param){ "DurationSeconds",
		prof_get(sh, profile, "duration_seconds") };
	if (mfa != NULL) {
		if (p->mfa_prompt(p->mfa_arg, mfa, code, sizeof(code)) == -1) {
			creds_clear(&src);
			errbuf_set(err, errlen, "No MFA code was given");
			return CREDS_EINVALID;
		}
		prm[n++] = (struct creds_sts_param){ "SerialNumber", mfa };
		prm[n++] = (struct creds_sts_param){ "TokenCode", code };
	}
	debug(p, "Assuming role %s for profile %s with credentials from %s",
	    arn, profile, creds_source_name(src.source));
	st = sts(p, "AssumeRole", prm, n, &src, CREDS_SOURCE_ASSUME_ROLE, out,
	    err, errlen);
	creds_clear(&src);
	explicit_bzero(code, sizeof(code));
	return st;
}

/*
 * The profile-based part of the chain, in botocore's order: assume role,
 * web identity, SSO, the credentials file, credential_process, the config
 * file.
 */
static enum creds_status
from_profile(
    struct creds_provider *p, struct creds *out, char *err, size_t errlen)
{
	struct awsenv_shared sh;
	struct chain c;
	enum creds_status st;

	debug(p, "Looking for credentials via: assume-role");
	switch (awsenv_shared_load(p->profile, &sh, err, errlen)) {
	case AWSENV_OK:
		break;
	case AWSENV_ENOPROFILE:
		return CREDS_EPROFILE;
	default:
		return CREDS_ENOMEM;
	}
	if (has_assume_role(&sh, sh.profile)) {
		c.visited[0] = sh.profile;
		c.n = 1;
		st = assume_role(p, &sh, sh.profile, &c, out, err, errlen);
		goto done;
	}
	debug(p, "Looking for credentials via: assume-role-with-web-identity");
	st = from_web_identity(
	    p, &sh, sh.profile, p->profile == NULL, out, err, errlen);
	if (st == CREDS_ENOTFOUND) {
		debug(p, "Looking for credentials via: sso");
		st = from_sso(p, &sh, sh.profile, out, err, errlen);
	}
	if (st == CREDS_ENOTFOUND)
		st = profile_static(p, &sh, sh.profile, out, err, errlen);
done:
	awsenv_shared_free(&sh);
	return st;
}

int
creds_profile_needs_mfa(const char *profile, char *err, size_t errlen)
{
	struct awsenv_shared sh;
	const char *name, *mfa = NULL;
	int hops;

	if (profile == NULL && awsenv_get("AWS_ACCESS_KEY_ID") != NULL)
		return 0;
	if (awsenv_shared_load(profile, &sh, NULL, 0) != AWSENV_OK)
		return 0; /* the chain reports that itself */
	name = sh.profile;
	/* Bounded: a loop is the chain's error to report. */
	for (hops = 0;
	     hops < MAX_CHAIN && name != NULL && has_assume_role(&sh, name);
	     hops++) {
		if ((mfa = prof_get(&sh, name, "mfa_serial")) != NULL)
			break;
		if (has_static(&sh, name))
			break;
		name = prof_get(&sh, name, "source_profile");
	}
	if (mfa != NULL)
		errbuf_set(err, errlen,
		    "profile %.100s assumes its role with an MFA code "
		    "(mfa_serial %.100s), which a daemon cannot ask for: "
		    "use a profile without mfa_serial",
		    name, mfa);
	awsenv_shared_free(&sh);
	return mfa != NULL ? -1 : 0;
}

/*
 * Runs the chain. A source's error ends it, except the instance metadata
 * service's: any instance-less host would fail there, so it reads as
 * "nothing found" (botocore does the same).
 */
static enum creds_status
resolve(struct creds_provider *p, struct creds *out, char *err, size_t errlen)
{
	enum creds_status st;

	if (p->profile == NULL) {
		debug(p, "Looking for credentials via: env");
		if ((st = from_env(p, out, err, errlen)) != CREDS_ENOTFOUND)
			return st;
	}
	if ((st = from_profile(p, out, err, errlen)) != CREDS_ENOTFOUND)
		return st;
	debug(p, "Looking for credentials via: container-role");
	if ((st = from_container(p, out, err, errlen)) != CREDS_ENOTFOUND)
		return st;
	debug(p, "Looking for credentials via: iam-role");
	st = from_imds(p, out, err, errlen);
	if (st != CREDS_OK && st != CREDS_ENOMEM) {
		if (st != CREDS_ENOTFOUND)
			debug(p, "%s", err);
		errbuf_set(err, errlen, "%s", CREDS_MSG_NOTFOUND);
		st = CREDS_ENOTFOUND;
	}
	return st;
}

/* Asks the source that answered before; it must answer again. */
static enum creds_status
refetch(struct creds_provider *p, enum creds_source src, struct creds *out,
    char *err, size_t errlen)
{
	enum creds_status st;

	if (src == CREDS_SOURCE_CONTAINER)
		st = from_container(p, out, err, errlen);
	else if (src == CREDS_SOURCE_IMDS)
		st = from_imds(p, out, err, errlen);
	else
		st = from_profile(p, out, err, errlen);
	if (st == CREDS_ENOTFOUND) {
		errbuf_set(err, errlen,
		    "Error when retrieving credentials from "
		    "%s: the source is no longer configured",
		    creds_source_name(src));
		st = CREDS_EFETCH;
	}
	return st;
}

struct creds_provider *
creds_provider_new(const struct creds_options *opt)
{
	struct creds_provider *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	if (opt != NULL) {
		if (opt->profile != NULL && *opt->profile != '\0' &&
		    (p->profile = strdup(opt->profile)) == NULL) {
			free(p);
			return NULL;
		}
		p->debug = opt->debug;
		p->debug_arg = opt->debug_arg;
		p->mfa_prompt = opt->mfa_prompt;
		p->mfa_arg = opt->mfa_arg;
		p->cancel = opt->cancel;
		if (opt->region != NULL && *opt->region != '\0' &&
		    (p->region = strdup(opt->region)) == NULL) {
			free(p->profile);
			free(p);
			return NULL;
		}
	}
	if (pthread_mutex_init(&p->lock, NULL) != 0) {
		free(p->region);
		free(p->profile);
		free(p);
		return NULL;
	}
	return p;
}

void
creds_provider_free(struct creds_provider *p)
{
	if (p == NULL)
		return;
	pthread_mutex_destroy(&p->lock);
	creds_clear(&p->cur);
	http_client_free(p->http);
	http_client_free(p->api);
	free(p->region);
	free(p->profile);
	free(p);
}

enum creds_status
creds_provider_get(
    struct creds_provider *p, struct creds *out, char *err, size_t errlen)
{
	struct creds fresh;
	enum creds_status st = CREDS_OK;
	char msg[MSG_MAX] = "";
	time_t left;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&p->lock);
	if (p->cur.source == CREDS_SOURCE_NONE) {
		if ((st = resolve(p, &fresh, msg, sizeof(msg))) == CREDS_OK)
			p->cur = fresh;
	} else if (p->cur.expiration != 0 &&
	    (left = p->cur.expiration - time(NULL)) < ADVISORY_REFRESH) {
		debug(p, "Credentials from %s expire in %lld s: refreshing",
		    creds_source_name(p->cur.source), (long long)left);
		st = refetch(p, p->cur.source, &fresh, msg, sizeof(msg));
		if (st == CREDS_OK) {
			creds_clear(&p->cur);
			p->cur = fresh;
		} else if (left > MANDATORY_REFRESH) {
			debug(p,
			    "Refresh failed, the current credentials stay "
			    "in use: %s",
			    msg);
			st = CREDS_OK;
		}
	}
	if (st == CREDS_OK && copy_creds(out, &p->cur) == -1) {
		snprintf(msg, sizeof(msg), "%s", strerror(ENOMEM));
		st = CREDS_ENOMEM;
	}
	pthread_mutex_unlock(&p->lock);
	if (st != CREDS_OK)
		errbuf_set(err, errlen, "%s", msg);
	return st;
}
