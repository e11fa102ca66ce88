/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ses/formpost.h"
#include "ses/sigv4.h"

int
formpost_send(struct http_client *http, const struct awsenv_endpoint *ep,
    const char *region, const char *service, const struct strbuf *body,
    const struct creds *cr, struct http_response *resp)
{
	struct sigv4_request rq;
	struct sigv4_credentials sc;
	struct http_header h[5];
	char date[SIGV4_AMZ_DATE_SIZE], *auth = NULL;
	size_t n = 0;
	int rc;

	h[n++] = (struct http_header){ "Content-Type", FORMPOST_CONTENT_TYPE };
	h[n++] = (struct http_header){ "Host", ep->host_header };
	if (cr != NULL) {
		memset(&rq, 0, sizeof(rq));
		rq.method = "POST";
		rq.host = ep->host_header;
		rq.path = ep->path;
		rq.content_type = FORMPOST_CONTENT_TYPE;
		rq.body = body->data;
		rq.body_len = body->len;
		rq.amz_date = date;
		rq.region = region;
		rq.service = service;
		sc.access_key_id = cr->access_key_id;
		sc.secret_access_key = cr->secret_access_key;
		sc.session_token = cr->session_token;
		if (sigv4_amz_date(time(NULL), date) == -1 ||
		    sigv4_authorization(&rq, &sc, &auth) == -1)
			return -1;
		h[n++] = (struct http_header){ "X-Amz-Date", date };
		if (cr->session_token != NULL && cr->session_token[0] != '\0')
			h[n++] = (struct http_header){ "X-Amz-Security-Token",
				cr->session_token };
		h[n++] = (struct http_header){ "Authorization", auth };
	}
	rc = http_request(
	    http, "POST", ep->url, h, n, body->data, body->len, resp);
	free(auth);
	return rc == -1 ? 1 : 0;
}
