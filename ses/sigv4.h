/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sigv4: AWS Signature Version 4 (AWS4-HMAC-SHA256) of one request.
 * Pure computation on OpenSSL: no I/O, no clock (the caller passes the date
 * it also sends as X-Amz-Date, and signs again with a fresh date on retry).
 *
 * The signed headers are fixed: content-type (when given), host, x-amz-date,
 * and x-amz-security-token when there is a session token. The caller sends
 * exactly those headers with exactly those values; values are signed trimmed,
 * with runs of blanks folded into one space, as AWS does.
 *
 * Strings returned through a char ** are malloc'd and owned by the caller
 * (free()). Credentials are only read. Every buffer here that held the
 * secret, a key derived from it or the session token is wiped with
 * OPENSSL_cleanse() before it is released; nothing is ever printed.
 * Functions return 0, or -1 for invalid input (a field with control bytes,
 * a malformed date, a path that is not normalised...) or a failure of
 * malloc or OpenSSL.
 */
#ifndef SES_SIGV4_H
#define SES_SIGV4_H

#include <stddef.h>
#include <time.h>

#define SIGV4_AMZ_DATE_SIZE 17 /* "YYYYMMDDTHHMMSSZ" and its NUL */
#define SIGV4_KEY_SIZE 32      /* HMAC-SHA256 output */

struct sigv4_request {
	const char *method;       /* "POST" (upper case) */
	const char *host;         /* Host header: "name[:port]", the
					   port only when not the scheme's
					   default */
	const char *path;         /* as on the request line, already
					   percent-encoded; normalised (no
					   "//", "." or ".." segments) */
	const char *query;        /* without '?'; NULL or "" if none */
	const char *content_type; /* NULL: no Content-Type is signed */
	const void *body;         /* NULL only when body_len is 0 */
	size_t body_len;
	const char *amz_date; /* X-Amz-Date, YYYYMMDDTHHMMSSZ */
	const char *region;   /* "us-east-1" */
	const char *service;  /* signing name: "ses" for SES */
};

struct sigv4_credentials {
	const char *access_key_id;
	const char *secret_access_key;
	const char *session_token; /* NULL or "" without one */
};

/* Formats T (UTC) as YYYYMMDDTHHMMSSZ; -1 outside years 0..9999. */
int sigv4_amz_date(time_t t, char out[SIGV4_AMZ_DATE_SIZE]);

/*
 * The Authorization header value: "AWS4-HMAC-SHA256 Credential=AKID/
 * DATE/REGION/SERVICE/aws4_request, SignedHeaders=..., Signature=HEX".
 */
int sigv4_authorization(
    const struct sigv4_request *, const struct sigv4_credentials *, char **out);

/*
 * The steps, exposed for tests. The canonical request holds the
 * session token when one is given: the caller wipes it before free().
 * DATE is YYYYMMDD; the key is wiped by the caller too.
 */
int sigv4_canonical_request(
    const struct sigv4_request *, const char *session_token, char **out);
int sigv4_signing_key(const char *secret, const char *date, const char *region,
    const char *service, unsigned char key[SIGV4_KEY_SIZE]);

#endif
