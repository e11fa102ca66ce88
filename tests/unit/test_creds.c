/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * creds: the chain's order and its errors without any network (instance
 * metadata disabled, container URIs refused before any connection), the
 * credential document and time parsers, and that no secret reaches an
 * error or a debug message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ses/creds.h"

#define SECRET_ENV "envSecretKey/abc+DEF"
#define TOKEN_ENV "envSessionToken+=="
#define SECRET_FILE "fileSecretKey/xyz"
#define SECRET_CFG "cfgSecretKey/123"
#define TOKEN_FILE "fileSessionToken=="

static const char *const vars[] = { "AWS_ACCESS_KEY_ID",
	"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
	"AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	"AWS_CONTAINER_CREDENTIALS_FULL_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	"AWS_EC2_METADATA_SERVICE_ENDPOINT" };

static char home[64];
static char debug_log[8192];

static void
collect(void *arg, const char *msg)
{
	(void)arg;
	strncat(debug_log, msg, sizeof(debug_log) - strlen(debug_log) - 2);
	strcat(debug_log, "\n");
}

static void
write_file(const char *name, const char *text)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/.aws/%s", home, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void
write_both(void)
{
	write_file("credentials",
	    "[default]\n"
	    "aws_access_key_id = AKIDFILEDEFAULT\n"
	    "aws_secret_access_key = " SECRET_FILE "\n"
	    "[p]\n"
	    "aws_access_key_id = AKIDFILEP\n"
	    "aws_secret_access_key = " SECRET_FILE "\n"
	    "aws_session_token = " TOKEN_FILE "\n"
	    "[partial]\n"
	    "aws_access_key_id = AKIDPARTIAL\n"
	    "[bad]\n"
	    "aws_access_key_id = AKIDBAD\n"
	    "aws_secret_access_key = " SECRET_FILE " with spaces\n");
	write_file("config",
	    "[default]\nregion = us-east-1\n"
	    "[profile c]\n"
	    "aws_access_key_id = AKIDCONFIG\n"
	    "aws_secret_access_key = " SECRET_CFG "\n"
	    "[profile p]\n"
	    "aws_access_key_id = AKIDCONFIGP\n"
	    "aws_secret_access_key = " SECRET_CFG "\n");
}

