/* SPDX-License-Identifier: BSD-2-Clause */
/* syncplan: every way a configured identity and SES's attributes can meet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "milter/conf.h"
#include "milter/sync/syncplan.h"

#define RM CONF_REJECT_MESSAGE
#define UD CONF_USE_DEFAULT_VALUE

static struct conf_identity
want(const char *name, const char *domain, enum conf_behavior b)
{
	struct conf_identity id = { (char *)name, (char *)domain, b, 1 };

	return id;
}

static struct sesxml_mail_from
have(const char *name, const char *domain, const char *status,
    const char *behavior)
{
	struct sesxml_mail_from m = { (char *)name, (char *)domain,
		(char *)status, (char *)behavior, NULL, NULL };

	return m;
}

static enum syncplan_verdict
cmp(struct conf_identity w, const struct sesxml_mail_from *h, unsigned *diff)
{
	return syncplan_compare(&w, h, diff);
}

static void
test_in_step(void **state)
{
	struct sesxml_mail_from h = have(
	    "example.com", "bounce.example.com", "Success", "RejectMessage");
	unsigned diff = 99;

	(void)state;
	assert_int_equal(
	    cmp(want("example.com", "bounce.example.com", RM), &h, &diff),
	    SYNCPLAN_IN_STEP);
	assert_int_equal(diff, 0);
	/* the status plays no part: Pending or Failed is SES's business */
	h.status = "Failed";
	assert_int_equal(
	    cmp(want("example.com", "bounce.example.com", RM), &h, NULL),
	    SYNCPLAN_IN_STEP);
	h.status = NULL;
	assert_int_equal(
	    cmp(want("example.com", "bounce.example.com", RM), &h, NULL),
	    SYNCPLAN_IN_STEP);
}

static void
test_domain_case(void **state)
{
	struct sesxml_mail_from h = have(
	    "example.com", "Bounce.EXAMPLE.com", "Success", "UseDefaultValue");
	unsigned diff;

	(void)state;
	assert_int_equal(
	    cmp(want("example.com", "bounce.example.com", UD), &h, &diff),
	    SYNCPLAN_IN_STEP);
	assert_int_equal(diff, 0);
}

static void
test_domain_differs(void **state)
{
	struct sesxml_mail_from h =
	    have("example.com", "old.example.com", "Success", "RejectMessage");
	unsigned diff;

	(void)state;
	assert_int_equal(
	    cmp(want("example.com", "bounce.example.com", RM), &h, &diff),
	    SYNCPLAN_SET);
	assert_int_equal(diff, SYNCPLAN_DIFF_DOMAIN);
	/* a suffix is not the same domain */
	h.mail_from_domain = "xbounce.example.com";
	assert_int_equal(
	    cmp(want("example.com", "bounce.example.com", RM), &h, &diff),
	    SYNCPLAN_SET);
	assert_int_equal(diff, SYNCPLAN_DIFF_DOMAIN);
}

static void
test_behavior_differs(void **state)
{
	struct sesxml_mail_from h = have(
	    "example.com", "bounce.example.com", "Success", "UseDefaultValue");
	unsigned diff;

	(void)state;
	assert_int_equal(
	    cmp(want("example.com", "bounce.example.com", RM), &h, &diff),
	    SYNCPLAN_SET);
	assert_int_equal(diff, SYNCPLAN_DIFF_BEHAVIOR);
	h.mail_from_domain = "other.example.com";
	assert_int_equal(
	    cmp(want("example.com", "bounce.example.com", RM), &h, &diff),
	    SYNCPLAN_SET);
	assert_int_equal(diff, SYNCPLAN_DIFF_DOMAIN | SYNCPLAN_DIFF_BEHAVIOR);
}

