/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kvline: one "key=value key=value" log line built field by field: the
 * milter's audit lines (audit.h) and the synchroniser's audit of SES
 * calls. Values are escaped (bytes up to 0x20, DEL, '%' and '=' become
 * %XX), so that one record stays one line with one '=' per field whatever
 * a sender, SES or a configuration file put in a value.
 *
 * Pure: no I/O, no allocation; the line lives in the struct. A line too
 * long for KVLINE_MAX ends with "..." instead of a half-escaped value.
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

/* Appends VALUE escaped, and any byte of ALSO escaped too. */
void kvline_value(struct kvline *, const char *value, const char *also);

/* " KEY=VALUE"; VALUE NULL: the field is left out; "" gives "KEY=". */
void kvline_add(struct kvline *, const char *key, const char *value);
void kvline_addi(struct kvline *, const char *key, long value);
/* The line, NUL-terminated. */
const char *kvline_str(const struct kvline *);

#endif
