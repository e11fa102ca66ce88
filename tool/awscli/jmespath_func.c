/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * JMESPath built-in functions with the signatures, checks and results of
 * jmespath/functions.py: ints stay ints where Python's do, sorts are
 * stable, to_string() is json.dumps(separators=(',', ':')).
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool/awscli/jmespath_int.h"

/* Argument types, as Python's signature() lists them. */
#define A_NUM 0x01u
#define A_STR 0x02u
#define A_BOOL 0x04u
#define A_ARR 0x08u
#define A_OBJ 0x10u
#define A_REF 0x20u
#define A_ANUM 0x40u /* array-number */
#define A_ASTR 0x80u /* array-string */
#define A_ANY 0x00u  /* unchecked */

typedef json_t *jmes_fn(struct jmes_ctx *, const struct jmes_arg *, size_t);

struct jmes_func {
	const char *name;
	jmes_fn *fn;
	unsigned nargs; /* the minimum if variadic */
	bool variadic;
	unsigned types[2];
	const char *names[2]; /* types as Python prints them */
};

/* A key and the value it sorts; for sort() the same. */
struct item {
	json_t *key;
	json_t *val;
};

static json_t *
oom(struct jmes_ctx *c)
{
	return jmes_oom(c->err);
}

/* A new string of b's bytes, which it frees. */
static json_t *
buf_string(struct jmes_ctx *c, struct jmes_buf *b)
{
	json_t *r = NULL;

	if (!b->oom &&
	    (r = json_stringn_nocheck(b->p ? b->p : "", b->len)) == NULL)
		b->oom = true;
	jmes_dealloc(b->p);
	return b->oom ? oom(c) : r;
}

/* Python's str() of a value for an error message, cut to fit. */
static void
describe(const json_t *v, char *out, size_t outsz)
{
	struct jmes_err scratch = { 0 };
	struct jmes_ctx c = { .err = &scratch, .left = 64 };
	struct jmes_buf b = { 0 };

	if (v == NULL)
		snprintf(out, outsz, "<expref>");
	else if (json_is_string(v))
		snprintf(
		    out, outsz, "%.*s", (int)(outsz - 1), json_string_value(v));
	else {
		(void)jmes_py_dump(&c, v, &b);
		snprintf(out, outsz, "%.*s%s", b.oom ? 0 : (int)b.len,
		    b.p ? b.p : "", scratch.code != JMES_OK ? "..." : "");
		jmes_dealloc(b.p);
	}
}

static void *
type_error(struct jmes_ctx *c, const struct jmes_func *f, const json_t *v,
    const char *got, const char *expected)
{
	char what[64];

	describe(v, what, sizeof(what));
	jmes_seterr(c->err, JMES_EINVALID_TYPE,
	    "In function %s(), invalid "
	    "type for value: %s, expected one of: %s, received: \"%s\"",
	    f->name, what, expected, got);
	c->err->value = v != NULL ? json_incref((json_t *)v) : NULL;
	snprintf(c->err->function, sizeof(c->err->function), "%s", f->name);
	snprintf(c->err->expected, sizeof(c->err->expected), "%s", expected);
	snprintf(c->err->received, sizeof(c->err->received), "%s", got);
	return NULL;
}

/*
 * The element of an array-X argument that fails is named by its Python
 * type, as the package's _subtype_check() names it ("str", not "string").
 */
static const char *
py_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		return "str";
	case JSON_INTEGER:
		return "int";
	case JSON_REAL:
		return "float";
	case JSON_TRUE:
	case JSON_FALSE:
		return "bool";
	case JSON_NULL:
		return "NoneType";
	case JSON_ARRAY:
		return "list";
	default:
		return "dict";
	}
}

static const char *
arg_type(const struct jmes_arg *a)
{
	return a->v != NULL ? jmes_type_name(a->v) : "expref";
}

/* Python's _type_check_single(): the top-level type, then for array-X
 * the elements; with two element types the first element picks one. */
