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

/*
 * A fault in the MX check (MX_INTERNAL, or any mx value decide() does not
 * know) goes to on_internal_error: 451 4.3.0 or accept, whatever SES says
 * and whatever the identity's behaviour, never a 5xx (issue 11, item 6).
 */
static void
test_internal_error_never_5xx(void **state)
{
	static const enum decide_mx mxs[] = {
		DECIDE_MX_INTERNAL,
		(enum decide_mx)(DECIDE_MX_INTERNAL + 1),
	};
	static const enum conf_action actions[] = {
		CONF_ACCEPT,
		CONF_REJECT, /* not a valid setting: still no 5xx */
		CONF_TEMPFAIL,
	};
	enum {
		NSES = SESSTATUS_FAILED + 1
	};
	struct conf_identity id = id_reject;
	struct decide_out out;
	struct decide_in in;
	size_t i, k, a;
	bool local;

	(void)state;
	/* Every combination: mx x action x behaviour x origin x SES status. */
	for (i = 0; i < 2 * 3 * 2 * 2 * NSES; i++) {
		k = i;
		in = base(&id, mxs[k % 2]);
		k /= 2;
		a = k % 3;
		in.on_internal_error = actions[a];
		k /= 3;
		id.behavior =
		    k % 2 ? CONF_REJECT_MESSAGE : CONF_USE_DEFAULT_VALUE;
		k /= 2;
		local = k % 2;
		in.local_submission = local;
		k /= 2;
		in.ses = (enum sesstatus_value)k;
		in.rewrite_envelope = true;
		decide(&in, &out);
		assert_int_not_equal(out.verdict, DECIDE_REJECT);
		assert_int_equal(out.reason, DECIDE_R_INTERNAL_ERROR);
		assert_false(out.rewrite);
		if (out.rcode != NULL) {
			assert_string_equal(out.rcode, "451");
			assert_string_equal(out.xcode, "4.3.0");
		}
		assert_int_equal(out.verdict,
		    actions[a] == CONF_ACCEPT || local ? DECIDE_ACCEPT
						       : DECIDE_TEMPFAIL);
	}
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

/*
 * SES's own MailFromDomainStatus beside the live MX check: every status x
 * MX state x behaviour. The more severe signal decides; basis names it.
 */
struct ses_row {
	enum sesstatus_value ses;
	enum decide_mx mx;
	enum conf_behavior behavior;
	enum decide_verdict verdict;
	const char *status;
	const char *basis;
	const char *rcode;
};

#define R CONF_REJECT_MESSAGE
#define D CONF_USE_DEFAULT_VALUE
static const struct ses_row ses_rows[] = {
	/* no SES status known: the MX check alone, as before */
	{ SESSTATUS_UNKNOWN, DECIDE_MX_OK, R, DECIDE_ACCEPT, "Success", "mx",
	    NULL },
	{ SESSTATUS_UNKNOWN, DECIDE_MX_OK, D, DECIDE_ACCEPT, "Success", "mx",
	    NULL },
	{ SESSTATUS_UNKNOWN, DECIDE_MX_TEMPFAIL, R, DECIDE_TEMPFAIL,
	    "TemporaryFailure", "mx", "451" },
	{ SESSTATUS_UNKNOWN, DECIDE_MX_TEMPFAIL, D, DECIDE_ACCEPT,
	    "TemporaryFailure", "mx", NULL },
	{ SESSTATUS_UNKNOWN, DECIDE_MX_FAILED, R, DECIDE_REJECT, "Failed", "mx",
	    "550" },
	{ SESSTATUS_UNKNOWN, DECIDE_MX_FAILED, D, DECIDE_ACCEPT, "Failed", "mx",
	    NULL },
	/* Success: SES sends with the custom MAIL FROM until it notices */
	{ SESSTATUS_SUCCESS, DECIDE_MX_OK, R, DECIDE_ACCEPT, "Success", "both",
	    NULL },
	{ SESSTATUS_SUCCESS, DECIDE_MX_OK, D, DECIDE_ACCEPT, "Success", "both",
	    NULL },
	{ SESSTATUS_SUCCESS, DECIDE_MX_TEMPFAIL, R, DECIDE_TEMPFAIL,
	    "TemporaryFailure", "mx", "451" },
	{ SESSTATUS_SUCCESS, DECIDE_MX_TEMPFAIL, D, DECIDE_ACCEPT,
	    "TemporaryFailure", "mx", NULL },
	{ SESSTATUS_SUCCESS, DECIDE_MX_FAILED, R, DECIDE_REJECT, "Failed", "mx",
	    "550" },
	{ SESSTATUS_SUCCESS, DECIDE_MX_FAILED, D, DECIDE_ACCEPT, "Failed", "mx",
	    NULL },
	/* Pending: SES refuses under RejectMessage whatever the DNS says */
	{ SESSTATUS_PENDING, DECIDE_MX_OK, R, DECIDE_TEMPFAIL, "Pending", "ses",
	    "451" },
	{ SESSTATUS_PENDING, DECIDE_MX_OK, D, DECIDE_ACCEPT, "Pending", "ses",
	    NULL },
	{ SESSTATUS_PENDING, DECIDE_MX_TEMPFAIL, R, DECIDE_TEMPFAIL, "Pending",
	    "both", "451" },
	{ SESSTATUS_PENDING, DECIDE_MX_TEMPFAIL, D, DECIDE_ACCEPT, "Pending",
	    "both", NULL },
	{ SESSTATUS_PENDING, DECIDE_MX_FAILED, R, DECIDE_REJECT, "Failed", "mx",
	    "550" },
	{ SESSTATUS_PENDING, DECIDE_MX_FAILED, D, DECIDE_ACCEPT, "Failed", "mx",
	    NULL },
	/* TemporaryFailure: as Pending */
	{ SESSTATUS_TEMPORARY_FAILURE, DECIDE_MX_OK, R, DECIDE_TEMPFAIL,
	    "TemporaryFailure", "ses", "451" },
	{ SESSTATUS_TEMPORARY_FAILURE, DECIDE_MX_OK, D, DECIDE_ACCEPT,
	    "TemporaryFailure", "ses", NULL },
	{ SESSTATUS_TEMPORARY_FAILURE, DECIDE_MX_TEMPFAIL, R, DECIDE_TEMPFAIL,
	    "TemporaryFailure", "both", "451" },
	{ SESSTATUS_TEMPORARY_FAILURE, DECIDE_MX_TEMPFAIL, D, DECIDE_ACCEPT,
	    "TemporaryFailure", "both", NULL },
	{ SESSTATUS_TEMPORARY_FAILURE, DECIDE_MX_FAILED, R, DECIDE_REJECT,
	    "Failed", "mx", "550" },
	{ SESSTATUS_TEMPORARY_FAILURE, DECIDE_MX_FAILED, D, DECIDE_ACCEPT,
	    "Failed", "mx", NULL },
	/* Failed: SES stopped checking; a good DNS does not help */
	{ SESSTATUS_FAILED, DECIDE_MX_OK, R, DECIDE_REJECT, "Failed", "ses",
	    "550" },
	{ SESSTATUS_FAILED, DECIDE_MX_OK, D, DECIDE_ACCEPT, "Failed", "ses",
	    NULL },
	{ SESSTATUS_FAILED, DECIDE_MX_TEMPFAIL, R, DECIDE_REJECT, "Failed",
	    "ses", "550" },
	{ SESSTATUS_FAILED, DECIDE_MX_TEMPFAIL, D, DECIDE_ACCEPT, "Failed",
	    "ses", NULL },
	{ SESSTATUS_FAILED, DECIDE_MX_FAILED, R, DECIDE_REJECT, "Failed",
	    "both", "550" },
	{ SESSTATUS_FAILED, DECIDE_MX_FAILED, D, DECIDE_ACCEPT, "Failed",
	    "both", NULL },
};
#undef R
#undef D

static void
test_ses_status_rows(void **state)
{
	struct conf_identity id = id_reject;
	struct decide_out out;
	struct decide_in in;
	const struct ses_row *r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ses_rows) / sizeof(ses_rows[0]); i++) {
		r = &ses_rows[i];
		id.behavior = r->behavior;
		in = base(&id, r->mx);
		in.ses = r->ses;
		in.rewrite_envelope = true;
		decide(&in, &out);
		if (out.verdict != r->verdict ||
		    strcmp(out.status, r->status) != 0 ||
		    strcmp(decide_basis_name(out.basis), r->basis) != 0 ||
		    (r->rcode == NULL) != (out.rcode == NULL) ||
		    (r->rcode != NULL && strcmp(r->rcode, out.rcode) != 0))
			fail_msg("row %zu: got %s status=%s basis=%s rcode=%s",
			    i, decide_verdict_name(out.verdict), out.status,
			    decide_basis_name(out.basis),
			    out.rcode ? out.rcode : "-");
		assert_int_equal(out.reason,
		    strcmp(r->status, "Success") == 0 ? DECIDE_R_MX_OK
			: r->behavior == CONF_USE_DEFAULT_VALUE
			? DECIDE_R_USE_DEFAULT
			: DECIDE_R_REJECT_MESSAGE);
		/* the envelope moves only when SES will use the domain */
		assert_int_equal(
		    out.rewrite, strcmp(r->status, "Success") == 0);
	}
}

