/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * creds_sts: STS answers (real AWS shapes and moto's) to credentials or to
 * botocore's error text, and where STS is reached.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ses/awsenv.h"
#include "ses/creds_sts.h"

#define OK_DOC(action) \
	"<" action "Response xmlns=\"https://sts.amazonaws.com/doc/" \
	"2011-06-15/\"><" action "Result><Credentials>" \
	"<AccessKeyId>ASIAEXAMPLE</AccessKeyId>" \
	"<SecretAccessKey>wJalrXUtnFEMI/K7MDENG</SecretAccessKey>" \
	"<SessionToken>AQoDYXdzEPT//////////wEXAMPLE</SessionToken>" \
	"<Expiration>2030-01-02T03:04:05.123Z</Expiration>" \
	"</Credentials><AssumedRoleUser><Arn>x</Arn></AssumedRoleUser>" \
	"</" action "Result><ResponseMetadata><RequestId>r</RequestId>" \
	"</ResponseMetadata></" action "Response>"

static enum creds_status
parse(const char *doc, long status, struct creds *c, char *err)
{
	return creds_sts_parse(doc, strlen(doc), status, "AssumeRole",
	    CREDS_SOURCE_ASSUME_ROLE, c, err, 256);
}

static void
test_answers(void **state)
{
	static const char *const docs[] = { OK_DOC("AssumeRole"),
		OK_DOC("AssumeRoleWithWebIdentity") };
	struct creds c;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		assert_int_equal(parse(docs[i], 200, &c, err), CREDS_OK);
		assert_string_equal(c.access_key_id, "ASIAEXAMPLE");
		assert_string_equal(
		    c.secret_access_key, "wJalrXUtnFEMI/K7MDENG");
		assert_string_equal(
		    c.session_token, "AQoDYXdzEPT//////////wEXAMPLE");
		assert_int_equal(c.expiration, 1893553445);
		assert_int_equal(c.source, CREDS_SOURCE_ASSUME_ROLE);
		creds_clear(&c);
	}
}

static void
test_refused(void **state)
{
	static const struct {
		const char *doc;
		long status;
		const char *msg;
	} rows[] = {
		{ "<ErrorResponse><Error><Type>Sender</Type>"
		  "<Code>AccessDenied</Code><Message>not authorized"
		  "</Message></Error></ErrorResponse>",
		    403,
		    "An error occurred (AccessDenied) when calling the "
		    "AssumeRole operation: not authorized" },
		{ "<ErrorResponse><Error><Code>Throttling</Code></Error>"
		  "</ErrorResponse>",
		    400,
		    "An error occurred (Throttling) when calling the "
		    "AssumeRole operation: Unknown" },
		{ "<html>bad gateway", 502,
		    "Error when retrieving credentials from assume-role: "
		    "unparsable AssumeRole response (HTTP status 502)" },
		{ "<AssumeRoleResponse><AssumeRoleResult><Credentials>"
		  "<AccessKeyId>A</AccessKeyId></Credentials>"
		  "</AssumeRoleResult></AssumeRoleResponse>",
		    200,
		    "Error when retrieving credentials from assume-role: "
		    "the AssumeRole response has no complete Credentials" },
		{ "<Other><AssumeRoleResult/></Other>", 200,
		    "has no complete Credentials" },
		{ "<!DOCTYPE x [<!ENTITY a \"b\">]><AssumeRoleResponse/>", 200,
		    "unparsable AssumeRole response" },
	};
	struct creds c;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_not_equal(
		    parse(rows[i].doc, rows[i].status, &c, err), CREDS_OK);
		assert_null(c.access_key_id);
		if (strstr(err, rows[i].msg) == NULL)
			fail_msg("row %zu: %s", i, err);
	}
}

static void
test_endpoint(void **state)
{
	static const struct {
		const char *sts, *all, *region, *url, *source;
	} rows[] = {
		{ NULL, NULL, "eu-west-1",
		    "https://sts.eu-west-1.amazonaws.com/", "default" },
		{ NULL, NULL, "cn-north-1",
		    "https://sts.cn-north-1.amazonaws.com.cn/", "default" },
		{ NULL, NULL, NULL, "https://sts.amazonaws.com/", "default" },
		{ NULL, "http://127.0.0.1:4566", "eu-west-1",
		    "http://127.0.0.1:4566/", "AWS_ENDPOINT_URL" },
		{ "http://127.0.0.1:5000/sts", "http://127.0.0.1:4566", NULL,
		    "http://127.0.0.1:5000/sts", "AWS_ENDPOINT_URL_STS" },
	};
	struct awsenv_endpoint ep;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		unsetenv("AWS_ENDPOINT_URL_STS");
		unsetenv("AWS_ENDPOINT_URL");
		if (rows[i].sts != NULL)
			setenv("AWS_ENDPOINT_URL_STS", rows[i].sts, 1);
		if (rows[i].all != NULL)
			setenv("AWS_ENDPOINT_URL", rows[i].all, 1);
		assert_int_equal(awsenv_service_endpoint(AWSENV_STS, NULL,
				     rows[i].region, &ep, NULL, 0),
		    AWSENV_OK);
		assert_string_equal(ep.url, rows[i].url);
		assert_string_equal(ep.source, rows[i].source);
		awsenv_endpoint_free(&ep);
	}
	/* SES has no global endpoint, and its own variable. */
	unsetenv("AWS_ENDPOINT_URL");
	setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1/", 1);
	assert_int_equal(
	    awsenv_endpoint(NULL, NULL, &ep, NULL, 0), AWSENV_ENOREGION);
	unsetenv("AWS_ENDPOINT_URL_STS");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_endpoint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