static int
check_arg(struct jmes_ctx *c, const struct jmes_func *f, unsigned types,
    const char *names, const struct jmes_arg *a)
{
	static const struct {
		unsigned bit;
		const char *name;
	} top[] = {
		{ A_NUM, "number" },
		{ A_STR, "string" },
		{ A_BOOL, "boolean" },
		{ A_ARR | A_ANUM | A_ASTR, "array" },
		{ A_OBJ, "object" },
	};
	unsigned sub = types & (A_ANUM | A_ASTR), i;
	const char *t = arg_type(a), *want;
	json_t *e;
	size_t k;
	bool ok = false;

	if (types == A_ANY) {
		if (a->v == NULL)
			return type_error(c, f, NULL, t, "a value"), -1;
		return 0;
	}
	if (types & A_REF)
		ok = a->v == NULL;
	else if (a->v != NULL)
		for (i = 0; i < sizeof(top) / sizeof(top[0]); i++)
			if ((types & top[i].bit) && strcmp(t, top[i].name) == 0)
				ok = true;
	if (!ok)
		return type_error(c, f, a->v, t, names), -1;
	if (sub == 0 || json_array_size(a->v) == 0)
		return 0;
	if (sub == (A_ANUM | A_ASTR)) {
		want = jmes_type_name(json_array_get(a->v, 0));
		if (strcmp(want, "number") != 0 && strcmp(want, "string") != 0)
			return type_error(c, f, json_array_get(a->v, 0),
				   py_type_name(json_array_get(a->v, 0)),
				   names),
			       -1;
	} else
		want = sub == A_ANUM ? "number" : "string";
	json_array_foreach(a->v, k, e)
		if (strcmp(jmes_type_name(e), want) != 0)
			return type_error(c, f, e, py_type_name(e), names), -1;
	return jmes_charge(c, json_array_size(a->v));
}

static json_t *
fn_abs(struct jmes_ctx *c, const struct jmes_arg *a, size_t n)
{
	json_int_t i;
	json_t *r;

	(void)n;
	if (json_is_real(a[0].v))
		return jmes_number(c, fabs(json_real_value(a[0].v)), false);
	i = json_integer_value(a[0].v);
	if (i == LLONG_MIN) /* Python: a big int */
		return jmes_number(c, -(double)i, false);
	return (r = json_integer(i < 0 ? -i : i)) != NULL ? r : oom(c);
}

/*
 * Python's sum(): exact while every term is an int, then double
 * arithmetic from the first float on (or, here, from an int overflow).
 */
static json_t *
py_sum(struct jmes_ctx *c, const json_t *arr, double *dsum, size_t *count)
{
	json_int_t isum = 0, t;
	bool isint = true;
	json_t *e, *r;
	size_t i;

	*dsum = 0;
	json_array_foreach(arr, i, e) {
		if (isint && json_is_integer(e) &&
		    !__builtin_add_overflow(isum, json_integer_value(e), &t)) {
			isum = t;
			continue;
		}
		if (isint)
			*dsum = (double)isum;
		isint = false;
		*dsum += json_is_real(e) ? json_real_value(e)
					 : (double)json_integer_value(e);
	}
	*count = json_array_size(arr);
	if (!isint)
		return jmes_number(c, *dsum, false);
	*dsum = (double)isum;
	return (r = json_integer(isum)) != NULL ? r : oom(c);
}

static json_t *
fn_sum(struct jmes_ctx *c, const struct jmes_arg *a, size_t n)
{
	double d;

	(void)n;
	return py_sum(c, a[0].v, &d, &n);
}

static json_t *
fn_avg(struct jmes_ctx *c, const struct jmes_arg *a, size_t n)
{
	json_t *s;
	double d;

	if (json_array_size(a[0].v) == 0)
		return json_null();
	if ((s = py_sum(c, a[0].v, &d, &n)) == NULL)
		return NULL;
	json_decref(s);
	return jmes_number(c, d / (double)n, false);
}

static json_t *
fn_ceil(struct jmes_ctx *c, const struct jmes_arg *a, size_t n)
{
	(void)n;
	if (json_is_integer(a[0].v))
		return json_incref(a[0].v);
	return jmes_number(c, ceil(json_real_value(a[0].v)), true);
}

static json_t *
fn_floor(struct jmes_ctx *c, const struct jmes_arg *a, size_t n)
{
	(void)n;
	if (json_is_integer(a[0].v))
		return json_incref(a[0].v);
	return jmes_number(c, floor(json_real_value(a[0].v)), true);
}

/* Python's `search in subject`: == for arrays (True in [1] holds),
 * substring for strings. */