static int
setup(void **state)
{
	char dir[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	strcpy(home, "/tmp/test_creds.XXXXXX");
	if (mkdtemp(home) == NULL)
		return -1;
	snprintf(dir, sizeof(dir), "%s/.aws", home);
	if (mkdir(dir, 0700) == -1)
		return -1;
	setenv("HOME", home, 1);
	debug_log[0] = '\0';
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
	return system(cmd) == 0 ? 0 : -1;
}

/* One provider, one get: status, and OUT filled on success. */
static enum creds_status
get(const char *profile, struct creds *out, char *err, size_t errlen)
{
	struct creds_options o = { profile, collect, NULL, NULL, NULL, NULL,
		NULL };
	struct creds_provider *p;
	enum creds_status st;

	p = creds_provider_new(&o);
	assert_non_null(p);
	st = creds_provider_get(p, out, err, errlen);
	creds_provider_free(p);
	return st;
}

static void
set_env_creds(void)
{
	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", SECRET_ENV, 1);
	setenv("AWS_SESSION_TOKEN", TOKEN_ENV, 1);
}

static void
test_env(void **state)
{
	struct creds_provider *p;
	struct creds c;
	int i;

	(void)state;
	set_env_creds();
	p = creds_provider_new(NULL);
	assert_non_null(p);
	for (i = 0; i < 2; i++) {
		assert_int_equal(creds_provider_get(p, &c, NULL, 0), CREDS_OK);
		assert_string_equal(c.access_key_id, "AKIDENV");
		assert_string_equal(c.secret_access_key, SECRET_ENV);
		assert_string_equal(c.session_token, TOKEN_ENV);
		assert_int_equal(c.expiration, 0);
		assert_int_equal(c.source, CREDS_SOURCE_ENV);
		creds_clear(&c);
		assert_null(c.access_key_id);
	}
	creds_provider_free(p);

	setenv("AWS_SESSION_TOKEN", "", 1);
	assert_int_equal(get(NULL, &c, NULL, 0), CREDS_OK);
	assert_null(c.session_token);
	creds_clear(&c);
}

static void
test_env_partial(void **state)
{
	struct creds c;
	char err[256];

	(void)state;
	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	assert_int_equal(get(NULL, &c, err, sizeof(err)), CREDS_EPARTIAL);
	assert_string_equal(err,
	    "Partial credentials found in env, missing: "
	    "AWS_SECRET_ACCESS_KEY");
	assert_null(c.access_key_id);

	/* A secret alone is nothing (botocore keys on the id). */
	unsetenv("AWS_ACCESS_KEY_ID");
	setenv("AWS_SECRET_ACCESS_KEY", SECRET_ENV, 1);
	assert_int_equal(get(NULL, &c, err, sizeof(err)), CREDS_ENOTFOUND);
}

static void
test_env_and_profiles(void **state)
{
	struct creds c;

	(void)state;
	write_both();
	set_env_creds();
	assert_int_equal(get(NULL, &c, NULL, 0), CREDS_OK);
	assert_int_equal(c.source, CREDS_SOURCE_ENV);
	creds_clear(&c);

	/* $AWS_PROFILE does not skip the environment ... */
	setenv("AWS_PROFILE", "p", 1);
	assert_int_equal(get(NULL, &c, NULL, 0), CREDS_OK);
	assert_string_equal(c.access_key_id, "AKIDENV");
	creds_clear(&c);

	/* ... an explicit profile does. */
	assert_int_equal(get("p", &c, NULL, 0), CREDS_OK);
	assert_string_equal(c.access_key_id, "AKIDFILEP");
	assert_string_equal(c.secret_access_key, SECRET_FILE);
	assert_string_equal(c.session_token, TOKEN_FILE);
	assert_int_equal(c.source, CREDS_SOURCE_SHARED_CREDENTIALS);
	creds_clear(&c);
}

static void
test_shared_files(void **state)
{
	struct creds c;

	(void)state;
	write_both();
	assert_int_equal(get(NULL, &c, NULL, 0), CREDS_OK);
	assert_string_equal(c.access_key_id, "AKIDFILEDEFAULT");
	assert_null(c.session_token);
	assert_int_equal(c.source, CREDS_SOURCE_SHARED_CREDENTIALS);
	creds_clear(&c);

	setenv("AWS_PROFILE", "c", 1);
	assert_int_equal(get(NULL, &c, NULL, 0), CREDS_OK);
	assert_string_equal(c.access_key_id, "AKIDCONFIG");
	assert_string_equal(c.secret_access_key, SECRET_CFG);
	assert_int_equal(c.source, CREDS_SOURCE_SHARED_CONFIG);
	creds_clear(&c);

	/* The credentials file comes before the config file. */
	assert_int_equal(get("p", &c, NULL, 0), CREDS_OK);
	assert_string_equal(c.access_key_id, "AKIDFILEP");
	creds_clear(&c);

	/* Files named by the environment. */
	setenv("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/config", 1);
	setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
	assert_int_equal(get("default", &c, NULL, 0), CREDS_ENOTFOUND);
	write_file("config",
	    "[p]\naws_access_key_id = AKIDMOVED\n"
	    "aws_secret_access_key = s\n");
	assert_int_equal(get("p", &c, NULL, 0), CREDS_OK);
	assert_string_equal(c.access_key_id, "AKIDMOVED");
	creds_clear(&c);
}

static void
test_errors(void **state)
{
	struct creds c;
	char err[256];

	(void)state;
	assert_int_equal(get(NULL, &c, err, sizeof(err)), CREDS_ENOTFOUND);
	assert_string_equal(err, CREDS_MSG_NOTFOUND);
	assert_string_equal(err,
	    "Unable to locate credentials. You can "
	    "configure credentials by running \"aws configure\".");

	write_both();
	assert_int_equal(get("nope", &c, err, sizeof(err)), CREDS_EPROFILE);
	assert_string_equal(
	    err, "The config profile (nope) could not be found");

	assert_int_equal(get("partial", &c, err, sizeof(err)), CREDS_EPARTIAL);
	assert_string_equal(err,
	    "Partial credentials found in "
	    "shared-credentials-file, missing: aws_secret_access_key");

	assert_int_equal(get("bad", &c, err, sizeof(err)), CREDS_EINVALID);
	assert_non_null(strstr(err, "secret access key"));
	assert_null(strstr(err, SECRET_FILE));
	assert_null(c.access_key_id);
}

static void
test_container_refused(void **state)
{
	struct creds c;
	char err[512];

	(void)state;
	setenv(
	    "AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://10.1.2.3/creds", 1);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "containerAuthSecret", 1);
	assert_int_equal(get(NULL, &c, err, sizeof(err)), CREDS_EFETCH);
	assert_string_equal(err,
	    "Error when retrieving credentials from "
	    "container-role: Unsupported host '10.1.2.3'. Can only retrieve "
	    "metadata from a loopback address or 169.254.170.2, "
	    "169.254.170.23, fd00:ec2::23");

	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "file:///etc/passwd", 1);
	assert_int_equal(get(NULL, &c, err, sizeof(err)), CREDS_EFETCH);
	assert_non_null(strstr(err, "unsupported URI file:///etc/passwd"));

	/* The relative URI goes under the ECS agent's address. */
	setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/bad uri", 1);
	assert_int_equal(get(NULL, &c, err, sizeof(err)), CREDS_EFETCH);
	assert_non_null(
	    strstr(err, "unsupported URI http://169.254.170.2/v2/bad uri"));

	setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/x", 1);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/nonexistent/tok", 1);
	assert_int_equal(get(NULL, &c, err, sizeof(err)), CREDS_EFETCH);
	assert_non_null(strstr(err, "/nonexistent/tok"));
	assert_null(strstr(debug_log, "containerAuthSecret"));
}