static void
test_behavior_absent_is_default(void **state)
{
	struct sesxml_mail_from h =
	    have("example.com", "bounce.example.com", "Pending", NULL);
	unsigned diff;

	(void)state;
	assert_int_equal(
	    cmp(want("example.com", "bounce.example.com", UD), &h, &diff),
	    SYNCPLAN_IN_STEP);
	assert_int_equal(
	    cmp(want("example.com", "bounce.example.com", RM), &h, &diff),
	    SYNCPLAN_SET);
	assert_int_equal(diff, SYNCPLAN_DIFF_BEHAVIOR);
	h.behavior = "";
	assert_int_equal(
	    cmp(want("example.com", "bounce.example.com", RM), &h, &diff),
	    SYNCPLAN_SET);
	assert_string_equal(syncplan_have_behavior(&h), "UseDefaultValue");
}

static void
test_enable(void **state)
{
	/* SES answers a disabled setting with no MailFromDomain, or an empty one */
	struct sesxml_mail_from absent =
	    have("example.com", NULL, NULL, "UseDefaultValue");
	struct sesxml_mail_from empty =
	    have("example.com", "", NULL, "UseDefaultValue");
	unsigned diff;

	(void)state;
	assert_int_equal(
	    cmp(want("example.com", "bounce.example.com", UD), &absent, &diff),
	    SYNCPLAN_SET);
	assert_int_equal(diff, SYNCPLAN_DIFF_DOMAIN);
	assert_int_equal(
	    cmp(want("example.com", "bounce.example.com", UD), &empty, &diff),
	    SYNCPLAN_SET);
	assert_int_equal(diff, SYNCPLAN_DIFF_DOMAIN);
	assert_null(syncplan_have_domain(&empty));
	assert_null(syncplan_have_domain(&absent));
}

static void
test_disable(void **state)
{
	struct sesxml_mail_from h = have(
	    "example.com", "bounce.example.com", "Success", "RejectMessage");
	unsigned diff;

	(void)state;
	assert_int_equal(
	    cmp(want("example.com", NULL, UD), &h, &diff), SYNCPLAN_SET);
	assert_int_equal(diff, SYNCPLAN_DIFF_DOMAIN);
}

static void
test_disabled_both_ignores_behavior(void **state)
{
	struct sesxml_mail_from absent =
	    have("example.com", NULL, NULL, "RejectMessage");
	struct sesxml_mail_from empty = have("example.com", "", NULL, NULL);
	unsigned diff;

	(void)state;
	assert_int_equal(cmp(want("example.com", NULL, UD), &absent, &diff),
	    SYNCPLAN_IN_STEP);
	assert_int_equal(diff, 0);
	assert_int_equal(cmp(want("example.com", NULL, RM), &empty, &diff),
	    SYNCPLAN_IN_STEP);
}

static void
test_unknown(void **state)
{
	unsigned diff = 7;

	(void)state;
	assert_int_equal(
	    cmp(want("example.com", "bounce.example.com", RM), NULL, &diff),
	    SYNCPLAN_UNKNOWN);
	assert_int_equal(diff, 0);
	assert_int_equal(
	    cmp(want("example.com", NULL, UD), NULL, NULL), SYNCPLAN_UNKNOWN);
}

static void
test_identity_cmp(void **state)
{
	(void)state;
	assert_int_equal(
	    syncplan_identity_cmp("example.com", "EXAMPLE.com"), 0);
	assert_int_equal(
	    syncplan_identity_cmp("alice@example.com", "alice@Example.COM"), 0);
	/* a local part is SES's exactly */
	assert_int_not_equal(
	    syncplan_identity_cmp("alice@example.com", "Alice@example.com"), 0);
	/* an address never matches a domain */
	assert_int_not_equal(
	    syncplan_identity_cmp("example.com", "x@example.com"), 0);
	assert_int_not_equal(
	    syncplan_identity_cmp("a@example.com", "ab@example.com"), 0);
	/* the last '@' separates: a quoted local part may hold one */
	assert_int_equal(
	    syncplan_identity_cmp("\"a@b\"@example.com", "\"a@b\"@EXAMPLE.COM"),
	    0);
	/* a total order */
	assert_true(syncplan_identity_cmp("a.com", "b.com") < 0);
	assert_true(syncplan_identity_cmp("b.com", "a.com") > 0);
	assert_true(syncplan_identity_cmp("a.com", "a@a.com") < 0);
	assert_true(syncplan_identity_cmp("a@a.com", "a.com") > 0);
}

