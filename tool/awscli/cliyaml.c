/* SPDX-License-Identifier: BSD-2-Clause */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "tool/awscli/clivalue.h"
#include "tool/awscli/cliyaml.h"
#include "ses/strbuf.h"
#include "tool/awscli/u8.h"

#define TAG_PREFIX "tag:yaml.org,2002:"
#define PY_INT_MAX_DIGITS 4300

/* What a scalar's tag says it is. */
enum ytag {
	T_STR,
	T_NULL,
	T_BOOL,
	T_INT,
	T_FLOAT,
	T_TIMESTAMP,
	T_BINARY,
	T_MERGE,
	T_VALUE,
	T_UNKNOWN
};

/* A node of the composed document; aliases point at the anchored node. */
struct ynode {
	yaml_event_type_t kind; /* scalar, sequence, mapping */
	char *tag;
	char *value;
	size_t len;
	int plain; /* plain_implicit */
	int complete;
	struct ynode **kids; /* key, value... for a map */
	size_t n;
	size_t cap;
	struct ynode *all; /* every node, for freeing */
};

struct anchor {
	char *name;
	struct ynode *node;
};

struct loader {
	struct ynode *all;
	struct anchor *anchors;
	size_t nanchors;
	int v11;       /* %YAML 1.1 */
	size_t budget; /* values still allowed */
	enum cliyaml_status status;
	struct strbuf *err;
};

static void
fail(struct loader *l, enum cliyaml_status st)
{
	if (l->status == CLIYAML_OK)
		l->status = st;
}

/*
 * Records a Python exception other than a YAMLError (the CLI prints its
 * text) and returns: the loader stops at its next check of the status.
 */
static void
python_error(struct loader *l, const char *msg, const char *arg, size_t arglen)
{
	if (l->status != CLIYAML_OK)
		return;
	l->status = CLIYAML_EFATAL;
	if (l->err == NULL)
		return;
	strbuf_adds(l->err, msg);
	if (arg != NULL)
		clivalue_repr_str(arg, arglen, l->err);
}

/* ---- the implicit resolvers of ruamel.yaml ---- */

static size_t
span(const char *s, size_t len, size_t i, const char *set)
{
	size_t k = i;

	while (k < len && s[k] != '\0' && strchr(set, s[k]) != NULL)
		k++;
	return k - i;
}

#define DIG "0123456789"
#define DIG_ "0123456789_"

static int
is_one_of(const char *s, size_t len, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strlen(*words) == len && memcmp(*words, s, len) == 0)
			return 1;
	return 0;
}

/* [eE][-+]?[0-9]+ at I running to the end; SIGN: the sign is required. */
static int
exponent_to_end(const char *s, size_t len, size_t i, int sign_required)
{
	size_t d;

	if (i >= len || (s[i] != 'e' && s[i] != 'E'))
		return 0;
	i++;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	else if (sign_required)
		return 0;
	d = span(s, len, i, DIG);
	return d > 0 && i + d == len;
}

/* (:[0-5]?[0-9])* from I, then the rest must satisfy TAIL. */
static int
sexagesimal(const char *s, size_t len, size_t i,
    int (*tail)(const char *, size_t, size_t))
{
	if (i >= len || s[i] != ':')
		return tail(s, len, i);
	i++;
	if (i + 1 < len && s[i] >= '0' && s[i] <= '5' && s[i + 1] >= '0' &&
	    s[i + 1] <= '9' && sexagesimal(s, len, i + 2, tail))
		return 1;
	if (i < len && s[i] >= '0' && s[i] <= '9')
		return sexagesimal(s, len, i + 1, tail);
	return 0;
}

static int
tail_end(const char *s, size_t len, size_t i)
{
	(void)s;
	return i == len;
}

static int
tail_fraction(const char *s, size_t len, size_t i)
{
	return i < len && s[i] == '.' &&
	    i + 1 + span(s, len, i + 1, DIG_) == len;
}

/* The sexagesimal forms need at least one ":NN" group. */
static int
sexagesimal1(const char *s, size_t len, size_t i,
    int (*tail)(const char *, size_t, size_t))
{
	return i < len && s[i] == ':' && sexagesimal(s, len, i, tail);
}

static int
is_float(const char *s, size_t len, int v11)
{
	size_t i = 0, d;

	if (len == 4 && s[0] == '.' &&
	    (memcmp(s + 1, "nan", 3) == 0 || memcmp(s + 1, "NaN", 3) == 0 ||
		memcmp(s + 1, "NAN", 3) == 0))
		return 1;
	if (len > 0 && (s[0] == '-' || s[0] == '+'))
		i = 1;
	if (len - i == 4 && s[i] == '.' &&
	    (memcmp(s + i + 1, "inf", 3) == 0 ||
		memcmp(s + i + 1, "Inf", 3) == 0 ||
		memcmp(s + i + 1, "INF", 3) == 0))
		return 1;
	if (i < len && s[i] >= '0' && s[i] <= '9') {
		d = 1 + span(s, len, i + 1, DIG_);
		/* [0-9][0-9_]*\.[0-9_]*(exp)? */
		if (i + d < len && s[i + d] == '.') {
			size_t j = i + d + 1;

			j += span(s, len, j, DIG_);
			if (j == len || exponent_to_end(s, len, j, 0))
				return 1;
		}
		/* [0-9][0-9_]*(exp) */
		if (exponent_to_end(s, len, i + d, 0))
			return 1;
		/* 1.1: [0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]* */
		if (v11 && sexagesimal1(s, len, i + d, tail_fraction))
			return 1;
		return 0;
	}
	/* \.[0-9_]+ (exp with a sign)?; YAML 1.1 allows no leading sign */
	if (v11 && i != 0)
		return 0;
	if (i < len && s[i] == '.') {
		d = span(s, len, i + 1, DIG_);
		if (d == 0)
			return 0;
		return i + 1 + d == len ||
		    exponent_to_end(s, len, i + 1 + d, 1);
	}
	return 0;
}

