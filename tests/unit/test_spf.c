/* SPDX-License-Identifier: BSD-2-Clause */
/* spf: the SPF record SES needs on a MAIL FROM domain. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "milter/dns/spf.h"

static enum spf_result
one(const char *txt)
{
	const char *recs[] = { txt };

	return spf_check(recs, 1, SPF_SES_INCLUDE, NULL);
}

static void
test_ok(void **state)
{
	(void)state;
	assert_int_equal(one(SPF_SES_RECORD), SPF_OK);
	assert_int_equal(one("v=spf1 include:amazonses.com -all"), SPF_OK);
	assert_int_equal(one("V=SPF1 +include:AmazonSES.com. ~all"), SPF_OK);
	assert_int_equal(one("v=spf1  mx  include:_spf.example.com  "
			     "include:amazonses.com ?all"),
	    SPF_OK);
	assert_int_equal(one("v=spf1 include:amazonses.com"), SPF_OK);
}

static void
test_no_include(void **state)
{
	(void)state;
	assert_int_equal(one("v=spf1 ~all"), SPF_NO_INCLUDE);
	assert_int_equal(one("v=spf1"), SPF_NO_INCLUDE);
	assert_int_equal(
	    one("v=spf1 include:amazonses.com.evil.test ~all"), SPF_NO_INCLUDE);
	assert_int_equal(
	    one("v=spf1 include:xamazonses.com ~all"), SPF_NO_INCLUDE);
	assert_int_equal(one("v=spf1 include:"), SPF_NO_INCLUDE);
	assert_int_equal(one("v=spf1 a:amazonses.com ~all"), SPF_NO_INCLUDE);
	/* negated or neutral: SES's servers would not pass */
	assert_int_equal(
	    one("v=spf1 -include:amazonses.com ~all"), SPF_NO_INCLUDE);
	assert_int_equal(one("v=spf1 ~include:amazonses.com"), SPF_NO_INCLUDE);
	assert_int_equal(one("v=spf1 ?include:amazonses.com"), SPF_NO_INCLUDE);
	/* never reached */
	assert_int_equal(
	    one("v=spf1 -all include:amazonses.com"), SPF_NO_INCLUDE);
	assert_int_equal(
	    one("v=spf1 ~ALL include:amazonses.com"), SPF_NO_INCLUDE);
}

static void
test_none(void **state)
{
	const char *recs[] = { "google-site-verification=abc",
		"v=spf10 include:amazonses.com", "v=spf1include:amazonses.com",
		"  v=spf1 include:amazonses.com", "", NULL };

	(void)state;
	assert_int_equal(spf_check(NULL, 0, SPF_SES_INCLUDE, NULL), SPF_NONE);
	assert_int_equal(spf_check(recs, 6, SPF_SES_INCLUDE, NULL), SPF_NONE);
}

static void
test_multiple(void **state)
{
	const char *recs[] = { "v=spf1 include:amazonses.com ~all", "other",
		"v=spf1 mx -all" };
	const char *spf = "unset";

	(void)state;
	assert_int_equal(
	    spf_check(recs, 3, SPF_SES_INCLUDE, &spf), SPF_MULTIPLE);
	assert_null(spf);
	assert_int_equal(spf_check(recs, 2, SPF_SES_INCLUDE, &spf), SPF_OK);
	assert_ptr_equal(spf, recs[0]);
	assert_int_equal(
	    spf_check(recs + 1, 2, SPF_SES_INCLUDE, &spf), SPF_NO_INCLUDE);
	assert_ptr_equal(spf, recs[2]);
}

static void
test_other_domain(void **state)
{
	const char *recs[] = { "v=spf1 include:spf.example.net. -all" };

	(void)state;
	assert_int_equal(spf_check(recs, 1, "SPF.example.net", NULL), SPF_OK);
	assert_int_equal(spf_check(recs, 1, "spf.example.net.", NULL), SPF_OK);
	assert_int_equal(
	    spf_check(recs, 1, SPF_SES_INCLUDE, NULL), SPF_NO_INCLUDE);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(spf_result_name(SPF_OK), "ok");
	assert_string_equal(spf_result_name(SPF_NONE), "none");
	assert_string_equal(spf_result_name(SPF_MULTIPLE), "multiple");
	assert_string_equal(spf_result_name(SPF_NO_INCLUDE), "no-include");
	assert_string_equal(
	    SPF_SES_RECORD, "v=spf1 include:amazonses.com ~all");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok),
		cmocka_unit_test(test_no_include),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_multiple),
		cmocka_unit_test(test_other_domain),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
