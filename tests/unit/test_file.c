/* SPDX-License-Identifier: BSD-2-Clause */
/* file_read(): regular files only unless asked, bounded, never blocking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ses/file.h"

static char dir[] = "/tmp/test_file.XXXXXX";

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[64];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static const char *
path_of(const char *name, const char *content)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (content != NULL) {
		assert_non_null(f = fopen(path, "w"));
		fputs(content, f);
		fclose(f);
	}
	return path;
}

static void
test_regular(void **state)
{
	char *buf;
	size_t len;

	(void)state;
	assert_int_equal(
	    file_read(path_of("a", "key = v\n"), 100, 0, &buf, &len), 0);
	assert_int_equal(len, 8);
	assert_string_equal(buf, "key = v\n");
	file_free(buf, len);
	assert_int_equal(file_read(path_of("e", ""), 100, 0, &buf, &len), 0);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	file_free(buf, len);
}

static void
test_limits_and_errors(void **state)
{
	char *buf = (char *)1;
	size_t len = 1;

	(void)state;
	assert_int_equal(file_read(path_of("b", "12345"), 5, 0, &buf, &len), 0);
	file_free(buf, len);
	errno = 0;
	assert_int_equal(file_read(path_of("b", NULL), 4, 0, &buf, &len), -1);
	assert_int_equal(errno, EFBIG);
	assert_null(buf);
	assert_int_equal(len, 0);
	assert_int_equal(
	    file_read(path_of("none", NULL), 4, 0, &buf, &len), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(file_read(dir, 4, 0, &buf, &len), -1);
	assert_int_equal(errno, EINVAL);
}

/* A FIFO nobody writes to would block a plain open(2) for ever. */
static void
test_fifo_refused_at_once(void **state)
{
	const char *fifo = path_of("fifo", NULL);
	char *buf;
	size_t len;

	(void)state;
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(file_read(fifo, 100, 0, &buf, &len), -1);
	assert_int_equal(errno, EINVAL);
}

/* file:///dev/stdin and the like: read as it comes, growing the buffer. */
static void
test_any_reads_a_pipe(void **state)
{
	char path[64], chunk[1000], *buf;
	size_t len, i;
	int fds[2];

	(void)state;
	memset(chunk, 'x', sizeof(chunk));
	assert_int_equal(pipe(fds), 0);
	for (i = 0; i < 60; i++)
		assert_int_equal(write(fds[1], chunk, sizeof(chunk)), 1000);
	close(fds[1]);
	snprintf(path, sizeof(path), "/dev/fd/%d", fds[0]);
	assert_int_equal(file_read(path, 60000, FILE_READ_ANY, &buf, &len), 0);
	assert_int_equal(len, 60000);
	assert_int_equal(strlen(buf), 60000);
	file_free(buf, len);
	close(fds[0]);

	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], chunk, 101), 101);
	close(fds[1]);
	snprintf(path, sizeof(path), "/dev/fd/%d", fds[0]);
	assert_int_equal(file_read(path, 100, FILE_READ_ANY, &buf, &len), -1);
	assert_int_equal(errno, EFBIG);
	close(fds[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regular),
		cmocka_unit_test(test_limits_and_errors),
		cmocka_unit_test(test_fifo_refused_at_once),
		cmocka_unit_test(test_any_reads_a_pipe),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
