/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * clioutput: a response printed as the AWS CLI prints it with --output
 * json, text, table, yaml or yaml-stream, byte for byte: JSON indented by
 * four spaces in the server's order; text with keys sorted, a map's
 * scalar members on one tab-separated line led by its upper-cased key;
 * tables boxed and centred to the widest line, turned vertical when wider
 * than the terminal; YAML from ruamel's safe dumper.
 *
 * Pure: the caller says how wide the terminal is and whether colours are
 * on, and writes the text it gets.
 */
#ifndef AWSCLI_CLIOUTPUT_H
#define AWSCLI_CLIOUTPUT_H

#include <stddef.h>

struct clivalue;
struct strbuf;

enum clioutput_format {
	CLIOUTPUT_JSON,
	CLIOUTPUT_TEXT,
	CLIOUTPUT_TABLE,
	CLIOUTPUT_YAML,
	CLIOUTPUT_YAML_STREAM
};

/* The names --output accepts, in the CLI's order; NULL-terminated. */
extern const char *const clioutput_names[];

/* 0 and *FMT set, or -1 for a name the CLI does not know. */
int clioutput_parse(const char *name, enum clioutput_format *fmt);

struct clioutput_style {
	int color; /* --color on, or a tty */
	int width; /* terminal columns (or 80) */
};

/*
 * Appends RESPONSE (any value: a --query result may be one; an empty map
 * prints nothing) to OUT. TITLE is the operation's name, the table's
 * caption. 0, or -1 where the CLI fails with a Python exception (tables and
 * text of some mixed lists): its text is then in ERR, to be reported as an
 * error after OUT, which holds what the CLI printed before it failed.
 */
int clioutput_render(enum clioutput_format, const char *title,
    const struct clivalue *response, const struct clioutput_style *,
    struct strbuf *out, struct strbuf *err);

/* Python's str.upper() of a UTF-8 string, appended to OUT. */
void clioutput_upper(const char *s, size_t len, struct strbuf *out);

/* 1 if the CLI's table counts CP as two columns (East Asian W, F, A). */
int clioutput_wide(unsigned long cp);

#endif