static json_t *
fn_contains(struct jmes_ctx *c, const struct jmes_arg *a, size_t n)
{
	const json_t *s = a[0].v, *x = a[1].v;
	json_t *e;
	size_t i;
	bool eq = false;

	(void)n;
	if (json_is_string(s)) {
		if (!json_is_string(x)) /* Python: TypeError */
			return json_false();
		if (jmes_charge_bytes(c, json_string_length(s)) != 0)
			return NULL;
		return json_boolean(json_string_length(x) == 0 ||
		    memmem(json_string_value(s), json_string_length(s),
			json_string_value(x), json_string_length(x)) != NULL);
	}
	json_array_foreach(s, i, e) {
		if (jmes_py_eq(c, e, x, &eq) != 0)
			return NULL;
		if (eq)
			break;
	}
	return json_boolean(eq);
}

/* starts_with() and ends_with() */
static json_t *
affix(struct jmes_ctx *c, const struct jmes_arg *a, bool end)
{
	size_t ls = json_string_length(a[0].v), lx = json_string_length(a[1].v);

	if (jmes_charge_bytes(c, lx) != 0)
		return NULL;
	return json_boolean(lx <= ls &&
	    memcmp(json_string_value(a[0].v) + (end ? ls - lx : 0),
		json_string_value(a[1].v), lx) == 0);
}

static json_t *
fn_ends_with(struct jmes_ctx *c, const struct jmes_arg *a, size_t n)
{
	(void)n;
	return affix(c, a, true);
}

static json_t *
fn_starts_with(struct jmes_ctx *c, const struct jmes_arg *a, size_t n)
{
	(void)n;
	return affix(c, a, false);
}

static json_t *
fn_join(struct jmes_ctx *c, const struct jmes_arg *a, size_t n)
{
	struct jmes_buf b = { 0 };
	json_t *e;
	size_t i;

	(void)n;
	json_array_foreach(a[1].v, i, e) {
		if (i > 0)
			jmes_buf_add(&b, json_string_value(a[0].v),
			    json_string_length(a[0].v));
		jmes_buf_add(&b, json_string_value(e), json_string_length(e));
		if (jmes_charge_bytes(c,
			json_string_length(e) + json_string_length(a[0].v)) !=
		    0) {
			jmes_dealloc(b.p);
			return NULL;
		}
	}
	return buf_string(c, &b);
}

/* keys() and values() */
static json_t *
members(struct jmes_ctx *c, const json_t *obj, bool keys)
{
	const char *k;
	size_t klen;
	json_t *r, *v;

	if (jmes_charge(c, json_object_size(obj)) != 0)
		return NULL;
	if ((r = json_array()) == NULL)
		return oom(c);
	json_object_keylen_foreach((json_t *)obj, k, klen, v)
		if ((keys ? json_array_append_new(
				r, json_stringn_nocheck(k, klen))
			  : json_array_append(r, v)) != 0) {
			json_decref(r);
			return oom(c);
		}
	return r;
}

static json_t *
fn_keys(struct jmes_ctx *c, const struct jmes_arg *a, size_t n)
{
	(void)n;
	return members(c, a[0].v, true);
}

static json_t *
fn_values(struct jmes_ctx *c, const struct jmes_arg *a, size_t n)
{
	(void)n;
	return members(c, a[0].v, false);
}

static json_t *
fn_length(struct jmes_ctx *c, const struct jmes_arg *a, size_t n)
{
	const json_t *v = a[0].v;
	size_t len;

	(void)n;
	if (json_is_string(v)) {
		if (jmes_charge_bytes(c, json_string_length(v)) != 0)
			return NULL;
		len = jmes_utf8_count(
		    json_string_value(v), json_string_length(v));
	} else
		len =
		    json_is_array(v) ? json_array_size(v) : json_object_size(v);
	return jmes_number(c, (double)len, true);
}

static json_t *
fn_map(struct jmes_ctx *c, const struct jmes_arg *a, size_t n)
{
	json_t *r, *e, *x;
	size_t i;

	(void)n;
	if ((r = json_array()) == NULL)
		return oom(c);
	json_array_foreach(a[1].v, i, e) {
		if ((x = jmes_eval_node(c, a[0].ref, e)) == NULL) {
			json_decref(r);
			return NULL;
		}
		if (json_array_append_new(r, x) != 0) {
			json_decref(r);
			return oom(c);
		}
	}
	return r;
}

