/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ses/form.h"
#include "ses/strbuf.h"

static int
unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	    c == '~';
}

/* Sizes the encoded value first, so that it is one allocation at most. */
static void
put_encoded(struct strbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	size_t n, need = 0;
	char *w;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		n = unreserved(*p) || *p == ' ' ? 1 : 3;
		if (need > SIZE_MAX - n)
			need = SIZE_MAX; /* strbuf_extend() refuses it */
		else
			need += n;
	}
	if ((w = strbuf_extend(b, need)) == NULL)
		return;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (unreserved(*p))
			*w++ = (char)*p;
		else if (*p == ' ')
			*w++ = '+';
		else {
			*w++ = '%';
			*w++ = hex[*p >> 4];
			*w++ = hex[*p & 0x0f];
		}
	}
}

/* One "KEY[SUFFIX]=VALUE" pair; SUFFIX is made of unreserved bytes only. */
static void
put_pair(
    struct strbuf *b, const char *key, const char *suffix, const char *value)
{
	if (b->len > 0)
		strbuf_addc(b, '&');
	put_encoded(b, key);
	strbuf_adds(b, suffix);
	strbuf_addc(b, '=');
	put_encoded(b, value);
}

/* Undoes a partial append so that a failed call changes nothing. */
static int
rollback(struct strbuf *b, size_t len)
{
	int saved = errno;

	strbuf_truncate(b, len);
	errno = saved;
	return -1;
}

int
form_add(struct strbuf *b, const char *key, const char *value)
{
	size_t len = b->len;

	if (key == NULL || value == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (strbuf_failed(b)) {
		errno = ENOMEM;
		return -1;
	}
	put_pair(b, key, "", value);
	return strbuf_failed(b) ? rollback(b, len) : 0;
}

int
form_begin(struct strbuf *b, const char *action)
{
	size_t len = b->len;

	if (form_add(b, "Action", action) == -1 ||
	    form_add(b, "Version", FORM_SES_VERSION) == -1)
		return rollback(b, len);
	return 0;
}

int
form_add_list(
    struct strbuf *b, const char *key, const char *const *values, size_t n)
{
	char suffix[sizeof(".member.") + 20];
	size_t i, len = b->len;

	if (key == NULL || (n > 0 && values == NULL)) {
		errno = EINVAL;
		return -1;
	}
	if (n == 0)
		return form_add(b, key, "");
	for (i = 0; i < n; i++) {
		if (values[i] == NULL) {
			errno = EINVAL;
			return rollback(b, len);
		}
		(void)snprintf(suffix, sizeof(suffix), ".member.%zu", i + 1);
		put_pair(b, key, suffix, values[i]);
		if (strbuf_failed(b))
			return rollback(b, len);
	}
	return 0;
}
