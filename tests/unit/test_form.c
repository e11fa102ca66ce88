/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * form: bodies byte for byte as the AWS CLI sends them (urlencode with
 * quote_plus), lists, and a failed call leaving the body untouched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ses/form.h"
#include "ses/strbuf.h"

static void
test_empty(void **state)
{
	struct strbuf f;

	(void)state;
	strbuf_init(&f);
	assert_null(f.data);
	assert_int_equal(f.len, 0);
	strbuf_free(&f);
	strbuf_free(&f);
	assert_null(f.data);
}

static void
test_set_body(void **state)
{
	struct strbuf f;

	(void)state;
	strbuf_init(&f);
	assert_int_equal(form_begin(&f, "SetIdentityMailFromDomain"), 0);
	assert_int_equal(form_add(&f, "Identity", "example.com"), 0);
	assert_int_equal(
	    form_add(&f, "MailFromDomain", "bounce.example.com"), 0);
	assert_int_equal(
	    form_add(&f, "BehaviorOnMXFailure", "RejectMessage"), 0);
	assert_string_equal(f.data,
	    "Action=SetIdentityMailFromDomain"
	    "&Version=2010-12-01&Identity=example.com"
	    "&MailFromDomain=bounce.example.com"
	    "&BehaviorOnMXFailure=RejectMessage");
	assert_int_equal(f.len, strlen(f.data));
	strbuf_free(&f);
	assert_null(f.data);
	assert_int_equal(f.len, 0);
}

static void
test_get_body(void **state)
{
	const char *ids[] = { "example.com", "user@example.com" };
	struct strbuf f;

	(void)state;
	strbuf_init(&f);
	assert_int_equal(
	    form_begin(&f, "GetIdentityMailFromDomainAttributes"), 0);
	assert_int_equal(form_add_list(&f, "Identities", ids, 2), 0);
	assert_string_equal(f.data,
	    "Action=GetIdentityMailFromDomainAttributes"
	    "&Version=2010-12-01&Identities.member.1=example.com"
	    "&Identities.member.2=user%40example.com");
	strbuf_free(&f);
}

/* `--identities` with no value: the CLI sends "Identities=". */
static void
test_empty_list(void **state)
{
	struct strbuf f;

	(void)state;
	strbuf_init(&f);
	assert_int_equal(
	    form_begin(&f, "GetIdentityMailFromDomainAttributes"), 0);
	assert_int_equal(form_add_list(&f, "Identities", NULL, 0), 0);
	assert_string_equal(f.data,
	    "Action=GetIdentityMailFromDomainAttributes"
	    "&Version=2010-12-01&Identities=");
	strbuf_free(&f);
}

static void
test_member_numbers(void **state)
{
	const char *ids[12];
	struct strbuf f;
	size_t i;

	(void)state;
	for (i = 0; i < 12; i++)
		ids[i] = "x";
	strbuf_init(&f);
	assert_int_equal(form_add_list(&f, "L", ids, 12), 0);
	assert_string_equal(f.data,
	    "L.member.1=x&L.member.2=x&L.member.3=x"
	    "&L.member.4=x&L.member.5=x&L.member.6=x&L.member.7=x"
	    "&L.member.8=x&L.member.9=x&L.member.10=x&L.member.11=x"
	    "&L.member.12=x");
	strbuf_free(&f);
}

/* The example of spec/aws-cli-behaviour.md, and keys are encoded too. */
static void
test_encoding(void **state)
{
	struct strbuf f;

	(void)state;
	strbuf_init(&f);
	assert_int_equal(form_add(&f, "k y", "\xc3\xbc x~*!.-_@"), 0);
	assert_string_equal(f.data, "k+y=%C3%BC+x~%2A%21.-_%40");
	strbuf_free(&f);

	strbuf_init(&f);
	assert_int_equal(form_add(&f, "a", "%&=+/?#;:,$'()[]\"<>\\^`{|}"), 0);
	assert_string_equal(f.data,
	    "a=%25%26%3D%2B%2F%3F%23%3B%3A%2C%24%27"
	    "%28%29%5B%5D%22%3C%3E%5C%5E%60%7B%7C%7D");
	strbuf_free(&f);

	strbuf_init(&f);
	assert_int_equal(form_add(&f, "a", "\t\r\n\x01\x7f\x80\xff"), 0);
	assert_string_equal(f.data, "a=%09%0D%0A%01%7F%80%FF");
	strbuf_free(&f);

	strbuf_init(&f);
	assert_int_equal(form_add(&f, "AZaz09", "-_.~ "), 0);
	assert_string_equal(f.data, "AZaz09=-_.~+");
	strbuf_free(&f);
}