static int
is_int(const char *s, size_t len, int v11)
{
	size_t i = 0;

	if (len > 0 && (s[0] == '-' || s[0] == '+'))
		i = 1;
	if (i >= len)
		return 0;
	if (len - i > 2 && s[i] == '0' && s[i + 1] == 'b')
		return i + 2 + span(s, len, i + 2, "01_") == len;
	if (len - i > 2 && s[i] == '0' && s[i + 1] == 'x')
		return i + 2 + span(s, len, i + 2, DIG_ "abcdefABCDEF") == len;
	if (!v11) {
		if (len - i > 2 && s[i] == '0' && s[i + 1] == 'o' &&
		    i + 2 + span(s, len, i + 2, "01234567_") == len)
			return 1;
		return i + span(s, len, i, DIG_) == len;
	}
	/* 0?[0-7_]+ */
	if (i + span(s, len, i, "01234567_") == len)
		return 1;
	/* 0|[1-9][0-9_]* */
	if (len - i == 1 && s[i] == '0')
		return 1;
	if (s[i] >= '1' && s[i] <= '9') {
		size_t d = 1 + span(s, len, i + 1, DIG_);

		if (i + d == len)
			return 1;
		return sexagesimal1(s, len, i + d, tail_end);
	}
	return 0;
}

/* Fields of a timestamp; the strings point into the scalar. */
struct ts {
	int y, mo, d;
	int has_time, h, mi, sec;
	const char *frac;
	size_t fraclen;
	int tz_sign; /* 0: none or Z */
	int tz_h, tz_m;
};

static int
digits(const char *s, size_t len, size_t *i, int min, int max, int *out)
{
	int n = 0, v = 0;

	while (*i < len && n < max && s[*i] >= '0' && s[*i] <= '9') {
		v = v * 10 + (s[*i] - '0');
		(*i)++;
		n++;
	}
	if (n < min)
		return -1;
	*out = v;
	return 0;
}

/*
 * ruamel's timestamp grammar. STRICT is the implicit resolver's: a bare
 * date needs two-digit month and day.
 */
static int
parse_ts(const char *s, size_t len, int strict, struct ts *t)
{
	size_t i = 0, save;

	memset(t, 0, sizeof(*t));
	if (digits(s, len, &i, 4, 4, &t->y) == -1 || i >= len || s[i++] != '-')
		return -1;
	save = i;
	if (digits(s, len, &i, 1, 2, &t->mo) == -1 || i >= len ||
	    s[i++] != '-' || digits(s, len, &i, 1, 2, &t->d) == -1)
		return -1;
	if (i == len)
		return strict && i - save != 5 ? -1 : 0;
	if (s[i] == 'T' || s[i] == 't')
		i++;
	else if (s[i] == ' ' || s[i] == '\t')
		i += span(s, len, i, " \t");
	else
		return -1;
	t->has_time = 1;
	if (digits(s, len, &i, 1, 2, &t->h) == -1 || i >= len ||
	    s[i++] != ':' || digits(s, len, &i, 2, 2, &t->mi) == -1 ||
	    i >= len || s[i++] != ':' ||
	    digits(s, len, &i, 2, 2, &t->sec) == -1)
		return -1;
	if (i < len && s[i] == '.') {
		i++;
		t->frac = s + i;
		t->fraclen = span(s, len, i, DIG);
		i += t->fraclen;
	}
	if (i == len)
		return 0;
	i += span(s, len, i, " \t");
	if (i < len && s[i] == 'Z')
		return i + 1 == len ? 0 : -1;
	if (i >= len || (s[i] != '-' && s[i] != '+'))
		return -1;
	t->tz_sign = s[i++] == '-' ? -1 : 1;
	if (digits(s, len, &i, 1, 2, &t->tz_h) == -1)
		return -1;
	if (i < len && s[i] == ':') {
		i++;
		if (digits(s, len, &i, 2, 2, &t->tz_m) == -1)
			return -1;
	}
	return i == len ? 0 : -1;
}

static enum ytag
resolve(const char *s, size_t len, int v11)
{
	static const char *const bool12[] = { "true", "True", "TRUE", "false",
		"False", "FALSE", NULL };
	static const char *const bool11[] = { "y", "Y", "yes", "Yes", "YES",
		"n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
		"False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", NULL };
	static const char *const nulls[] = { "~", "null", "Null", "NULL",
		NULL };
	struct ts t;
	char c;

	if (len == 0)
		return T_NULL;
	c = s[0];
	if (strchr(v11 ? "yYnNtTfFoO" : "tTfF", c) != NULL &&
	    is_one_of(s, len, v11 ? bool11 : bool12))
		return T_BOOL;
	if (strchr("-+0123456789.", c) != NULL && is_float(s, len, v11))
		return T_FLOAT;
	if (strchr("-+0123456789", c) != NULL && is_int(s, len, v11))
		return T_INT;
	if (len == 2 && s[0] == '<' && s[1] == '<')
		return T_MERGE;
	if (strchr("~nN", c) != NULL && is_one_of(s, len, nulls))
		return T_NULL;
	if (c >= '0' && c <= '9' && parse_ts(s, len, 1, &t) == 0)
		return T_TIMESTAMP;
	if (len == 1 && c == '=')
		return T_VALUE;
	return T_STR;
}

