/* SPDX-License-Identifier: BSD-2-Clause */
/* The decision at MAIL FROM: every row of the table in README. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "milter/decide.h"

static struct conf_identity id_default = {
	.name = "example.org",
	.mail_from_domain = "mail.example.org",
	.behavior = CONF_USE_DEFAULT_VALUE,
};
static struct conf_identity id_reject = {
	.name = "example.com",
	.mail_from_domain = "bounce.example.com",
	.behavior = CONF_REJECT_MESSAGE,
};
static struct conf_identity id_plain = { .name = "plain.example" };

static struct decide_in
base(const struct conf_identity *id, enum decide_mx mx)
{
	struct decide_in in = {
		.scope = CONF_SCOPE_ALL,
		.identity = id,
		.unknown_sender = CONF_ACCEPT,
		.mx = mx,
	};
	return in;
}

static void
expect(const struct decide_in *in, enum decide_verdict v, enum decide_reason r,
    const char *status, const char *rcode, const char *xcode, bool rewrite)
{
	struct decide_out out;

	decide(in, &out);
	assert_string_equal(
	    decide_verdict_name(out.verdict), decide_verdict_name(v));
	assert_string_equal(
	    decide_reason_name(out.reason), decide_reason_name(r));
	if (status == NULL)
		assert_null(out.status);
	else
		assert_string_equal(out.status, status);
	if (rcode == NULL) {
		assert_null(out.rcode);
		assert_null(out.xcode);
	} else {
		assert_string_equal(out.rcode, rcode);
		assert_string_equal(out.xcode, xcode);
	}
	assert_int_equal(out.rewrite, rewrite);
}

/* Row 1: the null sender is accepted untouched, whatever else holds. */
static void
test_bounce(void **state)
{
	struct decide_in in = base(&id_reject, DECIDE_MX_FAILED);

	(void)state;
	in.null_sender = true;
	in.unknown_sender = CONF_REJECT;
	in.rewrite_envelope = true;
	expect(&in, DECIDE_ACCEPT, DECIDE_R_BOUNCE, NULL, NULL, NULL, false);
	in.identity = NULL;
	expect(&in, DECIDE_ACCEPT, DECIDE_R_BOUNCE, NULL, NULL, NULL, false);
}

/* Row 2: scope = authenticated leaves unauthenticated senders alone. */
static void
test_scope(void **state)
{
	struct decide_in in = base(&id_reject, DECIDE_MX_FAILED);

	(void)state;
	in.scope = CONF_SCOPE_AUTHENTICATED;
	expect(
	    &in, DECIDE_ACCEPT, DECIDE_R_OUT_OF_SCOPE, NULL, NULL, NULL, false);
	in.authenticated = true;
	expect(&in, DECIDE_REJECT, DECIDE_R_REJECT_MESSAGE, "Failed", "550",
	    "5.7.1", false);
	in.scope = CONF_SCOPE_ALL;
	in.authenticated = false;
	expect(&in, DECIDE_REJECT, DECIDE_R_REJECT_MESSAGE, "Failed", "550",
	    "5.7.1", false);
}

/* Row 3: no identity: unknown_sender decides; an unparsable sender too. */
static void
test_unknown_sender(void **state)
{
	struct decide_in in = base(NULL, DECIDE_MX_UNKNOWN);

	(void)state;
	expect(&in, DECIDE_ACCEPT, DECIDE_R_UNKNOWN_SENDER, NULL, NULL, NULL,
	    false);
	in.unknown_sender = CONF_REJECT;
	expect(&in, DECIDE_REJECT, DECIDE_R_UNKNOWN_SENDER, NULL, "550",
	    "5.7.1", false);
	in.unknown_sender = CONF_TEMPFAIL;
	expect(&in, DECIDE_TEMPFAIL, DECIDE_R_UNKNOWN_SENDER, NULL, "451",
	    "4.7.1", false);
	in = base(&id_default, DECIDE_MX_OK);
	in.unparsable = true;
	in.unknown_sender = CONF_REJECT;
	expect(&in, DECIDE_REJECT, DECIDE_R_UNKNOWN_SENDER, NULL, "550",
	    "5.7.1", false);
}

/* Row 4: an identity without a custom MAIL FROM: SES uses its default. */
static void
test_no_mail_from(void **state)
{
	struct decide_in in = base(&id_plain, DECIDE_MX_UNKNOWN);

	(void)state;
	in.rewrite_envelope = true;
	expect(
	    &in, DECIDE_ACCEPT, DECIDE_R_NO_MAIL_FROM, NULL, NULL, NULL, false);
}

/* Row 5: the MX is needed before anything else can be said. */
static void
test_need_mx(void **state)
{
	struct decide_in in = base(&id_reject, DECIDE_MX_UNKNOWN);

	(void)state;
	expect(
	    &in, DECIDE_LOOKUP_MX, DECIDE_R_NEED_MX, NULL, NULL, NULL, false);
}

