/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * creds_sts: the STS calls of the credentials chain, AssumeRole (SigV4,
 * signed with the source credentials) and AssumeRoleWithWebIdentity
 * (unsigned: the token is the proof), as query-API form posts like SES's.
 * Up to RETRY_DEFAULT_ATTEMPTS attempts on what botocore's standard mode
 * retries (a connection error or a dropped keep-alive connection, HTTP
 * 500/502/503/504), with its jittered backoff; a refresh that still fails
 * is tried again at the next creds_provider_get(), and the current
 * credentials stay in use until botocore's mandatory window.
 *
 * The request body of a web identity call holds the token and is wiped;
 * the answer is wiped by http_response_free() and sesxml_doc_free().
 * Error texts are botocore's ("An error occurred (CODE) when calling the
 * ACTION operation: MESSAGE") and never quote a secret.
 */
#ifndef SES_CREDS_STS_H
#define SES_CREDS_STS_H

#include <stddef.h>

#include "ses/creds.h"

#define CREDS_STS_VERSION "2011-06-15"

struct awsenv_endpoint;
struct http_client;

struct creds_sts_param {
	const char *key;
	const char *value;
};

/*
 * POSTs ACTION with the N parameters to EP, signed for REGION (NULL: the
 * global endpoint's us-east-1) with SIGNER unless it is NULL. OUT as for
 * creds_provider_get(), with source SRC.
 */
enum creds_status creds_sts_call(struct http_client *,
    const struct awsenv_endpoint *ep, const char *region, const char *action,
    const struct creds_sts_param *, size_t n, const struct creds *signer,
    enum creds_source src, struct creds *out, char *err, size_t errlen);

/*
 * Pure: an STS answer of HTTP STATUS to credentials (status 200 and a
 * complete <Credentials>) or to botocore's error text.
 */
enum creds_status creds_sts_parse(const char *body, size_t len, long status,
    const char *action, enum creds_source src, struct creds *out, char *err,
    size_t errlen);

#endif