static void
test_document(void **state)
{
	struct creds c;
	char err[256];
	const char *doc;

	(void)state;
	doc = "{\"Code\":\"Success\",\"AccessKeyId\":\"ASIADOC\","
	      "\"SecretAccessKey\":\"docSecret/1\",\"Token\":\"docToken==\","
	      "\"Expiration\":\"2030-01-02T03:04:05Z\"}";
	assert_int_equal(creds_parse_document(doc, strlen(doc),
			     CREDS_SOURCE_IMDS, &c, err, sizeof(err)),
	    CREDS_OK);
	assert_string_equal(c.access_key_id, "ASIADOC");
	assert_string_equal(c.secret_access_key, "docSecret/1");
	assert_string_equal(c.session_token, "docToken==");
	assert_int_equal(c.expiration, 1893553445);
	assert_int_equal(c.source, CREDS_SOURCE_IMDS);
	creds_clear(&c);

	doc = "{\"AccessKeyId\":\"ASIADOC\",\"SecretAccessKey\":\"docSecret\","
	      "\"Expiration\":\"2030-01-02T03:04:05Z\"}";
	assert_int_equal(creds_parse_document(doc, strlen(doc),
			     CREDS_SOURCE_CONTAINER, &c, err, sizeof(err)),
	    CREDS_EFETCH);
	assert_string_equal(err,
	    "Error when retrieving credentials from "
	    "container-role: the response has no Token");
	assert_null(c.access_key_id);

	doc = "{\"Code\":\"Failure\",\"AccessKeyId\":\"A\","
	      "\"SecretAccessKey\":\"docSecret\",\"Token\":\"t\","
	      "\"Expiration\":\"2030-01-02T03:04:05Z\"}";
	assert_int_equal(creds_parse_document(doc, strlen(doc),
			     CREDS_SOURCE_IMDS, &c, err, sizeof(err)),
	    CREDS_EFETCH);

	/* The parser's own message would quote the document: not shown. */
	doc = "{\"SecretAccessKey\":\"docSecret\" oops";
	assert_int_equal(creds_parse_document(doc, strlen(doc),
			     CREDS_SOURCE_IMDS, &c, err, sizeof(err)),
	    CREDS_EFETCH);
	assert_null(strstr(err, "docSecret"));
	assert_int_equal(creds_parse_document(
			     "[1]", 3, CREDS_SOURCE_IMDS, &c, err, sizeof(err)),
	    CREDS_EFETCH);

	doc = "{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"docSecret\","
	      "\"Token\":\"t\",\"Expiration\":\"tomorrow\"}";
	assert_int_equal(creds_parse_document(doc, strlen(doc),
			     CREDS_SOURCE_IMDS, &c, err, sizeof(err)),
	    CREDS_EFETCH);
	assert_non_null(strstr(err, "Expiration"));

	doc = "{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"doc\\nSecret\","
	      "\"Token\":\"t\",\"Expiration\":\"2030-01-02T03:04:05Z\"}";
	assert_int_equal(creds_parse_document(doc, strlen(doc),
			     CREDS_SOURCE_IMDS, &c, err, sizeof(err)),
	    CREDS_EINVALID);
	assert_null(strstr(err, "Secret\""));
}

