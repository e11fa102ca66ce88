/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * errbuf: the (char *err, size_t errlen) convention of the SES library's
 * calls: a caller that wants the reason of a failure passes a buffer, one
 * that does not passes NULL or 0.
 */
#ifndef SES_ERRBUF_H
#define SES_ERRBUF_H

#include <stddef.h>

/* Formats into ERR (cut to ERRLEN, always NUL-terminated) unless NULL. */
void errbuf_set(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * A server's string made safe for a message or a debug line: control
 * bytes become '?'; cut to OUTLEN (> 0), always NUL-terminated.
 */
void errbuf_printable(const char *s, char *out, size_t outlen);

#endif