/* max() and min(): the first of equal extremes, as Python's. */
static json_t *
extreme(struct jmes_ctx *c, const json_t *arr, int sign)
{
	json_t *best, *e;
	size_t i;

	if ((best = json_array_get(arr, 0)) == NULL)
		return json_null();
	json_array_foreach(arr, i, e) {
		if (jmes_charge(c, jmes_cmp_cost(e, best)) != 0)
			return NULL;
		if (jmes_order_cmp(e, best) * sign > 0)
			best = e;
	}
	return json_incref(best);
}

static json_t *
fn_max(struct jmes_ctx *c, const struct jmes_arg *a, size_t n)
{
	(void)n;
	return extreme(c, a[0].v, 1);
}

static json_t *
fn_min(struct jmes_ctx *c, const struct jmes_arg *a, size_t n)
{
	(void)n;
	return extreme(c, a[0].v, -1);
}

/* The key of e under ref, which must be a number or a string (of type
 * want, if given).  A new reference, or NULL. */
static json_t *
key_of(struct jmes_ctx *c, const struct jmes_func *f,
    const struct jmes_node *ref, json_t *e, const char *want)
{
	const char *t;
	json_t *k;

	if ((k = jmes_eval_node(c, ref, e)) == NULL)
		return NULL;
	t = jmes_type_name(k);
	if (want != NULL ? strcmp(t, want) != 0
			 : !json_is_string(k) && !jmes_is_number(k)) {
		type_error(c, f, k, t,
		    want == NULL                      ? "['number', 'string']"
			: strcmp(want, "number") == 0 ? "['number']"
						      : "['string']");
		json_decref(k);
		return NULL;
	}
	return k;
}

/* max_by() and min_by(): keys of mixed types, a TypeError in Python, are
 * an invalid-type here. */
static json_t *
extreme_by(
    struct jmes_ctx *c, const struct jmes_arg *a, const char *name, int sign)
{
	const struct jmes_func *f = jmes_func_lookup(name, strlen(name));
	json_t *best = NULL, *bestkey = NULL, *e, *k;
	size_t i;

	json_array_foreach(a[0].v, i, e) {
		if ((k = key_of(c, f, a[1].ref, e, NULL)) == NULL)
			break;
		if (bestkey != NULL &&
		    json_is_string(k) != json_is_string(bestkey))
			type_error(c, f, k, jmes_type_name(k),
			    json_is_string(bestkey) ? "['string']"
						    : "['number']");
		else if (bestkey == NULL ||
		    (jmes_charge(c, jmes_cmp_cost(k, bestkey)) == 0 &&
			jmes_order_cmp(k, bestkey) * sign > 0)) {
			json_decref(bestkey);
			bestkey = k;
			best = e;
			continue;
		}
		json_decref(k);
		if (c->err->code != JMES_OK)
			break;
	}
	json_decref(bestkey);
	if (c->err->code != JMES_OK)
		return NULL;
	return best != NULL ? json_incref(best) : json_null();
}

static json_t *
fn_max_by(struct jmes_ctx *c, const struct jmes_arg *a, size_t n)
{
	(void)n;
	return extreme_by(c, a, "max_by", 1);
}

static json_t *
fn_min_by(struct jmes_ctx *c, const struct jmes_arg *a, size_t n)
{
	(void)n;
	return extreme_by(c, a, "min_by", -1);
}

static json_t *
fn_merge(struct jmes_ctx *c, const struct jmes_arg *a, size_t n)
{
	json_t *r;
	size_t i;

	if ((r = json_object()) == NULL)
		return oom(c);
	for (i = 0; i < n; i++) {
		if (jmes_charge(c, json_object_size(a[i].v)) != 0) {
			json_decref(r);
			return NULL;
		}
		if (json_object_update(r, a[i].v) != 0) {
			json_decref(r);
			return oom(c);
		}
	}
	return r;
}

static json_t *
fn_not_null(struct jmes_ctx *c, const struct jmes_arg *a, size_t n)
{
	size_t i;

	(void)c;
	for (i = 0; i < n; i++)
		if (!json_is_null(a[i].v))
			return json_incref(a[i].v);
	return json_null();
}

