/* SPDX-License-Identifier: BSD-2-Clause */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ses/errbuf.h"

void
errbuf_set(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void
errbuf_printable(const char *s, char *out, size_t outlen)
{
	size_t i;

	for (i = 0; s != NULL && s[i] != '\0' && i + 1 < outlen; i++)
		out[i] =
		    (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	out[i] = '\0';
}

/* Marks [FROM, TO) of MASK, skipping what *DONE says is marked already. */
static void
scrub_mark(unsigned char *mask, size_t from, size_t to, size_t *done)
{
	if (from < *done)
		from = *done;
	if (from < to)
		memset(mask + from, 1, to - from);
	if (to > *done)
		*done = to;
}

/* Every occurrence of NEEDLE (M > 0 bytes) in S, overlapping ones too. */
static void
scrub_needle(
    const char *s, size_t n, const char *needle, size_t m, unsigned char *mask)
{
	const char *p = s;
	size_t done = 0, k;

	while ((p = memmem(p, n - (size_t)(p - s), needle, m)) != NULL) {
		scrub_mark(mask, (size_t)(p - s), (size_t)(p - s) + m, &done);
		p++;
	}
	/* A text cut short may end with the start of a secret. */
	for (k = m - 1 < n ? m - 1 : n; k >= 8; k--)
		if (memcmp(s + n - k, needle, k) == 0) {
			memset(mask + n - k, 1, k);
			break;
		}
}

/* SigV4's URI encoding of SECRET, or NULL when it is the same or no memory. */
static char *
scrub_encoded(const char *secret)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, k = 0, len = strlen(secret);
	char *out;
	int differs = 0;

	if (len > (SIZE_MAX - 1) / 3 || (out = malloc(3 * len + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)secret[i];

		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
			out[k++] = (char)c;
		else {
			out[k++] = '%';
			out[k++] = hex[c >> 4];
			out[k++] = hex[c & 15];
			differs = 1;
		}
	}
	out[k] = '\0';
	if (!differs) {
		free(out);
		return NULL;
	}
	return out;
}

/*
 * Values that are secret whoever's they are: the token in a canonical
 * request or a query string, and a request's signature.
 */
static void
scrub_patterns(const char *s, unsigned char *mask)
{
	static const char tok[] = "x-amz-security-token";
	static const char sig[] = "signature=";
	const char *p, *v;
	size_t done = 0, i;

	for (p = s; (p = strcasestr(p, tok)) != NULL; p++) {
		v = p + sizeof(tok) - 1;
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v != ':' && *v != '=')
			continue;
		for (v++; *v == ' ' || *v == '\t'; v++)
			;
		i = strcspn(v, " \t\r\n&,;'\"<>");
		scrub_mark(mask, (size_t)(v - s), (size_t)(v - s) + i, &done);
	}
	done = 0;
	for (p = s; (p = strcasestr(p, sig)) != NULL; p++) {
		v = p + sizeof(sig) - 1;
		for (i = 0; isxdigit((unsigned char)v[i]); i++)
			;
		if (i >= 16)
			scrub_mark(
			    mask, (size_t)(v - s), (size_t)(v - s) + i, &done);
	}
}

char *
errbuf_scrub(const char *msg, const char *const *secrets, size_t n, bool cut)
{
	const char *marks[] = { ERRBUF_CANONICAL_MARK, ERRBUF_STS_MARK };
	unsigned char *mask;
	char *s, *out, *enc;
	size_t len, i, k, outlen;

	if ((s = strdup(msg != NULL ? msg : "")) == NULL)
		return NULL;
	len = strlen(s);
	if (cut) {
		for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
			if ((out = strstr(s, marks[i])) != NULL)
				len = (size_t)(out - s) < len
				    ? (size_t)(out - s)
				    : len;
		while (len > 0 && isspace((unsigned char)s[len - 1]))
			len--;
		s[len] = '\0';
	}
	if ((mask = calloc(len + 1, 1)) == NULL) {
		free(s);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (secrets == NULL || secrets[i] == NULL ||
		    secrets[i][0] == '\0')
			continue;
		scrub_needle(s, len, secrets[i], strlen(secrets[i]), mask);
		if ((enc = scrub_encoded(secrets[i])) != NULL) {
			scrub_needle(s, len, enc, strlen(enc), mask);
			free(enc);
		}
	}
	scrub_patterns(s, mask);
	for (i = 0, outlen = 0; i < len; i++)
		if (!mask[i])
			outlen++;
		else if (i == 0 || !mask[i - 1])
			outlen += sizeof(ERRBUF_REDACTED) - 1;
	if ((out = malloc(outlen + 1)) != NULL) {
		for (i = 0, k = 0; i < len; i++)
			if (!mask[i])
				out[k++] = s[i];
			else if (i == 0 || !mask[i - 1]) {
				memcpy(out + k, ERRBUF_REDACTED,
				    sizeof(ERRBUF_REDACTED) - 1);
				k += sizeof(ERRBUF_REDACTED) - 1;
			}
		out[k] = '\0';
	}
	explicit_bzero(s, len);
	free(s);
	free(mask);
	return out;
}
