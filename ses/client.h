/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * client: the SES query API calls, signed, retried and rate-limited as the
 * AWS CLI does them (standard retry mode, policy in ses/retry.h).
 *
 * A client belongs to one thread at a time (its HTTP connection is reused
 * between calls). The rate limiter is process-wide and shared by every
 * client: however many threads call, SES sees at most `rate` requests per
 * second from this process (SES allows 1 per second per account for these
 * calls). No lock is held while a request is in flight or while waiting
 * for a slot.
 *
 * Every attempt fetches the credentials from the provider again (they may
 * have been refreshed), waits for a rate slot, and is signed with the time
 * it leaves. Between attempts the client sleeps random(0,1) x 2^(n-1) s,
 * at most 20 s. A canceller in the options' http (http.h) ends a call at
 * once, in a request, a rate-limit wait or a back-off alike: the result
 * is SES_ETRANSPORT with HTTP_ECANCELLED. For tests only: $SES_RETRY_BASE_MS, read by
 * ses_client_new(), makes that "second" so many milliseconds (0..1000).
 *
 * Ownership: ses_client_new() copies what it needs from its options.
 * Results and errors are filled into caller-provided structs; anything
 * they point to is owned by them and released with ses_result_free().
 * No secret ever reaches a result, an error text or the debug callback.
 */
#ifndef SES_CLIENT_H
#define SES_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "ses/creds.h"
#include "ses/http.h"
#include "ses/sesxml.h"

struct ses_client_options {
	const char *region;           /* resolved (awsenv_region) */
	const char *endpoint_url;     /* resolved (awsenv_endpoint) */
	struct creds_provider *creds; /* borrowed; must outlive the client */
	struct http_options http;
	int max_attempts; /* 0: $AWS_MAX_ATTEMPTS, else 3 */
	/*
	 * --debug: one line per attempt (action, URL, attempt, HTTP status
	 * and error code or transport error, time spent waiting for a rate
	 * slot, retry delay). Called in the calling thread.
	 */
	void (*debug)(void *arg, const char *msg);
	void *debug_arg;
};

/* One request parameter; sent in the order given. */
struct ses_param {
	const char *key; /* "Identity", "Identities.member.1", ... */
	const char *value;
};

enum ses_error_kind {
	SES_OK = 0,
	SES_ESERVICE,   /* SES answered with an error document: code, message */
	SES_ETRANSPORT, /* no usable response: http_error says which */
	SES_EPARSE,     /* a response that is not the XML it should be */
	SES_ECREDS,     /* no credentials: creds_status says why */
	SES_EINTERNAL,  /* out of memory, bad arguments */
};

/*
 * The kind's name in audit lines and the state file: "none", "service",
 * "transport", "parse", "credentials" or "internal".
 */
const char *ses_error_kind_name(enum ses_error_kind);

struct ses_result {
	enum ses_error_kind kind;
	int attempts; /* requests sent, retries included */
	/*
	 * The CLI's "(reached max retries: N)", N = attempts - 1: the last
	 * attempt allowed failed, with a retryable error or, as botocore
	 * counts it, with any SES_ESERVICE error.
	 */
	bool retries_exhausted;
	long http_status;
	enum http_error http_error;     /* for SES_ETRANSPORT */
	enum creds_status creds_status; /* for SES_ECREDS; only
					   CREDS_ENOTFOUND is the CLI's
					   exit code 253, the rest are 255 */
	/*
	 * The CLI's text for the error (owned). SES_ESERVICE: the <Message>,
	 * "Unknown" when absent, "None" when empty (botocore's words);
	 * SES_EPARSE: the whole "Unable to parse response (...), invalid XML
	 * received. Further retries may succeed:\nb'...'"; SES_ETRANSPORT:
	 * http.h's message; SES_ECREDS: creds.h's.
	 */
	char *message;
	char *code;             /* SES_ESERVICE (owned): the <Code>,
					   "Unknown"/"None" as for message; a
					   5xx HTML page or empty body is the
					   generic error "500", "503"... */
	char *body;             /* raw body for SES_EPARSE (owned) */
	struct sesxml_doc *doc; /* the parsed answer on success (owned) */
};

/*
 * NULL on failure with the reason in ERR: no region, no credentials
 * provider, an endpoint that is not an http(s) URL, an invalid
 * $AWS_MAX_ATTEMPTS (the CLI's message), http_client_new()'s errors.
 */
struct ses_client *ses_client_new(
    const struct ses_client_options *, char *err, size_t errlen);
void ses_client_free(struct ses_client *);

/*
 * One call: Action=ACTION&Version=2010-12-01 then PARAMS in order. Returns
 * 0 when SES answered with success (res->doc), -1 otherwise (res->kind and
 * the rest say why). RES must be released with ses_result_free() either way.
 */
int ses_call(struct ses_client *, const char *action,
    const struct ses_param *params, size_t nparams, struct ses_result *res);

/*
 * SetIdentityMailFromDomain. mail_from_domain NULL: omitted, which
 * disables the custom MAIL FROM; behavior NULL: omitted.
 */
int ses_set_mail_from(struct ses_client *, const char *identity,
    const char *mail_from_domain, const char *behavior, struct ses_result *);

/*
 * GetIdentityMailFromDomainAttributes for any number of identities, sent
 * in batches of at most 100 (SES's limit) and merged into res->doc in
 * request order of the batches and SES's order within each; an identity
 * in two batches keeps its first place and the later values, as within
 * one answer. N == 0 sends "Identities=" as the CLI does. res->attempts
 * counts the requests of every batch; the first failing batch ends the
 * call and its error is the result.
 */
int ses_get_mail_from(struct ses_client *, const char *const *identities,
    size_t n, struct ses_result *);

/*
 * GetIdentityVerificationAttributes, batched and merged the same way: each
 * entry of res->doc has verification_status (Pending, Success, Failed,
 * TemporaryFailure, NotStarted) and, for a domain, verification_token.
 * Identities SES does not know are left out.
 */
int ses_get_verification(struct ses_client *, const char *const *identities,
    size_t n, struct ses_result *);

void ses_result_free(struct ses_result *);

/*
 * The process-wide limit, requests per second (default 1); 0 (or less)
 * disables it (tests of the tool against a local fake). Thread-safe.
 * Slots are spaced 5% wider than 1/rate, so that jitter between taking a
 * slot and the request reaching SES does not put two in one second.
 */
void ses_ratelimit_set(double per_second);

#endif