static json_t *
fn_reverse(struct jmes_ctx *c, const struct jmes_arg *a, size_t n)
{
	const json_t *v = a[0].v;
	struct jmes_buf b = { 0 };
	const char *s;
	json_t *r;
	size_t i, len;

	if (json_is_array(v)) {
		if (jmes_charge(c, json_array_size(v)) != 0)
			return NULL;
		if ((r = json_array()) == NULL)
			return oom(c);
		for (n = json_array_size(v); n > 0; n--)
			if (json_array_append(r, json_array_get(v, n - 1)) !=
			    0) {
				json_decref(r);
				return oom(c);
			}
		return r;
	}
	s = json_string_value(v);
	i = json_string_length(v);
	if (jmes_charge_bytes(c, i) != 0)
		return NULL;
	while (i > 0) { /* code point by code point, as Python's [::-1] */
		len = 1;
		while (
		    len < i && jmes_utf8_seqlen((unsigned char)s[i - len]) == 0)
			len++;
		jmes_buf_add(&b, s + i - len, len);
		i -= len;
	}
	return buf_string(c, &b);
}

/* Stable merge sort of it[0..n) by key. */
static int
sort_items(struct jmes_ctx *c, struct item *it, size_t n)
{
	struct item *tmp, *src = it, *dst, *t;
	size_t w, lo, mid, hi, i, j, k;

	if (n < 2)
		return 0;
	if ((tmp = jmes_alloc(n * sizeof(*tmp))) == NULL) {
		oom(c);
		return -1;
	}
	dst = tmp;
	for (w = 1; w < n; w *= 2) {
		for (lo = 0; lo < n; lo += 2 * w) {
			mid = lo + w < n ? lo + w : n;
			hi = lo + 2 * w < n ? lo + 2 * w : n;
			for (i = lo, j = mid, k = lo; i < mid && j < hi;) {
				if (jmes_charge(c,
					jmes_cmp_cost(
					    src[i].key, src[j].key)) != 0) {
					jmes_dealloc(tmp);
					return -1;
				}
				if (jmes_order_cmp(src[j].key, src[i].key) < 0)
					dst[k++] = src[j++];
				else
					dst[k++] = src[i++];
			}
			memcpy(dst + k, src + i, (mid - i) * sizeof(*dst));
			k += mid - i;
			memcpy(dst + k, src + j, (hi - j) * sizeof(*dst));
		}
		t = src;
		src = dst;
		dst = t;
	}
	if (src != it)
		memcpy(it, src, n * sizeof(*it));
	jmes_dealloc(tmp);
	return 0;
}

/* The values of it[0..n), sorted by key: a new array. */
static json_t *
sorted(struct jmes_ctx *c, struct item *it, size_t n)
{
	json_t *r;
	size_t i;

	if (sort_items(c, it, n) != 0)
		return NULL;
	if ((r = json_array()) == NULL)
		return oom(c);
	for (i = 0; i < n; i++)
		if (json_array_append(r, it[i].val) != 0) {
			json_decref(r);
			return oom(c);
		}
	return r;
}

static json_t *
fn_sort(struct jmes_ctx *c, const struct jmes_arg *a, size_t n)
{
	struct item *it;
	json_t *r;
	size_t i;

	n = json_array_size(a[0].v);
	if ((it = jmes_alloc((n ? n : 1) * sizeof(*it))) == NULL)
		return oom(c);
	for (i = 0; i < n; i++)
		it[i].key = it[i].val = json_array_get(a[0].v, i);
	r = sorted(c, it, n);
	jmes_dealloc(it);
	return r;
}

/* Python: the first element's key fixes the type every key must have. */
static json_t *
fn_sort_by(struct jmes_ctx *c, const struct jmes_arg *a, size_t n)
{
	const struct jmes_func *f = jmes_func_lookup("sort_by", 7);
	struct item *it;
	json_t *r = NULL;
	size_t i;

	n = json_array_size(a[0].v);
	if (n == 0)
		return json_incref(a[0].v);
	if ((it = jmes_alloc(n * sizeof(*it))) == NULL)
		return oom(c);
	for (i = 0; i < n; i++) {
		it[i].val = json_array_get(a[0].v, i);
		if ((it[i].key = key_of(c, f, a[1].ref, it[i].val,
			 i == 0 ? NULL : jmes_type_name(it[0].key))) == NULL)
			break;
	}
	if (i == n)
		r = sorted(c, it, n);
	n = i;
	for (i = 0; i < n; i++)
		json_decref(it[i].key);
	jmes_dealloc(it);
	return r;
}

static json_t *
fn_to_array(struct jmes_ctx *c, const struct jmes_arg *a, size_t n)
{
	json_t *r;

	(void)n;
	if (json_is_array(a[0].v))
		return json_incref(a[0].v);
	if ((r = json_array()) == NULL || json_array_append(r, a[0].v) != 0) {
		json_decref(r);
		return oom(c);
	}
	return r;
}

