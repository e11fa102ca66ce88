/* SPDX-License-Identifier: BSD-2-Clause */
#include "milter/kvline.h"

#include <stdio.h>
#include <string.h>

#define ELLIPSIS " ..."

static void
kvline_mark_full(struct kvline *l)
{
	size_t room = sizeof(l->buf) - sizeof(ELLIPSIS);

	if (l->full)
		return;
	l->full = true;
	if (l->len > room)
		l->len = room;
	memcpy(l->buf + l->len, ELLIPSIS, sizeof(ELLIPSIS));
	l->len += sizeof(ELLIPSIS) - 1;
}

/* Appends N bytes, or marks the line full if they would not fit whole. */
static bool
kvline_put(struct kvline *l, const char *s, size_t n)
{
	if (l->full)
		return false;
	if (n >= sizeof(l->buf) - sizeof(ELLIPSIS) - l->len) {
		kvline_mark_full(l);
		return false;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = '\0';
	return true;
}

void
kvline_init(struct kvline *l, const char *prefix)
{
	l->len = 0;
	l->full = false;
	l->buf[0] = '\0';
	kvline_put(l, prefix, strlen(prefix));
}

void
kvline_text(struct kvline *l, const char *s)
{
	kvline_put(l, s, strlen(s));
}

static bool
kvline_plain(const char *value)
{
	const unsigned char *p = (const unsigned char *)value;

	if (*p == '\0')
		return false;
	for (; *p != '\0'; p++)
		if (*p <= 0x20 || *p == 0x7f || *p == '=' || *p == '"' ||
		    *p == '\\')
			return false;
	return true;
}

/* VALUE quoted into OUT; false if it does not fit in SIZE. */
static bool
kvline_quote(const char *value, char *out, size_t size, size_t *len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)value;
	char esc[7];
	size_t n = 0, k;

	if (size < 3)
		return false;
	out[n++] = '"';
	for (; *p != '\0'; p++) {
		k = 0;
		if (*p == '"' || *p == '\\') {
			esc[k++] = '\\';
			esc[k++] = (char)*p;
		} else if (*p == '\n' || *p == '\r' || *p == '\t') {
			esc[k++] = '\\';
			esc[k++] = *p == '\n' ? 'n' : *p == '\r' ? 'r' : 't';
		} else if (*p < 0x20 || *p == 0x7f) {
			memcpy(esc, "\\u00", 4);
			k = 4;
			esc[k++] = hex[*p >> 4];
			esc[k++] = hex[*p & 15];
		} else
			esc[k++] = (char)*p;
		if (n + k + 1 >= size)
			return false;
		memcpy(out + n, esc, k);
		n += k;
	}
	out[n++] = '"';
	*len = n;
	return true;
}

/* VALUE, quoted if it needs to be, into OUT; false if it does not fit. */
static bool
kvline_format(const char *value, char *out, size_t size, size_t *len)
{
	size_t n;

	if (!kvline_plain(value))
		return kvline_quote(value, out, size, len);
	if ((n = strlen(value)) >= size)
		return false;
	memcpy(out, value, n);
	*len = n;
	return true;
}

void
kvline_value(struct kvline *l, const char *value)
{
	char v[KVLINE_MAX];
	size_t len;

	if (kvline_format(value, v, sizeof(v), &len))
		kvline_put(l, v, len);
	else
		kvline_mark_full(l);
}

/* The field goes in whole or not at all, so the line stays logfmt. */
void
kvline_add(struct kvline *l, const char *key, const char *value)
{
	char field[KVLINE_MAX];
	size_t len;
	int n;

	if (value == NULL || l->full)
		return;
	n = snprintf(field, sizeof(field), " %s=", key);
	if (n < 0 || (size_t)n >= sizeof(field) ||
	    !kvline_format(value, field + n, sizeof(field) - n, &len)) {
		kvline_mark_full(l);
		return;
	}
	kvline_put(l, field, (size_t)n + len);
}

void
kvline_addi(struct kvline *l, const char *key, long value)
{
	char num[24];

	snprintf(num, sizeof(num), "%ld", value);
	kvline_add(l, key, num);
}

const char *
kvline_str(const struct kvline *l)
{
	return l->buf;
}
