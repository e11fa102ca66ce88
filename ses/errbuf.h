/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * errbuf: the (char *err, size_t errlen) convention of the SES library's
 * calls: a caller that wants the reason of a failure passes a buffer, one
 * that does not passes NULL or 0.
 */
#ifndef SES_ERRBUF_H
#define SES_ERRBUF_H

#include <stdbool.h>
#include <stddef.h>

/* Formats into ERR (cut to ERRLEN, always NUL-terminated) unless NULL. */
void errbuf_set(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * A server's string made safe for a message or a debug line: control
 * bytes become '?'; cut to OUTLEN (> 0), always NUL-terminated.
 */
void errbuf_printable(const char *s, char *out, size_t outlen);

/* What errbuf_scrub() puts in place of a secret. */
#define ERRBUF_REDACTED "[redacted]"
/*
 * AWS's SigV4 errors (SignatureDoesNotMatch) append the canonical request
 * and the string to sign after these words, each on a line of its own;
 * the canonical request lists the signed headers, the session token
 * (x-amz-security-token) among them.
 */
#define ERRBUF_CANONICAL_MARK \
	"The Canonical String for this request should have been"
#define ERRBUF_STS_MARK "The String-to-Sign should have been"

/*
 * A server's error text made safe to log, store or print; pure. Returns a
 * new string (free() it), or NULL when out of memory.
 *
 * CUT: the text ends before the first ERRBUF_CANONICAL_MARK or
 * ERRBUF_STS_MARK, blanks before it dropped. Then every byte that belongs
 * to an occurrence of one of the N SECRETS (NULL or empty ones are
 * skipped), raw or percent-encoded as SigV4 encodes, to a prefix of at
 * least 8 bytes of one that ends the text (a text cut short), to the
 * value of an x-amz-security-token header or parameter, or to the hex
 * digits of a "Signature=" is covered, and each run of covered bytes
 * becomes one ERRBUF_REDACTED: overlapping and adjacent occurrences
 * leave nothing of either. Linear in the length of MSG for each secret.
 */
char *errbuf_scrub(
    const char *msg, const char *const *secrets, size_t n, bool cut);

#endif
