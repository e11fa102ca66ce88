/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * awsenv: profile, shared-file paths, region and endpoint precedence (set
 * up with setenv/unsetenv), and the endpoint parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ses/awsenv.h"

static const char *const vars[] = { "AWS_PROFILE", "AWS_REGION",
	"AWS_DEFAULT_REGION", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE",
	"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SES" };

static char home[64];

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

static int
setup(void **state)
{
	char dir[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
	strcpy(home, "/tmp/test_awsenv.XXXXXX");
	if (mkdtemp(home) == NULL)
		return -1;
	snprintf(dir, sizeof(dir), "%s/.aws", home);
	if (mkdir(dir, 0700) == -1)
		return -1;
	setenv("HOME", home, 1);
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

static void
test_profile(void **state)
{
	int named = -1;

	(void)state;
	assert_string_equal(awsenv_profile(NULL, &named), "default");
	assert_int_equal(named, 0);
	assert_string_equal(awsenv_profile("", &named), "default");
	setenv("AWS_PROFILE", "envprof", 1);
	assert_string_equal(awsenv_profile(NULL, &named), "envprof");
	assert_int_equal(named, 1);
	assert_string_equal(awsenv_profile("cli", &named), "cli");
	assert_int_equal(named, 1);
	setenv("AWS_PROFILE", "", 1);
	assert_string_equal(awsenv_profile(NULL, NULL), "default");
}

static void
test_shared_paths(void **state)
{
	char want[160], *p;

	(void)state;
	p = awsenv_shared_file(AWSCONFIG_CREDENTIALS);
	snprintf(want, sizeof(want), "%s/.aws/credentials", home);
	assert_string_equal(p, want);
	free(p);
	p = awsenv_shared_file(AWSCONFIG_CONFIG);
	snprintf(want, sizeof(want), "%s/.aws/config", home);
	assert_string_equal(p, want);
	free(p);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/etc/creds", 1);
	setenv("AWS_CONFIG_FILE", "~/cfg/x", 1);
	p = awsenv_shared_file(AWSCONFIG_CREDENTIALS);
	assert_string_equal(p, "/etc/creds");
	free(p);
	p = awsenv_shared_file(AWSCONFIG_CONFIG);
	snprintf(want, sizeof(want), "%s/cfg/x", home);
	assert_string_equal(p, want);
	free(p);
	/* Only "~/" is the home directory, not "~user". */
	setenv("AWS_CONFIG_FILE", "~other/x", 1);
	p = awsenv_shared_file(AWSCONFIG_CONFIG);
	assert_string_equal(p, "~other/x");
	free(p);
}

static void
test_region_precedence(void **state)
{
	struct awsenv_region r;

	(void)state;
	write_file("config",
	    "[default]\nregion = ca-central-1\n"
	    "[profile dev]\nregion = eu-west-3\n"
	    "[profile noregion]\noutput = json\n");
	write_file("credentials",
	    "[default]\nregion = ignored-here\n"
	    "[credonly]\naws_access_key_id = A\n");

	assert_int_equal(awsenv_region(NULL, NULL, &r, NULL, 0), AWSENV_OK);
	assert_string_equal(r.name, "ca-central-1");
	assert_string_equal(r.source, "config-file");

	assert_int_equal(awsenv_region(NULL, "dev", &r, NULL, 0), AWSENV_OK);
	assert_string_equal(r.name, "eu-west-3");
	setenv("AWS_PROFILE", "dev", 1);
	assert_int_equal(awsenv_region(NULL, NULL, &r, NULL, 0), AWSENV_OK);
	assert_string_equal(r.name, "eu-west-3");

	setenv("AWS_DEFAULT_REGION", "us-west-1", 1);
	assert_int_equal(awsenv_region(NULL, NULL, &r, NULL, 0), AWSENV_OK);
	assert_string_equal(r.name, "us-west-1");
	assert_string_equal(r.source, "AWS_DEFAULT_REGION");

	setenv("AWS_REGION", "us-west-2", 1);
	assert_int_equal(awsenv_region(NULL, NULL, &r, NULL, 0), AWSENV_OK);
	assert_string_equal(r.name, "us-west-2");
	assert_string_equal(r.source, "AWS_REGION");

	assert_int_equal(
	    awsenv_region("ap-northeast-1", NULL, &r, NULL, 0), AWSENV_OK);
	assert_string_equal(r.name, "ap-northeast-1");
	assert_string_equal(r.source, "explicit");

	/* Empty variables are unset ones. */
	setenv("AWS_REGION", "", 1);
	setenv("AWS_DEFAULT_REGION", "", 1);
	assert_int_equal(awsenv_region("", NULL, &r, NULL, 0), AWSENV_OK);
	assert_string_equal(r.name, "eu-west-3");
}

static void
test_region_errors(void **state)
{
	struct awsenv_region r;
	char err[256];

	(void)state;
	assert_int_equal(
	    awsenv_region(NULL, NULL, &r, err, sizeof(err)), AWSENV_ENOREGION);
	assert_string_equal(err,
	    "You must specify a region. You can also "
	    "configure your region by running \"aws configure\".");
	assert_null(r.source);

	write_file("config",
	    "[profile noregion]\noutput = json\n"
	    "[profile bad]\nregion = us_east_1\n");
	write_file("credentials", "[credonly]\naws_access_key_id = A\n");
	assert_int_equal(awsenv_region(NULL, "noregion", &r, err, sizeof(err)),
	    AWSENV_ENOREGION);
	/* A profile that only the credentials file has exists. */
	assert_int_equal(awsenv_region(NULL, "credonly", &r, err, sizeof(err)),
	    AWSENV_ENOREGION);
	assert_int_equal(awsenv_region(NULL, "missing", &r, err, sizeof(err)),
	    AWSENV_ENOPROFILE);
	assert_string_equal(err,
	    "The config profile (missing) could not be "
	    "found");
	setenv("AWS_PROFILE", "alsomissing", 1);
	assert_int_equal(
	    awsenv_region(NULL, NULL, &r, err, sizeof(err)), AWSENV_ENOPROFILE);
	unsetenv("AWS_PROFILE");

	assert_int_equal(awsenv_region(NULL, "bad", &r, err, sizeof(err)),
	    AWSENV_EBADREGION);
	assert_string_equal(err,
	    "Provided region_name 'us_east_1' doesn't "
	    "match a supported format.");
	setenv("AWS_REGION", "us-east-1/../x", 1);
	assert_int_equal(
	    awsenv_region(NULL, NULL, &r, err, sizeof(err)), AWSENV_EBADREGION);
	assert_int_equal(
	    awsenv_region("-us", NULL, &r, NULL, 0), AWSENV_EBADREGION);
}

static void
test_region_valid(void **state)
{
	char label[80];

	(void)state;
	assert_true(awsenv_region_valid("us-east-1"));
	assert_true(awsenv_region_valid("x"));
	assert_true(awsenv_region_valid("US-GOV-WEST-1"));
	assert_false(awsenv_region_valid(""));
	assert_false(awsenv_region_valid("us-east-1-"));
	assert_false(awsenv_region_valid("us.east"));
	assert_false(awsenv_region_valid("us east"));
	memset(label, 'a', 63);
	label[63] = '\0';
	assert_true(awsenv_region_valid(label));
	label[63] = 'a';
	label[64] = '\0';
	assert_false(awsenv_region_valid(label));
}

static void
test_endpoint_precedence(void **state)
{
	struct awsenv_endpoint ep;
	char err[256];

	(void)state;
	assert_int_equal(
	    awsenv_endpoint(NULL, "us-east-1", &ep, NULL, 0), AWSENV_OK);
	assert_string_equal(ep.url, "https://email.us-east-1.amazonaws.com/");
	assert_string_equal(ep.host_header, "email.us-east-1.amazonaws.com");
	assert_string_equal(ep.source, "default");
	assert_int_equal(ep.port, 443);
	awsenv_endpoint_free(&ep);

	assert_int_equal(
	    awsenv_endpoint(NULL, "cn-north-1", &ep, NULL, 0), AWSENV_OK);
	assert_string_equal(
	    ep.url, "https://email.cn-north-1.amazonaws.com.cn/");
	awsenv_endpoint_free(&ep);

	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:8001", 1);
	assert_int_equal(awsenv_endpoint(NULL, NULL, &ep, NULL, 0), AWSENV_OK);
	assert_string_equal(ep.url, "http://127.0.0.1:8001/");
	assert_string_equal(ep.source, "AWS_ENDPOINT_URL");
	awsenv_endpoint_free(&ep);

	setenv("AWS_ENDPOINT_URL_SES", "http://127.0.0.1:8002/", 1);
	assert_int_equal(awsenv_endpoint(NULL, NULL, &ep, NULL, 0), AWSENV_OK);
	assert_string_equal(ep.url, "http://127.0.0.1:8002/");
	assert_string_equal(ep.source, "AWS_ENDPOINT_URL_SES");
	awsenv_endpoint_free(&ep);

	assert_int_equal(
	    awsenv_endpoint("http://localhost:8003", NULL, &ep, NULL, 0),
	    AWSENV_OK);
	assert_string_equal(ep.host_header, "localhost:8003");
	assert_string_equal(ep.source, "explicit");
	awsenv_endpoint_free(&ep);

	assert_int_equal(
	    awsenv_endpoint("ftp://x/", NULL, &ep, err, sizeof(err)),
	    AWSENV_EBADENDPOINT);
	assert_string_equal(err, "Invalid endpoint: ftp://x/");
	assert_null(ep.url);

	unsetenv("AWS_ENDPOINT_URL_SES");
	unsetenv("AWS_ENDPOINT_URL");
	assert_int_equal(awsenv_endpoint(NULL, NULL, &ep, err, sizeof(err)),
	    AWSENV_ENOREGION);
}

static void
check_parse(const char *url, const char *want_url, const char *host,
    const char *host_header, const char *path, int port, int tls)
{
	struct awsenv_endpoint ep;

	assert_int_equal(awsenv_endpoint_parse(url, &ep), 0);
	assert_string_equal(ep.url, want_url);
	assert_string_equal(ep.host, host);
	assert_string_equal(ep.host_header, host_header);
	assert_string_equal(ep.path, path);
	assert_int_equal(ep.port, port);
	assert_int_equal(ep.tls, tls);
	awsenv_endpoint_free(&ep);
}

static void
test_endpoint_parse(void **state)
{
	static const char *const bad[] = { "", "email.us-east-1.amazonaws.com",
		"ftp://h/", "http://", "http:///x", "http://h:", "http://h:0/",
		"http://h:65536/", "http://h:99999999999999999999/",
		"http://user@h/", "http://h/?a=b", "http://h/#f",
		"http://h/a b", "http://[]/", "http://[::1/", "http://h:80x/",
		"http://h\r\n/", "https//h/", "http://h/\x7f" };
	struct awsenv_endpoint ep;
	size_t i;

	(void)state;
	check_parse("https://email.us-east-1.amazonaws.com",
	    "https://email.us-east-1.amazonaws.com/",
	    "email.us-east-1.amazonaws.com", "email.us-east-1.amazonaws.com",
	    "/", 443, 1);
	check_parse("HTTPS://Email.EU-West-1.AmazonAWS.com:443/",
	    "https://email.eu-west-1.amazonaws.com/",
	    "email.eu-west-1.amazonaws.com", "email.eu-west-1.amazonaws.com",
	    "/", 443, 1);
	check_parse("http://127.0.0.1:80", "http://127.0.0.1/", "127.0.0.1",
	    "127.0.0.1", "/", 80, 0);
	check_parse("http://127.0.0.1:443/", "http://127.0.0.1:443/",
	    "127.0.0.1", "127.0.0.1:443", "/", 443, 0);
	check_parse("https://localhost:8443/prefix/x",
	    "https://localhost:8443/prefix/x", "localhost", "localhost:8443",
	    "/prefix/x", 8443, 1);
	check_parse("http://[::1]:8080", "http://[::1]:8080/", "[::1]",
	    "[::1]:8080", "/", 8080, 0);
	check_parse("http://[FD00:EC2::23]", "http://[fd00:ec2::23]/",
	    "[fd00:ec2::23]", "[fd00:ec2::23]", "/", 80, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		assert_int_equal(awsenv_endpoint_parse(bad[i], &ep), -1);
		assert_int_equal(errno, EINVAL);
		assert_null(ep.url);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_profile, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_shared_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_region_precedence, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_region_errors, setup, teardown),
		cmocka_unit_test(test_region_valid),
		cmocka_unit_test_setup_teardown(
		    test_endpoint_precedence, setup, teardown),
		cmocka_unit_test(test_endpoint_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
