/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tool/awscli/clioutput.h"
#include "tool/awscli/clioutput_int.h"
#include "tool/awscli/clivalue.h"
#include "ses/strbuf.h"

static void
text_upper(const struct clivalue *id, struct strbuf *out)
{
	struct strbuf b;

	strbuf_init(&b);
	clivalue_str(id, &b);
	clioutput_upper(b.data != NULL ? b.data : "", b.len, out);
	strbuf_free(&b);
}

/* What goes before cell N of a row: the row's label first, else a tab. */
static void
text_cell(const struct clivalue *id, size_t n, struct strbuf *out)
{
	if (n > 0)
		strbuf_addc(out, '\t');
	else if (id != NULL) {
		text_upper(id, out);
		strbuf_addc(out, '\t');
	}
}

static void
text_map(const struct clivalue *map, const struct clivalue *id,
    const struct clivalue *scalar_keys, struct strbuf *out, struct strbuf *err)
{
	const struct clivalue *v;
	size_t *idx, i, k, nscalars = 0;
	int listed;

	if ((idx = clioutput_sorted_keys(map)) == NULL) {
		out->failed = 1;
		return;
	}
	if (scalar_keys == NULL) {
		for (i = 0; i < map->n; i++) {
			v = map->items[idx[i]];
			if (!clioutput_is_scalar(v))
				continue;
			text_cell(id, nscalars++, out);
			clivalue_str(v, out);
		}
	} else {
		for (k = 0; k < scalar_keys->n; k++) {
			text_cell(id, nscalars++, out);
			for (i = 0; i < map->n; i++)
				if (clivalue_key_equal(
					map->keys[i], scalar_keys->items[k]))
					break;
			if (i < map->n)
				clivalue_str(map->items[i], out);
		}
	}
	if (nscalars > 0)
		strbuf_addc(out, '\n');
	for (i = 0; i < map->n; i++) {
		v = map->items[idx[i]];
		if (scalar_keys == NULL) {
			if (!clioutput_is_scalar(v))
				clioutput_text(
				    v, map->keys[idx[i]], NULL, out, err);
			continue;
		}
		for (listed = 0, k = 0; k < scalar_keys->n && !listed; k++)
			listed = clivalue_key_equal(
			    map->keys[idx[i]], scalar_keys->items[k]);
		if (!listed)
			clioutput_text(v, map->keys[idx[i]], NULL, out, err);
	}
	free(idx);
}

static void
text_scalar_list(const struct clivalue *const *items, size_t n,
    const struct clivalue *id, struct strbuf *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (id != NULL) {
			text_upper(id, out);
			strbuf_addc(out, '\t');
		} else if (i > 0)
			strbuf_addc(out, '\t');
		clivalue_str(items[i], out);
		if (id != NULL)
			strbuf_addc(out, '\n');
	}
	if (id == NULL)
		strbuf_addc(out, '\n');
}

/*
 * The CLI's text output gathers the scalar keys of a list holding a dict
 * by calling items() on every member: any other member raises
 * AttributeError, whose text goes to ERR.
 */
static bool
text_all_maps(const struct clivalue *list, struct strbuf *err)
{
	const char *type, *q;
	size_t i;

	for (i = 0; i < list->n; i++) {
		if (list->items[i]->kind == CLIV_MAP)
			continue;
		type = strchr(clivalue_type(list->items[i]), '\'');
		q = type != NULL ? strchr(type + 1, '\'') : NULL;
		strbuf_addf(err, "%.*s object has no attribute 'items'",
		    q != NULL ? (int)(q - type + 1) : 0,
		    type != NULL ? type : "");
		return false;
	}
	return true;
}

static void
text_list(const struct clivalue *list, const struct clivalue *id,
    struct strbuf *out, struct strbuf *err)
{
	struct clivalue *keys, *k;
	const struct clivalue **scalars;
	const struct clivalue *v, *m;
	size_t i, j, n = 0, *idx;
	int any_map = 0, any_list = 0;

	if (list->n == 0)
		return;
	for (i = 0; i < list->n; i++) {
		any_map |= list->items[i]->kind == CLIV_MAP;
		any_list |= list->items[i]->kind == CLIV_LIST;
	}
	if (any_map) {
		if (!text_all_maps(list, err))
			return;
		/* every scalar member of any of the maps, sorted */
		if ((keys = clivalue_new(CLIV_MAP)) == NULL) {
			out->failed = 1;
			return;
		}
		for (i = 0; i < list->n; i++) {
			m = list->items[i];
			if (m->kind != CLIV_MAP)
				continue;
			for (j = 0; j < m->n; j++)
				if (clioutput_is_scalar(m->items[j]) &&
				    clivalue_map_set(keys,
					clivalue_new_str(CLIV_STR,
					    m->keys[j]->str, m->keys[j]->len),
					clivalue_new(CLIV_NONE)) == -1)
					out->failed = 1;
		}
		if ((idx = clioutput_sorted_keys(keys)) == NULL ||
		    (k = clivalue_new(CLIV_LIST)) == NULL) {
			free(idx);
			clivalue_free(keys);
			out->failed = 1;
			return;
		}
		for (i = 0; i < keys->n; i++)
			if (clivalue_append(k,
				clivalue_new_str(CLIV_STR,
				    keys->keys[idx[i]]->str,
				    keys->keys[idx[i]]->len)) == -1)
				out->failed = 1;
		for (i = 0; i < list->n; i++)
			clioutput_text(list->items[i], id, k, out, err);
		free(idx);
		clivalue_free(k);
		clivalue_free(keys);
		return;
	}
	if (!any_list) {
		text_scalar_list((const struct clivalue *const *)list->items,
		    list->n, id, out);
		return;
	}
	if ((scalars = calloc(list->n, sizeof(*scalars))) == NULL) {
		out->failed = 1;
		return;
	}
	for (i = 0; i < list->n; i++)
		if (clioutput_is_scalar(list->items[i]))
			scalars[n++] = list->items[i];
	if (n > 0)
		text_scalar_list(scalars, n, id, out);
	free(scalars);
	for (i = 0; i < list->n; i++) {
		v = list->items[i];
		if (!clioutput_is_scalar(v))
			clioutput_text(v, id, NULL, out, err);
	}
}

void
clioutput_text(const struct clivalue *v, const struct clivalue *id,
    const struct clivalue *scalar_keys, struct strbuf *out, struct strbuf *err)
{
	/* the CLI has raised an exception: nothing more is written */
	if (err->len > 0 || strbuf_failed(err))
		return;
	if (v->kind == CLIV_MAP)
		text_map(v, id, scalar_keys, out, err);
	else if (v->kind == CLIV_LIST || v->kind == CLIV_SET)
		text_list(v, id, out, err);
	else {
		clivalue_str(v, out);
		strbuf_addc(out, '\n');
	}
}
