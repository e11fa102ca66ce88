/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * strbuf: the project's one growable byte string, for request bodies,
 * output and messages.
 *
 * A failed allocation makes the buffer sticky-failed: later appends do
 * nothing and strbuf_failed() says so, so a long run of appends needs one
 * check at the end. A caller that wants all-or-nothing appends instead
 * (form.h) notes the length before and calls strbuf_truncate() on
 * failure. The bytes are always NUL-terminated once anything was
 * appended. The struct belongs to the caller (usually on the stack); the
 * bytes to the buffer until strbuf_free() or strbuf_take().
 */
#ifndef SES_STRBUF_H
#define SES_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *data;
	size_t len;
	size_t cap;
	int failed;
};

void strbuf_init(struct strbuf *);
void strbuf_free(struct strbuf *);

void strbuf_add(struct strbuf *, const void *, size_t);
void strbuf_adds(struct strbuf *, const char *);
void strbuf_addc(struct strbuf *, char);
void strbuf_addf(struct strbuf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
/* N copies of C. */
void strbuf_addn(struct strbuf *, char c, size_t n);
/* Appends the UTF-8 (or, for a surrogate, WTF-8) encoding of CP. */
void strbuf_addcp(struct strbuf *, unsigned long cp);

/*
 * Grows the string by N bytes (NUL-terminated after them) and returns
 * where they start, for the caller to fill; NULL once the buffer failed.
 */
char *strbuf_extend(struct strbuf *, size_t n);

int strbuf_failed(const struct strbuf *);

/*
 * Cuts the string back to its first LEN bytes (LEN <= its length) and
 * clears a failure: the buffer is as it was when it was LEN bytes long.
 */
void strbuf_truncate(struct strbuf *, size_t len);

/*
 * Hands the bytes over (NUL-terminated, "" for an empty buffer) and resets
 * the buffer. NULL if any append failed; the buffer is then freed.
 */
char *strbuf_take(struct strbuf *, size_t *lenp);

#endif