/* Row 5, ok: Success; the envelope is rewritten only when configured. */
static void
test_mx_ok(void **state)
{
	struct decide_in in = base(&id_reject, DECIDE_MX_OK);

	(void)state;
	expect(
	    &in, DECIDE_ACCEPT, DECIDE_R_MX_OK, "Success", NULL, NULL, false);
	in.rewrite_envelope = true;
	expect(&in, DECIDE_ACCEPT, DECIDE_R_MX_OK, "Success", NULL, NULL, true);
	in.identity = &id_default;
	expect(&in, DECIDE_ACCEPT, DECIDE_R_MX_OK, "Success", NULL, NULL, true);
}

/* Row 6, UseDefaultValue: accepted in both failure kinds, never rewritten. */
static void
test_use_default_value(void **state)
{
	struct decide_in in = base(&id_default, DECIDE_MX_FAILED);

	(void)state;
	in.rewrite_envelope = true;
	expect(&in, DECIDE_ACCEPT, DECIDE_R_USE_DEFAULT, "Failed", NULL, NULL,
	    false);
	in.mx = DECIDE_MX_TEMPFAIL;
	expect(&in, DECIDE_ACCEPT, DECIDE_R_USE_DEFAULT, "TemporaryFailure",
	    NULL, NULL, false);
}

/* Row 6, RejectMessage: 550 5.7.1 when definitive, 451 4.4.3 when transient. */
static void
test_reject_message(void **state)
{
	struct decide_in in = base(&id_reject, DECIDE_MX_FAILED);

	(void)state;
	in.rewrite_envelope = true;
	expect(&in, DECIDE_REJECT, DECIDE_R_REJECT_MESSAGE, "Failed", "550",
	    "5.7.1", false);
	in.mx = DECIDE_MX_TEMPFAIL;
	expect(&in, DECIDE_TEMPFAIL, DECIDE_R_REJECT_MESSAGE,
	    "TemporaryFailure", "451", "4.4.3", false);
}

/* Local submission: audited as decided, but never refused or tempfailed. */
static void
test_local_submission(void **state)
{
	struct decide_in in = base(&id_reject, DECIDE_MX_FAILED);
	struct decide_out out;

	(void)state;
	in.local_submission = true;
	decide(&in, &out);
	assert_int_equal(out.verdict, DECIDE_ACCEPT);
	assert_int_equal(out.spared, DECIDE_REJECT);
	assert_int_equal(out.reason, DECIDE_R_REJECT_MESSAGE);
	assert_string_equal(out.status, "Failed");
	assert_null(out.rcode);

	in.mx = DECIDE_MX_TEMPFAIL;
	decide(&in, &out);
	assert_int_equal(out.verdict, DECIDE_ACCEPT);
	assert_int_equal(out.spared, DECIDE_TEMPFAIL);

	in = base(NULL, DECIDE_MX_UNKNOWN);
	in.local_submission = true;
	in.unknown_sender = CONF_REJECT;
	decide(&in, &out);
	assert_int_equal(out.verdict, DECIDE_ACCEPT);
	assert_int_equal(out.spared, DECIDE_REJECT);

	/* rewriting still applies to local mail */
	in = base(&id_reject, DECIDE_MX_OK);
	in.local_submission = true;
	in.rewrite_envelope = true;
	decide(&in, &out);
	assert_int_equal(out.verdict, DECIDE_ACCEPT);
	assert_int_equal(out.spared, DECIDE_ACCEPT);
	assert_true(out.rewrite);
}

static void
test_reply_text(void **state)
{
	char buf[256];

	(void)state;
	assert_true(decide_reply_text(
	    "MAIL FROM domain %{domain} of SES identity %{identity} "
	    "failed its MX check (%{mx}): MailFromDomainNotVerified",
	    "bounce.example.com", "example.com", "nxdomain", "a@example.com",
	    buf, sizeof(buf)));
	assert_string_equal(buf,
	    "MAIL FROM domain bounce.example.com of SES identity "
	    "example.com failed its MX check (nxdomain): MailFromDomainNotVerified");
	/* % doubled for libmilter, CR/LF made harmless, unknown %{x} kept */
	assert_true(decide_reply_text("100% %{sender}\r\n%{x}", NULL, NULL,
	    NULL, "\"50%\"@x", buf, sizeof(buf)));
	assert_string_equal(buf, "100%% \"50%%\"@x  %%{x}");
	/* NULL values expand to nothing */
	assert_true(decide_reply_text(
	    "[%{domain}]", NULL, NULL, NULL, NULL, buf, sizeof(buf)));
	assert_string_equal(buf, "[]");
	/* too long: refused, still terminated; a doubled % never split */
	assert_false(
	    decide_reply_text("abcdef", NULL, NULL, NULL, NULL, buf, 4));
	assert_string_equal(buf, "abc");
	assert_false(decide_reply_text("ab%", NULL, NULL, NULL, NULL, buf, 4));
	assert_string_equal(buf, "ab");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounce),
		cmocka_unit_test(test_scope),
		cmocka_unit_test(test_unknown_sender),
		cmocka_unit_test(test_no_mail_from),
		cmocka_unit_test(test_need_mx),
		cmocka_unit_test(test_mx_ok),
		cmocka_unit_test(test_use_default_value),
		cmocka_unit_test(test_reject_message),
		cmocka_unit_test(test_local_submission),
		cmocka_unit_test(test_reply_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
