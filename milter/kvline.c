/* SPDX-License-Identifier: BSD-2-Clause */
#include "milter/kvline.h"

#include <stdio.h>
#include <string.h>

#define ELLIPSIS "..."

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

void
kvline_value(struct kvline *l, const char *value, const char *also)
{
	static const char hex[] = "0123456789ABCDEF";
	char esc[3];
	unsigned char c;

	for (; (c = (unsigned char)*value) != '\0'; value++) {
		if (c <= 0x20 || c == 0x7f || c == '%' || c == '=' ||
		    strchr(also, c) != NULL) {
			esc[0] = '%';
			esc[1] = hex[c >> 4];
			esc[2] = hex[c & 15];
			if (!kvline_put(l, esc, 3))
				return;
		} else if (!kvline_put(l, (const char *)&c, 1))
			return;
	}
}

void
kvline_add(struct kvline *l, const char *key, const char *value)
{
	if (value == NULL || !kvline_put(l, " ", 1) ||
	    !kvline_put(l, key, strlen(key)) || !kvline_put(l, "=", 1))
		return;
	kvline_value(l, value, "");
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
