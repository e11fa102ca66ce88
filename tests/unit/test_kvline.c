/* SPDX-License-Identifier: BSD-2-Clause */
/* kvline: logfmt lines, quoted only where a value needs it. */
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
	    "identity=example.com mail_from_domain=\"\" attempts=3 neg=-1");
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
	kvline_add(&l, "q", "say \"hi\" \\o/");
	kvline_add(&l, "plain", "Unable.to,locate:credentials%<>");
	assert_string_equal(kvline_str(&l),
	    "SES: message=\"Rate exceeded\\r\\nfake=1 100%\\u007f\\t\\u0001\" "
	    "utf8=caf\xc3\xa9 q=\"say \\\"hi\\\" \\\\o/\" "
	    "plain=Unable.to,locate:credentials%<>");
	kvline_init(&l, "SES:");
	kvline_add(&l, "message", "Unable to locate credentials");
	assert_string_equal(
	    kvline_str(&l), "SES: message=\"Unable to locate credentials\"");
}

/* Each byte that needs quoting alone, and the pairs that decide quoting. */
static void
test_rows(void **state)
{
	static const struct {
		const char *in, *out;
	} rows[] = {
		{ "a", "k=a" },
		{ "", "k=\"\"" },
		{ " ", "k=\" \"" },
		{ "=", "k=\"=\"" },
		{ "\"", "k=\"\\\"\"" },
		{ "\\", "k=\"\\\\\"" },
		{ "\n", "k=\"\\n\"" },
		{ "\x1f", "k=\"\\u001f\"" },
		{ "\x7f", "k=\"\\u007f\"" },
		{ "\x80", "k=\x80" },
		{ "<a@b>", "k=<a@b>" },
	};
	struct kvline l;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		kvline_init(&l, "");
		kvline_add(&l, "k", rows[i].in);
		assert_string_equal(kvline_str(&l) + 1, rows[i].out);
	}
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
	/* the field that does not fit is left out whole */
	assert_string_equal(kvline_str(&l), "SES: first=ok ...");

	/* a quoted value is never cut in half */
	memset(big, '"', 600);
	big[600] = '\0';
	kvline_init(&l, "SES:");
	kvline_add(&l, "first", "ok");
	kvline_add(&l, "q", big);
	assert_string_equal(kvline_str(&l), "SES: first=ok ...");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
