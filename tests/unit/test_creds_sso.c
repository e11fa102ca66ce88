/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * creds_sso: the token cache's file name as the AWS CLI computes it, the
 * cached token document, and the portal's GetRoleCredentials answer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ses/creds_sso.h"

static void
test_cache_name(void **state)
{
	char name[CREDS_SSO_CACHE_NAME_SIZE];

	(void)state;
	/* hashlib.sha1(KEY.encode()).hexdigest() + ".json" */
	assert_int_equal(creds_sso_cache_name("corp", name), 0);
	assert_string_equal(
	    name, "ee0bfd2552fbd840c02cc48b6e823320543c450f.json");
	assert_int_equal(creds_sso_cache_name(
			     "https://my-sso-portal.awsapps.com/start", name),
	    0);
	assert_string_equal(
	    name, "c7aaaf71fcc8777ae2475525ed049d39fe16c484.json");
}

static enum creds_status
token(const char *doc, time_t now, char **tok, char *err)
{
	return creds_sso_parse_token(
	    doc, strlen(doc), now, "corp", tok, err, 256);
}

static void
test_token(void **state)
{
	static const char ok[] = "{\"accessToken\": \"aoaTOKEN\", "
				 "\"expiresAt\": \"2030-01-01T00:00:00Z\"}";
	char *tok, err[256];

	(void)state;
	assert_int_equal(token(ok, 1700000000, &tok, err), CREDS_OK);
	assert_string_equal(tok, "aoaTOKEN");
	free(tok);
	/* Expired: at or after expiresAt. */
	assert_int_equal(token(ok, 1893456000, &tok, err), CREDS_EFETCH);
	assert_null(tok);
	assert_string_equal(err, CREDS_SSO_MSG_LOGIN);
	assert_int_equal(
	    token("{\"accessToken\": \"t\"}", 0, &tok, err), CREDS_EFETCH);
	assert_string_equal(
	    err, "Error loading SSO Token: Token for corp is invalid");
	assert_int_equal(token("garbage", 0, &tok, err), CREDS_EFETCH);
	assert_int_equal(token("{\"accessToken\": \"t\", \"expiresAt\": "
			       "\"tomorrow\"}",
			     0, &tok, err),
	    CREDS_EFETCH);
	assert_string_equal(err, CREDS_SSO_MSG_LOGIN);
}

static void
test_role(void **state)
{
	struct creds c;
	char err[256];
	static const char ok[] =
	    "{\"roleCredentials\": {\"accessKeyId\": \"ASIASSO\", "
	    "\"secretAccessKey\": \"sec\", \"sessionToken\": \"tok\", "
	    "\"expiration\": 1893553445123}}";
	static const char *const bad[] = { "{}", "[]", "nope",
		"{\"roleCredentials\": {\"accessKeyId\": \"A\", "
		"\"secretAccessKey\": \"s\", \"sessionToken\": \"t\", "
		"\"expiration\": \"soon\"}}",
		"{\"roleCredentials\": {\"accessKeyId\": \"A\", "
		"\"secretAccessKey\": \"s\", \"expiration\": 1}}",
		/* found by fuzz_credsdoc: an empty token was taken as none */
		"{\"roleCredentials\": {\"accessKeyId\": \"A\", "
		"\"secretAccessKey\": \"s\", \"sessionToken\": \"\", "
		"\"expiration\": 900}}" };
	size_t i;

	(void)state;
	assert_int_equal(
	    creds_sso_parse_role(ok, strlen(ok), &c, err, sizeof(err)),
	    CREDS_OK);
	assert_string_equal(c.access_key_id, "ASIASSO");
	assert_string_equal(c.session_token, "tok");
	assert_int_equal(c.expiration, 1893553445);
	assert_int_equal(c.source, CREDS_SOURCE_SSO);
	creds_clear(&c);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(creds_sso_parse_role(bad[i], strlen(bad[i]),
				     &c, err, sizeof(err)),
		    CREDS_EFETCH);
		assert_null(c.access_key_id);
		assert_non_null(strstr(err, "no complete roleCredentials"));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cache_name),
		cmocka_unit_test(test_token),
		cmocka_unit_test(test_role),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
