#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ses/clijson.h"
#include "ses/clivalue.h"
#include "ses/strbuf.h"
#include "ses/u8.h"

/* CPython refuses to convert integers longer than this (3.11 default). */
#define PY_INT_MAX_DIGITS	4300

struct parser {
	const char		*s;
	size_t			 len;
	int			 depth;
	enum clijson_status	 status;
	const char		*msg;	/* a JSONDecodeError's message */
	size_t			 pos;	/* its byte offset */
	struct strbuf		*err;
};

/* scan() found nothing it could read at the offset (Python's StopIteration). */
static struct clivalue	 novalue;
#define NOVALUE	(&novalue)

static struct clivalue	*scan(struct parser *, size_t *);

static void
fail(struct parser *p, const char *msg, size_t pos)
{
	if (p->status != CLIJSON_OK)
		return;
	p->status = CLIJSON_EINVALID;
	p->msg = msg;
	p->pos = pos;
}

static void
fail_other(struct parser *p, enum clijson_status st, const char *text)
{
	if (p->status != CLIJSON_OK)
		return;
	p->status = st;
	p->msg = NULL;
	if (p->err != NULL)
		strbuf_adds(p->err, text);
}

static void
nomem(struct parser *p)
{
	if (p->status == CLIJSON_OK)
		p->status = CLIJSON_ENOMEM;
}

static size_t
skip_ws(const struct parser *p, size_t i)
{
	while (i < p->len && (p->s[i] == ' ' || p->s[i] == '\t' ||
	    p->s[i] == '\n' || p->s[i] == '\r'))
		i++;
	return i;
}

static int
hex4(const char *s, unsigned long *out)
{
	unsigned long	 v = 0;
	int		 k;
	char		 c;

	for (k = 0; k < 4; k++) {
		c = s[k];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned long)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned long)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned long)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* The string whose opening quote is at Q; *END gets the offset after it. */
static struct clivalue *
scan_string(struct parser *p, size_t q, size_t *end)
{
	struct strbuf	 b;
	struct clivalue	*v;
	size_t		 i = q + 1, start;
	unsigned long	 cp, lo;
	unsigned char	 c;

	strbuf_init(&b);
	for (;;) {
		start = i;
		while (i < p->len && p->s[i] != '"' && p->s[i] != '\\' &&
		    (unsigned char)p->s[i] >= 0x20)
			i++;
		strbuf_add(&b, p->s + start, i - start);
		if (i == p->len) {
			fail(p, "Unterminated string starting at", q);
			goto bad;
		}
		c = (unsigned char)p->s[i];
		if (c == '"')
			break;
		if (c < 0x20) {
			fail(p, "Invalid control character at", i);
			goto bad;
		}
		/* a backslash at i */
		if (i + 1 == p->len) {
			fail(p, "Unterminated string starting at", q);
			goto bad;
		}
		c = (unsigned char)p->s[i + 1];
		if (c != 'u') {
			switch (c) {
			case '"': case '\\': case '/':
				strbuf_addc(&b, (char)c);
				break;
			case 'b':
				strbuf_addc(&b, '\b');
				break;
			case 'f':
				strbuf_addc(&b, '\f');
				break;
			case 'n':
				strbuf_addc(&b, '\n');
				break;
			case 'r':
				strbuf_addc(&b, '\r');
				break;
			case 't':
				strbuf_addc(&b, '\t');
				break;
			default:
				fail(p, "Invalid \\escape", i);
				goto bad;
			}
			i += 2;
			continue;
		}
		/* CPython wants the four digits and one more character. */
		if (i + 2 + 4 >= p->len || hex4(p->s + i + 2, &cp) == -1) {
			fail(p, "Invalid \\uXXXX escape", i + 1);
			goto bad;
		}
		i += 6;
		if (cp >= 0xd800 && cp <= 0xdbff && i + 6 < p->len &&
		    p->s[i] == '\\' && p->s[i + 1] == 'u') {
			if (hex4(p->s + i + 2, &lo) == -1) {
				fail(p, "Invalid \\uXXXX escape", i + 1);
				goto bad;
			}
			if (lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				i += 6;
			}
		}
		strbuf_addcp(&b, cp);
	}
	*end = i + 1;
	if (strbuf_failed(&b)) {
		nomem(p);
		goto bad;
	}
	v = clivalue_new_str(CLIV_STR, b.data != NULL ? b.data : "", b.len);
	strbuf_free(&b);
	if (v == NULL)
		nomem(p);
	return v;
bad:
	strbuf_free(&b);
	return NULL;
}

