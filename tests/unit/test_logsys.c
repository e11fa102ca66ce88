/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * logsys: glibc's datagram format, never a wait on a reader that stopped
 * (it says there is no room), a restarted reader found again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "milter/logsys.h"

static char dir[64];
static char path[96];

static int
bind_reader(void)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	unlink(path);
	assert_true((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_logsys.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/log", dir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(path);
	rmdir(dir);
	return 0;
}

static void
test_format_as_glibc(void **state)
{
	char buf[256];
	size_t n;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	/* 2026-12-06 09:05:03 UTC: a one-digit day is space-padded */
	n = logsys_format(buf, sizeof(buf), LOG_MAIL | LOG_INFO, "smf", 42,
	    1796547903, "hello world", 5);
	assert_string_equal(buf, "<22>Dec  6 09:05:03 smf[42]: hello");
	assert_int_equal(n, strlen(buf));
	/* cut to the buffer, the length says so */
	n = logsys_format(
	    buf, 10, LOG_MAIL | LOG_INFO, "smf", 42, 1796547903, "hello", 5);
	assert_int_equal(n, 9);
	assert_int_equal(strlen(buf), 9);
}

static void
test_reader_receives(void **state)
{
	struct logsys ls;
	char buf[256];
	ssize_t n;
	int rfd;

	(void)state;
	rfd = bind_reader();
	logsys_open(&ls, path);
	assert_int_equal(
	    logsys_send(&ls, LOG_MAIL | LOG_WARNING, "smf", 7, "x=1 y=2", 7),
	    LOGSYS_SENT);
	assert_true((n = recv(rfd, buf, sizeof(buf) - 1, 0)) > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, " smf[7]: x=1 y=2"));
	assert_int_equal(strncmp(buf, "<20>", 4), 0);
	logsys_close(&ls);
	close(rfd);
}

/* Before, syslog() waited here for ever: alarm() makes that a failure. */
static void
test_stalled_reader_never_waits(void **state)
{
	unsigned long sent = 0, i;
	struct logsys ls;
	char buf[4096];
	int rfd;

	(void)state;
	rfd = bind_reader();
	logsys_open(&ls, path);
	alarm(10);
	for (i = 0; i < 5000; i++)
		sent += logsys_send(&ls, LOG_MAIL | LOG_INFO, "smf", 7,
			    "a line nobody reads", 19) == LOGSYS_SENT;
	alarm(0);
	assert_true(sent > 0 && sent < 5000);
	assert_int_equal(
	    logsys_send(&ls, LOG_MAIL | LOG_INFO, "smf", 7, "full", 4),
	    LOGSYS_NO_ROOM);
	/* the reader drains: lines go through again */
	while (recv(rfd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	assert_int_equal(
	    logsys_send(&ls, LOG_MAIL | LOG_INFO, "smf", 7, "back", 4),
	    LOGSYS_SENT);
	logsys_close(&ls);
	close(rfd);
}

/* A syslog daemon that restarts binds a new socket at the same path. */
static void
test_restarted_reader_found_again(void **state)
{
	struct logsys ls;
	char buf[256];
	ssize_t n;
	int rfd;

	(void)state;
	logsys_open(&ls, path); /* nobody listens yet: not a drop, as glibc */
	assert_int_equal(
	    logsys_send(&ls, LOG_MAIL | LOG_INFO, "smf", 7, "lost", 4),
	    LOGSYS_NO_READER);
	rfd = bind_reader();
	assert_int_equal(
	    logsys_send(&ls, LOG_MAIL | LOG_INFO, "smf", 7, "one", 3),
	    LOGSYS_SENT);
	close(rfd);
	rfd = bind_reader(); /* restarted: the old peer is gone */
	assert_int_equal(
	    logsys_send(&ls, LOG_MAIL | LOG_INFO, "smf", 7, "two", 3),
	    LOGSYS_SENT);
	assert_true((n = recv(rfd, buf, sizeof(buf) - 1, 0)) > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, ": two"));
	logsys_close(&ls);
	close(rfd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_as_glibc),
		cmocka_unit_test(test_reader_receives),
		cmocka_unit_test(test_stalled_reader_never_waits),
		cmocka_unit_test(test_restarted_reader_found_again),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