static void
test_make(void **state)
{
	struct conf_identity w[] = {
		want("alice@example.org", "mail.example.org", UD),
		want("example.com", "bounce.example.com", RM),
		want("example.net", NULL, UD),
		want("missing.test", "b.missing.test", UD),
		want("off.test", NULL, UD),
		want("sub.example.com", "b.sub.example.com", RM),
	};
	/* SES's order, other case, extra identities, a repeat */
	struct sesxml_mail_from h[] = {
		have("unrelated.test", "x.unrelated.test", "Success",
		    "UseDefaultValue"),
		have("EXAMPLE.COM", "bounce.example.com", "Success",
		    "RejectMessage"),
		have("sub.example.com", "b.sub.example.com", "Pending",
		    "UseDefaultValue"),
		have("alice@example.org", NULL, NULL, "UseDefaultValue"),
		have("example.net", "bounce.example.net", "Failed",
		    "UseDefaultValue"),
		have("off.test", "", NULL, "RejectMessage"),
		have("example.com", "other.example.com", "Success",
		    "RejectMessage"),
	};
	struct syncplan_item out[6];

	(void)state;
	assert_int_equal(syncplan_make(w, 6, h, 7, NULL, 0, out), 0);
	assert_ptr_equal(out[0].want, &w[0]);
	assert_ptr_equal(out[0].have, &h[3]);
	assert_int_equal(out[0].verdict, SYNCPLAN_SET);
	assert_int_equal(out[0].diff, SYNCPLAN_DIFF_DOMAIN);
	/* of two entries for one identity, SES's first counts */
	assert_ptr_equal(out[1].have, &h[1]);
	assert_int_equal(out[1].verdict, SYNCPLAN_IN_STEP);
	assert_ptr_equal(out[2].have, &h[4]);
	assert_int_equal(out[2].verdict, SYNCPLAN_SET);
	assert_int_equal(out[2].diff, SYNCPLAN_DIFF_DOMAIN);
	assert_null(out[3].have);
	assert_int_equal(out[3].verdict, SYNCPLAN_UNKNOWN);
	assert_ptr_equal(out[4].have, &h[5]);
	assert_int_equal(out[4].verdict, SYNCPLAN_IN_STEP);
	assert_ptr_equal(out[5].have, &h[2]);
	assert_int_equal(out[5].verdict, SYNCPLAN_SET);
	assert_int_equal(out[5].diff, SYNCPLAN_DIFF_BEHAVIOR);
}

static void
test_make_empty(void **state)
{
	struct conf_identity w[] = { want("example.com", NULL, UD) };
	struct sesxml_mail_from h[] = { have(NULL, "x", NULL, NULL) };
	struct syncplan_item out[1];

	(void)state;
	/* nothing configured, nothing answered, an entry without a key */
	assert_int_equal(syncplan_make(NULL, 0, NULL, 0, NULL, 0, NULL), 0);
	assert_int_equal(syncplan_make(w, 1, NULL, 0, NULL, 0, out), 0);
	assert_int_equal(out[0].verdict, SYNCPLAN_UNKNOWN);
	assert_null(out[0].verification);
	assert_int_equal(syncplan_make(w, 1, h, 1, h, 1, out), 0);
	assert_int_equal(out[0].verdict, SYNCPLAN_UNKNOWN);
	assert_null(out[0].verification);
}

