/* SPDX-License-Identifier: BSD-2-Clause */
/* Which connections bring locally submitted mail: row by row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "milter/origin.h"

#define POSTFIX "Postfix 3.7.11"
#define LIST "local-submit MSP-relay"

static bool
local(const char *mta, int port, const char *daemon, const char *list)
{
	struct origin_in in = { mta, port, daemon, list };

	return origin_is_local(&in);
}

static void
test_postfix(void **state)
{
	(void)state;
	/* cleanup(8)'s fake client for sendmail(1) mail */
	assert_true(local(POSTFIX, 0, "mta.example", ""));
	/* smtpd(8): a real client port, from loopback or not */
	assert_false(local(POSTFIX, 25025, "mta.example", ""));
	assert_false(local(POSTFIX, 1, "mta.example", LIST));
	/* not TCP, or the MTA did not say who it is: never by the port */
	assert_false(local(POSTFIX, -1, NULL, NULL));
	assert_false(local(NULL, 0, NULL, NULL));
	assert_false(local("8.17.1.9", 0, NULL, ""));
}

static void
test_daemon_name(void **state)
{
	(void)state;
	/* Sendmail sends no v by default; the MSP's relay daemon decides */
	assert_true(local(NULL, 40000, "local-submit", LIST));
	assert_true(local(NULL, 40000, "MSP-relay", LIST));
	assert_true(local(POSTFIX, 40000, "MSP-relay", LIST));
	assert_false(local(NULL, 40000, "MTA", LIST));
	assert_false(local(NULL, 40000, "MTA-v4", LIST));
	/* whole names only, compared with case */
	assert_false(local(NULL, 40000, "local", LIST));
	assert_false(local(NULL, 40000, "submit", LIST));
	assert_false(local(NULL, 40000, "local-submit2", LIST));
	assert_false(local(NULL, 40000, "Local-Submit", LIST));
	assert_false(local(NULL, 40000, "MSP", LIST));
	assert_false(local(NULL, 40000, "relay", LIST));
	assert_false(local(NULL, 40000, "", LIST));
	/* no list, or no {daemon_name} */
	assert_false(local(NULL, 40000, "local-submit", ""));
	assert_false(local(NULL, 40000, "local-submit", NULL));
	assert_false(local(NULL, 40000, NULL, LIST));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_postfix),
		cmocka_unit_test(test_daemon_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
