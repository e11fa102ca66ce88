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
		(char *)status, (char *)behavior };

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
	assert_int_equal(syncplan_make(w, 6, h, 7, out), 0);
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
	assert_int_equal(syncplan_make(NULL, 0, NULL, 0, NULL), 0);
	assert_int_equal(syncplan_make(w, 1, NULL, 0, out), 0);
	assert_int_equal(out[0].verdict, SYNCPLAN_UNKNOWN);
	assert_int_equal(syncplan_make(w, 1, h, 1, out), 0);
	assert_int_equal(out[0].verdict, SYNCPLAN_UNKNOWN);
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
	assert_int_equal(syncplan_make(w, N, h, N, out), 0);
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
		if (syncplan_next(SYNCPLAN_IN_STEP, &w, &h, rows[i].mx,
			rows[i].recent) != rows[i].next)
			fail_msg("row %zu (%s): got %s", i,
			    rows[i].status ? rows[i].status : "none",
			    syncplan_next_name(syncplan_next(SYNCPLAN_IN_STEP,
				&w, &h, rows[i].mx, rows[i].recent)));
	}
	/* a Set or an unknown identity come first; disabled needs nothing */
	h = have("example.com", "b.example.com", "Failed", "RejectMessage");
	assert_int_equal(
	    syncplan_next(SYNCPLAN_SET, &w, &h, SYNCPLAN_MX_OK, false),
	    SYNCPLAN_NEXT_SET);
	assert_int_equal(
	    syncplan_next(SYNCPLAN_UNKNOWN, &w, NULL, SYNCPLAN_MX_OK, false),
	    SYNCPLAN_NEXT_UNKNOWN);
	h = have("example.com", NULL, NULL, "UseDefaultValue");
	assert_int_equal(syncplan_next(SYNCPLAN_IN_STEP, &off, &h,
			     SYNCPLAN_MX_UNCHECKED, false),
	    SYNCPLAN_NEXT_NONE);
	assert_string_equal(
	    syncplan_next_name(SYNCPLAN_NEXT_REVERIFY), "reverify");
	assert_string_equal(
	    syncplan_next_name(SYNCPLAN_NEXT_FIX_DNS), "fix-dns");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_next),
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