/* 1,000 configured and answered in reverse: every one found, in step. */
static void
test_make_many(void **state)
{
	enum {
		N = 1000
	};
	struct conf_identity *w = calloc(N, sizeof(*w));
	struct sesxml_mail_from *h = calloc(N, sizeof(*h));
	struct syncplan_item *out = calloc(N, sizeof(*out));
	char(*names)[32] = calloc(N, 32), (*doms)[40] = calloc(N, 40);
	size_t i;

	(void)state;
	assert_non_null(w);
	assert_non_null(h);
	assert_non_null(out);
	assert_non_null(names);
	assert_non_null(doms);
	for (i = 0; i < N; i++) {
		snprintf(names[i], 32, "d%04zu.test", i);
		snprintf(doms[i], 40, "bounce.d%04zu.test", i);
		w[i] = want(names[i], doms[i], i % 2 ? RM : UD);
		h[N - 1 - i] = have(names[i], doms[i], "Success",
		    i % 2 ? "RejectMessage" : "UseDefaultValue");
	}
	assert_int_equal(syncplan_make(w, N, h, N, NULL, 0, out), 0);
	for (i = 0; i < N; i++) {
		assert_ptr_equal(out[i].have, &h[N - 1 - i]);
		assert_int_equal(out[i].verdict, SYNCPLAN_IN_STEP);
	}
	free(w);
	free(h);
	free(out);
	free(names);
	free(doms);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(syncplan_verdict_name(SYNCPLAN_IN_STEP), "in-step");
	assert_string_equal(syncplan_verdict_name(SYNCPLAN_SET), "set");
	assert_string_equal(syncplan_verdict_name(SYNCPLAN_UNKNOWN), "unknown");
}

/* What comes next: every SES status x local MX state, settings in step. */
static void
test_next(void **state)
{
	static const struct {
		const char *status;
		enum syncplan_mx mx;
		bool recent;
		enum syncplan_next next;
	} rows[] = {
		{ "Success", SYNCPLAN_MX_OK, false, SYNCPLAN_NEXT_NONE },
		{ "Success", SYNCPLAN_MX_FAILED, false, SYNCPLAN_NEXT_NONE },
		{ "Success", SYNCPLAN_MX_TEMPFAIL, false, SYNCPLAN_NEXT_NONE },
		{ "Success", SYNCPLAN_MX_UNCHECKED, false, SYNCPLAN_NEXT_NONE },
		{ "Pending", SYNCPLAN_MX_OK, false, SYNCPLAN_NEXT_WAIT },
		{ "Pending", SYNCPLAN_MX_FAILED, false, SYNCPLAN_NEXT_WAIT },
		{ "Pending", SYNCPLAN_MX_TEMPFAIL, false, SYNCPLAN_NEXT_WAIT },
		{ "Pending", SYNCPLAN_MX_UNCHECKED, false, SYNCPLAN_NEXT_WAIT },
		{ "TemporaryFailure", SYNCPLAN_MX_OK, false,
		    SYNCPLAN_NEXT_WAIT },
		{ "TemporaryFailure", SYNCPLAN_MX_FAILED, false,
		    SYNCPLAN_NEXT_WAIT },
		{ "TemporaryFailure", SYNCPLAN_MX_TEMPFAIL, false,
		    SYNCPLAN_NEXT_WAIT },
		{ "TemporaryFailure", SYNCPLAN_MX_UNCHECKED, false,
		    SYNCPLAN_NEXT_WAIT },
		{ "Failed", SYNCPLAN_MX_OK, false, SYNCPLAN_NEXT_REVERIFY },
		{ "Failed", SYNCPLAN_MX_OK, true, SYNCPLAN_NEXT_WAIT },
		{ "Failed", SYNCPLAN_MX_FAILED, false, SYNCPLAN_NEXT_FIX_DNS },
		{ "Failed", SYNCPLAN_MX_FAILED, true, SYNCPLAN_NEXT_FIX_DNS },
		{ "Failed", SYNCPLAN_MX_TEMPFAIL, false,
		    SYNCPLAN_NEXT_FIX_DNS },
		{ "Failed", SYNCPLAN_MX_UNCHECKED, false,
		    SYNCPLAN_NEXT_FIX_DNS },
		{ NULL, SYNCPLAN_MX_OK, false, SYNCPLAN_NEXT_WAIT },
	};
	struct conf_identity w = want("example.com", "b.example.com", RM);
	struct conf_identity off = want("example.com", NULL, RM);
	struct sesxml_mail_from h;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		h = have("example.com", "b.example.com", rows[i].status,
		    "RejectMessage");
		if (syncplan_next(SYNCPLAN_IN_STEP, &w, &h, "Success",
			rows[i].mx, rows[i].recent) != rows[i].next)
			fail_msg("row %zu (%s): got %s", i,
			    rows[i].status ? rows[i].status : "none",
			    syncplan_next_name(
				syncplan_next(SYNCPLAN_IN_STEP, &w, &h,
				    "Success", rows[i].mx, rows[i].recent)));
	}
	/* a Set or an unknown identity come first; disabled needs nothing */
	h = have("example.com", "b.example.com", "Failed", "RejectMessage");
	assert_int_equal(syncplan_next(SYNCPLAN_SET, &w, &h, "Success",
			     SYNCPLAN_MX_OK, false),
	    SYNCPLAN_NEXT_SET);
	assert_int_equal(syncplan_next(SYNCPLAN_UNKNOWN, &w, NULL, NULL,
			     SYNCPLAN_MX_OK, false),
	    SYNCPLAN_NEXT_UNKNOWN);
	h = have("example.com", NULL, NULL, "UseDefaultValue");
	assert_int_equal(syncplan_next(SYNCPLAN_IN_STEP, &off, &h, "Success",
			     SYNCPLAN_MX_UNCHECKED, false),
	    SYNCPLAN_NEXT_NONE);
	assert_string_equal(
	    syncplan_next_name(SYNCPLAN_NEXT_REVERIFY), "reverify");
	assert_string_equal(
	    syncplan_next_name(SYNCPLAN_NEXT_FIX_DNS), "fix-dns");
}

