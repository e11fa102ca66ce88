/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The resolver's own faults are MX_INTERNAL, never a verdict on the
 * domain (issue 11, item 6). No query leaves the process: every name here
 * fails before the cache, but in the shutdown test, whose server (a
 * socket of this process) never answers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ares.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "milter/dns/resolver.h"

static int
setup(void **state)
{
	struct resolver_opts o = {
		/* discard: nothing is ever sent there */
		.servers = "127.0.0.1:9",
		.timeout_ms = 100,
		.tries = 1,
		.min_ttl = 1,
		.max_ttl = 60,
	};
	char err[256];

	assert_int_equal(ares_library_init(ARES_LIB_INIT_ALL), ARES_SUCCESS);
	*state = resolver_start(&o, err, sizeof(err));
	assert_non_null(*state);
	return 0;
}

static int
teardown(void **state)
{
	resolver_unref(*state);
	ares_library_cleanup();
	return 0;
}

static void
test_uncanonical_name_is_internal(void **state)
{
	static const char *const bad[] = {
		"a..example.test",
		"sp ace.example.test",
		"b\xc3\xbc"
		"cher.example.test",
		"",
		".",
	};
	struct mx_summary found;
	unsigned ttl;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum mx_result r;

		memset(&found, 0xff, sizeof(found));
		ttl = 99;
		r = resolver_mx(*state, bad[i], "any", &found, &ttl);
		assert_string_equal(mx_result_name(r), "internal");
		assert_int_equal(found.kind, MX_KIND_INTERNAL);
		assert_int_equal(ttl, 0);
		/* whoever asks only "transient?" never fails the domain */
		assert_true(mx_result_transient(r));
	}
}

static void
test_internal_judged_internal(void **state)
{
	struct mx_summary s;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.kind = MX_KIND_INTERNAL;
	assert_int_equal(mx_judge(&s, "any"), MX_INTERNAL);
	assert_int_equal(
	    mx_judge(&s, "feedback-smtp.us-east-1.amazonses.com"), MX_INTERNAL);
	assert_string_equal(mx_kind_name(MX_KIND_INTERNAL), "internal");
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct asker {
	struct resolver *r;
	enum mx_result got;
};

static void *
asker_main(void *arg)
{
	struct asker *a = arg;

	a->got = resolver_mx(a->r, "silent.example.test", "any", NULL, NULL);
	return NULL;
}

/*
 * A server that never answers held the daemon's stop for timeout x tries;
 * resolver_stop_waiting() ends the wait at once, and the next miss too.
 */
static void
test_stop_waiting(void **state)
{
	struct resolver_opts o = {
		.timeout_ms = 5000,
		.tries = 2,
		.min_ttl = 1,
		.max_ttl = 60,
	};
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct timespec pause = { 0, 100 * 1000 * 1000 };
	struct asker a;
	pthread_t t;
	char servers[64], err[256];
	double t0;
	int fd;

	(void)state;
	assert_true((fd = socket(AF_INET, SOCK_DGRAM, 0)) >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	snprintf(servers, sizeof(servers), "127.0.0.1:%u",
	    (unsigned)ntohs(sin.sin_port));
	o.servers = servers;
	assert_non_null(a.r = resolver_start(&o, err, sizeof(err)));
	assert_int_equal(pthread_create(&t, NULL, asker_main, &a), 0);
	nanosleep(&pause, NULL); /* the asker is waiting by now */
	t0 = now_s();
	resolver_stop_waiting(a.r);
	pthread_join(t, NULL);
	assert_true(now_s() - t0 < 1.0);
	assert_int_equal(a.got, MX_TIMEOUT);
	t0 = now_s();
	assert_int_equal(
	    resolver_mx(a.r, "other.example.test", "any", NULL, NULL),
	    MX_TIMEOUT);
	assert_true(now_s() - t0 < 1.0);
	resolver_unref(a.r);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uncanonical_name_is_internal),
		cmocka_unit_test(test_internal_judged_internal),
		cmocka_unit_test(test_stop_waiting),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
