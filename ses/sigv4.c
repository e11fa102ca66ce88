/* SPDX-License-Identifier: BSD-2-Clause */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ses/sigv4.h"

#define ALGORITHM "AWS4-HMAC-SHA256"
#define TERMINATOR "aws4_request"
#define HEX_SIZE (2 * SIGV4_KEY_SIZE)
/*
 * Every string input is at most MAX_FIELD bytes, so that the size sums
 * below stay far from SIZE_MAX even on 32-bit hosts; real ones are tiny.
 */
#define MAX_FIELD (1u << 20)
#define MAX_NAME 64 /* method, region, service */

/* A bounded writer into a buffer sized in advance from an upper bound. */
struct out {
	char *buf;
	size_t len;
	size_t cap;
	int overflow;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (n > o->cap - o->len) {
		o->overflow = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void
put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static int
is_header_byte(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c < 0x7f);
}

static int
is_uri_byte(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '#';
}

static int
is_name_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

static int
is_method_byte(unsigned char c)
{
	return c >= 'A' && c <= 'Z';
}

/* The key id sits between "Credential=" and '/' in the header. */
static int
is_key_id_byte(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '/' && c != ',';
}

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* S has MIN..MAX bytes, each accepted by OK. */
static int
valid(const char *s, size_t min, size_t max, int (*ok)(unsigned char))
{
	size_t i;

	if (s == NULL)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (i == max || !ok((unsigned char)s[i]))
			return 0;
	return i >= min;
}

static int
valid_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_digit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
valid_amz_date(const char *s)
{
	return s != NULL && strlen(s) == SIGV4_AMZ_DATE_SIZE - 1 &&
	    valid_digits(s, 8) && s[8] == 'T' && valid_digits(s + 9, 6) &&
	    s[15] == 'Z';
}

/*
 * AWS signs the path with dot segments and repeated slashes removed; a path
 * that needs no such rewriting is signed as sent, so only those are taken.
 */
static int
valid_path(const char *path)
{
	const char *seg, *end;
	size_t n;

	if (!valid(path, 1, MAX_FIELD, is_uri_byte) || path[0] != '/' ||
	    strchr(path, '?') != NULL)
		return 0;
	for (seg = path + 1;; seg = end + 1) {
		end = strchr(seg, '/');
		n = end != NULL ? (size_t)(end - seg) : strlen(seg);
		if ((n == 0 && end != NULL) || (n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.'))
			return 0;
		if (end == NULL)
			return 1;
	}
}

static int
has_token(const char *token)
{
	return token != NULL && token[0] != '\0';
}

static int
valid_request(const struct sigv4_request *r, const char *token)
{
	return valid(r->method, 1, MAX_NAME, is_method_byte) &&
	    valid(r->host, 1, MAX_FIELD, is_header_byte) &&
	    valid_path(r->path) &&
	    (r->query == NULL || valid(r->query, 0, MAX_FIELD, is_uri_byte)) &&
	    (r->content_type == NULL ||
		valid(r->content_type, 0, MAX_FIELD, is_header_byte)) &&
	    (r->body != NULL || r->body_len == 0) &&
	    valid_amz_date(r->amz_date) &&
	    valid(r->region, 1, MAX_NAME, is_name_byte) &&
	    valid(r->service, 1, MAX_NAME, is_name_byte) &&
	    (token == NULL || valid(token, 0, MAX_FIELD, is_header_byte));
}

static void
hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

static int
sha256_hex(const void *data, size_t len, char out[HEX_SIZE + 1])
{
	unsigned char md[SIGV4_KEY_SIZE];
	unsigned int n = 0;

	if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1 ||
	    n != sizeof(md))
		return -1;
	hex(md, sizeof(md), out);
	return 0;
}

static int
hmac(const void *key, size_t keylen, const char *msg, size_t msglen,
    unsigned char out[SIGV4_KEY_SIZE])
{
	unsigned int n = 0;

	if (keylen > INT_MAX)
		return -1;
	if (HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)msg,
		msglen, out, &n) == NULL ||
	    n != SIGV4_KEY_SIZE)
		return -1;
	return 0;
}

/* The URI path, each byte outside A-Za-z0-9 "-._~/" as %XX. */
static void
put_path(struct out *o, const char *path)
{
	static const char digits[] = "0123456789ABCDEF";
	const unsigned char *p;
	char esc[3];

	for (p = (const unsigned char *)path; *p != '\0'; p++) {
		if (is_name_byte(*p) || *p == '~' || *p == '/')
			put(o, (const char *)p, 1);
		else {
			esc[0] = '%';
			esc[1] = digits[*p >> 4];
			esc[2] = digits[*p & 0x0f];
			put(o, esc, sizeof(esc));
		}
	}
}

