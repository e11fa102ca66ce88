/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tool/awscli/clioutput.h"
#include "tool/awscli/clioutput_int.h"
#include "tool/awscli/clivalue.h"
#include "ses/strbuf.h"
#include "tool/awscli/u8.h"

#define COLOR_RESET "\033[0m"
#define COLOR_ROW "\033[1m\033[34m"
#define COLOR_INDENT "\033[2m\033[33m"

struct row {
	char **cells;
	size_t n;
};

struct section {
	char *title;
	struct row headers;
	struct row *rows;
	size_t nrows;
	size_t ncols;   /* as the first header or row set it */
	bool has_ncols; /* Python's _num_cols is not None: 0 is a count */
	size_t *maxw;   /* nmaxw entries */
	size_t nmaxw;   /* 0: the next header or row sets them */
	int indent;
};

struct table {
	struct section *sections;
	size_t n;
	int failed;  /* stop building: out of memory, or refused */
	int refused; /* the CLI raises an exception here; ERR says which */
	struct strbuf *err;
	const struct clioutput_style *style;
	struct strbuf *out;
};

/* get_text_length(): East Asian wide and ambiguous characters count two. */
static size_t
text_width(const char *s)
{
	size_t i = 0, len = strlen(s), w = 0;
	unsigned long cp;

	while (i < len) {
		if (u8_next(s, len, &i, &cp, 0) == -1) {
			i++;
			w++;
			continue;
		}
		w += clioutput_wide(cp) ? 2 : 1;
	}
	return w;
}

/* Python's len(): code points. */
static size_t
text_len(const char *s)
{
	return u8_count(s, strlen(s));
}

static struct section *
new_section(struct table *t, const char *title, int indent)
{
	struct section *s;

	if (t->failed)
		return NULL;
	s = realloc(t->sections, (t->n + 1) * sizeof(*s));
	if (s == NULL) {
		t->failed = 1;
		return NULL;
	}
	t->sections = s;
	s = &t->sections[t->n++];
	memset(s, 0, sizeof(*s));
	s->indent = indent;
	if ((s->title = strdup(title != NULL ? title : "")) == NULL)
		t->failed = 1;
	return s;
}

static struct section *
current(struct table *t)
{
	return t->n > 0 && !t->failed ? &t->sections[t->n - 1] : NULL;
}

/*
 * Section._update_max_widths(): an empty list of widths is set again by
 * the next header or row, so a 0-column header does not fix the widths.
 */
static void
update_widths(struct table *t, struct section *s, const struct row *r)
{
	size_t i, w;

	if (s->nmaxw == 0) {
		free(s->maxw);
		if ((s->maxw = calloc(r->n + 1, sizeof(*s->maxw))) == NULL) {
			t->failed = 1;
			return;
		}
		s->nmaxw = r->n;
		for (i = 0; i < r->n; i++)
			s->maxw[i] = text_width(r->cells[i]);
		return;
	}
	for (i = 0; i < r->n && i < s->nmaxw; i++)
		if ((w = text_width(r->cells[i])) > s->maxw[i])
			s->maxw[i] = w;
}

/* The first header or row sets the column count, 0 included. */
static void
set_ncols(struct section *s, size_t n)
{
	if (s->has_ncols)
		return;
	s->ncols = n;
	s->has_ncols = true;
}

static int
make_row(struct table *t, struct row *r, const struct clivalue *const *vals,
    const char *const *texts, size_t n)
{
	struct strbuf b;
	size_t i;

	r->n = 0;
	if ((r->cells = calloc(n + 1, sizeof(*r->cells))) == NULL) {
		t->failed = 1;
		return -1;
	}
	for (i = 0; i < n; i++) {
		strbuf_init(&b);
		if (vals != NULL && vals[i] != NULL)
			clivalue_str(vals[i], &b);
		else if (texts != NULL && texts[i] != NULL)
			strbuf_adds(&b, texts[i]);
		if ((r->cells[i] = strbuf_take(&b, NULL)) == NULL) {
			t->failed = 1;
			return -1;
		}
		r->n++;
	}
	return 0;
}

