/* SPDX-License-Identifier: BSD-2-Clause */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool/awscli/clivalue.h"
#include "ses/strbuf.h"
#include "tool/awscli/u8.h"

struct clivalue *
clivalue_new(enum clivalue_kind kind)
{
	struct clivalue *v;

	if ((v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	v->kind = kind;
	return v;
}

struct clivalue *
clivalue_new_str(enum clivalue_kind kind, const char *s, size_t len)
{
	struct clivalue *v;

	if (len == SIZE_MAX || (v = clivalue_new(kind)) == NULL)
		return NULL;
	if ((v->str = malloc(len + 1)) == NULL) {
		free(v);
		return NULL;
	}
	if (len > 0)
		memcpy(v->str, s, len);
	v->str[len] = '\0';
	v->len = len;
	return v;
}

void
clivalue_free(struct clivalue *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++) {
		clivalue_free(v->items[i]);
		if (v->keys != NULL)
			clivalue_free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	free(v);
}

static int
grow(struct clivalue *v)
{
	struct clivalue **p;
	size_t cap;

	if (v->n < v->cap)
		return 0;
	if (v->cap > SIZE_MAX / 2 / sizeof(*p))
		return -1;
	cap = v->cap ? v->cap * 2 : 4;
	if ((p = realloc(v->items, cap * sizeof(*p))) == NULL)
		return -1;
	v->items = p;
	if (v->kind == CLIV_MAP) {
		if ((p = realloc(v->keys, cap * sizeof(*p))) == NULL)
			return -1;
		v->keys = p;
	}
	v->cap = cap;
	return 0;
}

int
clivalue_append(struct clivalue *list, struct clivalue *item)
{
	if (item == NULL || grow(list) == -1) {
		clivalue_free(item);
		return -1;
	}
	list->items[list->n++] = item;
	return 0;
}

static int
numeric(const struct clivalue *v)
{
	return v->kind == CLIV_BOOL || v->kind == CLIV_INT ||
	    v->kind == CLIV_FLOAT;
}

static double
as_double(const struct clivalue *v)
{
	if (v->kind == CLIV_BOOL)
		return v->boolean;
	if (v->kind == CLIV_INT)
		return strtod(v->str, NULL);
	return v->num;
}

/* An INT or BOOL as decimal text. */
static const char *
int_text(const struct clivalue *v, size_t *len)
{
	if (v->kind == CLIV_BOOL) {
		*len = 1;
		return v->boolean ? "1" : "0";
	}
	*len = v->len;
	return v->str;
}

int
clivalue_key_equal(const struct clivalue *a, const struct clivalue *b)
{
	const char *sa, *sb;
	size_t la, lb;

	/* Python: True == 1 == 1.0 */
	if (numeric(a) && numeric(b)) {
		if (a->kind == CLIV_FLOAT || b->kind == CLIV_FLOAT)
			return as_double(a) == as_double(b);
		sa = int_text(a, &la);
		sb = int_text(b, &lb);
		return la == lb && memcmp(sa, sb, la) == 0;
	}
	if (a->kind != b->kind)
		return 0;
	switch (a->kind) {
	case CLIV_NONE:
		return 1;
	case CLIV_DATE:
	case CLIV_DATETIME:
		return memcmp(a->dt, b->dt, sizeof(a->dt)) == 0;
	case CLIV_STR:
	case CLIV_BYTES:
		return a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
	default:
		return 0;
	}
}

int
clivalue_map_set(
    struct clivalue *map, struct clivalue *key, struct clivalue *val)
{
	size_t i;

	if (key == NULL || val == NULL)
		goto fail;
	for (i = 0; i < map->n; i++)
		if (clivalue_key_equal(map->keys[i], key)) {
			clivalue_free(map->items[i]);
			map->items[i] = val;
			clivalue_free(key);
			return 0;
		}
	if (grow(map) == -1)
		goto fail;
	map->keys[map->n] = key;
	map->items[map->n++] = val;
	return 0;
fail:
	clivalue_free(key);
	clivalue_free(val);
	return -1;
}

struct clivalue *
clivalue_map_get(const struct clivalue *map, const char *name)
{
	size_t i, len = strlen(name);

	for (i = 0; i < map->n; i++)
		if (map->keys[i]->kind == CLIV_STR &&
		    map->keys[i]->len == len &&
		    memcmp(map->keys[i]->str, name, len) == 0)
			return map->items[i];
	return NULL;
}

void
clivalue_map_remove(struct clivalue *map, size_t i)
{
	clivalue_free(map->keys[i]);
	clivalue_free(map->items[i]);
	memmove(map->keys + i, map->keys + i + 1,
	    (map->n - i - 1) * sizeof(*map->keys));
	memmove(map->items + i, map->items + i + 1,
	    (map->n - i - 1) * sizeof(*map->items));
	map->n--;
}

const char *
clivalue_type(const struct clivalue *v)
{
	switch (v->kind) {
	case CLIV_NONE:
		return "<class 'NoneType'>";
	case CLIV_BOOL:
		return "<class 'bool'>";
	case CLIV_INT:
		return "<class 'int'>";
	case CLIV_FLOAT:
		return "<class 'float'>";
	case CLIV_STR:
		return "<class 'str'>";
	case CLIV_BYTES:
		return "<class 'bytes'>";
	case CLIV_DATE:
		return "<class 'datetime.date'>";
	case CLIV_DATETIME:
		return "<class 'datetime.datetime'>";
	case CLIV_LIST:
		return "<class 'list'>";
	case CLIV_SET:
		return "<class 'set'>";
	case CLIV_MAP:
		return "<class 'dict'>";
	}
	return "<class 'object'>";
}

void
clivalue_float_repr(double x, struct strbuf *b)
{
	char buf[40], digits[24];
	int prec, exp10, decpt, nd, i;
	char *p, *e;

	if (isnan(x)) {
		strbuf_adds(b, "nan");
		return;
	}
	if (isinf(x)) {
		strbuf_adds(b, x < 0 ? "-inf" : "inf");
		return;
	}
	if (signbit(x)) {
		strbuf_addc(b, '-');
		x = -x;
	}
	if (x == 0) {
		strbuf_adds(b, "0.0");
		return;
	}
	/* The fewest significant digits that read back as the same double. */
	for (prec = 1; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec - 1, x);
		if (strtod(buf, NULL) == x)
			break;
	}
	snprintf(buf, sizeof(buf), "%.*e", prec - 1, x);
	nd = 0;
	for (p = buf; *p != 'e' && *p != '\0'; p++)
		if (*p >= '0' && *p <= '9')
			digits[nd++] = *p;
	exp10 = *p == 'e' ? (int)strtol(p + 1, &e, 10) : 0;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';
	decpt = exp10 + 1;
	if (decpt <= -4 || decpt > 16) {
		strbuf_addc(b, digits[0]);
		if (nd > 1) {
			strbuf_addc(b, '.');
			strbuf_add(b, digits + 1, (size_t)nd - 1);
		}
		strbuf_addf(b, "e%c%02d", exp10 < 0 ? '-' : '+',
		    exp10 < 0 ? -exp10 : exp10);
	} else if (decpt <= 0) {
		strbuf_adds(b, "0.");
		for (i = decpt; i < 0; i++)
			strbuf_addc(b, '0');
		strbuf_add(b, digits, (size_t)nd);
	} else if (decpt >= nd) {
		strbuf_add(b, digits, (size_t)nd);
		for (i = nd; i < decpt; i++)
			strbuf_addc(b, '0');
		strbuf_adds(b, ".0");
	} else {
		strbuf_add(b, digits, (size_t)decpt);
		strbuf_addc(b, '.');
		strbuf_add(b, digits + decpt, (size_t)(nd - decpt));
	}
}

/*
 * str.isprintable() for the characters that matter in practice: controls,
 * format characters, separators other than the space, surrogates and
 * private use are not printable. Unassigned code points are taken as
 * printable (Python says otherwise; it needs the Unicode database).
 */
static int
printable(unsigned long cp)
{
	static const unsigned long ranges[][2] = {
		{ 0x0000, 0x001f },
		{ 0x007f, 0x00a0 },
		{ 0x00ad, 0x00ad },
		{ 0x0600, 0x0605 },
		{ 0x061c, 0x061c },
		{ 0x06dd, 0x06dd },
		{ 0x070f, 0x070f },
		{ 0x0890, 0x0891 },
		{ 0x08e2, 0x08e2 },
		{ 0x1680, 0x1680 },
		{ 0x180e, 0x180e },
		{ 0x2000, 0x200f },
		{ 0x2028, 0x202f },
		{ 0x205f, 0x2064 },
		{ 0x2066, 0x206f },
		{ 0x3000, 0x3000 },
		{ 0xd800, 0xf8ff },
		{ 0xfeff, 0xfeff },
		{ 0xfff9, 0xfffb },
		{ 0x110bd, 0x110bd },
		{ 0x110cd, 0x110cd },
		{ 0x13430, 0x1343f },
		{ 0x1bca0, 0x1bca3 },
		{ 0x1d173, 0x1d17a },
		{ 0xe0001, 0xe0001 },
		{ 0xe0020, 0xe007f },
		{ 0xf0000, 0x10ffff },
	};
	size_t i;

	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (cp >= ranges[i][0] && cp <= ranges[i][1])
			return 0;
	return 1;
}

static void
repr_text(const char *s, size_t len, int bytes, struct strbuf *b)
{
	char quote = '\'';
	size_t i = 0;
	unsigned long cp;

	if (memchr(s, '\'', len) != NULL && memchr(s, '"', len) == NULL)
		quote = '"';
	if (bytes)
		strbuf_addc(b, 'b');
	strbuf_addc(b, quote);
	while (i < len) {
		if (bytes || u8_next(s, len, &i, &cp, 0) == -1)
			cp = (unsigned char)s[i++];
		if (cp == (unsigned char)quote || cp == '\\') {
			strbuf_addc(b, '\\');
			strbuf_addc(b, (char)cp);
		} else if (cp == '\t')
			strbuf_adds(b, "\\t");
		else if (cp == '\n')
			strbuf_adds(b, "\\n");
		else if (cp == '\r')
			strbuf_adds(b, "\\r");
		else if (cp < 0x20 || cp == 0x7f || (bytes && cp >= 0x80))
			strbuf_addf(b, "\\x%02lx", cp);
		else if (cp < 0x7f || printable(cp))
			strbuf_addcp(b, cp);
		else if (cp <= 0xff)
			strbuf_addf(b, "\\x%02lx", cp);
		else if (cp <= 0xffff)
			strbuf_addf(b, "\\u%04lx", cp);
		else
			strbuf_addf(b, "\\U%08lx", cp);
	}
	strbuf_addc(b, quote);
}

static void
date_text(const struct clivalue *v, int repr, struct strbuf *b)
{
	const int *d = v->dt;

	if (repr) {
		strbuf_addf(b, "datetime.%s(%d, %d, %d",
		    v->kind == CLIV_DATE ? "date" : "datetime", d[0], d[1],
		    d[2]);
		if (v->kind == CLIV_DATETIME) {
			strbuf_addf(b, ", %d, %d", d[3], d[4]);
			if (d[6] != 0)
				strbuf_addf(b, ", %d, %d", d[5], d[6]);
			else if (d[5] != 0)
				strbuf_addf(b, ", %d", d[5]);
		}
		strbuf_addc(b, ')');
		return;
	}
	strbuf_addf(b, "%04d-%02d-%02d", d[0], d[1], d[2]);
	if (v->kind == CLIV_DATETIME) {
		strbuf_addf(b, " %02d:%02d:%02d", d[3], d[4], d[5]);
		if (d[6] != 0)
			strbuf_addf(b, ".%06d", d[6]);
	}
}

static void
format(const struct clivalue *v, int repr, struct strbuf *b)
{
	size_t i;

	switch (v->kind) {
	case CLIV_NONE:
		strbuf_adds(b, "None");
		break;
	case CLIV_BOOL:
		strbuf_adds(b, v->boolean ? "True" : "False");
		break;
	case CLIV_INT:
		strbuf_add(b, v->str, v->len);
		break;
	case CLIV_FLOAT:
		clivalue_float_repr(v->num, b);
		break;
	case CLIV_STR:
		if (repr)
			repr_text(v->str, v->len, 0, b);
		else
			strbuf_add(b, v->str, v->len);
		break;
	case CLIV_BYTES:
		repr_text(v->str, v->len, 1, b);
		break;
	case CLIV_DATE:
	case CLIV_DATETIME:
		date_text(v, repr, b);
		break;
	case CLIV_LIST:
		strbuf_addc(b, '[');
		for (i = 0; i < v->n; i++) {
			if (i > 0)
				strbuf_adds(b, ", ");
			format(v->items[i], 1, b);
		}
		strbuf_addc(b, ']');
		break;
	case CLIV_SET:
		if (v->n == 0) {
			strbuf_adds(b, "set()");
			break;
		}
		strbuf_addc(b, '{');
		for (i = 0; i < v->n; i++) {
			if (i > 0)
				strbuf_adds(b, ", ");
			format(v->items[i], 1, b);
		}
		strbuf_addc(b, '}');
		break;
	case CLIV_MAP:
		strbuf_addc(b, '{');
		for (i = 0; i < v->n; i++) {
			if (i > 0)
				strbuf_adds(b, ", ");
			format(v->keys[i], 1, b);
			strbuf_adds(b, ": ");
			format(v->items[i], 1, b);
		}
		strbuf_addc(b, '}');
		break;
	}
}

void
clivalue_str(const struct clivalue *v, struct strbuf *b)
{
	format(v, 0, b);
}

void
clivalue_repr(const struct clivalue *v, struct strbuf *b)
{
	format(v, 1, b);
}

void
clivalue_repr_str(const char *s, size_t len, struct strbuf *b)
{
	repr_text(s, len, 0, b);
}