struct qpair {
	const char *key;
	size_t keylen;
	const char *val;
	size_t vallen;
};

static int
cmp_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	int c;

	c = memcmp(a, b, alen < blen ? alen : blen);
	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

static int
qpair_cmp(const void *a, const void *b)
{
	const struct qpair *x = a, *y = b;
	int c;

	c = cmp_bytes(x->key, x->keylen, y->key, y->keylen);
	return c != 0 ? c : cmp_bytes(x->val, x->vallen, y->val, y->vallen);
}

/*
 * The query's pairs sorted by name, then value; as sent, since the caller
 * encodes them. A piece without '=' is signed as "name=".
 */
static int
put_query(struct out *o, const char *query)
{
	struct qpair *pairs;
	const char *p, *amp, *eq;
	size_t i, n = 1;

	if (query == NULL || query[0] == '\0')
		return 0;
	for (p = query; (p = strchr(p, '&')) != NULL; p++)
		n++;
	if ((pairs = calloc(n, sizeof(*pairs))) == NULL)
		return -1;
	for (i = 0, p = query; i < n; i++, p = amp + 1) {
		if ((amp = strchr(p, '&')) == NULL)
			amp = p + strlen(p);
		eq = memchr(p, '=', (size_t)(amp - p));
		pairs[i].key = p;
		pairs[i].keylen = (size_t)((eq != NULL ? eq : amp) - p);
		pairs[i].val = eq != NULL ? eq + 1 : amp;
		pairs[i].vallen = (size_t)(amp - pairs[i].val);
	}
	qsort(pairs, n, sizeof(*pairs), qpair_cmp);
	for (i = 0; i < n; i++) {
		if (i > 0)
			put(o, "&", 1);
		put(o, pairs[i].key, pairs[i].keylen);
		put(o, "=", 1);
		put(o, pairs[i].val, pairs[i].vallen);
	}
	free(pairs);
	return 0;
}

/* "name:value\n", the value trimmed and each run of blanks one space. */
static void
put_header(struct out *o, const char *name, const char *value)
{
	const char *p;
	int blank = 0, seen = 0;

	put_str(o, name);
	put(o, ":", 1);
	for (p = value; *p != '\0'; p++) {
		if (*p == ' ' || *p == '\t') {
			blank = seen;
			continue;
		}
		if (blank)
			put(o, " ", 1);
		put(o, p, 1);
		blank = 0;
		seen = 1;
	}
	put(o, "\n", 1);
}

static const char *
signed_headers(const struct sigv4_request *r, const char *token)
{
	if (r->content_type != NULL)
		return has_token(token)
		    ? "content-type;host;x-amz-date;x-amz-security-token"
		    : "content-type;host;x-amz-date";
	return has_token(token) ? "host;x-amz-date;x-amz-security-token"
				: "host;x-amz-date";
}

static void
wipe_free(char *s, size_t len)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s, len);
	free(s);
}

int
sigv4_canonical_request(
    const struct sigv4_request *r, const char *token, char **out)
{
	struct out o = { NULL, 0, 0, 0 };
	const char *sh;
	char body_hash[HEX_SIZE + 1];
	size_t qlen;

	*out = NULL;
	if (!valid_request(r, token))
		return -1;
	if (sha256_hex(
		r->body_len > 0 ? r->body : "", r->body_len, body_hash) == -1)
		return -1;
	sh = signed_headers(r, token);
	qlen = r->query != NULL ? strlen(r->query) : 0;
	/*
	 * Upper bound: the path may triple when escaped, each query piece may
	 * gain an '=', header values only shrink when trimmed.
	 */
	o.cap = strlen(r->method) + 1 + 3 * strlen(r->path) + 1 + 2 * qlen + 2 +
	    sizeof("content-type:\n") +
	    (r->content_type != NULL ? strlen(r->content_type) : 0) +
	    sizeof("host:\n") + strlen(r->host) + sizeof("x-amz-date:\n") +
	    strlen(r->amz_date) + sizeof("x-amz-security-token:\n") +
	    (has_token(token) ? strlen(token) : 0) + 1 + strlen(sh) + 1 +
	    HEX_SIZE;
	if ((o.buf = malloc(o.cap + 1)) == NULL)
		return -1;

	put_str(&o, r->method);
	put(&o, "\n", 1);
	put_path(&o, r->path);
	put(&o, "\n", 1);
	if (put_query(&o, r->query) == -1) {
		wipe_free(o.buf, o.cap + 1);
		return -1;
	}
	put(&o, "\n", 1);
	if (r->content_type != NULL)
		put_header(&o, "content-type", r->content_type);
	put_header(&o, "host", r->host);
	put_header(&o, "x-amz-date", r->amz_date);
	if (has_token(token))
		put_header(&o, "x-amz-security-token", token);
	put(&o, "\n", 1);
	put_str(&o, sh);
	put(&o, "\n", 1);
	put(&o, body_hash, HEX_SIZE);
	if (o.overflow) {
		wipe_free(o.buf, o.cap + 1);
		return -1;
	}
	o.buf[o.len] = '\0';
	*out = o.buf;
	return 0;
}