const char *
cliyaml_resolve(const char *value, size_t len)
{
	static const char *const names[] = { "str", "null", "bool", "int",
		"float", "timestamp", "binary", "merge", "value", "unknown" };

	return names[resolve(value, len, 0)];
}

/* ---- constructing Python values ---- */

/* A big natural number, base 1e9, least significant limb first. */
struct bignum {
	uint32_t *limb;
	size_t n;
};

static int
bignum_muladd(struct bignum *b, uint32_t mul, uint32_t add)
{
	uint64_t carry = add, x;
	uint32_t *p;
	size_t i;

	for (i = 0; i < b->n; i++) {
		x = (uint64_t)b->limb[i] * mul + carry;
		b->limb[i] = (uint32_t)(x % 1000000000u);
		carry = x / 1000000000u;
	}
	while (carry > 0) {
		if ((p = realloc(b->limb, (b->n + 1) * sizeof(*p))) == NULL)
			return -1;
		b->limb = p;
		b->limb[b->n++] = (uint32_t)(carry % 1000000000u);
		carry /= 1000000000u;
	}
	return 0;
}

static struct clivalue *
bignum_value(struct bignum *b, int negative)
{
	struct strbuf sb;
	struct clivalue *v;
	size_t i, n = b->n;

	while (n > 0 && b->limb[n - 1] == 0)
		n--;
	strbuf_init(&sb);
	if (n == 0)
		strbuf_addc(&sb, '0');
	else {
		if (negative)
			strbuf_addc(&sb, '-');
		strbuf_addf(&sb, "%u", b->limb[n - 1]);
		for (i = n - 1; i > 0; i--)
			strbuf_addf(&sb, "%09u", b->limb[i - 1]);
	}
	v = strbuf_failed(&sb) ? NULL
			       : clivalue_new_str(CLIV_INT, sb.data, sb.len);
	strbuf_free(&sb);
	return v;
}

static int
digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

/* int(S, BASE) into B; -1 if S is not a number in BASE. */
static int
bignum_parse(struct bignum *b, const char *s, size_t len, int base)
{
	size_t i;
	int d;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		d = digit_value(s[i]);
		if (d >= base ||
		    bignum_muladd(b, (uint32_t)base, (uint32_t)d) == -1)
			return -1;
	}
	return 0;
}

