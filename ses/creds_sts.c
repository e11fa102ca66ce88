/* SPDX-License-Identifier: BSD-2-Clause */
#include <sys/random.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ses/awsenv.h"
#include "ses/clock.h"
#include "ses/creds_sts.h"
#include "ses/errbuf.h"
#include "ses/form.h"
#include "ses/formpost.h"
#include "ses/http.h"
#include "ses/retry.h"
#include "ses/sesxml.h"
#include "ses/strbuf.h"

#define GLOBAL_REGION "us-east-1"

enum creds_status
creds_sts_parse(const char *body, size_t len, long status, const char *action,
    enum creds_source src, struct creds *out, char *err, size_t errlen)
{
	struct sesxml_doc *doc = NULL;
	const struct sesxml_sts_credentials *c;
	char code[128], msg[256];
	enum creds_status st = CREDS_EFETCH;
	time_t exp;

	memset(out, 0, sizeof(*out));
	if (sesxml_parse(body != NULL ? body : "", len, &doc, NULL, 0) !=
	    SESXML_OK) {
		errbuf_set(err, errlen,
		    "Error when retrieving credentials from %s: "
		    "unparsable %s response (HTTP status %ld)",
		    creds_source_name(src), action, status);
		return CREDS_EFETCH;
	}
	c = &doc->sts;
	if (status != 200) {
		errbuf_printable(
		    doc->error_code != NULL ? doc->error_code : "Unknown", code,
		    sizeof(code));
		errbuf_printable(doc->error_message, msg, sizeof(msg));
		errbuf_set(err, errlen,
		    "An error occurred (%s) when calling the %s "
		    "operation: %s",
		    code, action, msg[0] != '\0' ? msg : "Unknown");
	} else if (doc->kind != SESXML_STS_RESPONSE ||
	    c->access_key_id == NULL || c->secret_access_key == NULL ||
	    c->session_token == NULL || c->expiration == NULL)
		errbuf_set(err, errlen,
		    "Error when retrieving credentials from %s: "
		    "the %s response has no complete Credentials",
		    creds_source_name(src), action);
	else if (creds_parse_time(c->expiration, &exp) == -1)
		errbuf_set(err, errlen,
		    "Error when retrieving credentials from %s: "
		    "the Expiration is not an ISO 8601 time",
		    creds_source_name(src));
	else
		st = creds_set(out, c->access_key_id, c->secret_access_key,
		    c->session_token, exp, src, err, errlen);
	sesxml_doc_free(doc);
	return st;
}

/*
 * STS's SigV4 errors quote the canonical request as SES's do: the signing
 * profile's session token must not reach the message.
 */
static void
sts_scrub(const struct creds *signer, char *err, size_t errlen)
{
	const char *secrets[2] = { NULL, NULL };
	char *clean;

	if (err == NULL || errlen == 0)
		return;
	if (signer != NULL) {
		secrets[0] = signer->secret_access_key;
		secrets[1] = signer->session_token;
	}
	/* out of memory: nothing of the text, rather than a secret */
	clean = errbuf_scrub(err, secrets, 2, false);
	errbuf_set(err, errlen, "%s", clean != NULL ? clean : strerror(ENOMEM));
	free(clean);
}

enum creds_status
creds_sts_call(struct http_client *http, const struct awsenv_endpoint *ep,
    const char *region, const char *action, const struct creds_sts_param *prm,
    size_t n, const struct creds *signer, enum creds_source src,
    struct creds *out, char *err, size_t errlen)
{
	struct http_response resp;
	struct strbuf body;
	enum creds_status st;
	size_t i, cap;
	unsigned int u;
	int attempt;

	memset(out, 0, sizeof(*out));
	memset(&resp, 0, sizeof(resp));
	strbuf_init(&body);
	/*
	 * Room for the whole body up front: a strbuf that grows leaves
	 * copies of the web identity token in freed memory.
	 */
	for (i = 0, cap = 256; i < n; i++)
		if (prm[i].value != NULL)
			cap +=
			    strlen(prm[i].key) + 3 * strlen(prm[i].value) + 2;
	if (strbuf_extend(&body, cap) == NULL)
		goto nomem;
	strbuf_truncate(&body, 0);
	if (form_add(&body, "Action", action) == -1 ||
	    form_add(&body, "Version", CREDS_STS_VERSION) == -1)
		goto nomem;
	for (i = 0; i < n; i++)
		if (prm[i].value != NULL &&
		    form_add(&body, prm[i].key, prm[i].value) == -1)
			goto nomem;
	for (attempt = 1;; attempt++) {
		http_response_free(&resp);
		if (formpost_send(http, ep,
			region != NULL ? region : GLOBAL_REGION, "sts", &body,
			signer, &resp) == -1)
			goto nomem;
		if (attempt == RETRY_DEFAULT_ATTEMPTS ||
		    !(resp.error != HTTP_ENONE
			    ? retry_transport_error(resp.error)
			    : retry_service_error(NULL, resp.status)))
			break;
		/* As botocore's standard mode: a dropped keep-alive
		   connection or a 5xx is tried again. */
		if (getrandom(&u, sizeof(u), 0) != sizeof(u))
			u = 0;
		/* a stop ends the back-off; the next request fails at once */
		(void)ses_cancel_sleep_until(http_client_cancel(http),
		    clock_now_ns() +
			retry_delay_ms(attempt, u / 4294967296.0, 1000) *
			    1000000LL);
	}
	if (resp.error != HTTP_ENONE) {
		errbuf_set(err, errlen,
		    "Error when retrieving credentials from %s: %s",
		    creds_source_name(src),
		    resp.message != NULL ? resp.message : "no response");
		st = CREDS_EFETCH;
	} else if ((st = creds_sts_parse(resp.body, resp.len, resp.status,
			action, src, out, err, errlen)) == CREDS_EFETCH)
		sts_scrub(signer, err, errlen);
	goto done;
nomem:
	errbuf_set(err, errlen, "%s", strerror(ENOMEM));
	st = CREDS_ENOMEM;
done:
	if (body.data != NULL)
		explicit_bzero(body.data, body.cap);
	strbuf_free(&body);
	http_response_free(&resp);
	return st;
}