/*
 * The identity's own verification, row by row: whatever the MAIL FROM
 * side says (in step and used, to be set, Failed with a good MX), an
 * identity SES has not verified waits for SES or needs verifying; an
 * unknown verification (not read) leaves the MAIL FROM side to decide.
 */
static void
test_next_verification(void **state)
{
	static const struct {
		const char *verification;
		enum syncplan_verdict verdict;
		const char *status;
		enum syncplan_next next;
	} rows[] = {
		{ "Success", SYNCPLAN_IN_STEP, "Success", SYNCPLAN_NEXT_NONE },
		{ "Success", SYNCPLAN_SET, "Success", SYNCPLAN_NEXT_SET },
		{ "Success", SYNCPLAN_IN_STEP, "Failed",
		    SYNCPLAN_NEXT_REVERIFY },
		{ "Pending", SYNCPLAN_IN_STEP, "Success",
		    SYNCPLAN_NEXT_VERIFY_WAIT },
		{ "Pending", SYNCPLAN_SET, "Success",
		    SYNCPLAN_NEXT_VERIFY_WAIT },
		{ "Pending", SYNCPLAN_IN_STEP, "Failed",
		    SYNCPLAN_NEXT_VERIFY_WAIT },
		{ "TemporaryFailure", SYNCPLAN_IN_STEP, "Success",
		    SYNCPLAN_NEXT_VERIFY_WAIT },
		{ "TemporaryFailure", SYNCPLAN_SET, "Pending",
		    SYNCPLAN_NEXT_VERIFY_WAIT },
		{ "Failed", SYNCPLAN_IN_STEP, "Success", SYNCPLAN_NEXT_VERIFY },
		{ "Failed", SYNCPLAN_SET, "Success", SYNCPLAN_NEXT_VERIFY },
		{ "Failed", SYNCPLAN_IN_STEP, "Failed", SYNCPLAN_NEXT_VERIFY },
		{ "NotStarted", SYNCPLAN_IN_STEP, "Success",
		    SYNCPLAN_NEXT_VERIFY },
		{ "NotStarted", SYNCPLAN_SET, NULL, SYNCPLAN_NEXT_VERIFY },
		/* a value SES may add one day is no Success either */
		{ "Revoked", SYNCPLAN_IN_STEP, "Success",
		    SYNCPLAN_NEXT_VERIFY },
		{ "", SYNCPLAN_IN_STEP, "Success", SYNCPLAN_NEXT_VERIFY },
		{ "success", SYNCPLAN_IN_STEP, "Success",
		    SYNCPLAN_NEXT_VERIFY },
		{ NULL, SYNCPLAN_IN_STEP, "Success", SYNCPLAN_NEXT_NONE },
		{ NULL, SYNCPLAN_SET, "Success", SYNCPLAN_NEXT_SET },
		{ NULL, SYNCPLAN_IN_STEP, "Pending", SYNCPLAN_NEXT_WAIT },
	};
	struct conf_identity w = want("example.com", "b.example.com", RM);
	struct conf_identity off = want("example.com", NULL, RM);
	struct sesxml_mail_from h;
	enum syncplan_next got;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		h = have("example.com", "b.example.com", rows[i].status,
		    "RejectMessage");
		got = syncplan_next(rows[i].verdict, &w, &h,
		    rows[i].verification, SYNCPLAN_MX_OK, false);
		if (got != rows[i].next)
			fail_msg("row %zu (%s): got %s", i,
			    rows[i].verification ? rows[i].verification
						 : "none",
			    syncplan_next_name(got));
	}
	/* an identity SES does not know stays unknown */
	assert_int_equal(syncplan_next(SYNCPLAN_UNKNOWN, &w, NULL, "Pending",
			     SYNCPLAN_MX_OK, false),
	    SYNCPLAN_NEXT_UNKNOWN);
	/* a disabled MAIL FROM needs nothing, but the identity does */
	h = have("example.com", NULL, NULL, "UseDefaultValue");
	assert_int_equal(syncplan_next(SYNCPLAN_IN_STEP, &off, &h, "Pending",
			     SYNCPLAN_MX_UNCHECKED, false),
	    SYNCPLAN_NEXT_VERIFY_WAIT);
	assert_string_equal(
	    syncplan_next_name(SYNCPLAN_NEXT_VERIFY_WAIT), "wait-verification");
	assert_string_equal(
	    syncplan_next_name(SYNCPLAN_NEXT_VERIFY), "verify-identity");
}

