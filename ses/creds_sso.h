/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * creds_sso: IAM Identity Center (SSO) credentials as botocore gets them
 * for a profile with sso_account_id and sso_role_name: the access token
 * that `aws sso login` cached in ~/.aws/sso/cache/SHA1.json (SHA1 of the
 * sso_session name, or of sso_start_url for a legacy profile), traded for
 * role credentials at the portal's GetRoleCredentials
 * (GET /federation/credentials?role_name=R&account_id=A with the token in
 * x-amz-sso_bearer_token). There is no login here and no token refresh:
 * an expired or refused token is an error telling the user to run
 * `aws sso login`.
 *
 * The token file and the portal's answer are wiped after use; the token
 * goes into nothing but that header.
 */
#ifndef SES_CREDS_SSO_H
#define SES_CREDS_SSO_H

#include <stddef.h>
#include <time.h>

#include "ses/creds.h"

#define CREDS_SSO_MSG_LOGIN \
	"The SSO session associated with this profile has expired or is " \
	"otherwise invalid. To refresh this SSO session run aws sso login " \
	"with the corresponding profile."

struct awsenv_endpoint;
struct http_client;

/* The cache file's name for KEY: 40 hex digits of SHA-1, ".json", NUL. */
#define CREDS_SSO_CACHE_NAME_SIZE 46
int creds_sso_cache_name(const char *key, char out[CREDS_SSO_CACHE_NAME_SIZE]);

/*
 * Pure: the cached token document's accessToken, copied into *TOKEN (the
 * caller's, to wipe and free), if its expiresAt is after NOW. NAME (the
 * session or start URL) goes into the messages.
 */
enum creds_status creds_sso_parse_token(const char *json, size_t len,
    time_t now, const char *name, char **token, char *err, size_t errlen);

/* Pure: GetRoleCredentials' JSON answer to credentials. */
enum creds_status creds_sso_parse_role(
    const char *json, size_t len, struct creds *out, char *err, size_t errlen);

/* The portal call at EP with TOKEN. OUT as for creds_provider_get(). */
enum creds_status creds_sso_fetch(struct http_client *,
    const struct awsenv_endpoint *ep, const char *role, const char *account,
    const char *token, struct creds *out, char *err, size_t errlen);

#endif