/* S without its underscores, allocated. */
static char *
without_underscores(const char *s, size_t len, size_t *outlen)
{
	char *p;
	size_t i, n = 0;

	if ((p = malloc(len + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++)
		if (s[i] != '_')
			p[n++] = s[i];
	p[n] = '\0';
	*outlen = n;
	return p;
}

static struct clivalue *
construct_int(struct loader *l, const char *text, size_t textlen)
{
	struct bignum b = { NULL, 0 };
	struct clivalue *v = NULL;
	char *s, *part, *colon, msg[200];
	size_t len, plen;
	int neg = 0, base = 10, ok;

	if ((s = without_underscores(text, textlen, &len)) == NULL) {
		fail(l, CLIYAML_ENOMEM);
		return NULL;
	}
	part = s;
	if (len > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		part++;
		len--;
	}
	/* CPython's limit on converting long integers (3.11); the 4 lets
	   binary and hexadecimal through up to the same size */
	if (len > PY_INT_MAX_DIGITS * 4 ||
	    (len > PY_INT_MAX_DIGITS &&
		!(len >= 2 && part[0] == '0' &&
		    (part[1] == 'b' || part[1] == 'x')))) {
		snprintf(msg, sizeof(msg),
		    "Exceeds the limit (%d digits) for "
		    "integer string conversion: value has %zu digits; use "
		    "sys.set_int_max_str_digits() to increase the limit",
		    PY_INT_MAX_DIGITS, len);
		python_error(l, msg, NULL, 0);
		goto out;
	}
	if (len >= 2 && part[0] == '0' &&
	    (part[1] == 'b' || part[1] == 'x' || part[1] == 'o')) {
		base = part[1] == 'b' ? 2 : part[1] == 'x' ? 16 : 8;
		part += 2;
		len -= 2;
	} else if (l->v11 && len == 0) {
		python_error(l, "string index out of range", NULL, 0);
		goto out;
	} else if (l->v11 && part[0] == '0' && len > 1)
		base = 8;
	else if (l->v11 && memchr(part, ':', len) != NULL) {
		/* base 60; only the first part may be a big number */
		colon = memchr(part, ':', len);
		plen = (size_t)(colon - part);
		ok = bignum_parse(&b, part, plen, 10) == 0;
		while (ok && colon != NULL) {
			len -= plen + 1;
			part = colon + 1;
			colon = memchr(part, ':', len);
			plen = colon != NULL ? (size_t)(colon - part) : len;
			ok = plen > 0 && plen <= 9 &&
			    strspn(part, DIG) >= plen &&
			    bignum_muladd(
				&b, 60, (uint32_t)strtoul(part, NULL, 10)) == 0;
		}
		if (!ok)
			python_error(l,
			    "invalid literal for int() with base 10: ", part,
			    plen);
		else if ((v = bignum_value(&b, neg)) == NULL)
			fail(l, CLIYAML_ENOMEM);
		goto out;
	}
	if (bignum_parse(&b, part, len, base) == -1) {
		snprintf(msg, sizeof(msg),
		    "invalid literal for int() with base "
		    "%d: ",
		    base);
		python_error(l, msg, part, len);
		goto out;
	}
	if ((v = bignum_value(&b, neg)) == NULL)
		fail(l, CLIYAML_ENOMEM);
out:
	free(b.limb);
	free(s);
	return v;
}

/* Python's float() grammar, for an explicit !!float. */
static int
python_float_text(const char *s)
{
	size_t i = 0, d, f = 0;

	i += strspn(s + i, " \t\n\r\f\v");
	if (s[i] == '-' || s[i] == '+')
		i++;
	if (strncmp(s + i, "infinity", 8) == 0)
		i += 8;
	else if (strncmp(s + i, "inf", 3) == 0 || strncmp(s + i, "nan", 3) == 0)
		i += 3;
	else {
		d = strspn(s + i, DIG);
		i += d;
		if (s[i] == '.') {
			i++;
			f = strspn(s + i, DIG);
			i += f;
		}
		if (d == 0 && f == 0)
			return 0;
		if (s[i] == 'e') {
			i++;
			if (s[i] == '-' || s[i] == '+')
				i++;
			if ((d = strspn(s + i, DIG)) == 0)
				return 0;
			i += d;
		}
	}
	i += strspn(s + i, " \t\n\r\f\v");
	return s[i] == '\0';
}

static struct clivalue *
construct_float(struct loader *l, const char *text, size_t textlen)
{
	struct clivalue *v = NULL;
	char *s, *p, *colon;
	size_t len, i;
	double sign = 1, x = 0;

	if ((s = without_underscores(text, textlen, &len)) == NULL) {
		fail(l, CLIYAML_ENOMEM);
		return NULL;
	}
	for (i = 0; i < len; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
	p = s;
	if (len > 0 && (p[0] == '-' || p[0] == '+')) {
		if (p[0] == '-')
			sign = -1;
		p++;
	}
	if (strcmp(p, ".inf") == 0)
		x = sign * INFINITY;
	else if (strcmp(p, ".nan") == 0)
		x = NAN;
	else if (l->v11 && strchr(p, ':') != NULL) {
		for (;;) {
			colon = strchr(p, ':');
			if (colon != NULL)
				*colon = '\0';
			x = x * 60 + strtod(p, NULL);
			if (colon == NULL)
				break;
			p = colon + 1;
		}
		x *= sign;
	} else if (python_float_text(p))
		x = sign * strtod(p, NULL);
	else {
		python_error(
		    l, "could not convert string to float: ", p, strlen(p));
		goto out;
	}
	if ((v = clivalue_new(CLIV_FLOAT)) == NULL)
		fail(l, CLIYAML_ENOMEM);
	else
		v->num = x;
out:
	free(s);
	return v;
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };

	return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* Days since 0001-01-01 (Python's ordinal minus one). */
static long
day_number(int y, int m, int d)
{
	long n;
	int k;

	n = 365L * (y - 1) + (y - 1) / 4 - (y - 1) / 100 + (y - 1) / 400;
	for (k = 1; k < m; k++)
		n += month_days(y, k);
	return n + d - 1;
}

static void
from_day_number(long n, int *y, int *m, int *d)
{
	int yy = 1, mm = 1;

	while (n >= (leap(yy) ? 366 : 365)) {
		n -= leap(yy) ? 366 : 365;
		yy++;
	}
	while (n >= month_days(yy, mm)) {
		n -= month_days(yy, mm);
		mm++;
	}
	*y = yy;
	*m = mm;
	*d = (int)n + 1;
}

static struct clivalue *
construct_timestamp(struct loader *l, const char *s, size_t len)
{
	struct clivalue *v;
	struct ts t;
	long days, secs, delta = 0;
	int frac = 0, k, carry = 0;

	if (parse_ts(s, len, 0, &t) == -1) {
		fail(l, CLIYAML_EINVALID);
		return NULL;
	}
	if (t.y < 1) {
		python_error(l, "year 0 is out of range", NULL, 0);
		return NULL;
	}
	if (t.mo < 1 || t.mo > 12) {
		python_error(l, "month must be in 1..12", NULL, 0);
		return NULL;
	}
	if (t.d < 1 || t.d > month_days(t.y, t.mo)) {
		python_error(l, "day is out of range for month", NULL, 0);
		return NULL;
	}
	if ((v = clivalue_new(t.has_time ? CLIV_DATETIME : CLIV_DATE)) ==
	    NULL) {
		fail(l, CLIYAML_ENOMEM);
		return NULL;
	}
	v->dt[0] = t.y;
	v->dt[1] = t.mo;
	v->dt[2] = t.d;
	if (!t.has_time)
		return v;
	if (t.h > 23 || t.mi > 59 || t.sec > 59) {
		python_error(l,
		    t.h > 23        ? "hour must be in 0..23"
			: t.mi > 59 ? "minute must be in 0..59"
				    : "second must be in 0..59",
		    NULL, 0);
		clivalue_free(v);
		return NULL;
	}
	/* ruamel: six digits, rounded on the seventh; 1000000 is dropped
	   and costs a second of the zone offset instead */
	if (t.fraclen > 0) {
		for (k = 0; k < 6; k++)
			frac = frac * 10 +
			    (k < (int)t.fraclen ? t.frac[k] - '0' : 0);
		if (t.fraclen > 6 && t.frac[6] > '4')
			frac++;
		if (frac > 999999) {
			frac = 0;
			carry = 1;
		}
	}
	if (t.tz_sign != 0)
		delta = t.tz_sign *
		    ((long)t.tz_h * 3600 + (long)t.tz_m * 60 + carry);
	else if (carry)
		delta = -1;
	days = day_number(t.y, t.mo, t.d);
	secs = (long)t.h * 3600 + (long)t.mi * 60 + t.sec - delta;
	while (secs < 0) {
		secs += 86400;
		days--;
	}
	days += secs / 86400;
	secs %= 86400;
	if (days < 0 || days > day_number(9999, 12, 31)) {
		python_error(l, "date value out of range", NULL, 0);
		clivalue_free(v);
		return NULL;
	}
	from_day_number(days, &v->dt[0], &v->dt[1], &v->dt[2]);
	v->dt[3] = (int)(secs / 3600);
	v->dt[4] = (int)(secs / 60 % 60);
	v->dt[5] = (int)(secs % 60);
	v->dt[6] = frac;
	return v;
}

static int
b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* base64.decodebytes(): characters outside the alphabet are skipped. */
static struct clivalue *
construct_binary(struct loader *l, const char *s, size_t len)
{
	struct clivalue *v;
	struct strbuf b;
	unsigned long acc = 0;
	size_t i;
	int q = 0, x, pads = 0;

	strbuf_init(&b);
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] >= 0x80)
			goto bad;
		if (s[i] == '=') {
			if (q >= 2 && ++pads + q >= 4)
				break;
			continue;
		}
		if ((x = b64_value(s[i])) == -1 || pads > 0)
			continue;
		acc = (acc << 6) | (unsigned long)x;
		if (++q == 4) {
			strbuf_addc(&b, (char)(acc >> 16));
			strbuf_addc(&b, (char)(acc >> 8));
			strbuf_addc(&b, (char)acc);
			acc = 0;
			q = 0;
		}
	}
	if (q == 1 || (q > 1 && pads + q < 4))
		goto bad;
	if (q == 2)
		strbuf_addc(&b, (char)(acc >> 4));
	else if (q == 3) {
		strbuf_addc(&b, (char)(acc >> 10));
		strbuf_addc(&b, (char)(acc >> 2));
	}
	if (strbuf_failed(&b)) {
		fail(l, CLIYAML_ENOMEM);
		return NULL;
	}
	v = clivalue_new_str(CLIV_BYTES, b.data != NULL ? b.data : "", b.len);
	strbuf_free(&b);
	if (v == NULL)
		fail(l, CLIYAML_ENOMEM);
	return v;
bad:
	strbuf_free(&b);
	fail(l, CLIYAML_EINVALID);
	return NULL;
}

static enum ytag
explicit_tag(const char *tag)
{
	static const struct {
		const char *name;
		enum ytag tag;
	} tags[] = {
		{ "str", T_STR },
		{ "null", T_NULL },
		{ "bool", T_BOOL },
		{ "int", T_INT },
		{ "float", T_FLOAT },
		{ "timestamp", T_TIMESTAMP },
		{ "binary", T_BINARY },
		{ "merge", T_MERGE },
		{ "value", T_VALUE },
	};
	size_t i;

	if (strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX)) != 0)
		return T_UNKNOWN;
	tag += strlen(TAG_PREFIX);
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if (strcmp(tag, tags[i].name) == 0)
			return tags[i].tag;
	return T_UNKNOWN;
}

