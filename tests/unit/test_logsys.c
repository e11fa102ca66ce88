/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * logsys: glibc's datagram format, one bounded wait on a reader that
 * stopped and none after, the lines it had no room for counted, a burst a
 * live reader catches up with kept whole, a restarted reader found again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
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

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Before, syslog() waited here for ever: alarm() makes that a failure. */
static void
test_stalled_reader_waited_for_once(void **state)
{
	struct logsys ls;
	unsigned long sent = 0, i;
	char buf[4096];
	double t0;
	int rfd;

	(void)state;
	rfd = bind_reader();
	logsys_open(&ls, path);
	alarm(10);
	t0 = now_s();
	for (i = 0; i < 5000; i++)
		sent += logsys_send(&ls, LOG_MAIL | LOG_INFO, "smf", 7,
			    "a line nobody reads", 19) == LOGSYS_SENT;
	alarm(0);
	/* one wait of LOGSYS_WAIT_MS, then none: far below 5000 of them */
	assert_true(now_s() - t0 < 3 * LOGSYS_WAIT_MS / 1000.0);
	assert_true(ls.stalled);
	assert_true(sent > 0);
	assert_int_equal(logsys_take_dropped(&ls), 5000 - sent);
	assert_int_equal(logsys_take_dropped(&ls), 0);
	/* the reader drains: lines go through again, and it is live again */
	while (recv(rfd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	assert_int_equal(
	    logsys_send(&ls, LOG_MAIL | LOG_INFO, "smf", 7, "back", 4),
	    LOGSYS_SENT);
	assert_false(ls.stalled);
	logsys_close(&ls);
	close(rfd);
}

static void *
slow_reader(void *arg)
{
	unsigned long *got = arg;
	struct timespec pause = { 0, 200 * 1000 };
	char buf[4096];
	int rfd = (int)got[1];

	while (got[0] < 3000 && recv(rfd, buf, sizeof(buf), 0) > 0) {
		got[0]++;
		nanosleep(&pause, NULL);
	}
	return NULL;
}

/* A reader slower than the burst but alive: nothing is lost. */
static void
test_live_reader_loses_nothing(void **state)
{
	unsigned long got[2] = { 0, 0 };
	struct logsys ls;
	pthread_t t;
	int i;

	(void)state;
	got[1] = (unsigned long)bind_reader();
	logsys_open(&ls, path);
	assert_int_equal(pthread_create(&t, NULL, slow_reader, got), 0);
	for (i = 0; i < 3000; i++)
		assert_int_equal(logsys_send(&ls, LOG_MAIL | LOG_INFO, "smf", 7,
				     "a burst", 7),
		    LOGSYS_SENT);
	pthread_join(t, NULL);
	assert_int_equal(got[0], 3000);
	assert_int_equal(logsys_take_dropped(&ls), 0);
	logsys_close(&ls);
	close((int)got[1]);
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
	assert_int_equal(logsys_take_dropped(&ls), 0);
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
		cmocka_unit_test(test_stalled_reader_waited_for_once),
		cmocka_unit_test(test_live_reader_loses_nothing),
		cmocka_unit_test(test_restarted_reader_found_again),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
