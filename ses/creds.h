/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * creds: AWS credentials found the way the AWS tools find them, in
 * botocore's order:
 *   1. environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 *      AWS_SESSION_TOKEN (skipped when a profile is given explicitly)
 *   2. assume role: the profile (explicit, else $AWS_PROFILE, else
 *      "default") has role_arn (and no web_identity_token_file): STS
 *      AssumeRole signed with the credentials of source_profile (chained,
 *      loops refused) or of credential_source (Environment,
 *      EcsContainer, Ec2InstanceMetadata)
 *   3. web identity: $AWS_WEB_IDENTITY_TOKEN_FILE and $AWS_ROLE_ARN
 *      ($AWS_ROLE_SESSION_NAME; not with an explicit profile), else the
 *      profile's web_identity_token_file and role_arn: STS
 *      AssumeRoleWithWebIdentity, the token file read at every fetch
 *   4. SSO: the profile's sso_account_id and sso_role_name, with its
 *      sso_session (or legacy sso_start_url and sso_region): the token
 *      `aws sso login` cached, traded at the portal (creds_sso.h)
 *   5. the profile's static keys in the shared credentials file; then its
 *      credential_process (creds_process.h); then its static keys in the
 *      config file
 *   6. container: http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
 *      or $AWS_CONTAINER_CREDENTIALS_FULL_URI (https, or http to a loopback
 *      or the ECS/EKS agent address), with an Authorization header from
 *      $AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or _TOKEN
 *   7. EC2 instance metadata, IMDSv2 only, at
 *      $AWS_EC2_METADATA_SERVICE_ENDPOINT (default http://169.254.169.254);
 *      off when AWS_EC2_METADATA_DISABLED=true
 * The metadata calls use AWS_METADATA_SERVICE_TIMEOUT (seconds, default 1)
 * and AWS_METADATA_SERVICE_NUM_ATTEMPTS (default 2).
 *
 * The chain runs on the first creds_provider_get() and again after a
 * failure; once a source has answered, only that source is asked again.
 * STS is reached at $AWS_ENDPOINT_URL_STS, $AWS_ENDPOINT_URL or
 * https://sts.REGION.amazonaws.com (REGION: the options', else the one
 * awsenv_region() finds; none: the global https://sts.amazonaws.com).
 * Credentials with an expiry (STS, container, IMDS) are fetched again from 15
 * minutes before it; if that fails while more than 10 minutes remain the
 * current ones are kept (botocore's advisory and mandatory windows).
 *
 * Secrets (secret key, session token, container authorization token) are
 * wiped before their memory is freed, and never appear in an error text or
 * a debug message. Error texts are the AWS tools'.
 */
#ifndef SES_CREDS_H
#define SES_CREDS_H

#include <stddef.h>
#include <time.h>

#include "ses/cancel.h"

#define CREDS_MSG_NOTFOUND \
	"Unable to locate credentials. You can configure " \
	"credentials by running \"aws configure\"."

enum creds_source {
	CREDS_SOURCE_NONE = 0,
	CREDS_SOURCE_ENV,
	CREDS_SOURCE_ASSUME_ROLE,
	CREDS_SOURCE_WEB_IDENTITY,
	CREDS_SOURCE_PROCESS,
	CREDS_SOURCE_SSO,
	CREDS_SOURCE_SHARED_CREDENTIALS,
	CREDS_SOURCE_SHARED_CONFIG,
	CREDS_SOURCE_CONTAINER,
	CREDS_SOURCE_IMDS
};

/* All strings allocated and owned by the struct; release with creds_clear(). */
struct creds {
	char *access_key_id;
	char *secret_access_key;
	char *session_token; /* NULL: none */
	time_t expiration;   /* 0: does not expire */
	enum creds_source source;
};

enum creds_status {
	CREDS_OK = 0,
	CREDS_ENOTFOUND, /* no source had any: CREDS_MSG_NOTFOUND */
	CREDS_EPROFILE,  /* named profile in neither shared file */
	CREDS_EPARTIAL,  /* a key id without its secret */
	CREDS_EINVALID,  /* a value empty, too long or not printable; a
			    profile's role settings wrong (no source, a
			    loop, an MFA code nobody can type) */
	CREDS_EFETCH,    /* container endpoint or STS failed, or a
			    refresh did */
	CREDS_ENOMEM
};

struct creds_options {
	const char *profile; /* explicit (--profile, the milter's
					   configuration); NULL: none */
	/*
	 * Called with what --debug shows (sources, files, URLs), never a
	 * secret; called with the provider's lock held, so it must not call
	 * the provider.
	 */
	void (*debug)(void *arg, const char *msg);
	void *debug_arg;
	const char *region; /* of the STS calls; NULL: found as the tool
			       finds its own */
	/*
	 * Asks for the code of the MFA device SERIAL (a profile's
	 * mfa_serial) into CODE; 0, or -1 when none was given. NULL: such
	 * a profile is an error (the daemon has nobody to ask).
	 */
	int (*mfa_prompt)(void *arg, const char *serial, char *code, size_t n);
	void *mfa_arg;
	/*
	 * Borrowed, must outlive the provider; NULL: none (the tool). Once
	 * it fires, a fetch in progress (a metadata, container, STS or SSO
	 * request, a credential_process, which is killed) ends at once with
	 * CREDS_EFETCH.
	 */
	const struct ses_cancel *cancel;
};

struct creds_provider;

/*
 * Copies OPT (NULL: defaults); reads nothing yet. NULL when out of memory.
 * One provider may be shared by threads: a mutex guards it, and it is held
 * across a fetch from the container or IMDS endpoint. That fetch is bounded
 * (timeout x attempts, a few seconds at most) and rare, and holding the
 * lock makes threads that need credentials at that moment wait for the one
 * fetch instead of each sending their own; it also serialises the
 * provider's own HTTP client, which is single-threaded.
 */
struct creds_provider *creds_provider_new(const struct creds_options *opt);
void creds_provider_free(struct creds_provider *);

/*
 * Current credentials, copied into OUT (the caller's to creds_clear();
 * zeroed on error). On error ERR (may be NULL) gets the message.
 */
enum creds_status creds_provider_get(
    struct creds_provider *, struct creds *out, char *err, size_t errlen);

/*
 * For a program that cannot ask for an MFA code (the daemon), at start-up:
 * -1 with the reason in ERR when the profile PROFILE (NULL: as the chain
 * picks it; the environment's keys, which come first, need no profile)
 * assumes a role, itself or through its source_profile chain, with
 * mfa_serial; else 0. Reads the shared files.
 */
int creds_profile_needs_mfa(const char *profile, char *err, size_t errlen);

/* Wipes and frees the strings, then zeroes the struct. */
void creds_clear(struct creds *);

/* botocore's names: "env", "assume-role", "assume-role-with-web-identity",
   "sso", "shared-credentials-file", "custom-process", "config-file",
   "container-role",
   "iam-role"; "none". */
const char *creds_source_name(enum creds_source);

/*
 * Pure: the JSON document a container or IMDS endpoint returns
 * (AccessKeyId, SecretAccessKey, Token, Expiration, all required; an IMDS
 * "Code" other than "Success" is refused). OUT as for creds_provider_get.
 */
enum creds_status creds_parse_document(const char *json, size_t len,
    enum creds_source, struct creds *out, char *err, size_t errlen);

/*
 * Fills OUT with copies of the values (TOKEN NULL or "": none), checked as
 * every source's are; the other sources' modules use it.
 */
enum creds_status creds_set(struct creds *out, const char *id,
    const char *secret, const char *token, time_t expiration,
    enum creds_source src, char *err, size_t errlen);

/* Pure: ISO 8601 "YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM|+HHMM]" (no zone
   means UTC) to a time_t. 0, or -1 when malformed. */
int creds_parse_time(const char *s, time_t *out);

#endif
