/* SPDX-License-Identifier: BSD-2-Clause */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ses/file.h"

#define FILE_FIRST_CAP 8192

void
file_free(char *buf, size_t len)
{
	if (buf == NULL)
		return;
	explicit_bzero(buf, len);
	free(buf);
}

/*
 * Moves the bytes to a buffer twice as big and wipes the old one, so that
 * realloc() never leaves a copy of a secret behind.
 */
static char *
file_grow(char *buf, size_t len, size_t *cap)
{
	char *bigger;

	if ((bigger = malloc(*cap * 2)) == NULL)
		return NULL;
	memcpy(bigger, buf, len);
	file_free(buf, len);
	*cap *= 2;
	return bigger;
}

int
file_read(const char *path, size_t max, int flags, char **bufp, size_t *lenp)
{
	struct stat st;
	char *buf = NULL, *bigger;
	size_t len = 0, cap;
	ssize_t r;
	int fd, e, any = (flags & FILE_READ_ANY) != 0;

	*bufp = NULL;
	*lenp = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | (any ? 0 : O_NONBLOCK))) ==
	    -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!any && !S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if (S_ISREG(st.st_mode) && (size_t)st.st_size > max) {
		errno = EFBIG;
		goto fail;
	}
	/*
	 * Sized by fstat, with room for the NUL and for the read that finds
	 * the end: a regular file needs no growth unless it grows meanwhile.
	 */
	cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 2 : FILE_FIRST_CAP;
	if ((buf = malloc(cap)) == NULL)
		goto fail;
	for (;;) {
		r = read(fd, buf + len, cap - 1 - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			goto fail;
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > max) {
			errno = EFBIG;
			goto fail;
		}
		if (len + 1 == cap) {
			if ((bigger = file_grow(buf, len, &cap)) == NULL)
				goto fail;
			buf = bigger;
		}
	}
	close(fd);
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	return 0;

fail:
	e = errno;
	file_free(buf, len);
	close(fd);
	errno = e;
	return -1;
}
