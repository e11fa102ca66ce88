/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * errbuf_scrub(): SES error texts with the canonical request cut off and
 * every secret redacted, on hostile input (overlapping and adjacent
 * secrets, empty ones, percent-encoded ones, a text that ends inside one,
 * a huge text).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "ses/errbuf.h"

#define TOKEN "IQoJb3JpZ2luX2VjEJ//////////wEaCXVzLWVhc3QtMSJGMEQCIBbi+DVWz="
#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define SIGN \
	"The request signature we calculated does not match the signature " \
	"you provided. Check your AWS Secret Access Key and signing " \
	"method. Consult the service documentation for details."

static const char *const secrets[] = { SECRET, TOKEN };

static char *
scrub(const char *msg, bool cut)
{
	char *s = errbuf_scrub(msg, secrets, 2, cut);

	assert_non_null(s);
	return s;
}

static void
test_cuts_the_canonical_request(void **state)
{
	char *s;

	(void)state;
	s = scrub(SIGN
	    "\n\n" ERRBUF_CANONICAL_MARK
	    "\n'POST\n/\n\nhost:email.us-east-1.amazonaws.com\n"
	    "x-amz-date:20260101T000000Z\nx-amz-security-token:" TOKEN
	    "\n\nhost;x-amz-date;x-amz-security-token\nabc'\n\n" ERRBUF_STS_MARK
	    "\n'AWS4-HMAC-SHA256\n20260101T000000Z\n...'\n",
	    true);
	assert_string_equal(s, SIGN);
	free(s);
	/* the string to sign alone, as some services send it */
	s = scrub("Bad. " ERRBUF_STS_MARK " 'x'", true);
	assert_string_equal(s, "Bad.");
	free(s);
	/* no cut asked: kept, the token redacted */
	s = scrub(SIGN "\n\n" ERRBUF_CANONICAL_MARK
		       "\nx-amz-security-token:" TOKEN "\n",
	    false);
	assert_string_equal(s,
	    SIGN "\n\n" ERRBUF_CANONICAL_MARK
		 "\nx-amz-security-token:" ERRBUF_REDACTED "\n");
	free(s);
}

static void
test_redacts_secrets_anywhere(void **state)
{
	char *s;

	(void)state;
	s = scrub("key " SECRET " token " TOKEN " end", true);
	assert_string_equal(
	    s, "key " ERRBUF_REDACTED " token " ERRBUF_REDACTED " end");
	free(s);
	/* twice, adjacent: one marker for the run */
	s = scrub(TOKEN TOKEN SECRET "!", false);
	assert_string_equal(s, ERRBUF_REDACTED "!");
	free(s);
	/* percent-encoded as in a query string or a form body */
	s = scrub(
	    "X=IQoJb3JpZ2luX2VjEJ%2F%2F%2F%2F%2F%2F%2F%2F%2F%2FwEaCXVzLWVh"
	    "c3QtMSJGMEQCIBbi%2BDVWz%3D&Y=1",
	    false);
	assert_string_equal(s, "X=" ERRBUF_REDACTED "&Y=1");
	free(s);
}

static void
test_overlapping_secrets(void **state)
{
	const char *const ov[] = { "abcabcXY", "cXYZ12345" };
	const char *const self[] = { "aba12aba" };
	char *s;

	(void)state;
	/* the second starts inside the first and runs past it */
	s = errbuf_scrub("<abcabcXYZ12345>", ov, 2, false);
	assert_non_null(s);
	assert_string_equal(s, "<" ERRBUF_REDACTED ">");
	free(s);
	/* overlapping occurrences of one secret */
	s = errbuf_scrub("-aba12aba12aba-", self, 1, false);
	assert_non_null(s);
	assert_string_equal(s, "-" ERRBUF_REDACTED "-");
	free(s);
}

static void
test_a_text_cut_inside_a_secret(void **state)
{
	char msg[256];
	char *s;

	(void)state;
	/* the server (or a length limit) cut the token short */
	snprintf(msg, sizeof(msg), "token %.20s", TOKEN);
	s = scrub(msg, false);
	assert_string_equal(s, "token " ERRBUF_REDACTED);
	free(s);
	/* a short tail is no secret's start to speak of */
	s = scrub("token IQoJ", false);
	assert_string_equal(s, "token IQoJ");
	free(s);
}

static void
test_empty_and_missing_secrets(void **state)
{
	const char *const none[] = { "", NULL };
	char *s;

	(void)state;
	s = errbuf_scrub("nothing secret here", none, 2, true);
	assert_non_null(s);
	assert_string_equal(s, "nothing secret here");
	free(s);
	s = errbuf_scrub(NULL, NULL, 0, true);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
}

static void
test_anyones_token_and_signature(void **state)
{
	char *s;

	(void)state;
	/* not our secrets, still secret: a token and a signature */
	s = errbuf_scrub("X-Amz-Security-Token = AQoDYXdzEJr&a=1; "
			 "Authorization: AWS4-HMAC-SHA256 Credential=AKID/x, "
			 "SignedHeaders=host, Signature=0123456789abcdef0123'",
	    NULL, 0, false);
	assert_non_null(s);
	assert_string_equal(s,
	    "X-Amz-Security-Token = " ERRBUF_REDACTED
	    "&a=1; Authorization: AWS4-HMAC-SHA256 Credential=AKID/x, "
	    "SignedHeaders=host, Signature=" ERRBUF_REDACTED "'");
	free(s);
}

static void
test_huge_text(void **state)
{
	size_t n = 8 * 1024 * 1024, i, tl = strlen(TOKEN);
	char *msg = malloc(n + 1), *s;
	clock_t t0;

	(void)state;
	assert_non_null(msg);
	/* a worst case for naive matching: the secret's first bytes again and again */
	for (i = 0; i + tl < n; i += tl - 1)
		memcpy(msg + i, TOKEN, tl - 1);
	memset(msg + i, 'x', n - i);
	memcpy(msg + n / 2, TOKEN, tl);
	msg[n] = '\0';
	t0 = clock();
	s = scrub(msg, true);
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 5);
	assert_null(strstr(s, TOKEN));
	assert_non_null(strstr(s, ERRBUF_REDACTED));
	free(s);
	free(msg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cuts_the_canonical_request),
		cmocka_unit_test(test_redacts_secrets_anywhere),
		cmocka_unit_test(test_overlapping_secrets),
		cmocka_unit_test(test_a_text_cut_inside_a_secret),
		cmocka_unit_test(test_empty_and_missing_secrets),
		cmocka_unit_test(test_anyones_token_and_signature),
		cmocka_unit_test(test_huge_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
