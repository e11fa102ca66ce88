/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * awsenv: which profile, shared files, region and endpoint apply, found
 * where the AWS tools look for them (arguments, then the environment, then
 * the profile in the config file).
 *
 * Functions reading the environment must not run while another thread
 * changes it. Error texts are the AWS CLI's; they carry no secret.
 */
#ifndef SES_AWSENV_H
#define SES_AWSENV_H

#include <stddef.h>

#include "ses/awsconfig.h"

enum awsenv_status {
	AWSENV_OK = 0,
	AWSENV_ENOREGION,    /* no region anywhere */
	AWSENV_EBADREGION,   /* not a valid host label */
	AWSENV_ENOPROFILE,   /* named profile in neither shared file */
	AWSENV_EBADENDPOINT, /* not an http(s)://host[:port][/path] URL */
	AWSENV_ENOMEM        /* out of memory, or a shared file over
				   AWSCONFIG_MAX_FILE: the message says */
};

/*
 * The value of an AWS environment variable, NULL when unset or empty: the
 * AWS tools treat an empty variable as unset. Borrowed from the
 * environment.
 */
const char *awsenv_get(const char *name);

/*
 * The profile to use: EXPLICIT if non-empty, else $AWS_PROFILE if
 * non-empty, else "default". Borrowed: EXPLICIT, the environment or a
 * literal. *namedp (if not NULL) is set to 1 when a profile was named
 * (by argument or environment), which is when a missing one is an error.
 */
const char *awsenv_profile(const char *explicit_profile, int *namedp);

/*
 * The path of a shared file: $AWS_SHARED_CREDENTIALS_FILE or
 * $AWS_CONFIG_FILE (a leading "~/" means the home directory), else
 * ~/.aws/credentials or ~/.aws/config. Allocated; the caller frees it.
 * NULL when out of memory or when no home directory is known.
 */
char *awsenv_shared_file(enum awsconfig_kind);

/*
 * $HOME (else the user's home directory) followed by REST, allocated; NULL
 * when out of memory or no home is known.
 */
char *awsenv_home_path(const char *rest);

/* Both shared files, read for one profile. */
struct awsenv_shared {
	const char *profile;    /* as awsenv_profile() gives it */
	char *credentials_path; /* NULL: no home directory */
	char *config_path;
	struct awsconfig *credentials; /* never NULL after a load */
	struct awsconfig *config;
};

/*
 * Reads both shared files for the profile awsenv_profile(EXPLICIT_PROFILE)
 * names. A profile named by argument or $AWS_PROFILE that neither file has
 * is AWSENV_ENOPROFILE ("The config profile (NAME) could not be found").
 * Missing files read as empty. On success release with awsenv_shared_free();
 * on error nothing is left to release.
 */
enum awsenv_status awsenv_shared_load(const char *explicit_profile,
    struct awsenv_shared *, char *err, size_t errlen);
void awsenv_shared_free(struct awsenv_shared *);

#define AWSENV_REGION_MAX 64 /* a host label and its NUL */

struct awsenv_region {
	char name[AWSENV_REGION_MAX];
	const char *source; /* static: "explicit", "AWS_REGION",
					   "AWS_DEFAULT_REGION", "config-file" */
};

/*
 * Region: EXPLICIT (e.g. --region) → $AWS_REGION → $AWS_DEFAULT_REGION →
 * `region` of the profile (see awsenv_profile) in the config file. Empty
 * values count as unset. On error ERR (may be NULL) gets the message.
 */
enum awsenv_status awsenv_region(const char *explicit_region,
    const char *explicit_profile, struct awsenv_region *, char *err,
    size_t errlen);

/* A parsed http(s) endpoint. All strings allocated; awsenv_endpoint_free(). */
struct awsenv_endpoint {
	char *url;         /* normalised: scheme://host_header/path */
	char *host;        /* lower case; an IPv6 literal in [] */
	char *host_header; /* host[:port], the port only when it
					   is not the scheme's: what curl sends
					   as Host and SigV4 must sign */
	char *path;        /* "/" when the URL has none */
	int port;
	int tls;            /* https */
	const char *source; /* static: "explicit", "AWS_ENDPOINT_URL_SES"
					   (or _STS), "AWS_ENDPOINT_URL",
					   "default" */
};

/* Pure. URL without user info, query or fragment. 0, or -1 (errno). */
int awsenv_endpoint_parse(const char *url, struct awsenv_endpoint *);

/*
 * SES endpoint: EXPLICIT (--endpoint-url) → $AWS_ENDPOINT_URL_SES →
 * $AWS_ENDPOINT_URL → https://email.REGION.amazonaws.com (".com.cn" for
 * regions "cn-*"). REGION is only used for the default.
 */
enum awsenv_status awsenv_endpoint(const char *explicit_url, const char *region,
    struct awsenv_endpoint *, char *err, size_t errlen);

enum awsenv_service {
	AWSENV_SES,
	AWSENV_STS, /* the credentials providers' */
	AWSENV_SSO  /* the SSO portal, https://portal.sso.REGION... */
};

/*
 * The same for another service: EXPLICIT → $AWS_ENDPOINT_URL_STS (or
 * _SSO) → $AWS_ENDPOINT_URL → https://sts.REGION.amazonaws.com, or the
 * global https://sts.amazonaws.com when REGION is NULL (STS only).
 */
enum awsenv_status awsenv_service_endpoint(enum awsenv_service,
    const char *explicit_url, const char *region, struct awsenv_endpoint *,
    char *err, size_t errlen);

/* Releases the strings; the struct itself is the caller's. */
void awsenv_endpoint_free(struct awsenv_endpoint *);

/* 1 if NAME is a valid region (a DNS label of at most 63 bytes). */
int awsenv_region_valid(const char *name);

#endif