static void
test_time(void **state)
{
	static const char *const bad[] = { "", "2024-01-01", "2024-01-01T00:00",
		"2024-01-01T00:00:00X", "2024-13-01T00:00:00Z",
		"2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z",
		"2024-01-01T24:00:00Z", "2024-01-01T00:60:00Z",
		"2024-01-01T00:00:60Z", "2024-01-01T00:00:00.Z",
		"2024-01-01T00:00:00+1:00", "1969-12-31T23:59:59Z",
		"2024-01-01T00:00:00Z ", "2024-01-01T00:00:00+24:00",
		"2024/01/01T00:00:00Z" };
	time_t t;
	size_t i;

	(void)state;
	assert_int_equal(creds_parse_time("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(creds_parse_time("2024-02-29T23:59:59Z", &t), 0);
	assert_int_equal(t, 1709251199);
	assert_int_equal(
	    creds_parse_time("2024-02-29T23:59:59.123456Z", &t), 0);
	assert_int_equal(t, 1709251199);
	assert_int_equal(creds_parse_time("2024-03-01T01:59:59+02:00", &t), 0);
	assert_int_equal(t, 1709251199);
	assert_int_equal(creds_parse_time("2024-02-29T20:29:59-0330", &t), 0);
	assert_int_equal(t, 1709251199);
	assert_int_equal(creds_parse_time("2024-02-29 23:59:59", &t), 0);
	assert_int_equal(t, 1709251199);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(creds_parse_time(bad[i], &t), -1);
}

static void
test_debug_has_no_secret(void **state)
{
	struct creds c;
	char err[512];

	(void)state;
	write_both();
	set_env_creds();
	assert_int_equal(get(NULL, &c, err, sizeof(err)), CREDS_OK);
	creds_clear(&c);
	assert_int_equal(get("p", &c, err, sizeof(err)), CREDS_OK);
	creds_clear(&c);
	assert_int_equal(get("c", &c, err, sizeof(err)), CREDS_OK);
	creds_clear(&c);
	assert_int_equal(get("bad", &c, err, sizeof(err)), CREDS_EINVALID);
	assert_null(strstr(err, SECRET_FILE));
	assert_non_null(strstr(debug_log, "Found credentials in environment"));
	assert_non_null(strstr(debug_log,
	    "Found credentials in shared "
	    "credentials file"));
	assert_non_null(strstr(debug_log, "Found credentials in config file"));
	assert_null(strstr(debug_log, SECRET_ENV));
	assert_null(strstr(debug_log, TOKEN_ENV));
	assert_null(strstr(debug_log, SECRET_FILE));
	assert_null(strstr(debug_log, SECRET_CFG));
	assert_null(strstr(debug_log, TOKEN_FILE));
}

static void *
hammer(void *arg)
{
	struct creds_provider *p = arg;
	struct creds c;
	int i;

	for (i = 0; i < 200; i++) {
		if (creds_provider_get(p, &c, NULL, 0) != CREDS_OK ||
		    strcmp(c.access_key_id, "AKIDENV") != 0) {
			creds_clear(&c);
			return (void *)1;
		}
		creds_clear(&c);
	}
	return NULL;
}

static void
test_threads(void **state)
{
	struct creds_provider *p;
	pthread_t t[4];
	void *ret;
	int i;

	(void)state;
	set_env_creds();
	p = creds_provider_new(NULL);
	assert_non_null(p);
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hammer, p), 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], &ret), 0);
		assert_null(ret);
	}
	creds_provider_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_env, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_env_partial, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_env_and_profiles, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_shared_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_container_refused, setup, teardown),
		cmocka_unit_test(test_document),
		cmocka_unit_test(test_time),
		cmocka_unit_test_setup_teardown(
		    test_debug_has_no_secret, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