static enum ytag
scalar_tag(const struct loader *l, const struct ynode *n)
{
	if (n->tag == NULL || strcmp(n->tag, "!") == 0)
		return n->plain ? resolve(n->value, n->len, l->v11) : T_STR;
	return explicit_tag(n->tag);
}

static struct clivalue *
construct_bool(struct loader *l, const struct ynode *n)
{
	static const char *const yes[] = { "yes", "y", "true", "on", NULL };
	static const char *const no[] = { "no", "n", "false", "off", NULL };
	struct clivalue *v;
	char low[6];
	size_t i;

	if (n->len >= sizeof(low))
		goto bad;
	for (i = 0; i < n->len; i++)
		low[i] = (char)(n->value[i] >= 'A' && n->value[i] <= 'Z'
			? n->value[i] - 'A' + 'a'
			: n->value[i]);
	if (!is_one_of(low, n->len, yes) && !is_one_of(low, n->len, no))
		goto bad;
	if ((v = clivalue_new(CLIV_BOOL)) == NULL) {
		fail(l, CLIYAML_ENOMEM);
		return NULL;
	}
	v->boolean = is_one_of(low, n->len, yes);
	return v;
bad:
	/* ruamel's bool_values[...] raises a KeyError */
	python_error(l, "", n->value, n->len);
	return NULL;
}

static struct clivalue *construct(struct loader *, const struct ynode *, int);

static struct clivalue *
construct_scalar(struct loader *l, const struct ynode *n)
{
	struct clivalue *v;

	switch (scalar_tag(l, n)) {
	case T_STR:
		v = clivalue_new_str(CLIV_STR, n->value, n->len);
		break;
	case T_NULL:
		v = clivalue_new(CLIV_NONE);
		break;
	case T_BOOL:
		return construct_bool(l, n);
	case T_INT:
		return construct_int(l, n->value, n->len);
	case T_FLOAT:
		return construct_float(l, n->value, n->len);
	case T_TIMESTAMP:
		return construct_timestamp(l, n->value, n->len);
	case T_BINARY:
		return construct_binary(l, n->value, n->len);
	default:
		fail(l, CLIYAML_EINVALID);
		return NULL;
	}
	if (v == NULL)
		fail(l, CLIYAML_ENOMEM);
	return v;
}

/* A key must be hashable: no collections (ruamel turns lists into tuples,
   which is not supported here). */
static struct clivalue *
construct_key(struct loader *l, const struct ynode *n, int depth)
{
	if (n->kind != YAML_SCALAR_EVENT) {
		fail(l, CLIYAML_EINVALID);
		return NULL;
	}
	return construct(l, n, depth);
}

static int
is_merge_key(const struct loader *l, const struct ynode *k)
{
	return k->kind == YAML_SCALAR_EVENT && scalar_tag(l, k) == T_MERGE;
}

