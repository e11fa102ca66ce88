/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kvline: one logfmt line built field by field: the milter's audit lines
 * (audit.h) and the synchroniser's audit of SES calls. A value is written
 * as is unless it is empty or holds a space, '=', '"', '\\', a control
 * byte or DEL; then it is quoted, with '"' and '\\' escaped by a
 * backslash, \n \r \t, and other control bytes and DEL as \u00XX (as
 * JSON and Go's logfmt read them). Bytes from 0x80 up pass unchanged. So a
 * record stays one line whose fields parse back to exactly what a sender,
 * SES or a configuration file put in them.
 *
 * Pure: no I/O, no allocation; the line lives in the struct. A line too
 * long for KVLINE_MAX ends with " ..." instead of a field cut in half.
 */
#ifndef KVLINE_H
#define KVLINE_H

#include <stdbool.h>
#include <stddef.h>

#define KVLINE_MAX 1024

struct kvline {
	char buf[KVLINE_MAX];
	size_t len;
	bool full; /* something did not fit */
};

/* Starts the line with PREFIX, written as is ("SES:"). */
void kvline_init(struct kvline *, const char *prefix);
/* Appends S as is: the caller's own punctuation, never outside input. */
void kvline_text(struct kvline *, const char *s);

/* Appends VALUE, quoted when it needs to be. */
void kvline_value(struct kvline *, const char *value);

/* " KEY=VALUE"; VALUE NULL: the field is left out; "" gives "KEY=". */
void kvline_add(struct kvline *, const char *key, const char *value);
void kvline_addi(struct kvline *, const char *key, long value);
/* The line, NUL-terminated. */
const char *kvline_str(const struct kvline *);

#endif
