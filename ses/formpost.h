/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * formpost: one POST of a query-API form (SES's calls, STS's), SigV4-signed
 * at the current time with the headers AWS expects, or unsigned
 * (AssumeRoleWithWebIdentity). The signature, the date and the session
 * token go into the request's headers only.
 */
#ifndef SES_FORMPOST_H
#define SES_FORMPOST_H

#include "ses/awsenv.h"
#include "ses/creds.h"
#include "ses/http.h"
#include "ses/strbuf.h"

#define FORMPOST_CONTENT_TYPE "application/x-www-form-urlencoded; charset=utf-8"

/*
 * Sends BODY to EP, signed for SERVICE in REGION with CR unless CR is
 * NULL. 0 when a response came, 1 when none did (RESP says why), -1 when
 * it could not be signed (RESP untouched).
 */
int formpost_send(struct http_client *, const struct awsenv_endpoint *ep,
    const char *region, const char *service, const struct strbuf *body,
    const struct creds *cr, struct http_response *resp);

#endif