/* Adds the pairs of mapping N, merges first as ruamel's flatten_mapping. */
static int
merge_pairs(struct loader *l, const struct ynode *n, struct clivalue *map,
    int depth, int check)
{
	struct clivalue *key, *val;
	const struct ynode *m, *src;
	size_t i, j, found = 0;

	/* merged mappings first, the later ones of a list first */
	for (i = 0; i < n->n; i += 2) {
		if (!is_merge_key(l, n->kids[i]))
			continue;
		if (found++) {
			fail(l, CLIYAML_EINVALID);
			return -1;
		}
		m = n->kids[i + 1];
		if (m->kind == YAML_MAPPING_START_EVENT) {
			if (merge_pairs(l, m, map, depth + 1, 0) == -1)
				return -1;
			continue;
		}
		if (m->kind != YAML_SEQUENCE_START_EVENT) {
			fail(l, CLIYAML_EINVALID);
			return -1;
		}
		for (j = m->n; j > 0; j--) {
			src = m->kids[j - 1];
			if (src->kind != YAML_MAPPING_START_EVENT) {
				fail(l, CLIYAML_EINVALID);
				return -1;
			}
			if (merge_pairs(l, src, map, depth + 1, 0) == -1)
				return -1;
		}
	}
	for (i = 0; i < n->n; i += 2) {
		if (is_merge_key(l, n->kids[i]))
			continue;
		if ((key = construct_key(l, n->kids[i], depth + 1)) == NULL)
			return -1;
		if (check && !found) {
			for (j = 0; j < map->n; j++)
				if (clivalue_key_equal(map->keys[j], key)) {
					clivalue_free(key);
					fail(l, CLIYAML_EINVALID);
					return -1;
				}
		}
		if ((val = construct(l, n->kids[i + 1], depth + 1)) == NULL) {
			clivalue_free(key);
			return -1;
		}
		if (clivalue_map_set(map, key, val) == -1) {
			fail(l, CLIYAML_ENOMEM);
			return -1;
		}
	}
	return 0;
}

static struct clivalue *
construct(struct loader *l, const struct ynode *n, int depth)
{
	struct clivalue *v, *item;
	size_t i;
	const char *tag = n->tag;

	if (depth > CLIYAML_MAX_DEPTH || l->budget == 0 || !n->complete) {
		fail(l, CLIYAML_EINVALID);
		return NULL;
	}
	l->budget--;
	if (n->kind == YAML_SCALAR_EVENT)
		return construct_scalar(l, n);
	if (tag != NULL && strcmp(tag, "!") == 0)
		tag = NULL;
	if (n->kind == YAML_SEQUENCE_START_EVENT) {
		if (tag != NULL && strcmp(tag, TAG_PREFIX "seq") != 0) {
			fail(l, CLIYAML_EINVALID);
			return NULL;
		}
		if ((v = clivalue_new(CLIV_LIST)) == NULL) {
			fail(l, CLIYAML_ENOMEM);
			return NULL;
		}
		for (i = 0; i < n->n; i++) {
			if ((item = construct(l, n->kids[i], depth + 1)) ==
				NULL ||
			    clivalue_append(v, item) == -1) {
				fail(l, CLIYAML_ENOMEM);
				clivalue_free(v);
				return NULL;
			}
		}
		return v;
	}
	if (tag != NULL && strcmp(tag, TAG_PREFIX "map") != 0 &&
	    strcmp(tag, TAG_PREFIX "set") != 0) {
		fail(l, CLIYAML_EINVALID);
		return NULL;
	}
	if ((v = clivalue_new(CLIV_MAP)) == NULL) {
		fail(l, CLIYAML_ENOMEM);
		return NULL;
	}
	if (merge_pairs(l, n, v, depth, 1) == -1) {
		clivalue_free(v);
		return NULL;
	}
	if (tag != NULL && strcmp(tag, TAG_PREFIX "set") == 0) {
		/* a set of the keys */
		v->kind = CLIV_SET;
		for (i = 0; i < v->n; i++) {
			clivalue_free(v->items[i]);
			v->items[i] = v->keys[i];
		}
		free(v->keys);
		v->keys = NULL;
	}
	return v;
}

/* ---- composing the event stream ---- */

static struct ynode *
node_new(struct loader *l, const yaml_event_t *ev)
{
	struct ynode *n;
	const char *tag = NULL, *value = NULL;
	size_t len = 0;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	n->all = l->all;
	l->all = n;
	n->kind = ev->type;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		tag = (const char *)ev->data.scalar.tag;
		value = (const char *)ev->data.scalar.value;
		len = ev->data.scalar.length;
		n->plain = ev->data.scalar.plain_implicit;
		n->complete = 1;
		break;
	case YAML_SEQUENCE_START_EVENT:
		tag = (const char *)ev->data.sequence_start.tag;
		break;
	default:
		tag = (const char *)ev->data.mapping_start.tag;
		break;
	}
	if (tag != NULL && (n->tag = strdup(tag)) == NULL)
		return NULL;
	if (value != NULL) {
		if ((n->value = malloc(len + 1)) == NULL)
			return NULL;
		memcpy(n->value, value, len);
		n->value[len] = '\0';
		n->len = len;
	}
	return n;
}

static int
node_add(struct ynode *parent, struct ynode *kid)
{
	struct ynode **p;
	size_t cap;

	if (parent->n == parent->cap) {
		cap = parent->cap ? parent->cap * 2 : 4;
		if ((p = realloc(parent->kids, cap * sizeof(*p))) == NULL)
			return -1;
		parent->kids = p;
		parent->cap = cap;
	}
	parent->kids[parent->n++] = kid;
	return 0;
}