static void
free_row(struct row *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->cells[i]);
	free(r->cells);
	r->cells = NULL;
	r->n = 0;
}

static void
add_header(
    struct table *t, struct section *s, const char *const *texts, size_t n)
{
	if (s == NULL)
		return;
	free_row(&s->headers);
	if (make_row(t, &s->headers, NULL, texts, n) == -1)
		return;
	update_widths(t, s, &s->headers);
	set_ncols(s, n);
}

static void
add_row(struct table *t, struct section *s, const struct clivalue *const *vals,
    const char *const *texts, size_t n)
{
	struct row *r;

	if (s == NULL)
		return;
	set_ncols(s, n);
	if (n != s->ncols) {
		strbuf_addf(t->err,
		    "Row should have %zu elements, instead it has %zu",
		    s->ncols, n);
		t->refused = t->failed = 1;
		return;
	}
	if ((r = realloc(s->rows, (s->nrows + 1) * sizeof(*r))) == NULL) {
		t->failed = 1;
		return;
	}
	s->rows = r;
	r = &s->rows[s->nrows];
	if (make_row(t, r, vals, texts, n) == -1)
		return;
	s->nrows++;
	update_widths(t, s, r);
}

static int build(struct table *, const char *, const struct clivalue *, int);

/* The value of KEY (a key of another map) in MAP, or NULL. */
static const struct clivalue *
lookup(const struct clivalue *map, const struct clivalue *key)
{
	size_t i;

	for (i = 0; i < map->n; i++)
		if (clivalue_key_equal(map->keys[i], key))
			return map->items[i];
	return NULL;
}

static void
build_from_dict(struct table *t, const struct clivalue *map, int indent)
{
	const struct clivalue **vals;
	const char **names;
	size_t *idx, *more, n = 0, nmore = 0, i, k;

	idx = clioutput_sorted_keys(map);
	names = calloc(map->n + 1, sizeof(*names));
	vals = calloc(map->n + 1, sizeof(*vals));
	more = calloc(map->n + 1, sizeof(*more));
	if (idx == NULL || names == NULL || vals == NULL || more == NULL) {
		t->failed = 1;
		goto out;
	}
	/* scalar members in a row, sorted; the others as sections after */
	for (i = 0; i < map->n; i++) {
		k = idx[i];
		if (map->keys[k]->kind != CLIV_STR)
			continue;
		if (clioutput_is_scalar(map->items[k])) {
			names[n] = map->keys[k]->str;
			vals[n++] = map->items[k];
		} else
			more[nmore++] = k;
	}
	if (n == 1) {
		const char *texts[2] = { names[0], NULL };
		const struct clivalue *pair[2] = { NULL, vals[0] };

		add_row(t, current(t), pair, texts, 2);
	} else if (n > 1) {
		add_header(t, current(t), names, n);
		add_row(t, current(t), vals, NULL, n);
	}
	for (i = 0; i < nmore; i++)
		build(t, map->keys[more[i]]->str, map->items[more[i]],
		    indent + 1);
out:
	free(idx);
	free(names);
	free(vals);
	free(more);
}

/*
 * KEYS gets every string key of the maps in LIST once, its value a BOOL
 * that is true when some map holds a collection under it.
 */
static int
list_keys(const struct clivalue *list, struct clivalue *keys)
{
	const struct clivalue *m;
	size_t i, j, k;

	for (i = 0; i < list->n; i++) {
		m = list->items[i];
		if (m->kind != CLIV_MAP)
			continue;
		for (j = 0; j < m->n; j++) {
			if (m->keys[j]->kind != CLIV_STR)
				continue;
			for (k = 0; k < keys->n; k++)
				if (clivalue_key_equal(
					keys->keys[k], m->keys[j]))
					break;
			if (k == keys->n &&
			    clivalue_map_set(keys,
				clivalue_new_str(
				    CLIV_STR, m->keys[j]->str, m->keys[j]->len),
				clivalue_new(CLIV_BOOL)) == -1)
				return -1;
			if (!clioutput_is_scalar(m->items[j]))
				keys->items[k]->boolean = 1;
		}
	}
	return 0;
}