static int
isdig(const struct parser *p, size_t i)
{
	return i < p->len && p->s[i] >= '0' && p->s[i] <= '9';
}

static struct clivalue *
scan_number(struct parser *p, size_t start, size_t *end)
{
	struct clivalue	*v;
	size_t		 i = start, e, ndig;
	int		 is_float = 0;
	char		*text;

	if (p->s[i] == '-') {
		i++;
		if (i >= p->len)
			return NOVALUE;
	}
	if (p->s[i] >= '1' && p->s[i] <= '9') {
		while (isdig(p, i))
			i++;
	} else if (p->s[i] == '0')
		i++;
	else
		return NOVALUE;
	if (i + 1 < p->len && p->s[i] == '.' && isdig(p, i + 1)) {
		is_float = 1;
		i += 2;
		while (isdig(p, i))
			i++;
	}
	if (i + 1 < p->len && (p->s[i] == 'e' || p->s[i] == 'E')) {
		e = i++;
		if (i + 1 < p->len && (p->s[i] == '-' || p->s[i] == '+'))
			i++;
		while (isdig(p, i))
			i++;
		if (p->s[i - 1] >= '0' && p->s[i - 1] <= '9')
			is_float = 1;
		else
			i = e;
	}
	*end = i;
	if (is_float) {
		if ((text = strndup(p->s + start, i - start)) == NULL ||
		    (v = clivalue_new(CLIV_FLOAT)) == NULL) {
			free(text);
			nomem(p);
			return NULL;
		}
		v->num = strtod(text, NULL);
		free(text);
		return v;
	}
	ndig = i - start - (p->s[start] == '-');
	if (ndig > PY_INT_MAX_DIGITS) {
		if (p->err != NULL)
			strbuf_addf(p->err, "Exceeds the limit (%d digits) for "
			    "integer string conversion: value has %zu digits; "
			    "use sys.set_int_max_str_digits() to increase the "
			    "limit", PY_INT_MAX_DIGITS, ndig);
		if (p->status == CLIJSON_OK) {
			p->status = CLIJSON_EINVALID;
			p->msg = NULL;
		}
		return NULL;
	}
	if (i - start == 2 && p->s[start] == '-' && p->s[start + 1] == '0')
		start++;	/* int("-0") is 0 */
	if ((v = clivalue_new_str(CLIV_INT, p->s + start, i - start)) == NULL)
		nomem(p);
	return v;
}

static struct clivalue *
scan_object(struct parser *p, size_t i, size_t *end)
{
	struct clivalue	*obj, *key, *val;

	if ((obj = clivalue_new(CLIV_MAP)) == NULL) {
		nomem(p);
		return NULL;
	}
	i = skip_ws(p, i);
	if (i >= p->len || p->s[i] != '}') {
		while (i < p->len) {
			if (p->s[i] != '"') {
				fail(p, "Expecting property name enclosed in "
				    "double quotes", i);
				goto bad;
			}
			if ((key = scan_string(p, i, &i)) == NULL)
				goto bad;
			i = skip_ws(p, i);
			if (i >= p->len || p->s[i] != ':') {
				clivalue_free(key);
				fail(p, "Expecting ':' delimiter", i);
				goto bad;
			}
			i = skip_ws(p, i + 1);
			val = scan(p, &i);
			if (val == NOVALUE)
				fail(p, "Expecting value", i);
			if (val == NULL || val == NOVALUE) {
				clivalue_free(key);
				goto bad;
			}
			if (clivalue_map_set(obj, key, val) == -1) {
				nomem(p);
				goto bad;
			}
			i = skip_ws(p, i);
			if (i < p->len && p->s[i] == '}')
				break;
			if (i >= p->len || p->s[i] != ',') {
				fail(p, "Expecting ',' delimiter", i);
				goto bad;
			}
			i = skip_ws(p, i + 1);
		}
		if (i >= p->len || p->s[i] != '}') {
			fail(p, "Expecting property name enclosed in double "
			    "quotes", i);
			goto bad;
		}
	}
	*end = i + 1;
	return obj;
bad:
	clivalue_free(obj);
	return NULL;
}

