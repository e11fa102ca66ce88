/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdlib.h>
#include <string.h>

#include "ses/strbuf.h"
#include "tool/awscli/u8.h"

int
u8_next(const char *s, size_t len, size_t *i, unsigned long *cpp, int strict)
{
	const unsigned char *p = (const unsigned char *)s + *i;
	size_t left = len - *i, n, k;
	unsigned long cp, min;

	if (left == 0)
		return -1;
	if (p[0] < 0x80) {
		*cpp = p[0];
		(*i)++;
		return 0;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1f;
		min = 0x80;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		cp = p[0] & 0x0f;
		min = 0x800;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07;
		min = 0x10000;
	} else
		return -1;
	if (left < n)
		return -1;
	for (k = 1; k < n; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (p[k] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (strict && U8_SURROGATE(cp)))
		return -1;
	*cpp = cp;
	*i += n;
	return 0;
}

int
u8_valid(const char *s, size_t len, int strict)
{
	size_t i = 0;
	unsigned long cp;

	while (i < len)
		if (u8_next(s, len, &i, &cp, strict) == -1)
			return 0;
	return 1;
}

size_t
u8_count(const char *s, size_t len)
{
	size_t i = 0, n = 0;
	unsigned long cp;

	while (i < len) {
		if (u8_next(s, len, &i, &cp, 0) == -1)
			i++;
		n++;
	}
	return n;
}

char *
u8_from_argv(const char *arg)
{
	struct strbuf b;
	size_t i = 0, start, len = strlen(arg);
	unsigned long cp;

	strbuf_init(&b);
	while (i < len) {
		start = i;
		if (u8_next(arg, len, &i, &cp, 1) == 0)
			strbuf_add(&b, arg + start, i - start);
		else {
			strbuf_addcp(&b, 0xdc00 + (unsigned char)arg[i]);
			i++;
		}
	}
	return strbuf_take(&b, NULL);
}

char *
u8_to_fs(const char *s)
{
	struct strbuf b;
	size_t i = 0, start, len = strlen(s);
	unsigned long cp;

	strbuf_init(&b);
	while (i < len) {
		start = i;
		if (u8_next(s, len, &i, &cp, 0) == -1)
			i++;
		else if (cp >= 0xdc80 && cp <= 0xdcff) {
			strbuf_addc(&b, (char)(cp - 0xdc00));
			continue;
		}
		strbuf_add(&b, s + start, i - start);
	}
	return strbuf_take(&b, NULL);
}

int
u8_find_surrogate(
    const char *s, size_t len, size_t *pos, unsigned long *cpp, size_t *run)
{
	size_t i = 0, n = 0, r;
	unsigned long cp;

	while (i < len) {
		if (u8_next(s, len, &i, &cp, 0) == -1) {
			i++;
			n++;
			continue;
		}
		if (U8_SURROGATE(cp)) {
			*pos = n;
			*cpp = cp;
			r = 1;
			while (i < len && u8_next(s, len, &i, &cp, 0) == 0 &&
			    U8_SURROGATE(cp))
				r++;
			*run = r;
			return 1;
		}
		n++;
	}
	return 0;
}
