/* SPDX-License-Identifier: BSD-2-Clause */
/* Audit lines: one line per record, hostile senders escaped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "milter/audit.h"
#include "milter/kvline.h"

static void
test_full_record(void **state)
{
	struct audit_rec r = {
		.queue_id = "4ABC123",
		.msg = "7.2",
		.stage = "mail",
		.sender = "alice@example.org",
		.identity = "example.org",
		.mail_from_domain = "mail.example.org",
		.mx = "ok",
		.status = "Success",
		.behavior = "UseDefaultValue",
		.action = "accept",
	};
	struct kvline l;

	(void)state;
	audit_format(&l, &r);
	assert_string_equal(kvline_str(&l),
	    "4ABC123: msg=7.2 stage=mail sender=alice@example.org "
	    "identity=example.org mail_from_domain=mail.example.org mx=ok status=Success "
	    "behavior=UseDefaultValue action=accept");
}

static void
test_noqueue_and_omitted(void **state)
{
	struct audit_rec r = { .sender = "", .action = "accept" };
	struct kvline l;

	(void)state;
	audit_format(&l, &r);
	assert_string_equal(
	    kvline_str(&l), "NOQUEUE: sender=\"\" action=accept");
}

static void
test_hostile_sender(void **state)
{
	struct audit_rec r = {
		.sender = "\"a b\"@x>\r\nFAKE: action=reject%",
		.action = "accept",
	};
	struct kvline l;

	(void)state;
	audit_format(&l, &r);
	assert_null(strchr(kvline_str(&l), '\n'));
	assert_null(strchr(kvline_str(&l), '\r'));
	assert_string_equal(kvline_str(&l),
	    "NOQUEUE: sender=\"\\\"a b\\\"@x>\\r\\nFAKE: action=reject%\" "
	    "action=accept");
}

/* A sender too long for one line ends it with "..." and no later field. */
static void
test_truncation(void **state)
{
	char big[3000];
	struct audit_rec r = { .sender = big, .action = "accept" };
	struct kvline l;
	size_t n;

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	audit_format(&l, &r);
	n = strlen(kvline_str(&l));
	assert_true(n < KVLINE_MAX);
	assert_string_equal(kvline_str(&l), "NOQUEUE: ...");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_record),
		cmocka_unit_test(test_noqueue_and_omitted),
		cmocka_unit_test(test_hostile_sender),
		cmocka_unit_test(test_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