static struct clivalue *
scan_array(struct parser *p, size_t i, size_t *end)
{
	struct clivalue	*arr, *val;

	if ((arr = clivalue_new(CLIV_LIST)) == NULL) {
		nomem(p);
		return NULL;
	}
	i = skip_ws(p, i);
	if (i >= p->len || p->s[i] != ']') {
		while (i < p->len) {
			val = scan(p, &i);
			if (val == NOVALUE)
				fail(p, "Expecting value", i);
			if (val == NULL || val == NOVALUE)
				goto bad;
			if (clivalue_append(arr, val) == -1) {
				nomem(p);
				goto bad;
			}
			i = skip_ws(p, i);
			if (i < p->len && p->s[i] == ']')
				break;
			if (i >= p->len || p->s[i] != ',') {
				fail(p, "Expecting ',' delimiter", i);
				goto bad;
			}
			i = skip_ws(p, i + 1);
		}
		if (i >= p->len || p->s[i] != ']') {
			fail(p, "Expecting value", i);
			goto bad;
		}
	}
	*end = i + 1;
	return arr;
bad:
	clivalue_free(arr);
	return NULL;
}

static int
literal(const struct parser *p, size_t i, const char *word)
{
	size_t	 n = strlen(word);

	return p->len - i >= n && memcmp(p->s + i, word, n) == 0;
}

static struct clivalue *
constant(struct parser *p, enum clivalue_kind kind, int b, double num)
{
	struct clivalue	*v;

	if ((v = clivalue_new(kind)) == NULL) {
		nomem(p);
		return NULL;
	}
	v->boolean = b;
	v->num = num;
	return v;
}

/*
 * The value at *I (which it advances), NOVALUE when none starts there, or
 * NULL after an error.
 */
static struct clivalue *
scan(struct parser *p, size_t *ip)
{
	struct clivalue	*v;
	size_t		 i = *ip, end = i;

	if (i >= p->len)
		return NOVALUE;
	switch (p->s[i]) {
	case '"':
		v = scan_string(p, i, &end);
		break;
	case '{':
	case '[':
		if (p->depth >= CLIJSON_MAX_DEPTH) {
			fail_other(p, CLIJSON_EDEPTH, p->s[i] == '{' ?
			    "maximum recursion depth exceeded while decoding "
			    "a JSON object from a unicode string" :
			    "maximum recursion depth exceeded while decoding "
			    "a JSON array from a unicode string");
			return NULL;
		}
		p->depth++;
		v = p->s[i] == '{' ? scan_object(p, i + 1, &end) :
		    scan_array(p, i + 1, &end);
		p->depth--;
		break;
	case 'n':
		if (!literal(p, i, "null"))
			return NOVALUE;
		v = constant(p, CLIV_NONE, 0, 0);
		end = i + 4;
		break;
	case 't':
		if (!literal(p, i, "true"))
			return NOVALUE;
		v = constant(p, CLIV_BOOL, 1, 0);
		end = i + 4;
		break;
	case 'f':
		if (!literal(p, i, "false"))
			return NOVALUE;
		v = constant(p, CLIV_BOOL, 0, 0);
		end = i + 5;
		break;
	case 'N':
		if (!literal(p, i, "NaN"))
			return NOVALUE;
		v = constant(p, CLIV_FLOAT, 0, NAN);
		end = i + 3;
		break;
	case 'I':
		if (!literal(p, i, "Infinity"))
			return NOVALUE;
		v = constant(p, CLIV_FLOAT, 0, INFINITY);
		end = i + 8;
		break;
	case '-':
		if (literal(p, i, "-Infinity")) {
			v = constant(p, CLIV_FLOAT, 0, -INFINITY);
			end = i + 9;
			break;
		}
		v = scan_number(p, i, &end);
		break;
	default:
		v = scan_number(p, i, &end);
		break;
	}
	if (v != NULL && v != NOVALUE)
		*ip = end;
	return v;
}

static void
report(const struct parser *p)
{
	size_t	 pos, line = 1, col, i, nl = 0, seen_nl = 0;

	if (p->err == NULL || p->msg == NULL)
		return;
	pos = u8_count(p->s, p->pos);
	for (i = 0; i < p->pos; i++)
		if (p->s[i] == '\n') {
			line++;
			nl = i;
			seen_nl = 1;
		}
	col = seen_nl ? pos - u8_count(p->s, nl) : pos + 1;
	strbuf_addf(p->err, "%s: line %zu column %zu (char %zu)", p->msg, line,
	    col, pos);
}

