/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * clioutput_int: what the output formats share inside tool/awscli/:
 * clioutput.c picks the format, clitext.c writes --output text,
 * clitable.c --output table.
 */
#ifndef AWSCLI_CLIOUTPUT_INT_H
#define AWSCLI_CLIOUTPUT_INT_H

#include <stddef.h>

struct clivalue;
struct clioutput_style;
struct strbuf;

/*
 * The code points the CLI's table output counts as two columns wide, as
 * sorted, disjoint [first, last] ranges (dispwidth_table.c, generated).
 */
extern const unsigned long clioutput_wide_ranges[][2];
extern const size_t clioutput_wide_nranges;

/* Not a list, set or map. */
int clioutput_is_scalar(const struct clivalue *);

/* Python's truth value. */
int clioutput_truthy(const struct clivalue *);

/*
 * The indices of a map's pairs, sorted by key as Python's sorted() does;
 * allocated (the caller frees it), NULL when out of memory.
 */
size_t *clioutput_sorted_keys(const struct clivalue *map);

/*
 * --output text of V. ID (or NULL) is the key V was found under, the
 * upper-cased row label; SCALAR_KEYS (or NULL) the keys of the rows'
 * scalar columns, as the CLI's text formatter passes them down. Where the
 * CLI raises an exception, its text goes to ERR and nothing more is
 * written: OUT keeps what the CLI printed before.
 */
void clioutput_text(const struct clivalue *v, const struct clivalue *id,
    const struct clivalue *scalar_keys, struct strbuf *out, struct strbuf *err);

/*
 * --output table of V, captioned TITLE; -1 with the text in ERR where the
 * CLI's table raises an exception (rows of different lengths).
 */
int clioutput_table(const char *title, const struct clivalue *v,
    const struct clioutput_style *style, struct strbuf *out,
    struct strbuf *err);

#endif