static json_t *
fn_to_string(struct jmes_ctx *c, const struct jmes_arg *a, size_t n)
{
	struct jmes_buf b = { 0 };

	(void)n;
	if (json_is_string(a[0].v))
		return json_incref(a[0].v);
	if (jmes_py_dump(c, a[0].v, &b) != 0) {
		jmes_dealloc(b.p);
		return NULL;
	}
	return buf_string(c, &b);
}

/* Digits with single underscores between them, as int() and float()
 * take them; copies the digits to b, returns the end or NULL. */
static const char *
digitpart(const char *s, const char *end, struct jmes_buf *b)
{
	if (s == end || *s < '0' || *s > '9')
		return NULL;
	for (;;) {
		jmes_buf_add(b, s++, 1);
		if (s < end && *s == '_' && s + 1 < end && s[1] >= '0' &&
		    s[1] <= '9')
			s++;
		else if (s == end || *s < '0' || *s > '9')
			return s;
	}
}

/*
 * Python's int(s), else float(s), for ASCII digits: surrounding
 * whitespace, a sign, underscores between digits.  A new number, or
 * json_null() where Python raises ValueError; an int beyond 64 bits
 * becomes a real, inf and nan (unrepresentable in JSON) null.
 */
static json_t *
parse_number(struct jmes_ctx *c, const char *s, size_t len)
{
	const char *end = s + len, *p, *q;
	struct jmes_buf b = { 0 };
	size_t i = 0, k;
	json_t *r = json_null();
	long long ll;
	double d;
	bool isint, mantissa;

	while (i < len && (k = i, jmes_py_isspace(jmes_utf8_decode(s, &k))))
		i = k;
	s += i;
	while (end > s) {
		for (k = 1; end - k > s &&
		     jmes_utf8_seqlen((unsigned char)*(end - k)) == 0;
		     k++)
			;
		i = (size_t)(end - k - s);
		if (!jmes_py_isspace(jmes_utf8_decode(s, &i)))
			break;
		end -= k;
	}
	p = s;
	if (p < end && (*p == '+' || *p == '-'))
		jmes_buf_add(&b, p++, 1);
	q = digitpart(p, end, &b);
	isint = q == end;
	mantissa = q != NULL;
	if (q == NULL)
		q = p;
	if (!isint && q < end && *q == '.') {
		jmes_buf_add(&b, q++, 1);
		if (q < end && *q >= '0' && *q <= '9')
			mantissa = (q = digitpart(q, end, &b)) != NULL;
	}
	if (!isint && mantissa && q < end && (*q == 'e' || *q == 'E')) {
		jmes_buf_add(&b, q++, 1);
		if (q < end && (*q == '+' || *q == '-'))
			jmes_buf_add(&b, q++, 1);
		if ((q = digitpart(q, end, &b)) == NULL)
			mantissa = false;
	}
	jmes_buf_add(&b, "", 1);
	if (b.oom) {
		jmes_dealloc(b.p);
		return oom(c);
	}
	if (mantissa && q == end) {
		errno = 0;
		if (isint && ((ll = strtoll(b.p, NULL, 10)), errno == 0))
			r = json_integer(ll);
		else if (isfinite(d = strtod(b.p, NULL)))
			r = json_real(d);
	}
	jmes_dealloc(b.p);
	return r != NULL ? r : oom(c);
}

static json_t *
fn_to_number(struct jmes_ctx *c, const struct jmes_arg *a, size_t n)
{
	const json_t *v = a[0].v;

	(void)n;
	if (jmes_is_number(v))
		return json_incref(a[0].v);
	if (!json_is_string(v))
		return json_null();
	if (jmes_charge_bytes(c, json_string_length(v)) != 0)
		return NULL;
	return parse_number(c, json_string_value(v), json_string_length(v));
}

static json_t *
fn_type(struct jmes_ctx *c, const struct jmes_arg *a, size_t n)
{
	json_t *r;

	(void)n;
	if ((r = json_string(jmes_type_name(a[0].v))) == NULL)
		return oom(c);
	return r;
}

#define SIG1(t, s) \
	{ t, 0 }, \
	{ \
		s, NULL \
	}
#define SIG2(t, s, u, v) \
	{ t, u }, \
	{ \
		s, v \
	}
