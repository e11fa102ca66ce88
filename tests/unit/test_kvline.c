/* SPDX-License-Identifier: BSD-2-Clause */
/* kvline: audit lines stay one line with one '=' per field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "milter/kvline.h"

static void
test_fields(void **state)
{
	struct kvline l;

	(void)state;
	kvline_init(&l, "SES:");
	kvline_add(&l, "action", "SetIdentityMailFromDomain");
	kvline_add(&l, "identity", "example.com");
	kvline_add(&l, "skipped", NULL);
	kvline_add(&l, "mail_from_domain", "");
	kvline_addi(&l, "attempts", 3);
	kvline_addi(&l, "neg", -1);
	assert_string_equal(kvline_str(&l),
	    "SES: action=SetIdentityMailFromDomain "
	    "identity=example.com mail_from_domain= attempts=3 neg=-1");
	assert_false(l.full);
}

static void
test_escaping(void **state)
{
	struct kvline l;

	(void)state;
	kvline_init(&l, "SES:");
	kvline_add(&l, "message", "Rate exceeded\r\nfake=1 100%\x7f\t\x01");
	kvline_add(&l, "utf8", "caf\xc3\xa9");
	assert_string_equal(kvline_str(&l),
	    "SES: message=Rate%20exceeded%0D%0A"
	    "fake%3D1%20100%25%7F%09%01 utf8=caf\xc3\xa9");
}

static void
test_overflow(void **state)
{
	struct kvline l;
	char big[3000];
	size_t len;

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	kvline_init(&l, "SES:");
	kvline_add(&l, "first", "ok");
	kvline_add(&l, "big", big);
	kvline_add(&l, "after", "x");
	len = strlen(kvline_str(&l));
	assert_true(l.full);
	assert_true(len < KVLINE_MAX);
	assert_int_equal(len, l.len);
	assert_string_equal(kvline_str(&l) + len - 3, "...");
	assert_null(strstr(kvline_str(&l), "after"));

	/* an escape is never cut in half */
	memset(big, '=', sizeof(big) - 1);
	kvline_init(&l, "SES:");
	kvline_add(&l, "eq", big);
	len = strlen(kvline_str(&l));
	assert_true(len < KVLINE_MAX);
	assert_string_equal(kvline_str(&l) + len - 6, "%3D...");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