enum clijson_status
clijson_parse(const char *text, size_t len, struct clivalue **out,
    struct strbuf *err)
{
	struct parser	 p;
	struct clivalue	*v;
	size_t		 i;

	memset(&p, 0, sizeof(p));
	p.s = text;
	p.len = len;
	p.err = err;
	*out = NULL;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		fail(&p, "Unexpected UTF-8 BOM (decode using utf-8-sig)", 0);
		report(&p);
		return p.status;
	}
	i = skip_ws(&p, 0);
	v = scan(&p, &i);
	if (v == NOVALUE) {
		fail(&p, "Expecting value", i);
		v = NULL;
	}
	if (v != NULL) {
		i = skip_ws(&p, i);
		if (i != len) {
			fail(&p, "Extra data", i);
			clivalue_free(v);
			v = NULL;
		}
	}
	if (v == NULL) {
		if (p.status == CLIJSON_OK)
			p.status = CLIJSON_ENOMEM;
		report(&p);
		return p.status;
	}
	*out = v;
	return CLIJSON_OK;
}

void
clijson_dump_string(const char *s, size_t len, struct strbuf *b)
{
	size_t		 i;
	unsigned char	 c;

	strbuf_addc(b, '"');
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		switch (c) {
		case '"':
			strbuf_adds(b, "\\\"");
			break;
		case '\\':
			strbuf_adds(b, "\\\\");
			break;
		case '\n':
			strbuf_adds(b, "\\n");
			break;
		case '\r':
			strbuf_adds(b, "\\r");
			break;
		case '\t':
			strbuf_adds(b, "\\t");
			break;
		case '\b':
			strbuf_adds(b, "\\b");
			break;
		case '\f':
			strbuf_adds(b, "\\f");
			break;
		default:
			if (c < 0x20)
				strbuf_addf(b, "\\u%04x", c);
			else
				strbuf_addc(b, (char)c);
		}
	}
	strbuf_addc(b, '"');
}

static void
newline(struct strbuf *b, int indent, int level)
{
	strbuf_addc(b, '\n');
	strbuf_addn(b, ' ', (size_t)indent * (size_t)level);
}

static void
dump(const struct clivalue *v, int indent, int level, struct strbuf *b)
{
	size_t	 i;

	switch (v->kind) {
	case CLIV_NONE:
		strbuf_adds(b, "null");
		return;
	case CLIV_BOOL:
		strbuf_adds(b, v->boolean ? "true" : "false");
		return;
	case CLIV_INT:
		strbuf_add(b, v->str, v->len);
		return;
	case CLIV_FLOAT:
		if (isnan(v->num))
			strbuf_adds(b, "NaN");
		else if (isinf(v->num))
			strbuf_adds(b, v->num < 0 ? "-Infinity" : "Infinity");
		else
			clivalue_float_repr(v->num, b);
		return;
	case CLIV_STR:
	case CLIV_BYTES:
		clijson_dump_string(v->str, v->len, b);
		return;
	case CLIV_DATE:
	case CLIV_DATETIME:
		strbuf_addc(b, '"');
		clivalue_str(v, b);
		strbuf_addc(b, '"');
		return;
	case CLIV_LIST:
	case CLIV_SET:
	case CLIV_MAP:
		break;
	}
	if (v->n == 0) {
		strbuf_adds(b, v->kind == CLIV_MAP ? "{}" : "[]");
		return;
	}
	strbuf_addc(b, v->kind == CLIV_MAP ? '{' : '[');
	for (i = 0; i < v->n; i++) {
		if (i > 0)
			strbuf_addc(b, ',');
		if (indent >= 0)
			newline(b, indent, level + 1);
		else if (i > 0)
			strbuf_addc(b, ' ');
		if (v->kind == CLIV_MAP) {
			if (v->keys[i]->kind == CLIV_STR)
				dump(v->keys[i], indent, level + 1, b);
			else {
				strbuf_addc(b, '"');
				clivalue_str(v->keys[i], b);
				strbuf_addc(b, '"');
			}
			strbuf_adds(b, ": ");
		}
		dump(v->items[i], indent, level + 1, b);
	}
	if (indent >= 0)
		newline(b, indent, level);
	strbuf_addc(b, v->kind == CLIV_MAP ? '}' : ']');
}

void
clijson_dump(const struct clivalue *v, int indent, struct strbuf *out)
{
	dump(v, indent, 0, out);
}
