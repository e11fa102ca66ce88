/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Profile, shared files, region and endpoint, resolved in the order the
 * AWS CLI uses.
 */
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ses/awsconfig.h"
#include "ses/awsenv.h"
#include "ses/errbuf.h"

#define MSG_NOREGION \
	"You must specify a region. You can also configure " \
	"your region by running \"aws configure\"."

const char *
awsenv_get(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

const char *
awsenv_profile(const char *explicit_profile, int *namedp)
{
	const char *p = NULL;
	int named = 1;

	if (explicit_profile != NULL && *explicit_profile != '\0')
		p = explicit_profile;
	else if ((p = awsenv_get("AWS_PROFILE")) == NULL) {
		p = "default";
		named = 0;
	}
	if (namedp != NULL)
		*namedp = named;
	return p;
}

char *
awsenv_home_path(const char *rest)
{
	struct passwd pw, *res = NULL;
	const char *home;
	char buf[4096], *out;

	if ((home = awsenv_get("HOME")) == NULL) {
		if (getpwuid_r(getuid(), &pw, buf, sizeof(buf), &res) != 0 ||
		    res == NULL || pw.pw_dir == NULL || *pw.pw_dir == '\0')
			return NULL;
		home = pw.pw_dir;
	}
	if (asprintf(&out, "%s%s", home, rest) == -1)
		return NULL;
	return out;
}

char *
awsenv_shared_file(enum awsconfig_kind kind)
{
	const char *v;

	if (kind == AWSCONFIG_CREDENTIALS)
		v = awsenv_get("AWS_SHARED_CREDENTIALS_FILE");
	else
		v = awsenv_get("AWS_CONFIG_FILE");
	if (v == NULL)
		return awsenv_home_path(kind == AWSCONFIG_CREDENTIALS
			? "/.aws/credentials"
			: "/.aws/config");
	if (v[0] == '~' && (v[1] == '\0' || v[1] == '/'))
		return awsenv_home_path(v + 1);
	return strdup(v);
}

static int
load_one(enum awsconfig_kind kind, char **path, struct awsconfig **cfg)
{
	*path = awsenv_shared_file(kind);
	if (*path != NULL)
		return awsconfig_load(*path, kind, cfg) == -1 ? -1 : 0;
	*cfg = awsconfig_parse("", 0, kind);
	return *cfg != NULL ? 0 : -1;
}

enum awsenv_status
awsenv_shared_load(const char *explicit_profile, struct awsenv_shared *sh,
    char *err, size_t errlen)
{
	int named;

	memset(sh, 0, sizeof(*sh));
	sh->profile = awsenv_profile(explicit_profile, &named);
	if (load_one(AWSCONFIG_CREDENTIALS, &sh->credentials_path,
		&sh->credentials) == -1 ||
	    load_one(AWSCONFIG_CONFIG, &sh->config_path, &sh->config) == -1) {
		errbuf_set(err, errlen, "cannot read the AWS shared files: %s",
		    strerror(errno));
		awsenv_shared_free(sh);
		return AWSENV_ENOMEM;
	}
	if (named && !awsconfig_has_profile(sh->credentials, sh->profile) &&
	    !awsconfig_has_profile(sh->config, sh->profile)) {
		errbuf_set(err, errlen,
		    "The config profile (%s) could not be found", sh->profile);
		awsenv_shared_free(sh);
		return AWSENV_ENOPROFILE;
	}
	return AWSENV_OK;
}

void
awsenv_shared_free(struct awsenv_shared *sh)
{
	free(sh->credentials_path);
	free(sh->config_path);
	awsconfig_free(sh->credentials);
	awsconfig_free(sh->config);
	memset(sh, 0, sizeof(*sh));
}

static int
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

int
awsenv_region_valid(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n >= AWSENV_REGION_MAX || !is_alnum(name[0]) ||
	    !is_alnum(name[n - 1]))
		return 0;
	for (i = 1; i + 1 < n; i++)
		if (!is_alnum(name[i]) && name[i] != '-')
			return 0;
	return 1;
}

static enum awsenv_status
set_region(struct awsenv_region *r, const char *v, const char *source,
    char *err, size_t errlen)
{
	if (!awsenv_region_valid(v)) {
		errbuf_set(err, errlen,
		    "Provided region_name '%.200s' doesn't "
		    "match a supported format.",
		    v);
		return AWSENV_EBADREGION;
	}
	memcpy(r->name, v, strlen(v) + 1);
	r->source = source;
	return AWSENV_OK;
}

enum awsenv_status
awsenv_region(const char *explicit_region, const char *explicit_profile,
    struct awsenv_region *r, char *err, size_t errlen)
{
	struct awsenv_shared sh;
	enum awsenv_status st;
	const char *v;

	memset(r, 0, sizeof(*r));
	if (explicit_region != NULL && *explicit_region != '\0')
		return set_region(r, explicit_region, "explicit", err, errlen);
	if ((v = awsenv_get("AWS_REGION")) != NULL)
		return set_region(r, v, "AWS_REGION", err, errlen);
	if ((v = awsenv_get("AWS_DEFAULT_REGION")) != NULL)
		return set_region(r, v, "AWS_DEFAULT_REGION", err, errlen);
	if ((st = awsenv_shared_load(explicit_profile, &sh, err, errlen)) !=
	    AWSENV_OK)
		return st;
	v = awsconfig_get(sh.config, sh.profile, "region");
	if (v != NULL && *v != '\0')
		st = set_region(r, v, "config-file", err, errlen);
	else {
		errbuf_set(err, errlen, "%s", MSG_NOREGION);
		st = AWSENV_ENOREGION;
	}
	awsenv_shared_free(&sh);
	return st;
}

