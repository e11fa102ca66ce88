/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * JMESPath values with Python's semantics: truthiness, == (where True == 1
 * inside containers), exact int/float ordering, and json.dumps() as
 * to_string() uses it (compact, ASCII-only, float repr()).
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool/awscli/jmespath_int.h"

bool
jmes_truthy(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_NULL:
	case JSON_FALSE:
		return false;
	case JSON_STRING:
		return json_string_length(v) > 0;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	case JSON_OBJECT:
		return json_object_size(v) > 0;
	default:
		return true;
	}
}

bool
jmes_is_number(const json_t *v)
{
	return json_is_integer(v) || json_is_real(v);
}

const char *
jmes_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	default:
		return "null";
	}
}

/* A number as Python holds it; a bool is the int 0 or 1. */
struct pynum {
	bool isint;
	long long i;
	double d;
};

static struct pynum
pynum(const json_t *v)
{
	struct pynum n = { .isint = !json_is_real(v) };

	if (json_is_real(v))
		n.d = json_real_value(v);
	else if (json_is_integer(v))
		n.i = json_integer_value(v);
	else
		n.i = json_is_true(v);
	return n;
}

/* An integer against a double, exactly, as Python compares int and float. */
static int
int_real_cmp(long long i, double d)
{
	long long t;
	double frac;

	if (d >= 9223372036854775808.0)
		return -1;
	if (d < -9223372036854775808.0)
		return 1;
	t = (long long)d; /* exact: |d| < 2^53 or d integral */
	if (i != t)
		return (i > t) - (i < t);
	frac = d - (double)t;
	return (frac < 0) - (frac > 0);
}

static int
pynum_cmp(struct pynum a, struct pynum b)
{
	if (a.isint && b.isint)
		return (a.i > b.i) - (a.i < b.i);
	if (a.isint)
		return int_real_cmp(a.i, b.d);
	if (b.isint)
		return -int_real_cmp(b.i, a.d);
	return (a.d > b.d) - (a.d < b.d);
}

/* Two numbers (integers or reals), exactly. */
int
jmes_num_cmp(const json_t *a, const json_t *b)
{
	return pynum_cmp(pynum(a), pynum(b));
}

/* Two numbers, or two strings (code point order is UTF-8 byte order). */
int
jmes_order_cmp(const json_t *a, const json_t *b)
{
	size_t la, lb;
	int r;

	if (!json_is_string(a))
		return jmes_num_cmp(a, b);
	la = json_string_length(a);
	lb = json_string_length(b);
	r = memcmp(
	    json_string_value(a), json_string_value(b), la < lb ? la : lb);
	return r != 0 ? (r > 0) - (r < 0) : (la > lb) - (la < lb);
}

/* Steps one jmes_order_cmp() is charged. */
size_t
jmes_cmp_cost(const json_t *a, const json_t *b)
{
	size_t la = json_string_length(a), lb = json_string_length(b);

	return 1 + (la < lb ? la : lb) / 64;
}

/* One step of a walk over a value: charged, and bounded in depth. */
static int
value_step(struct jmes_ctx *c, unsigned depth)
{
	if (jmes_charge(c, 1) != 0)
		return -1;
	if (depth > JMES_MAX_VALUE_DEPTH) {
		jmes_seterr(c->err, JMES_EINVALID_VALUE,
		    "Value nested deeper than %d", JMES_MAX_VALUE_DEPTH);
		return -1;
	}
	return 0;
}

static int
py_eq(struct jmes_ctx *c, const json_t *a, const json_t *b, unsigned depth,
    bool *eq)
{
	const char *key;
	size_t klen, i;
	json_t *va, *vb;
	int r = 0;

	if (value_step(c, depth) != 0)
		return -1;
	*eq = false;
	if ((jmes_is_number(a) || json_is_boolean(a)) &&
	    (jmes_is_number(b) || json_is_boolean(b))) {
		*eq = jmes_num_cmp(a, b) == 0; /* True == 1 in Python */
		return 0;
	}
	if (json_typeof(a) != json_typeof(b))
		return 0;
	switch (json_typeof(a)) {
	case JSON_STRING:
		if (jmes_charge_bytes(c, json_string_length(a)) != 0)
			return -1;
		*eq = json_string_length(a) == json_string_length(b) &&
		    memcmp(json_string_value(a), json_string_value(b),
			json_string_length(a)) == 0;
		return 0;
	case JSON_ARRAY:
		if (json_array_size(a) != json_array_size(b))
			return 0;
		*eq = true;
		for (i = 0; r == 0 && *eq && i < json_array_size(a); i++)
			r = py_eq(c, json_array_get(a, i), json_array_get(b, i),
			    depth + 1, eq);
		return r;
	case JSON_OBJECT:
		if (json_object_size(a) != json_object_size(b))
			return 0;
		*eq = true;
		json_object_keylen_foreach((json_t *)a, key, klen, va) {
			if ((vb = json_object_getn(b, key, klen)) == NULL) {
				*eq = false;
				return 0;
			}
			if ((r = py_eq(c, va, vb, depth + 1, eq)) != 0 || !*eq)
				return r;
		}
		return 0;
	default:
		*eq = true; /* null == null */
		return 0;
	}
}

/* Python's a == b; -1 with c->err set on a limit. */
int
jmes_py_eq(struct jmes_ctx *c, const json_t *a, const json_t *b, bool *eq)
{
	return py_eq(c, a, b, 0, eq);
}

/*
 * Python's repr() of a float: the shortest digits that read back the same,
 * positional from 1e-4 up to 1e16, else d.ddde+XX.
 */