static void
build_from_list(
    struct table *t, const struct clivalue *list, int indent, const char *title)
{
	struct clivalue *keys;
	const struct clivalue *m, *v, **vals, **hdr, **more;
	const char **names;
	size_t *idx = NULL, i, j, nh = 0, nmore = 0;
	int first = 1;

	if ((keys = clivalue_new(CLIV_MAP)) == NULL ||
	    list_keys(list, keys) == -1) {
		clivalue_free(keys);
		t->failed = 1;
		return;
	}
	hdr = calloc(keys->n + 1, sizeof(*hdr));
	names = calloc(keys->n + 1, sizeof(*names));
	more = calloc(keys->n + 1, sizeof(*more));
	vals = calloc(keys->n + 1, sizeof(*vals));
	if (hdr == NULL || names == NULL || more == NULL || vals == NULL ||
	    (idx = clioutput_sorted_keys(keys)) == NULL) {
		t->failed = 1;
		goto out;
	}
	for (i = 0; i < keys->n; i++) {
		if (keys->items[idx[i]]->boolean)
			more[nmore++] = keys->keys[idx[i]];
		else {
			hdr[nh] = keys->keys[idx[i]];
			names[nh++] = keys->keys[idx[i]]->str;
		}
	}
	add_header(t, current(t), names, nh);
	for (i = 0; i < list->n; i++) {
		m = list->items[i];
		if (m->kind != CLIV_MAP)
			continue;
		if (!first && nmore > 0) {
			new_section(t, title, indent);
			add_header(t, current(t), names, nh);
		}
		first = 0;
		/* a member some maps lack is an empty cell */
		for (j = 0; j < nh; j++)
			vals[j] = lookup(m, hdr[j]);
		add_row(t, current(t), vals, NULL, nh);
		for (j = 0; j < nmore; j++)
			if ((v = lookup(m, more[j])) != NULL)
				build(t, more[j]->str, v, indent + 1);
	}
out:
	free(idx);
	free(hdr);
	free(names);
	free(more);
	free(vals);
	clivalue_free(keys);
}

static int
build(struct table *t, const char *title, const struct clivalue *v, int indent)
{
	const struct clivalue *item;
	size_t i, j;
	int all;

	if (!clioutput_truthy(v) || t->failed)
		return 0;
	if (title != NULL)
		new_section(t, title, indent);
	if (v->kind == CLIV_LIST) {
		if (v->items[0]->kind == CLIV_MAP)
			build_from_list(t, v, indent, title);
		else
			for (i = 0; i < v->n; i++) {
				item = v->items[i];
				if (clioutput_is_scalar(item)) {
					add_row(t, current(t), &item, NULL, 1);
					continue;
				}
				/*
				 * The CLI tests "all scalar" by iterating the
				 * item, which for a dict yields its keys: a
				 * map here is a row of its keys.
				 */
				if (item->kind == CLIV_MAP) {
					add_row(t, current(t),
					    (const struct clivalue *const *)
						item->keys,
					    NULL, item->n);
					continue;
				}
				for (all = 1, j = 0; j < item->n; j++)
					all &=
					    clioutput_is_scalar(item->items[j]);
				if (all && item->kind == CLIV_LIST)
					add_row(t, current(t),
					    (const struct clivalue *const *)
						item->items,
					    NULL, item->n);
				else
					build(t, NULL, item, 0);
			}
	}
	if (v->kind == CLIV_MAP)
		build_from_dict(t, v, indent);
	return 1;
}

/* Python's round() of a non-negative float: halves go to the even side. */
static long
round_even(double x)
{
	long i = (long)x;
	double frac = x - (double)i;

	if (frac > 0.5 || (frac == 0.5 && (i & 1)))
		i++;
	return i;
}