/* SES's status before the MX check is made changes nothing yet. */
static void
test_ses_status_waits_for_mx(void **state)
{
	struct decide_in in = base(&id_reject, DECIDE_MX_UNKNOWN);

	(void)state;
	in.ses = SESSTATUS_FAILED;
	expect(
	    &in, DECIDE_LOOKUP_MX, DECIDE_R_NEED_MX, NULL, NULL, NULL, false);
	in = base(&id_plain, DECIDE_MX_UNKNOWN);
	in.ses = SESSTATUS_FAILED;
	expect(
	    &in, DECIDE_ACCEPT, DECIDE_R_NO_MAIL_FROM, NULL, NULL, NULL, false);
}

/* A local submission is spared what SES's status would have done. */
static void
test_ses_status_local_submission(void **state)
{
	struct decide_in in = base(&id_reject, DECIDE_MX_OK);
	struct decide_out out;

	(void)state;
	in.local_submission = true;
	in.ses = SESSTATUS_PENDING;
	decide(&in, &out);
	assert_int_equal(out.verdict, DECIDE_ACCEPT);
	assert_int_equal(out.spared, DECIDE_TEMPFAIL);
	assert_null(out.rcode);
	in.ses = SESSTATUS_FAILED;
	decide(&in, &out);
	assert_int_equal(out.verdict, DECIDE_ACCEPT);
	assert_int_equal(out.spared, DECIDE_REJECT);
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
		cmocka_unit_test(test_internal_error_never_5xx),
		cmocka_unit_test(test_local_submission),
		cmocka_unit_test(test_ses_status_rows),
		cmocka_unit_test(test_ses_status_waits_for_mx),
		cmocka_unit_test(test_ses_status_local_submission),
		cmocka_unit_test(test_reply_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