/* Verification entries are matched as the MAIL FROM ones are. */
static void
test_make_verification(void **state)
{
	struct conf_identity w[] = {
		want("example.com", "b.example.com", RM),
		want("Alice@example.org", NULL, UD),
		want("new.test", "b.new.test", RM),
		want("gone.test", "b.gone.test", RM),
	};
	struct sesxml_mail_from h[] = {
		have(
		    "example.com", "b.example.com", "Success", "RejectMessage"),
		have("Alice@example.org", NULL, NULL, "UseDefaultValue"),
		have("new.test", "b.new.test", "Success", "RejectMessage"),
	};
	struct sesxml_mail_from v[5];
	struct syncplan_item out[4];

	(void)state;
	memset(v, 0, sizeof(v));
	v[0].identity = "NEW.TEST";
	v[0].verification_status = "Pending";
	v[1].identity = "alice@example.org"; /* another mailbox */
	v[1].verification_status = "Failed";
	v[2].identity = "Alice@EXAMPLE.ORG";
	v[2].verification_status = "Success";
	v[3].identity = "example.com";
	v[3].verification_status = "Success";
	v[4].identity = "example.com"; /* a repeat: the first counts */
	v[4].verification_status = "Failed";
	assert_int_equal(syncplan_make(w, 4, h, 3, v, 5, out), 0);
	assert_string_equal(out[0].verification, "Success");
	assert_string_equal(out[1].verification, "Success");
	assert_string_equal(out[2].verification, "Pending");
	assert_int_equal(out[2].verdict, SYNCPLAN_IN_STEP);
	assert_null(out[3].verification);
	assert_int_equal(out[3].verdict, SYNCPLAN_UNKNOWN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_next),
		cmocka_unit_test(test_next_verification),
		cmocka_unit_test(test_make_verification),
		cmocka_unit_test(test_in_step),
		cmocka_unit_test(test_domain_case),
		cmocka_unit_test(test_domain_differs),
		cmocka_unit_test(test_behavior_differs),
		cmocka_unit_test(test_behavior_absent_is_default),
		cmocka_unit_test(test_enable),
		cmocka_unit_test(test_disable),
		cmocka_unit_test(test_disabled_both_ignores_behavior),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_identity_cmp),
		cmocka_unit_test(test_make),
		cmocka_unit_test(test_make_empty),
		cmocka_unit_test(test_make_many),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
