/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * http: one HTTP/1.1 exchange at a time over libcurl, for the SES calls and
 * the credential endpoints. A client keeps one curl easy handle, so
 * consecutive requests reuse the connection.
 *
 * Threads: a client belongs to one thread at a time (one client per
 * thread). The program must call curl_global_init(CURL_GLOBAL_DEFAULT) once,
 * before any thread creates a client, and curl_global_cleanup() at exit;
 * this module never does (neither call is thread-safe).
 *
 * Request headers are never logged, stored or echoed in an error: they
 * carry the signature and the session token. Nothing here writes to
 * stderr or syslog.
 */
#ifndef SES_HTTP_H
#define SES_HTTP_H

#include <stddef.h>

#include "ses/cancel.h"

/* How an exchange failed before a complete response; the retry logic keys on it. */
enum http_error {
	HTTP_ENONE = 0, /* a response came (any status) */
	HTTP_ECONNECT, /* no connection: refused, unreachable, DNS, connect timeout */
	HTTP_ETIMEOUT, /* connected, then timed out waiting for the response */
	HTTP_ECLOSED,  /* closed or reset before a complete response */
	HTTP_ETLS,     /* TLS handshake or certificate verification failed */
	HTTP_EOTHER, /* anything else, including a response over max_response */
	HTTP_ECANCELLED /* the options' canceller fired: the program stops */
};

struct http_options {
	const char *ca_file;     /* PEM bundle (--ca-bundle, AWS_CA_BUNDLE);
					   NULL: the system's */
	int no_verify;           /* 1 only for --no-verify-ssl */
	long connect_timeout_ms; /* 0: 60000, as the CLI; <0: none */
	long timeout_ms;         /* whole exchange; 0: 60000; <0: none.
					   The CLI's is a read timeout, which
					   libcurl lacks; for requests and
					   answers of a few KB they agree */
	size_t max_response;     /* body bytes; 0: 1 MiB */
	const char *user_agent;  /* NULL: none sent */
	int no_proxy;            /* 1: ignore http_proxy & co (the
					   credential endpoints are local) */
	/*
	 * Borrowed, must outlive the client; NULL: none. Once it fires, a
	 * request in flight ends at once (connecting, resolving, waiting
	 * for a byte alike) and later ones fail at once, HTTP_ECANCELLED.
	 */
	const struct ses_cancel *cancel;
};

struct http_header {
	const char *name;
	const char *value;
};

struct http_response {
	long status; /* 0 when error != HTTP_ENONE */
	char *body;  /* NUL-terminated, owned; may be NULL */
	size_t len;
	enum http_error error;
	char *message; /* the CLI's text for the error, owned;
					   NULL when error == HTTP_ENONE */
};

struct http_client;

/*
 * Copies what it needs from OPT (NULL: defaults). NULL when out of memory,
 * with the reason in ERR. A CA file that cannot be read fails each TLS
 * request instead, as in the AWS CLI ("SSL validation failed for URL
 * [Errno 2] No such file or directory").
 */
struct http_client *http_client_new(
    const struct http_options *opt, char *err, size_t errlen);
void http_client_free(struct http_client *);

/*
 * Sends METHOD ("GET", "POST", "PUT") to URL (http or https only; no
 * redirects followed) with the N headers and BODY (ignored for GET).
 * Returns 0 when a response came (RESP->status, RESP->body), -1 otherwise
 * (RESP->error, RESP->message; messages name the URL, never a header).
 * RESP is always filled and must be released with http_response_free().
 */
int http_request(struct http_client *, const char *method, const char *url,
    const struct http_header *hdrs, size_t n, const char *body, size_t bodylen,
    struct http_response *resp);

/*
 * The canceller the client was made with (NULL: none), for the waits of
 * a caller's own retry loop.
 */
const struct ses_cancel *http_client_cancel(const struct http_client *);

/* Wipes the body (it may hold credentials) and frees it and the message. */
void http_response_free(struct http_response *);

/*
 * "none", "connect", "read-timeout", "closed", "tls", "other",
 * "cancelled".
 */
const char *http_error_name(enum http_error);

#endif
