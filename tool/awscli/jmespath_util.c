/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * JMESPath support: the allocator, errors, the work budget, a byte buffer
 * and UTF-8.  Everything allocates through jansson's allocator so that one
 * json_set_alloc_funcs() hook sees (and can fail) every allocation.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tool/awscli/jmespath_int.h"

/* Returns n bytes the caller frees with jmes_dealloc(), or NULL. */
void *
jmes_alloc(size_t n)
{
	json_malloc_t m;
	json_free_t f;

	json_get_alloc_funcs(&m, &f);
	return m(n);
}

void
jmes_dealloc(void *p)
{
	json_malloc_t m;
	json_free_t f;

	if (p == NULL)
		return;
	json_get_alloc_funcs(&m, &f);
	f(p);
}

/*
 * jansson has no realloc.  Returns a block of newsz bytes holding the first
 * oldsz of p, and frees p, or returns NULL leaving p alone.
 */
void *
jmes_grow(void *p, size_t oldsz, size_t newsz)
{
	void *q;

	if ((q = jmes_alloc(newsz)) == NULL)
		return NULL;
	if (oldsz > 0)
		memcpy(q, p, oldsz);
	jmes_dealloc(p);
	return q;
}

void
jmes_seterr(struct jmes_err *err, enum jmes_error code, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

void
jmes_err_clear(struct jmes_err *err)
{
	json_decref(err->value);
	memset(err, 0, sizeof(*err));
}

void *
jmes_oom(struct jmes_err *err)
{
	jmes_seterr(err, JMES_ENOMEM, "out of memory");
	return NULL;
}

int
jmes_charge(struct jmes_ctx *c, size_t steps)
{
	if (steps > c->left) {
		c->left = 0;
		jmes_seterr(c->err, JMES_EINVALID_VALUE,
		    "Evaluation exceeds the limit of %u steps", JMES_MAX_STEPS);
		return -1;
	}
	c->left -= steps;
	return 0;
}

int
jmes_charge_bytes(struct jmes_ctx *c, size_t bytes)
{
	return jmes_charge(c, 1 + bytes / 64);
}

void
jmes_buf_add(struct jmes_buf *b, const void *p, size_t n)
{
	size_t cap;
	char *q;

	/* Nothing to add: a buffer never grown has no p to copy into. */
	if (b->oom || n == 0)
		return;
	if (b->cap - b->len < n) {
		cap = b->cap ? b->cap : 64;
		while (cap - b->len < n) {
			if (cap > (size_t)-1 / 2) {
				b->oom = true;
				return;
			}
			cap *= 2;
		}
		if ((q = jmes_grow(b->p, b->len, cap)) == NULL) {
			b->oom = true;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

void
jmes_buf_str(struct jmes_buf *b, const char *s)
{
	jmes_buf_add(b, s, strlen(s));
}

/* Length of the sequence a lead byte starts; 0 for a continuation byte. */
size_t
jmes_utf8_seqlen(unsigned char lead)
{
	if (lead < 0x80)
		return 1;
	if (lead < 0xc2)
		return 0;
	if (lead < 0xe0)
		return 2;
	if (lead < 0xf0)
		return 3;
	if (lead < 0xf5)
		return 4;
	return 0;
}

/* Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF),
 * as jansson demands of every string. */
bool
jmes_utf8_valid(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k, len;

	while (i < n) {
		if ((len = jmes_utf8_seqlen(u[i])) == 0 || n - i < len)
			return false;
		for (k = 1; k < len; k++)
			if ((u[i + k] & 0xc0) != 0x80)
				return false;
		if (len == 3 &&
		    ((u[i] == 0xe0 && u[i + 1] < 0xa0) ||
			(u[i] == 0xed && u[i + 1] >= 0xa0)))
			return false;
		if (len == 4 &&
		    ((u[i] == 0xf0 && u[i + 1] < 0x90) ||
			(u[i] == 0xf4 && u[i + 1] >= 0x90)))
			return false;
		i += len;
	}
	return true;
}

/* Code points in valid UTF-8: Python's len() of the string. */
size_t
jmes_utf8_count(const char *s, size_t n)
{
	size_t i, count = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			count++;
	return count;
}

/* Decodes the valid UTF-8 sequence at s[*i] and steps *i past it. */
unsigned long
jmes_utf8_decode(const char *s, size_t *i)
{
	const unsigned char *u = (const unsigned char *)s + *i;
	size_t len = jmes_utf8_seqlen(u[0]), k;
	unsigned long cp;

	if (len <= 1) {
		*i += 1;
		return u[0];
	}
	cp = u[0] & (0x7f >> len);
	for (k = 1; k < len; k++)
		cp = cp << 6 | (u[k] & 0x3f);
	*i += len;
	return cp;
}

/* Python's str.isspace(), which int(), float() and str.lstrip() use. */
bool
jmes_py_isspace(unsigned long cp)
{
	if (cp < 0x80)
		return (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x20);
	return cp == 0x85 || cp == 0xa0 || cp == 0x1680 ||
	    (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 ||
	    cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

const char *
jmes_error_name(enum jmes_error code)
{
	switch (code) {
	case JMES_OK:
		return "ok";
	case JMES_ESYNTAX:
		return "syntax";
	case JMES_EINVALID_TYPE:
		return "invalid-type";
	case JMES_EINVALID_VALUE:
		return "invalid-value";
	case JMES_EINVALID_ARITY:
		return "invalid-arity";
	case JMES_EUNKNOWN_FUNCTION:
		return "unknown-function";
	case JMES_ENOMEM:
		return "out-of-memory";
	}
	return "unknown-error";
}
