/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * file: the one way the SES library, the synchroniser and the tool read a
 * small file whole. The file is opened with O_NONBLOCK and refused unless
 * it is a regular file, so that a FIFO or a device put in place of a
 * configuration, token or state file cannot hang the reader, and never
 * more than MAX bytes are taken.
 */
#ifndef SES_FILE_H
#define SES_FILE_H

#include <stddef.h>

/* Also a FIFO, a device or /dev/stdin, read as it comes (file:// values). */
#define FILE_READ_ANY 0x1

/*
 * On success (0) *bufp holds the bytes plus a NUL, owned by the caller
 * and released with file_free(), and *lenp their count. -1 with errno set:
 * open(2)'s and read(2)'s, EINVAL for what is not a regular file, EFBIG
 * for more than MAX bytes, ENOMEM. Whatever was read of a file that is
 * then refused is wiped: it may be a secret.
 */
int file_read(
    const char *path, size_t max, int flags, char **bufp, size_t *lenp);

/* Wipes LEN bytes of BUF (it may hold a secret) and frees it; NULL is ok. */
void file_free(char *buf, size_t len);

#endif
