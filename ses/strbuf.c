/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ses/strbuf.h"

#define STRBUF_MIN_CAP 64

void
strbuf_init(struct strbuf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->failed = 0;
}

void
strbuf_free(struct strbuf *b)
{
	free(b->data);
	strbuf_init(b);
}

static int
reserve(struct strbuf *b, size_t more)
{
	size_t need, cap;
	char *p;

	if (b->failed)
		return -1;
	if (more > SIZE_MAX - 1 - b->len) {
		errno = EOVERFLOW;
		goto fail;
	}
	need = b->len + more + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : STRBUF_MIN_CAP;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if ((p = realloc(b->data, cap)) == NULL)
		goto fail;
	b->data = p;
	b->cap = cap;
	return 0;
fail:
	b->failed = 1;
	return -1;
}

char *
strbuf_extend(struct strbuf *b, size_t n)
{
	char *at;

	if (reserve(b, n) == -1)
		return NULL;
	at = b->data + b->len;
	b->len += n;
	b->data[b->len] = '\0';
	return at;
}

void
strbuf_add(struct strbuf *b, const void *p, size_t n)
{
	char *at;

	if ((at = strbuf_extend(b, n)) != NULL && n > 0)
		memcpy(at, p, n);
}

void
strbuf_adds(struct strbuf *b, const char *s)
{
	strbuf_add(b, s, strlen(s));
}

void
strbuf_addc(struct strbuf *b, char c)
{
	strbuf_add(b, &c, 1);
}

void
strbuf_addn(struct strbuf *b, char c, size_t n)
{
	char *at;

	if ((at = strbuf_extend(b, n)) != NULL)
		memset(at, c, n);
}

void
strbuf_addf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || reserve(b, (size_t)n) == -1) {
		b->failed = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
strbuf_addcp(struct strbuf *b, unsigned long cp)
{
	unsigned char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xc0 | (cp >> 6));
		u[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xe0 | (cp >> 12));
		u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | ((cp >> 18) & 0x07));
		u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	strbuf_add(b, u, n);
}

int
strbuf_failed(const struct strbuf *b)
{
	return b->failed;
}

void
strbuf_truncate(struct strbuf *b, size_t len)
{
	b->failed = 0;
	if (len > b->len)
		return;
	b->len = len;
	if (b->data != NULL)
		b->data[len] = '\0';
}

char *
strbuf_take(struct strbuf *b, size_t *lenp)
{
	char *p;

	if (!b->failed && b->data == NULL)
		strbuf_add(b, "", 0);
	if (b->failed) {
		strbuf_free(b);
		return NULL;
	}
	p = b->data;
	if (lenp != NULL)
		*lenp = b->len;
	strbuf_init(b);
	return p;
}