static int
anchor_add(struct loader *l, const char *name, struct ynode *n)
{
	struct anchor *a;
	size_t i;

	for (i = 0; i < l->nanchors; i++)
		if (strcmp(l->anchors[i].name, name) == 0) {
			l->anchors[i].node = n;
			return 0;
		}
	if ((a = realloc(l->anchors, (l->nanchors + 1) * sizeof(*a))) == NULL)
		return -1;
	l->anchors = a;
	if ((a[l->nanchors].name = strdup(name)) == NULL)
		return -1;
	a[l->nanchors++].node = n;
	return 0;
}

static struct ynode *
anchor_find(const struct loader *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->nanchors; i++)
		if (strcmp(l->anchors[i].name, name) == 0)
			return l->anchors[i].node;
	return NULL;
}

static void
loader_free(struct loader *l)
{
	struct ynode *n, *next;
	size_t i;

	for (n = l->all; n != NULL; n = next) {
		next = n->all;
		free(n->tag);
		free(n->value);
		free(n->kids);
		free(n);
	}
	for (i = 0; i < l->nanchors; i++)
		free(l->anchors[i].name);
	free(l->anchors);
}

/* ruamel's reader refuses these before parsing. */
static int
printable_input(const char *s, size_t len)
{
	size_t i = 0;
	unsigned long cp;

	while (i < len) {
		if (u8_next(s, len, &i, &cp, 1) == -1)
			return 0;
		if (!(cp == 0x09 || cp == 0x0a || cp == 0x0d ||
			(cp >= 0x20 && cp <= 0x7e) || cp == 0x85 ||
			(cp >= 0xa0 && cp <= 0xd7ff) ||
			(cp >= 0xe000 && cp <= 0xfffd) || cp >= 0x10000))
			return 0;
	}
	return 1;
}

/* Builds the node tree of the one document; *ROOT NULL for none. */
static void
compose(struct loader *l, const char *text, size_t len, struct ynode **root)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct ynode *stack[CLIYAML_MAX_DEPTH + 1], *n;
	const char *anchor;
	int depth = 0, docs = 0, done = 0;

	*root = NULL;
	if (!yaml_parser_initialize(&parser)) {
		fail(l, CLIYAML_ENOMEM);
		return;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done && l->status == CLIYAML_OK) {
		if (!yaml_parser_parse(&parser, &ev)) {
			fail(l,
			    parser.error == YAML_MEMORY_ERROR
				? CLIYAML_ENOMEM
				: CLIYAML_EINVALID);
			break;
		}
		n = NULL;
		anchor = NULL;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1)
				fail(l, CLIYAML_EINVALID);
			if (ev.data.document_start.version_directive != NULL &&
			    ev.data.document_start.version_directive->minor ==
				1)
				l->v11 = 1;
			break;
		case YAML_ALIAS_EVENT:
			if ((n = anchor_find(l,
				 (const char *)ev.data.alias.anchor)) == NULL ||
			    !n->complete)
				fail(l, CLIYAML_EINVALID);
			break;
		case YAML_SCALAR_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if ((n = node_new(l, &ev)) == NULL) {
				fail(l, CLIYAML_ENOMEM);
				break;
			}
			anchor = (const char *)(ev.type == YAML_SCALAR_EVENT
				? ev.data.scalar.anchor
				: ev.type == YAML_SEQUENCE_START_EVENT
				? ev.data.sequence_start.anchor
				: ev.data.mapping_start.anchor);
			if (anchor != NULL && anchor_add(l, anchor, n) == -1)
				fail(l, CLIYAML_ENOMEM);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			stack[--depth]->complete = 1;
			break;
		default:
			break;
		}
		if (n != NULL && l->status == CLIYAML_OK) {
			if (depth == 0)
				*root = n;
			else if (node_add(stack[depth - 1], n) == -1)
				fail(l, CLIYAML_ENOMEM);
			if (ev.type == YAML_SEQUENCE_START_EVENT ||
			    ev.type == YAML_MAPPING_START_EVENT) {
				if (depth >= CLIYAML_MAX_DEPTH)
					fail(l, CLIYAML_EINVALID);
				else
					stack[depth++] = n;
			}
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
}

enum cliyaml_status
cliyaml_load(
    const char *text, size_t len, struct clivalue **out, struct strbuf *err)
{
	struct loader l;
	struct ynode *root;

	memset(&l, 0, sizeof(l));
	l.err = err;
	l.budget = CLIYAML_MAX_NODES;
	*out = NULL;
	if (!printable_input(text, len))
		return CLIYAML_EINVALID;
	compose(&l, text, len, &root);
	if (l.status == CLIYAML_OK && root != NULL)
		*out = construct(&l, root, 0);
	loader_free(&l);
	if (l.status != CLIYAML_OK) {
		clivalue_free(*out);
		*out = NULL;
	}
	return l.status;
}

/* ---- dumping: ruamel's safe dumper is libyaml's emitter ---- */

static int
write_out(void *data, unsigned char *buf, size_t size)
{
	strbuf_add(data, buf, size);
	return !strbuf_failed(data);
}

static int
emit(yaml_emitter_t *em, yaml_event_t *ev)
{
	return yaml_emitter_emit(em, ev);
}

