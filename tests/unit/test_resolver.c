/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The resolver's own faults are MX_INTERNAL, never a verdict on the
 * domain (issue 11, item 6). No query leaves the process: every name here
 * fails before the cache.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ares.h>
#include <string.h>

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uncanonical_name_is_internal),
		cmocka_unit_test(test_internal_judged_internal),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