static int
host_char(char c)
{
	return is_alnum(c) || c == '-' || c == '.' || c == '_';
}

static int
ipv6_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

static char *
lower_copy(const char *s, size_t n)
{
	char *d;
	size_t i;

	if ((d = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		d[i] = (s[i] >= 'A' && s[i] <= 'Z') ? s[i] - 'A' + 'a' : s[i];
	d[n] = '\0';
	return d;
}

int
awsenv_endpoint_parse(const char *url, struct awsenv_endpoint *ep)
{
	const char *p, *h, *he, *path;
	size_t i;
	long port;

	memset(ep, 0, sizeof(*ep));
	if (strncasecmp(url, "https://", 8) == 0) {
		ep->tls = 1;
		p = url + 8;
	} else if (strncasecmp(url, "http://", 7) == 0)
		p = url + 7;
	else
		goto bad;
	h = p;
	if (*h == '[') {
		for (he = h + 1; ipv6_char(*he); he++)
			;
		if (*he != ']' || he == h + 1)
			goto bad;
		he++;
	} else {
		for (he = h; host_char(*he); he++)
			;
		if (he == h)
			goto bad;
	}
	p = he;
	ep->port = ep->tls ? 443 : 80;
	if (*p == ':') {
		for (port = 0, p++; *p >= '0' && *p <= '9' && port <= 65535;
		     p++)
			port = port * 10 + (*p - '0');
		if (p == he + 1 || port < 1 || port > 65535)
			goto bad;
		ep->port = port;
	}
	if (*p != '\0' && *p != '/')
		goto bad; /* user info, query, fragment, odd host bytes */
	path = *p == '/' ? p : "/";
	for (i = 0; path[i] != '\0'; i++)
		if ((unsigned char)path[i] <= ' ' || path[i] == 0x7f ||
		    path[i] == '?' || path[i] == '#')
			goto bad;
	if ((ep->host = lower_copy(h, he - h)) == NULL ||
	    (ep->path = strdup(path)) == NULL)
		goto nomem;
	if (ep->port == (ep->tls ? 443 : 80))
		ep->host_header = strdup(ep->host);
	else if (asprintf(&ep->host_header, "%s:%d", ep->host, ep->port) == -1)
		ep->host_header = NULL;
	if (ep->host_header == NULL)
		goto nomem;
	if (asprintf(&ep->url, "%s://%s%s", ep->tls ? "https" : "http",
		ep->host_header, ep->path) == -1) {
		ep->url = NULL;
		goto nomem;
	}
	return 0;

bad:
	awsenv_endpoint_free(ep);
	errno = EINVAL;
	return -1;
nomem:
	awsenv_endpoint_free(ep);
	errno = ENOMEM;
	return -1;
}

static const struct service {
	const char *env;  /* its own endpoint variable */
	const char *host; /* the default endpoint's first label */
	int global;       /* 1: without a region, the global endpoint */
} services[] = {
	[AWSENV_SES] = { "AWS_ENDPOINT_URL_SES", "email", 0 },
	[AWSENV_STS] = { "AWS_ENDPOINT_URL_STS", "sts", 1 },
	[AWSENV_SSO] = { "AWS_ENDPOINT_URL_SSO", "portal.sso", 0 },
};

enum awsenv_status
awsenv_endpoint(const char *explicit_url, const char *region,
    struct awsenv_endpoint *ep, char *err, size_t errlen)
{
	return awsenv_service_endpoint(
	    AWSENV_SES, explicit_url, region, ep, err, errlen);
}

enum awsenv_status
awsenv_service_endpoint(enum awsenv_service svc, const char *explicit_url,
    const char *region, struct awsenv_endpoint *ep, char *err, size_t errlen)
{
	const struct service *sv = &services[svc];
	const char *url, *source;
	char *def = NULL;
	int rc;

	memset(ep, 0, sizeof(*ep));
	if (explicit_url != NULL && *explicit_url != '\0') {
		url = explicit_url;
		source = "explicit";
	} else if ((url = awsenv_get(sv->env)) != NULL)
		source = sv->env;
	else if ((url = awsenv_get("AWS_ENDPOINT_URL")) != NULL)
		source = "AWS_ENDPOINT_URL";
	else {
		if (sv->global && region == NULL)
			region = "";
		else if (region == NULL || !awsenv_region_valid(region)) {
			errbuf_set(err, errlen, "%s", MSG_NOREGION);
			return AWSENV_ENOREGION;
		}
		if (asprintf(&def, "https://%s%s%s.amazonaws.com%s/", sv->host,
			*region != '\0' ? "." : "", region,
			strncmp(region, "cn-", 3) == 0 ? ".cn" : "") == -1) {
			errbuf_set(err, errlen, "%s", strerror(ENOMEM));
			return AWSENV_ENOMEM;
		}
		url = def;
		source = "default";
	}
	rc = awsenv_endpoint_parse(url, ep);
	if (rc == -1 && errno == ENOMEM) {
		errbuf_set(err, errlen, "%s", strerror(ENOMEM));
		free(def);
		return AWSENV_ENOMEM;
	}
	if (rc == -1) {
		errbuf_set(err, errlen, "Invalid endpoint: %.300s", url);
		free(def);
		return AWSENV_EBADENDPOINT;
	}
	free(def);
	ep->source = source;
	return AWSENV_OK;
}

void
awsenv_endpoint_free(struct awsenv_endpoint *ep)
{
	free(ep->url);
	free(ep->host);
	free(ep->host_header);
	free(ep->path);
	memset(ep, 0, sizeof(*ep));
}
