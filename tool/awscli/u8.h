/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * u8: UTF-8 decoding with Python's rules, for the tool's AWS-compatible
 * layer. Python strings may hold lone surrogates (from a JSON "\ud800" or
 * an undecodable command-line byte); they are carried here as their
 * three-byte encoding (WTF-8) and refused only where Python refuses them,
 * when a request is encoded.
 *
 * No allocation except in u8_from_argv(), whose result the caller frees.
 */
#ifndef AWSCLI_U8_H
#define AWSCLI_U8_H

#include <stddef.h>

/* Set when the code point was a surrogate. */
#define U8_SURROGATE(cp) ((cp) >= 0xd800 && (cp) <= 0xdfff)

/*
 * Decodes one code point at S[*I] (S has LEN bytes) and advances *I.
 * STRICT: surrogates are invalid (real UTF-8); otherwise they are accepted
 * (WTF-8). Returns 0, or -1 for an invalid sequence (*I unchanged).
 */
int u8_next(
    const char *s, size_t len, size_t *i, unsigned long *cp, int strict);

/* 1 if all LEN bytes are valid UTF-8 (STRICT as above). */
int u8_valid(const char *s, size_t len, int strict);

/* Code points in a WTF-8 string (invalid bytes count one each). */
size_t u8_count(const char *s, size_t len);

/*
 * A command-line argument as Python sees it (surrogateescape): valid UTF-8
 * is kept, every other byte B becomes the surrogate U+DC00+B. Allocated.
 */
char *u8_from_argv(const char *arg);

/*
 * The reverse of u8_from_argv() for a file name: the surrogates
 * U+DC80..U+DCFF become the bytes they stand for (os.fsencode()).
 * Allocated.
 */
char *u8_to_fs(const char *s);

/* The first surrogate in S: its index in code points and its value. */
int u8_find_surrogate(
    const char *s, size_t len, size_t *pos, unsigned long *cp, size_t *run);

#endif