static void
float_repr(double d, char *out, size_t outsz)
{
	char tmp[40], digits[20];
	int prec, exp, nd, k;
	size_t n = 0;
	char *p, *e;

	for (prec = 0; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	e = strchr(tmp, 'e');
	exp = atoi(e + 1);
	nd = 0;
	for (p = tmp; p < e; p++)
		if (*p >= '0' && *p <= '9')
			digits[nd++] = *p;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (signbit(d))
		out[n++] = '-';
	if (exp < -4 || exp >= 16) {
		out[n++] = digits[0];
		if (nd > 1) {
			out[n++] = '.';
			for (k = 1; k < nd; k++)
				out[n++] = digits[k];
		}
		snprintf(out + n, outsz - n, "e%c%02d", exp < 0 ? '-' : '+',
		    abs(exp));
		return;
	}
	if (exp < 0) {
		out[n++] = '0';
		out[n++] = '.';
		for (k = -1; k > exp; k--)
			out[n++] = '0';
		for (k = 0; k < nd; k++)
			out[n++] = digits[k];
	} else {
		for (k = 0; k <= exp; k++)
			out[n++] = k < nd ? digits[k] : '0';
		out[n++] = '.';
		if (nd <= exp + 1)
			out[n++] = '0';
		for (k = exp + 1; k < nd; k++)
			out[n++] = digits[k];
	}
	out[n] = '\0';
}

/* json.dumps() with ensure_ascii: \uXXXX (lower-case) outside ' '..'~'. */
static void
dump_string(struct jmes_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned long cp, hi;
	char esc[13];
	size_t i = 0, start;

	jmes_buf_add(b, "\"", 1);
	while (i < n) {
		start = i;
		while (i < n && s[i] >= ' ' && s[i] <= '~' && s[i] != '"' &&
		    s[i] != '\\')
			i++;
		jmes_buf_add(b, s + start, i - start);
		if (i >= n)
			break;
		cp = jmes_utf8_decode(s, &i);
		switch (cp) {
		case '"':
			jmes_buf_str(b, "\\\"");
			continue;
		case '\\':
			jmes_buf_str(b, "\\\\");
			continue;
		case '\b':
			jmes_buf_str(b, "\\b");
			continue;
		case '\f':
			jmes_buf_str(b, "\\f");
			continue;
		case '\n':
			jmes_buf_str(b, "\\n");
			continue;
		case '\r':
			jmes_buf_str(b, "\\r");
			continue;
		case '\t':
			jmes_buf_str(b, "\\t");
			continue;
		}
		if (cp >= 0x10000) {
			hi = 0xd800 + ((cp - 0x10000) >> 10);
			cp = 0xdc00 + ((cp - 0x10000) & 0x3ff);
			snprintf(esc, sizeof(esc), "\\u%c%c%c%c", hex[hi >> 12],
			    hex[hi >> 8 & 15], hex[hi >> 4 & 15], hex[hi & 15]);
			jmes_buf_str(b, esc);
		}
		snprintf(esc, sizeof(esc), "\\u%c%c%c%c", hex[cp >> 12],
		    hex[cp >> 8 & 15], hex[cp >> 4 & 15], hex[cp & 15]);
		jmes_buf_str(b, esc);
	}
	jmes_buf_add(b, "\"", 1);
}

static int
dump(struct jmes_ctx *c, const json_t *v, unsigned depth, struct jmes_buf *b)
{
	const char *key;
	size_t klen, i;
	json_t *e;
	char num[40];

	if (value_step(c, depth) != 0)
		return -1;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		jmes_buf_add(b, "{", 1);
		i = 0;
		json_object_keylen_foreach((json_t *)v, key, klen, e) {
			if (i++ > 0)
				jmes_buf_add(b, ",", 1);
			dump_string(b, key, klen);
			jmes_buf_add(b, ":", 1);
			if (jmes_charge_bytes(c, klen) != 0 ||
			    dump(c, e, depth + 1, b) != 0)
				return -1;
		}
		jmes_buf_add(b, "}", 1);
		break;
	case JSON_ARRAY:
		jmes_buf_add(b, "[", 1);
		for (i = 0; i < json_array_size(v); i++) {
			if (i > 0)
				jmes_buf_add(b, ",", 1);
			if (dump(c, json_array_get(v, i), depth + 1, b) != 0)
				return -1;
		}
		jmes_buf_add(b, "]", 1);
		break;
	case JSON_STRING:
		if (jmes_charge_bytes(c, json_string_length(v)) != 0)
			return -1;
		dump_string(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		jmes_buf_str(b, num);
		break;
	case JSON_REAL:
		float_repr(json_real_value(v), num, sizeof(num));
		jmes_buf_str(b, num);
		break;
	case JSON_TRUE:
		jmes_buf_str(b, "true");
		break;
	case JSON_FALSE:
		jmes_buf_str(b, "false");
		break;
	case JSON_NULL:
		jmes_buf_str(b, "null");
		break;
	}
	return 0;
}

/* Appends json.dumps(v, separators=(',', ':')) to b (check b->oom). */
int
jmes_py_dump(struct jmes_ctx *c, const json_t *v, struct jmes_buf *b)
{
	return dump(c, v, 0, b);
}

/* A new number: an integer where Python's math.ceil() etc. give an int
 * and it fits, else a real.  NULL with c->err set. */
json_t *
jmes_number(struct jmes_ctx *c, double d, bool integral)
{
	json_t *v;

	if (integral && d >= -9223372036854775808.0 &&
	    d < 9223372036854775808.0)
		v = json_integer((json_int_t)d);
	else
		v = json_real(d);
	return v != NULL ? v : jmes_oom(c->err);
}