static const struct jmes_func funcs[] = {
	{ "abs", fn_abs, 1, false, SIG1(A_NUM, "['number']") },
	{ "avg", fn_avg, 1, false, SIG1(A_ANUM, "['array-number']") },
	{ "ceil", fn_ceil, 1, false, SIG1(A_NUM, "['number']") },
	{ "contains", fn_contains, 2, false,
	    SIG2(A_ARR | A_STR, "['array', 'string']", A_ANY, "[]") },
	{ "ends_with", fn_ends_with, 2, false,
	    SIG2(A_STR, "['string']", A_STR, "['string']") },
	{ "floor", fn_floor, 1, false, SIG1(A_NUM, "['number']") },
	{ "join", fn_join, 2, false,
	    SIG2(A_STR, "['string']", A_ASTR, "['array-string']") },
	{ "keys", fn_keys, 1, false, SIG1(A_OBJ, "['object']") },
	{ "length", fn_length, 1, false,
	    SIG1(A_STR | A_ARR | A_OBJ, "['string', 'array', 'object']") },
	{ "map", fn_map, 2, false,
	    SIG2(A_REF, "['expref']", A_ARR, "['array']") },
	{ "max", fn_max, 1, false,
	    SIG1(A_ANUM | A_ASTR, "['array-number', 'array-string']") },
	{ "max_by", fn_max_by, 2, false,
	    SIG2(A_ARR, "['array']", A_REF, "['expref']") },
	{ "merge", fn_merge, 1, true, SIG1(A_OBJ, "['object']") },
	{ "min", fn_min, 1, false,
	    SIG1(A_ANUM | A_ASTR, "['array-number', 'array-string']") },
	{ "min_by", fn_min_by, 2, false,
	    SIG2(A_ARR, "['array']", A_REF, "['expref']") },
	{ "not_null", fn_not_null, 1, true, SIG1(A_ANY, "[]") },
	{ "reverse", fn_reverse, 1, false,
	    SIG1(A_ARR | A_STR, "['array', 'string']") },
	{ "sort", fn_sort, 1, false,
	    SIG1(A_ANUM | A_ASTR, "['array-string', 'array-number']") },
	{ "sort_by", fn_sort_by, 2, false,
	    SIG2(A_ARR, "['array']", A_REF, "['expref']") },
	{ "starts_with", fn_starts_with, 2, false,
	    SIG2(A_STR, "['string']", A_STR, "['string']") },
	{ "sum", fn_sum, 1, false, SIG1(A_ANUM, "['array-number']") },
	{ "to_array", fn_to_array, 1, false, SIG1(A_ANY, "[]") },
	{ "to_number", fn_to_number, 1, false, SIG1(A_ANY, "[]") },
	{ "to_string", fn_to_string, 1, false, SIG1(A_ANY, "[]") },
	{ "type", fn_type, 1, false, SIG1(A_ANY, "[]") },
	{ "values", fn_values, 1, false, SIG1(A_OBJ, "['object']") },
};

/* NULL for an unknown name: Python raises that only when called. */
const struct jmes_func *
jmes_func_lookup(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		if (strlen(funcs[i].name) == len &&
		    memcmp(funcs[i].name, name, len) == 0)
			return &funcs[i];
	return NULL;
}

/* Python's call_function(): unknown, then arity, then types in order.
 * A variadic function's extra arguments take its last type. */
json_t *
jmes_call(struct jmes_ctx *c, const struct jmes_node *n,
    const struct jmes_arg *args, size_t nargs)
{
	const struct jmes_func *f = n->func;
	size_t i, t;

	if (f == NULL) {
		jmes_seterr(c->err, JMES_EUNKNOWN_FUNCTION,
		    "Unknown function: %.*s()",
		    (int)json_string_length(n->value),
		    json_string_value(n->value));
		return NULL;
	}
	if (f->variadic ? nargs < f->nargs : nargs != f->nargs) {
		jmes_seterr(c->err, JMES_EINVALID_ARITY,
		    "Expected %s%u "
		    "argument%s for function %s(), received %zu",
		    f->variadic ? "at least " : "", f->nargs,
		    f->nargs == 1 ? "" : "s", f->name, nargs);
		return NULL;
	}
	for (i = 0; i < nargs; i++) {
		t = i < f->nargs ? i : f->nargs - 1;
		if (check_arg(c, f, f->types[t], f->names[t], &args[i]) != 0)
			return NULL;
	}
	return f->fn(c, args, nargs);
}