/* Section.calculate_column_widths(); WIDTHS has s->ncols entries. */
static void
column_widths(const struct section *s, size_t padding, long max, long *widths)
{
	double scale, sum = 0;
	long off;
	size_t i;

	for (i = 0; i < s->ncols; i++) {
		widths[i] = (long)(s->maxw[i] + padding);
		sum += (double)widths[i];
	}
	if (max < 0 || s->ncols == 0)
		return;
	scale = (double)max / sum;
	off = -max;
	for (i = 0; i < s->ncols; i++) {
		widths[i] = round_even(scale * (double)widths[i]);
		off += widths[i];
	}
	while (off != 0) {
		for (i = 0; i < s->ncols; i++) {
			size_t k = off < 0 ? s->ncols - 1 - i : i;

			if (off > 0) {
				widths[k]--;
				off--;
			} else {
				widths[k]++;
				off++;
			}
			if (off == 0)
				break;
		}
	}
}

static long
total_width(const struct section *s)
{
	long total = 0, w[64], titlew;
	size_t i;

	if (s->ncols > 0 && s->ncols <= 64) {
		column_widths(s, 0, -1, w);
		for (i = 0; i < s->ncols; i++)
			total += w[i] + 4;
	}
	total += 2 + 2L * s->indent;
	titlew = (long)text_width(s->title) + 2 + 2L * s->indent;
	return titlew > total ? titlew : total;
}

static long
max_width(const struct table *t)
{
	long m = 0, w;
	size_t i;

	for (i = 0; i < t->n; i++)
		if ((w = total_width(&t->sections[i])) > m)
			m = w;
	return m;
}

/* One-row sections with headers become header/value rows. */
static void
go_vertical(struct table *t)
{
	struct section *s;
	struct row old;
	const char *pair[2];
	size_t i, k;

	for (i = 0; i < t->n; i++) {
		s = &t->sections[i];
		if (s->nrows != 1 || s->headers.n == 0)
			continue;
		old = s->rows[0];
		free(s->rows);
		s->rows = NULL;
		s->nrows = 0;
		free(s->maxw);
		s->maxw = NULL;
		s->nmaxw = 0;
		s->ncols = 0;
		s->has_ncols = false;
		for (k = 0; k < s->headers.n && k < old.n; k++) {
			pair[0] = s->headers.cells[k];
			pair[1] = old.cells[k];
			add_row(t, s, NULL, pair, 2);
		}
		free_row(&s->headers);
		free_row(&old);
	}
}

/* A write to the terminal; colorama's autoreset follows each one. */
static void
put(struct table *t, const char *s, size_t n)
{
	strbuf_add(t->out, s, n);
	if (t->style->color)
		strbuf_adds(t->out, COLOR_RESET);
}

static void
puts_(struct table *t, const char *s)
{
	put(t, s, strlen(s));
}

static void
spaces(struct strbuf *b, long n)
{
	if (n > 0)
		strbuf_addn(b, ' ', (size_t)n);
}

static void
center(struct strbuf *b, const char *text, long length, const char *left,
    const char *right)
{
	long tl = (long)text_width(text), start, so_far;

	start = length / 2 - tl / 2 - 1;
	strbuf_adds(b, left);
	spaces(b, start);
	strbuf_adds(b, text);
	so_far = (long)text_width(left) + (start > 0 ? start : 0) + tl;
	spaces(b, length - (long)text_width(right) - so_far);
	strbuf_adds(b, right);
}

static void
align_left(struct table *t, struct strbuf *b, const char *text, long length,
    const char *left)
{
	long tl = (long)text_width(text), pad, so_far;

	pad = length - (tl + 2 + (long)text_len(left) + 1) >= 0 ? 2 : 0;
	strbuf_adds(b, left);
	spaces(b, pad);
	if (t->style->color)
		strbuf_adds(b, COLOR_ROW);
	strbuf_adds(b, text);
	if (t->style->color)
		strbuf_adds(b, COLOR_RESET);
	so_far = (long)text_len(left) + pad + tl;
	spaces(b, length - so_far - 1);
	strbuf_addc(b, '|');
}

