/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "tool/awscli/clijson.h"
#include "tool/awscli/clivalue.h"
#include "ses/strbuf.h"
#include "tool/awscli/u8.h"

/*
 * No JSON_REJECT_DUPLICATES: jansson then replaces a repeated key's value
 * where the key first stood, which is what a Python dict does. JSON_ALLOW_NUL
 * because json.loads() accepts "\u0000"; what a NUL means is for the caller.
 */
#define LOAD_FLAGS (JSON_DECODE_ANY | JSON_ALLOW_NUL)

static void
too_deep(int object, enum clijson_status *st, struct strbuf *err)
{
	*st = CLIJSON_EDEPTH;
	if (err != NULL)
		strbuf_addf(err,
		    "maximum recursion depth exceeded while "
		    "decoding a JSON %s from a unicode string",
		    object ? "object" : "array");
}

/*
 * The clivalue for J, or NULL: *ST says why when it is not plain lack of
 * memory.
 */
static struct clivalue *
convert(json_t *j, int depth, enum clijson_status *st, struct strbuf *err)
{
	struct clivalue *v, *key;
	json_t *item;
	const char *k;
	size_t klen, i;
	char digits[32];

	switch (json_typeof(j)) {
	case JSON_OBJECT:
	case JSON_ARRAY:
		break;
	case JSON_STRING:
		return clivalue_new_str(
		    CLIV_STR, json_string_value(j), json_string_length(j));
	case JSON_INTEGER:
		snprintf(digits, sizeof(digits), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(j));
		return clivalue_new_str(CLIV_INT, digits, strlen(digits));
	case JSON_REAL:
		if ((v = clivalue_new(CLIV_FLOAT)) != NULL)
			v->num = json_real_value(j);
		return v;
	case JSON_TRUE:
	case JSON_FALSE:
		if ((v = clivalue_new(CLIV_BOOL)) != NULL)
			v->boolean = json_is_true(j);
		return v;
	case JSON_NULL:
		return clivalue_new(CLIV_NONE);
	}
	/* jansson's own limit is deeper than the one Python has */
	if (depth >= CLIJSON_MAX_DEPTH) {
		too_deep(json_is_object(j), st, err);
		return NULL;
	}
	if (json_is_object(j)) {
		if ((v = clivalue_new(CLIV_MAP)) == NULL)
			return NULL;
		json_object_keylen_foreach(j, k, klen, item) {
			key = clivalue_new_str(CLIV_STR, k, klen);
			if (clivalue_map_set(v, key,
				convert(item, depth + 1, st, err)) == -1)
				goto bad;
		}
	} else {
		if ((v = clivalue_new(CLIV_LIST)) == NULL)
			return NULL;
		json_array_foreach(j, i, item) {
			if (clivalue_append(
				v, convert(item, depth + 1, st, err)) == -1)
				goto bad;
		}
	}
	return v;
bad:
	clivalue_free(v);
	return NULL;
}

enum clijson_status
clijson_from_jansson(json_t *j, struct clivalue **out, struct strbuf *err)
{
	enum clijson_status st = CLIJSON_OK;

	if ((*out = convert(j, 0, &st, err)) == NULL)
		return st != CLIJSON_OK ? st : CLIJSON_ENOMEM;
	return CLIJSON_OK;
}

static json_t *
to_jansson_int(const struct clivalue *v)
{
	long long n;
	char *end;

	errno = 0;
	n = strtoll(v->str, &end, 10);
	if (errno == ERANGE || *end != '\0')
		return json_real(strtod(v->str, NULL));
	return json_integer(n);
}

/* A map's key as JSON has it: a string, str() of any other key. */
static int
to_jansson_set(json_t *obj, const struct clivalue *key, json_t *item)
{
	struct strbuf b;
	int rc;

	if (key->kind == CLIV_STR)
		return json_object_setn_new_nocheck(
		    obj, key->str, key->len, item);
	strbuf_init(&b);
	clivalue_str(key, &b);
	rc = strbuf_failed(&b) ? -1
			       : json_object_setn_new_nocheck(obj,
				     b.data != NULL ? b.data : "", b.len, item);
	if (rc == -1 && strbuf_failed(&b))
		json_decref(item);
	strbuf_free(&b);
	return rc;
}

/* A container's members; false when out of memory (C is then freed). */
static bool
to_jansson_members(const struct clivalue *v, json_t *c)
{
	json_t *item;
	size_t i;

	for (i = 0; i < v->n; i++) {
		if ((item = clijson_to_jansson(v->items[i])) == NULL)
			goto fail;
		if (json_is_array(c)
			? json_array_append_new(c, item) == -1
			: to_jansson_set(c, v->keys[i], item) == -1)
			goto fail;
	}
	return true;
fail:
	json_decref(c);
	return false;
}

json_t *
clijson_to_jansson(const struct clivalue *v)
{
	struct strbuf b;
	json_t *j;

	switch (v->kind) {
	case CLIV_NONE:
		return json_null();
	case CLIV_BOOL:
		return json_boolean(v->boolean);
	case CLIV_INT:
		return to_jansson_int(v);
	case CLIV_FLOAT:
		return json_real(v->num);
	case CLIV_STR:
		return json_stringn_nocheck(v->str, v->len);
	case CLIV_LIST:
	case CLIV_SET:
		j = json_array();
		return j != NULL && to_jansson_members(v, j) ? j : NULL;
	case CLIV_MAP:
		j = json_object();
		return j != NULL && to_jansson_members(v, j) ? j : NULL;
	default:
		break;
	}
	strbuf_init(&b);
	clivalue_str(v, &b);
	j = strbuf_failed(&b)
	    ? NULL
	    : json_stringn_nocheck(b.data != NULL ? b.data : "", b.len);
	strbuf_free(&b);
	return j;
}

/*
 * jansson's message in json.loads()'s form. jansson's position is the byte
 * after the last one it read; the "char" shown is the index of that last
 * character, counted in characters from 0 as Python counts.
 */
static void
report(const char *text, size_t len, const json_error_t *e, struct strbuf *err)
{
	size_t pos = 0;

	if (e->position > 0 && (size_t)e->position <= len)
		pos = u8_count(text, (size_t)e->position) - 1;
	/* columns count from 1, also before the first character of a line */
	strbuf_addf(err, "%s: line %d column %d (char %zu)", e->text, e->line,
	    e->column > 0 ? e->column : 1, pos);
}

enum clijson_status
clijson_parse(
    const char *text, size_t len, struct clivalue **out, struct strbuf *err)
{
	enum clijson_status st = CLIJSON_OK;
	json_error_t e;
	json_t *j;

	*out = NULL;
	if ((j = json_loadb(text, len, LOAD_FLAGS, &e)) == NULL) {
		switch (json_error_code(&e)) {
		case json_error_out_of_memory:
			return CLIJSON_ENOMEM;
		case json_error_stack_overflow:
			/* e.position is just past the bracket too many */
			too_deep(e.position > 0 && (size_t)e.position <= len &&
				text[e.position - 1] == '{',
			    &st, err);
			return st;
		default:
			if (err != NULL)
				report(text, len, &e, err);
			return CLIJSON_EINVALID;
		}
	}
	*out = convert(j, 0, &st, err);
	json_decref(j);
	if (*out == NULL)
		return st != CLIJSON_OK ? st : CLIJSON_ENOMEM;
	return CLIJSON_OK;
}

void
clijson_dump_string(const char *s, size_t len, struct strbuf *b)
{
	size_t i;
	unsigned char c;

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
	size_t i;

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