/* The text and tag ruamel's SafeRepresenter gives a scalar. */
static int
emit_scalar(yaml_emitter_t *em, const struct clivalue *v)
{
	struct strbuf b;
	yaml_event_t ev;
	const char *tag = TAG_PREFIX "str", *text;
	size_t len;
	int plain, ok;

	strbuf_init(&b);
	switch (v->kind) {
	case CLIV_NONE:
		strbuf_adds(&b, "null");
		tag = TAG_PREFIX "null";
		break;
	case CLIV_BOOL:
		strbuf_adds(&b, v->boolean ? "true" : "false");
		tag = TAG_PREFIX "bool";
		break;
	case CLIV_INT:
		strbuf_add(&b, v->str, v->len);
		tag = TAG_PREFIX "int";
		break;
	case CLIV_FLOAT:
		if (isnan(v->num))
			strbuf_adds(&b, ".nan");
		else if (isinf(v->num))
			strbuf_adds(&b, v->num < 0 ? "-.inf" : ".inf");
		else
			clivalue_float_repr(v->num, &b);
		tag = TAG_PREFIX "float";
		break;
	default:
		clivalue_str(v, &b);
		break;
	}
	if (strbuf_failed(&b))
		return 0;
	text = b.data != NULL ? b.data : "";
	len = b.len;
	/* plain only where the resolver reads the text back as the same type */
	plain =
	    strcmp(tag + strlen(TAG_PREFIX), cliyaml_resolve(text, len)) == 0;
	ok = yaml_scalar_event_initialize(&ev, NULL,
		 (yaml_char_t *)(uintptr_t)tag, (yaml_char_t *)(uintptr_t)text,
		 (int)len, plain, v->kind == CLIV_STR, YAML_ANY_SCALAR_STYLE) &&
	    emit(em, &ev);
	strbuf_free(&b);
	return ok;
}

static int
key_cmp(const void *a, const void *b)
{
	const struct clivalue *ka = *(struct clivalue *const *)a;
	const struct clivalue *kb = *(struct clivalue *const *)b;
	size_t n = ka->len < kb->len ? ka->len : kb->len;
	int c;

	if (ka->str == NULL || kb->str == NULL)
		return (ka->str != NULL) - (kb->str != NULL);
	if ((c = memcmp(ka->str, kb->str, n)) != 0)
		return c;
	return (ka->len > kb->len) - (ka->len < kb->len);
}

static int
emit_node(yaml_emitter_t *em, const struct clivalue *v)
{
	yaml_event_t ev;
	struct clivalue **order;
	size_t i, k;
	int ok = 1;

	if (v->kind == CLIV_LIST || v->kind == CLIV_SET) {
		if (!yaml_sequence_start_event_initialize(&ev, NULL,
			(yaml_char_t *)(uintptr_t)TAG_PREFIX "seq", 1,
			YAML_BLOCK_SEQUENCE_STYLE) ||
		    !emit(em, &ev))
			return 0;
		for (i = 0; ok && i < v->n; i++)
			ok = emit_node(em, v->items[i]);
		return ok && yaml_sequence_end_event_initialize(&ev) &&
		    emit(em, &ev);
	}
	if (v->kind != CLIV_MAP)
		return emit_scalar(em, v);
	if (!yaml_mapping_start_event_initialize(&ev, NULL,
		(yaml_char_t *)(uintptr_t)TAG_PREFIX "map", 1,
		YAML_BLOCK_MAPPING_STYLE) ||
	    !emit(em, &ev))
		return 0;
	/* SafeRepresenter sorts a dict's keys */
	if (v->n > 0 && (order = calloc(v->n, sizeof(*order))) == NULL)
		return 0;
	else if (v->n == 0)
		order = NULL;
	for (i = 0; i < v->n; i++)
		order[i] = v->keys[i];
	if (v->n > 1)
		qsort(order, v->n, sizeof(*order), key_cmp);
	for (i = 0; ok && i < v->n; i++) {
		for (k = 0; k < v->n && v->keys[k] != order[i]; k++)
			;
		ok = emit_node(em, v->keys[k]) && emit_node(em, v->items[k]);
	}
	free(order);
	return ok && yaml_mapping_end_event_initialize(&ev) && emit(em, &ev);
}

/* The document: V, or when N is not 0 the sequence of ITEMS. */
static void
dump(const struct clivalue *v, const struct clivalue *const *items, size_t n,
    struct strbuf *out)
{
	yaml_emitter_t em;
	yaml_event_t ev;
	size_t i;
	int ok;

	if (!yaml_emitter_initialize(&em)) {
		out->failed = 1;
		return;
	}
	yaml_emitter_set_output(&em, write_out, out);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_width(&em, 80);
	yaml_emitter_set_indent(&em, 2);
	ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) &&
	    emit(&em, &ev) &&
	    yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) &&
	    emit(&em, &ev);
	if (ok && v != NULL)
		ok = emit_node(&em, v);
	else if (ok) {
		ok = yaml_sequence_start_event_initialize(&ev, NULL,
			 (yaml_char_t *)(uintptr_t)TAG_PREFIX "seq", 1,
			 YAML_BLOCK_SEQUENCE_STYLE) &&
		    emit(&em, &ev);
		for (i = 0; ok && i < n; i++)
			ok = emit_node(&em, items[i]);
		ok = ok && yaml_sequence_end_event_initialize(&ev) &&
		    emit(&em, &ev);
	}
	ok = ok && yaml_document_end_event_initialize(&ev, 1) &&
	    emit(&em, &ev) && yaml_stream_end_event_initialize(&ev) &&
	    emit(&em, &ev) && yaml_emitter_flush(&em);
	yaml_emitter_delete(&em);
	if (!ok)
		out->failed = 1;
}

void
cliyaml_dump(const struct clivalue *v, struct strbuf *out)
{
	dump(v, NULL, 0, out);
}

void
cliyaml_dump_seq(
    const struct clivalue *const *items, size_t n, struct strbuf *out)
{
	dump(NULL, items, n, out);
}