/* IndentedStream.write() of one line (LINE without its newline). */
static void
indented(struct table *t, int indent, const char *line)
{
	struct strbuf edge;
	int i;

	strbuf_init(&edge);
	for (i = 0; i < indent; i++) {
		if (t->style->color)
			strbuf_adds(&edge, COLOR_INDENT);
		strbuf_addc(&edge, '|');
		if (t->style->color)
			strbuf_adds(&edge, COLOR_RESET);
	}
	put(t, edge.data != NULL ? edge.data : "", edge.len);
	puts_(t, line);
	put(t, edge.data != NULL ? edge.data : "", edge.len);
	puts_(t, "\n");
	if (strbuf_failed(&edge))
		t->failed = 1;
	strbuf_free(&edge);
}

static void
line_break(struct strbuf *b, const long *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i == 0) {
			strbuf_addc(b, '+');
			if (w[i] > 2)
				strbuf_addn(b, '-', (size_t)(w[i] - 2));
		} else if (w[i] > 1)
			strbuf_addn(b, '-', (size_t)(w[i] - 1));
		strbuf_addc(b, '+');
	}
}

static void
render_section(struct table *t, const struct section *s, long max)
{
	struct strbuf b;
	long w[64];
	size_t i, k;

	max -= 2L * s->indent;
	strbuf_init(&b);
	if (s->title[0] != '\0') {
		center(&b, s->title, max, "|", "|");
		indented(t, s->indent, b.data);
		strbuf_free(&b);
		if (s->headers.n == 0 && s->nrows == 0) {
			strbuf_addc(&b, '+');
			if (max > 2)
				strbuf_addn(&b, '-', (size_t)(max - 2));
			strbuf_addc(&b, '+');
			indented(t, s->indent, b.data);
			strbuf_free(&b);
		}
	}
	if (s->ncols == 0 || s->ncols > 64)
		return;
	column_widths(s, 4, max, w);
	if (s->headers.n > 0) {
		line_break(&b, w, s->ncols);
		indented(t, s->indent, b.data);
		strbuf_free(&b);
		for (i = 0; i < s->ncols && i < s->headers.n; i++)
			center(&b, s->headers.cells[i], w[i], i == 0 ? "|" : "",
			    "|");
		indented(t, s->indent, b.data != NULL ? b.data : "");
		strbuf_free(&b);
	}
	if (s->nrows == 0)
		return;
	line_break(&b, w, s->ncols);
	indented(t, s->indent, b.data);
	strbuf_free(&b);
	for (k = 0; k < s->nrows; k++) {
		for (i = 0; i < s->ncols && i < s->rows[k].n; i++)
			align_left(t, &b, s->rows[k].cells[i], w[i],
			    i == 0 ? "|" : "");
		indented(t, s->indent, b.data != NULL ? b.data : "");
		strbuf_free(&b);
	}
	line_break(&b, w, s->ncols);
	indented(t, s->indent, b.data);
	strbuf_free(&b);
}

static void
table_free(struct table *t)
{
	struct section *s;
	size_t i, k;

	for (i = 0; i < t->n; i++) {
		s = &t->sections[i];
		free(s->title);
		free_row(&s->headers);
		for (k = 0; k < s->nrows; k++)
			free_row(&s->rows[k]);
		free(s->rows);
		free(s->maxw);
	}
	free(t->sections);
}

int
clioutput_table(const char *title, const struct clivalue *v,
    const struct clioutput_style *style, struct strbuf *out, struct strbuf *err)
{
	struct table t;
	struct strbuf b;
	long max;
	size_t i;

	memset(&t, 0, sizeof(t));
	t.style = style;
	t.out = out;
	t.err = err;
	if (build(&t, title, v, 0) && !t.failed) {
		max = max_width(&t);
		if (max > style->width) {
			go_vertical(&t);
			max = max_width(&t);
		}
		strbuf_init(&b);
		if (max > 0)
			strbuf_addn(&b, '-', (size_t)max);
		strbuf_addc(&b, '\n');
		put(&t, b.data, b.len);
		strbuf_free(&b);
		for (i = 0; i < t.n; i++)
			render_section(&t, &t.sections[i], max);
	}
	if (t.failed && !t.refused)
		out->failed = 1;
	table_free(&t);
	return t.refused ? -1 : 0;
}