/* `--mail-from-domain ''` is sent as "MailFromDomain=". */
static void
test_empty_value(void **state)
{
	struct strbuf f;

	(void)state;
	strbuf_init(&f);
	assert_int_equal(form_add(&f, "Identity", ""), 0);
	assert_int_equal(form_add(&f, "MailFromDomain", ""), 0);
	assert_string_equal(f.data, "Identity=&MailFromDomain=");
	strbuf_free(&f);
}

/* A list that fails half way leaves the body as it was. */
static void
test_failure_changes_nothing(void **state)
{
	const char *ids[] = { "a", "b", NULL };
	struct strbuf f;

	(void)state;
	strbuf_init(&f);
	assert_int_equal(form_begin(&f, "X"), 0);
	errno = 0;
	assert_int_equal(form_add_list(&f, "Identities", ids, 3), -1);
	assert_int_equal(errno, EINVAL);
	assert_string_equal(f.data, "Action=X&Version=2010-12-01");
	assert_int_equal(f.len, strlen("Action=X&Version=2010-12-01"));
	assert_int_equal(form_add(&f, "k", NULL), -1);
	assert_int_equal(form_add(&f, NULL, "v"), -1);
	assert_int_equal(form_add_list(&f, "k", NULL, 1), -1);
	assert_int_equal(form_begin(&f, NULL), -1);
	assert_string_equal(f.data, "Action=X&Version=2010-12-01");
	strbuf_free(&f);
}

/*
 * The buffer is strbuf, whose own failures are sticky; form's calls undo
 * their partial appends and clear the failure, so the body stays usable.
 */
static void
test_rollback_clears_failure(void **state)
{
	struct strbuf f;

	(void)state;
	strbuf_init(&f);
	assert_int_equal(form_add(&f, "a", "1"), 0);
	f.failed = 1; /* as after an allocation failure in another append */
	errno = 0;
	assert_int_equal(form_add(&f, "b", "2"), -1);
	assert_int_equal(errno, ENOMEM);
	strbuf_truncate(&f, f.len);
	assert_false(strbuf_failed(&f));
	assert_int_equal(form_add(&f, "b", "2"), 0);
	assert_string_equal(f.data, "a=1&b=2");
	strbuf_truncate(&f, 3);
	assert_string_equal(f.data, "a=1");
	strbuf_free(&f);
}

/* Growth across many reallocations keeps every byte. */
static void
test_growth(void **state)
{
	struct strbuf f;
	char v[1001];
	size_t i;

	(void)state;
	memset(v, '*', sizeof(v) - 1);
	v[sizeof(v) - 1] = '\0';
	strbuf_init(&f);
	for (i = 0; i < 100; i++)
		assert_int_equal(form_add(&f, "k", v), 0);
	assert_int_equal(f.len, 100 * (2 + 3000) + 99);
	assert_true(f.cap > f.len);
	for (i = 0; i < 100; i++) {
		assert_memory_equal(f.data + i * 3003, "k=%2A%2A", 8);
		if (i > 0)
			assert_int_equal(f.data[i * 3003 - 1], '&');
	}
	assert_int_equal(f.data[f.len], '\0');
	strbuf_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_set_body),
		cmocka_unit_test(test_get_body),
		cmocka_unit_test(test_empty_list),
		cmocka_unit_test(test_member_numbers),
		cmocka_unit_test(test_encoding),
		cmocka_unit_test(test_empty_value),
		cmocka_unit_test(test_failure_changes_nothing),
		cmocka_unit_test(test_rollback_clears_failure),
		cmocka_unit_test(test_growth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