int
sigv4_signing_key(const char *secret, const char *date, const char *region,
    const char *service, unsigned char key[SIGV4_KEY_SIZE])
{
	unsigned char a[SIGV4_KEY_SIZE], b[SIGV4_KEY_SIZE];
	char *ksecret;
	size_t len;
	int rc = -1;

	if (secret == NULL ||
	    (len = strnlen(secret, MAX_FIELD + 1)) > MAX_FIELD ||
	    date == NULL || strlen(date) != 8 || !valid_digits(date, 8) ||
	    !valid(region, 1, MAX_NAME, is_name_byte) ||
	    !valid(service, 1, MAX_NAME, is_name_byte))
		return -1;
	if ((ksecret = malloc(4 + len)) == NULL)
		return -1;
	memcpy(ksecret, "AWS4", 4);
	memcpy(ksecret + 4, secret, len);
	if (hmac(ksecret, 4 + len, date, 8, a) == 0 &&
	    hmac(a, sizeof(a), region, strlen(region), b) == 0 &&
	    hmac(b, sizeof(b), service, strlen(service), a) == 0 &&
	    hmac(a, sizeof(a), TERMINATOR, strlen(TERMINATOR), key) == 0)
		rc = 0;
	wipe_free(ksecret, 4 + len);
	OPENSSL_cleanse(a, sizeof(a));
	OPENSSL_cleanse(b, sizeof(b));
	if (rc == -1)
		OPENSSL_cleanse(key, SIGV4_KEY_SIZE);
	return rc;
}

int
sigv4_authorization(const struct sigv4_request *r,
    const struct sigv4_credentials *c, char **out)
{
	unsigned char key[SIGV4_KEY_SIZE], sig[SIGV4_KEY_SIZE];
	char *creq, date[9], creq_hash[HEX_SIZE + 1];
	char sts[512], sig_hex[HEX_SIZE + 1];
	size_t creq_len;
	int n, rc = -1;

	*out = NULL;
	if (!valid(c->access_key_id, 1, MAX_FIELD, is_key_id_byte) ||
	    c->secret_access_key == NULL)
		return -1;
	if (sigv4_canonical_request(r, c->session_token, &creq) == -1)
		return -1;
	creq_len = strlen(creq);
	n = sha256_hex(creq, creq_len, creq_hash);
	wipe_free(creq, creq_len);
	if (n == -1)
		return -1;

	memcpy(date, r->amz_date, 8);
	date[8] = '\0';
	n = snprintf(sts, sizeof(sts),
	    ALGORITHM "\n%s\n%s/%s/%s/" TERMINATOR "\n%s", r->amz_date, date,
	    r->region, r->service, creq_hash);
	if (n < 0 || (size_t)n >= sizeof(sts))
		return -1;
	if (sigv4_signing_key(
		c->secret_access_key, date, r->region, r->service, key) == -1)
		return -1;
	if (hmac(key, sizeof(key), sts, (size_t)n, sig) == 0) {
		hex(sig, sizeof(sig), sig_hex);
		if (asprintf(out,
			ALGORITHM " Credential=%s/%s/%s/%s/" TERMINATOR
				  ", SignedHeaders=%s, Signature=%s",
			c->access_key_id, date, r->region, r->service,
			signed_headers(r, c->session_token), sig_hex) >= 0)
			rc = 0;
		else
			*out = NULL;
	}
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

int
sigv4_amz_date(time_t t, char out[SIGV4_AMZ_DATE_SIZE])
{
	struct tm tm;
	int n;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year < -1900 ||
	    tm.tm_year > 9999 - 1900)
		return -1;
	n = snprintf(out, SIGV4_AMZ_DATE_SIZE, "%04d%02d%02dT%02d%02d%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
	return n == SIGV4_AMZ_DATE_SIZE - 1 ? 0 : -1;
}
