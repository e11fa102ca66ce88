/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * notify: systemd's notification protocol, with a datagram socket of the
 * test playing systemd's part, and the STATUS summary row by row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "milter/notify.h"

static void
test_parse_addr(void **state)
{
	struct sockaddr_un sun;
	socklen_t len;
	char longer[200];

	(void)state;
	assert_true(notify_parse_addr("/run/systemd/notify", &sun, &len));
	assert_string_equal(sun.sun_path, "/run/systemd/notify");
	assert_int_equal(len, sizeof(sun));

	assert_true(notify_parse_addr("@abc", &sun, &len));
	assert_int_equal(sun.sun_path[0], '\0');
	assert_memory_equal(sun.sun_path + 1, "abc", 3);
	assert_int_equal(len, offsetof(struct sockaddr_un, sun_path) + 4);

	assert_false(notify_parse_addr(NULL, &sun, &len));
	assert_false(notify_parse_addr("", &sun, &len));
	assert_false(notify_parse_addr("@", &sun, &len));
	assert_false(notify_parse_addr("relative/path", &sun, &len));
	memset(longer, 'a', sizeof(longer) - 1);
	longer[0] = '/';
	longer[sizeof(longer) - 1] = '\0';
	assert_false(notify_parse_addr(longer, &sun, &len));
}

/* systemd's side: a datagram socket bound to NAME (abstract or path). */
static int
listener(const char *name)
{
	struct sockaddr_un sun;
	struct timeval tv = { 2, 0 };
	socklen_t len;
	int fd;

	assert_true(notify_parse_addr(name, &sun, &len));
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, len), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static void
expect_datagram(int fd, const char *want)
{
	char buf[600];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, want);
}

static void
test_messages_abstract(void **state)
{
	char name[64], buf[64];
	int fd;

	(void)state;
	snprintf(name, sizeof(name), "@smf-notify-test-%ld", (long)getpid());
	fd = listener(name);
	setenv("NOTIFY_SOCKET", name, 1);
	assert_true(notify_open());
	assert_null(getenv("NOTIFY_SOCKET")); /* not for children */

	notify_ready("2 identities");
	expect_datagram(fd, "READY=1\nSTATUS=2 identities");
	notify_reloading();
	{
		char got[128];
		ssize_t n = recv(fd, got, sizeof(got) - 1, 0);
		unsigned long long usec;

		assert_true(n > 0);
		got[n] = '\0';
		assert_int_equal(
		    sscanf(got, "RELOADING=1\nMONOTONIC_USEC=%llu", &usec), 1);
		assert_true(usec > 0);
	}
	notify_status("line one\nline two");
	expect_datagram(fd, "STATUS=line one line two");
	notify_stopping();
	expect_datagram(fd, "STOPPING=1");
	notify_close();
	/* closed: sends go nowhere and do not crash */
	notify_stopping();
	close(fd);

	notify_reloading_msg(buf, sizeof(buf), 1234567);
	assert_string_equal(buf, "RELOADING=1\nMONOTONIC_USEC=1234567");
}

static void
test_messages_path(void **state)
{
	char dir[] = "/tmp/smf-notify-XXXXXX", path[128];
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/notify", dir);
	fd = listener(path);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_true(notify_open());
	notify_ready("ok");
	expect_datagram(fd, "READY=1\nSTATUS=ok");
	notify_close();
	close(fd);
	unlink(path);
	rmdir(dir);
}

static void
test_outside_systemd(void **state)
{
	(void)state;
	unsetenv("NOTIFY_SOCKET");
	assert_true(notify_open());
	notify_ready("nobody listens");
	notify_close();

	setenv("NOTIFY_SOCKET", "not-a-socket", 1);
	assert_false(notify_open());
	assert_null(getenv("NOTIFY_SOCKET"));
	notify_close();
}

static void
test_summary(void **state)
{
	char buf[256];
	/* 2026-12-06 20:30:00 UTC */
	time_t when = 1796589000;

	(void)state;
	notify_summary(buf, sizeof(buf), 2, "no", 0, NULL);
	assert_string_equal(buf, "2 identities; SES sync off");
	notify_summary(buf, sizeof(buf), 2, "no", when, "ignored");
	assert_string_equal(buf, "2 identities; SES sync off");
	notify_summary(buf, sizeof(buf), 1, "yes", 0, NULL);
	assert_string_equal(buf, "1 identities; SES sync yes: no pass yet");
	notify_summary(buf, sizeof(buf), 3, "yes", when, NULL);
	assert_string_equal(buf,
	    "3 identities; SES sync yes: last pass 2026-12-06 20:30:00 UTC ok");
	notify_summary(
	    buf, sizeof(buf), 3, "dry-run", when, "no AWS credentials");
	assert_string_equal(buf,
	    "3 identities; SES sync dry-run: last pass 2026-12-06 20:30:00 UTC "
	    "failed (no AWS credentials)");
	/* cut, never overrun */
	notify_summary(buf, 10, 3, "yes", when, NULL);
	assert_string_equal(buf, "3 identit");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_addr),
		cmocka_unit_test(test_messages_abstract),
		cmocka_unit_test(test_messages_path),
		cmocka_unit_test(test_outside_systemd),
		cmocka_unit_test(test_summary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
