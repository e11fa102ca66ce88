/* SPDX-License-Identifier: BSD-2-Clause */
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "tool/awscli/clijson.h"
#include "tool/awscli/clioutput.h"
#include "tool/awscli/clioutput_int.h"
#include "tool/awscli/clivalue.h"
#include "tool/awscli/cliyaml.h"
#include "ses/strbuf.h"
#include "tool/awscli/u8.h"

const char *const clioutput_names[] = { "json", "text", "table", "yaml",
	"yaml-stream", NULL };

int
clioutput_parse(const char *name, enum clioutput_format *fmt)
{
	static const enum clioutput_format formats[] = { CLIOUTPUT_JSON,
		CLIOUTPUT_TEXT, CLIOUTPUT_TABLE, CLIOUTPUT_YAML,
		CLIOUTPUT_YAML_STREAM };
	size_t i;

	for (i = 0; clioutput_names[i] != NULL; i++)
		if (strcmp(name, clioutput_names[i]) == 0) {
			*fmt = formats[i];
			return 0;
		}
	return -1;
}

int
clioutput_is_scalar(const struct clivalue *v)
{
	return v->kind != CLIV_LIST && v->kind != CLIV_MAP &&
	    v->kind != CLIV_SET;
}

/* Python's truth value. */
int
clioutput_truthy(const struct clivalue *v)
{
	switch (v->kind) {
	case CLIV_NONE:
		return 0;
	case CLIV_BOOL:
		return v->boolean;
	case CLIV_INT:
		return !(v->len == 1 && v->str[0] == '0');
	case CLIV_FLOAT:
		return v->num != 0;
	case CLIV_STR:
	case CLIV_BYTES:
		return v->len > 0;
	case CLIV_LIST:
	case CLIV_SET:
	case CLIV_MAP:
		return v->n > 0;
	default:
		return 1;
	}
}

/* The indices of a map's pairs, sorted by key as Python's sorted() does. */
size_t *
clioutput_sorted_keys(const struct clivalue *map)
{
	size_t *idx, i, j, t;
	const struct clivalue *a, *b;
	size_t n;
	int c;

	if ((idx = calloc(map->n + 1, sizeof(*idx))) == NULL)
		return NULL;
	for (i = 0; i < map->n; i++)
		idx[i] = i;
	/* insertion sort: maps here are small and it is stable */
	for (i = 1; i < map->n; i++)
		for (j = i; j > 0; j--) {
			a = map->keys[idx[j - 1]];
			b = map->keys[idx[j]];
			if (a->str == NULL || b->str == NULL)
				break;
			n = a->len < b->len ? a->len : b->len;
			c = memcmp(a->str, b->str, n);
			if (c < 0 || (c == 0 && a->len <= b->len))
				break;
			t = idx[j - 1];
			idx[j - 1] = idx[j];
			idx[j] = t;
		}
	return idx;
}

int
clioutput_wide(unsigned long cp)
{
	size_t lo = 0, hi = clioutput_wide_nranges, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cp < clioutput_wide_ranges[mid][0])
			hi = mid;
		else if (cp > clioutput_wide_ranges[mid][1])
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

void
clioutput_upper(const char *s, size_t len, struct strbuf *out)
{
	static locale_t utf8;
	static int tried;
	size_t i = 0;
	unsigned long cp;

	if (!tried) {
		tried = 1;
		utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	}
	while (i < len) {
		if (u8_next(s, len, &i, &cp, 0) == -1) {
			strbuf_addc(out, s[i++]);
			continue;
		}
		if (cp >= 'a' && cp <= 'z')
			cp -= 'a' - 'A';
		else if (cp == 0xdf) {
			strbuf_adds(out, "SS");
			continue;
		} else if (cp >= 0x80 && utf8 != (locale_t)0 &&
		    !U8_SURROGATE(cp))
			cp = (unsigned long)towupper_l((wint_t)cp, utf8);
		strbuf_addcp(out, cp);
	}
}
int
clioutput_render(enum clioutput_format fmt, const char *title,
    const struct clivalue *v, const struct clioutput_style *style,
    struct strbuf *out, struct strbuf *err)
{
	switch (fmt) {
	case CLIOUTPUT_JSON:
		if (v->kind == CLIV_MAP && v->n == 0)
			break;
		clijson_dump(v, 4, out);
		strbuf_addc(out, '\n');
		break;
	case CLIOUTPUT_TEXT:
		clioutput_text(v, NULL, NULL, out, err);
		return err->len > 0 ? -1 : 0;
	case CLIOUTPUT_TABLE:
		return clioutput_table(title, v, style, out, err);
	case CLIOUTPUT_YAML:
		if (v->kind == CLIV_MAP && v->n == 0)
			break;
		/* the CLI writes a scalar (a --query result) as JSON */
		if (v->kind == CLIV_NONE || v->kind == CLIV_BOOL ||
		    v->kind == CLIV_INT || v->kind == CLIV_FLOAT ||
		    v->kind == CLIV_STR) {
			clijson_dump(v, -1, out);
			strbuf_addc(out, '\n');
		} else
			cliyaml_dump(v, out);
		break;
	case CLIOUTPUT_YAML_STREAM:
		if (v->kind == CLIV_MAP && v->n == 0)
			break;
		cliyaml_dump_seq(&v, 1, out);
		break;
	}
	return 0;
}
