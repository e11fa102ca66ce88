/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * awsconfig: the AWS shared files as botocore reads them: both kinds of
 * section header, comments, nested sub-sections, continuation lines,
 * long lines, malformed lines skipped, and the file wrapper.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ses/awsconfig.h"

static struct awsconfig *
parse(const char *text, enum awsconfig_kind kind)
{
	struct awsconfig *cfg = awsconfig_parse(text, strlen(text), kind);

	assert_non_null(cfg);
	return cfg;
}

static void
test_credentials_profiles(void **state)
{
	struct awsconfig *cfg;

	(void)state;
	cfg = parse("[default]\n"
		    "aws_access_key_id = AKIDDEFAULT\n"
		    "aws_secret_access_key = secret/default+key\n"
		    "\n"
		    "[prod]\n"
		    "aws_access_key_id=AKIDPROD\n"
		    "aws_secret_access_key=prodsecret\n"
		    "aws_session_token = tok==\n"
		    "[profile x]\n"
		    "aws_access_key_id = AKIDX\n",
	    AWSCONFIG_CREDENTIALS);
	assert_string_equal(
	    awsconfig_get(cfg, "default", "aws_access_key_id"), "AKIDDEFAULT");
	assert_string_equal(
	    awsconfig_get(cfg, "default", "aws_secret_access_key"),
	    "secret/default+key");
	assert_null(awsconfig_get(cfg, "default", "aws_session_token"));
	assert_string_equal(
	    awsconfig_get(cfg, "prod", "aws_access_key_id"), "AKIDPROD");
	assert_string_equal(
	    awsconfig_get(cfg, "prod", "aws_session_token"), "tok==");
	/* In the credentials file "profile x" is just a name. */
	assert_string_equal(
	    awsconfig_get(cfg, "profile x", "aws_access_key_id"), "AKIDX");
	assert_null(awsconfig_get(cfg, "x", "aws_access_key_id"));
	assert_null(awsconfig_get(cfg, "nope", "aws_access_key_id"));
	assert_true(awsconfig_has_profile(cfg, "prod"));
	assert_false(awsconfig_has_profile(cfg, "Prod"));
	awsconfig_free(cfg);
}

static void
test_config_profiles(void **state)
{
	struct awsconfig *cfg;

	(void)state;
	cfg = parse("[default]\n"
		    "region = us-east-1\n"
		    "[profile dev]\n"
		    "region = eu-west-1\n"
		    "[profile   spaced  ]\n"
		    "region = ap-south-1\n"
		    "[plain]\n"
		    "region = ignored-1\n"
		    "[profile two words]\n"
		    "region = ignored-2\n"
		    "[profiledev]\n"
		    "region = ignored-3\n"
		    "[sso-session corp]\n"
		    "sso_region = eu-central-1\n"
		    "[sso-session two words]\n"
		    "sso_region = ignored-6\n"
		    "[profile]\n"
		    "region = ignored-5\n"
		    "[profile default]\n"
		    "output = json\n",
	    AWSCONFIG_CONFIG);
	assert_string_equal(
	    awsconfig_get(cfg, "default", "region"), "us-east-1");
	assert_string_equal(awsconfig_get(cfg, "default", "output"), "json");
	assert_string_equal(awsconfig_get(cfg, "dev", "region"), "eu-west-1");
	assert_string_equal(
	    awsconfig_get(cfg, "spaced", "region"), "ap-south-1");
	assert_false(awsconfig_has_profile(cfg, "plain"));
	assert_false(awsconfig_has_profile(cfg, "profile dev"));
	assert_false(awsconfig_has_profile(cfg, "two words"));
	assert_false(awsconfig_has_profile(cfg, "profiledev"));
	assert_false(awsconfig_has_profile(cfg, "corp"));
	assert_null(awsconfig_get(cfg, "sso-session corp", "sso_region"));
	/* Sessions are apart from profiles, reached by their own calls. */
	assert_true(awsconfig_has_session(cfg, "corp"));
	assert_string_equal(
	    awsconfig_session_get(cfg, "corp", "SSO_REGION"), "eu-central-1");
	assert_null(awsconfig_get(cfg, " corp", "sso_region"));
	assert_false(awsconfig_has_profile(cfg, " corp"));
	assert_false(awsconfig_has_session(cfg, "dev"));
	assert_false(awsconfig_has_session(cfg, "two words"));
	assert_false(awsconfig_has_session(cfg, "two"));
	awsconfig_free(cfg);
}

static void
test_long_token(void **state)
{
	struct awsconfig *cfg;
	char *text, *token;
	size_t n = 5000;

	(void)state;
	token = malloc(n + 1);
	text = malloc(n + 100);
	assert_non_null(token);
	assert_non_null(text);
	memset(token, 'T', n);
	memcpy(token + n - 2, "==", 2);
	token[n] = '\0';
	snprintf(text, n + 100,
	    "[default]\naws_session_token = %s\n"
	    "region = eu-north-1\n",
	    token);
	cfg = parse(text, AWSCONFIG_CONFIG);
	assert_string_equal(
	    awsconfig_get(cfg, "default", "aws_session_token"), token);
	assert_string_equal(
	    awsconfig_get(cfg, "default", "region"), "eu-north-1");
	awsconfig_free(cfg);
	free(text);
	free(token);
}

static void
test_comments(void **state)
{
	struct awsconfig *cfg;

	(void)state;
	cfg = parse("# leading comment\n"
		    "; another\n"
		    "[default]\n"
		    "# region = commented-out\n"
		    "   ; indented comment\n"
		    "region = us-west-2 # not a comment\n"
		    "output = json ; neither\n",
	    AWSCONFIG_CONFIG);
	assert_string_equal(awsconfig_get(cfg, "default", "region"),
	    "us-west-2 # not a comment");
	assert_string_equal(
	    awsconfig_get(cfg, "default", "output"), "json ; neither");
	assert_null(awsconfig_get(cfg, "default", "# region"));
	awsconfig_free(cfg);
}

static void
test_nested(void **state)
{
	struct awsconfig *cfg;

	(void)state;
	cfg = parse("[default]\n"
		    "s3 =\n"
		    "  max_concurrent_requests = 10\n"
		    "\n"
		    "  # a comment inside\n"
		    "  addressing_style = path\n"
		    "region = us-east-2\n"
		    "[profile p]\n"
		    "\tsub =\n"
		    "\t\tdeeper = 1\n"
		    "\tregion = sa-east-1\n",
	    AWSCONFIG_CONFIG);
	assert_null(awsconfig_get(cfg, "default", "s3"));
	assert_null(awsconfig_get(cfg, "default", "max_concurrent_requests"));
	assert_null(awsconfig_get(cfg, "default", "addressing_style"));
	assert_string_equal(
	    awsconfig_get(cfg, "default", "region"), "us-east-2");
	assert_null(awsconfig_get(cfg, "p", "sub"));
	assert_null(awsconfig_get(cfg, "p", "deeper"));
	assert_string_equal(awsconfig_get(cfg, "p", "region"), "sa-east-1");
	awsconfig_free(cfg);
}

static void
test_continuation(void **state)
{
	struct awsconfig *cfg;

	(void)state;
	cfg = parse("[a]\n"
		    "key = first\n"
		    "   second\n"
		    "  third\n"
		    "next = n\n"
		    "[b]\n"
		    "  [notasection]\n",
	    AWSCONFIG_CREDENTIALS);
	assert_string_equal(
	    awsconfig_get(cfg, "a", "key"), "first\nsecond\nthird");
	assert_string_equal(awsconfig_get(cfg, "a", "next"), "n");
	/* Not after a key: an indented header is a header. */
	assert_true(awsconfig_has_profile(cfg, "notasection"));
	awsconfig_free(cfg);
}

static void
test_syntax_variants(void **state)
{
	struct awsconfig *cfg;
	static const char text[] = "[default]\r\n"
				   "  region\t=\t eu-central-1  \r\n"
				   "AWS_Access_Key_ID: AKIDCOLON\r\n"
				   "url = http://h:1/?a=b\r\n"
				   "empty =\r\n"
				   "last=no-newline";

	(void)state;
	cfg = parse(text, AWSCONFIG_CREDENTIALS);
	assert_string_equal(
	    awsconfig_get(cfg, "default", "aws_access_key_id"), "AKIDCOLON");
	assert_string_equal(
	    awsconfig_get(cfg, "default", "REGION"), "eu-central-1");
	assert_string_equal(
	    awsconfig_get(cfg, "default", "url"), "http://h:1/?a=b");
	assert_string_equal(awsconfig_get(cfg, "default", "empty"), "");
	assert_string_equal(
	    awsconfig_get(cfg, "default", "last"), "no-newline");
	awsconfig_free(cfg);
}

static void
test_malformed(void **state)
{
	struct awsconfig *cfg;

	(void)state;
	cfg = parse("orphan = before any section\n"
		    "[default]\n"
		    "just some words\n"
		    "= no key\n"
		    "ok = yes\n"
		    "[unterminated\n"
		    "lost = 1\n"
		    "[]\n"
		    "lost2 = 2\n"
		    "[x] trailing\n"
		    "found = 3\n"
		    "[a]b]\n"
		    "k = v\n",
	    AWSCONFIG_CREDENTIALS);
	assert_null(awsconfig_get(cfg, "default", "orphan"));
	assert_string_equal(awsconfig_get(cfg, "default", "ok"), "yes");
	assert_null(awsconfig_get(cfg, "default", "lost"));
	assert_null(awsconfig_get(cfg, "default", "lost2"));
	assert_false(awsconfig_has_profile(cfg, "unterminated"));
	assert_string_equal(awsconfig_get(cfg, "x", "found"), "3");
	assert_string_equal(awsconfig_get(cfg, "a]b", "k"), "v");
	awsconfig_free(cfg);
}

static void
test_duplicates(void **state)
{
	struct awsconfig *cfg;

	(void)state;
	cfg = parse("[p]\nk = 1\nother = o\n[q]\nk = q\n[p]\nk = 2\n"
		    "[r]\nn = flat\nn =\n  nested = 1\n",
	    AWSCONFIG_CREDENTIALS);
	assert_string_equal(awsconfig_get(cfg, "p", "k"), "2");
	assert_string_equal(awsconfig_get(cfg, "p", "other"), "o");
	assert_string_equal(awsconfig_get(cfg, "q", "k"), "q");
	/* The later definition, a sub-section, wins: no value. */
	assert_null(awsconfig_get(cfg, "r", "n"));
	awsconfig_free(cfg);
}

static void
test_empty_and_binary(void **state)
{
	struct awsconfig *cfg;
	static const char bin[] = "[d]\nk = a\0b\nj = 1\n\0\n[\0]\nz = 1\n";

	(void)state;
	cfg = awsconfig_parse("", 0, AWSCONFIG_CONFIG);
	assert_non_null(cfg);
	assert_false(awsconfig_has_profile(cfg, "default"));
	assert_null(awsconfig_get(cfg, "default", "region"));
	awsconfig_free(cfg);
	awsconfig_free(NULL);

	cfg = awsconfig_parse(bin, sizeof(bin) - 1, AWSCONFIG_CREDENTIALS);
	assert_non_null(cfg);
	assert_null(awsconfig_get(cfg, "d", "k"));
	assert_string_equal(awsconfig_get(cfg, "d", "j"), "1");
	assert_null(awsconfig_get(cfg, "d", "z"));
	awsconfig_free(cfg);

	cfg = parse("[empty]\n", AWSCONFIG_CREDENTIALS);
	assert_true(awsconfig_has_profile(cfg, "empty"));
	assert_null(awsconfig_get(cfg, "empty", "k"));
	awsconfig_free(cfg);
}

static void
test_load(void **state)
{
	struct awsconfig *cfg;
	char dir[] = "/tmp/test_awsconfig.XXXXXX", path[128];
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/credentials", dir);

	assert_int_equal(awsconfig_load(path, AWSCONFIG_CREDENTIALS, &cfg), 1);
	assert_non_null(cfg);
	assert_false(awsconfig_has_profile(cfg, "default"));
	awsconfig_free(cfg);

	assert_int_equal(awsconfig_load(dir, AWSCONFIG_CREDENTIALS, &cfg), 1);
	awsconfig_free(cfg);

	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("[default]\naws_access_key_id = AKIDFILE\n", fp);
	fclose(fp);
	assert_int_equal(awsconfig_load(path, AWSCONFIG_CREDENTIALS, &cfg), 0);
	assert_string_equal(
	    awsconfig_get(cfg, "default", "aws_access_key_id"), "AKIDFILE");
	awsconfig_free(cfg);

	fp = fopen(path, "w");
	assert_non_null(fp);
	fclose(fp);
	assert_int_equal(awsconfig_load(path, AWSCONFIG_CONFIG, &cfg), 0);
	assert_false(awsconfig_has_profile(cfg, "default"));
	awsconfig_free(cfg);

	unlink(path);
	rmdir(dir);
}

/*
 * A file as large as awsconfig_load() takes, all continuation lines of one
 * value: it loads, the value is whole, and the bytes copied to build it
 * are linear in its size (issue 11, item 7). The old parser copied the
 * whole value again for every line: some 2 x 10^12 bytes here, minutes.
 */
static void
test_continuation_linear(void **state)
{
	static const char head[] = "[default]\nkey = v\n";
	static const char line[] = "  cont\n";
	char path[] = "/tmp/test_awsconfig_XXXXXX";
	size_t nlines = (AWSCONFIG_MAX_FILE - (sizeof(head) - 1)) /
	    (sizeof(line) - 1),
	       size = sizeof(head) - 1 + nlines * (sizeof(line) - 1), i, before;
	struct awsconfig *cfg;
	const char *v;
	char *buf;
	int fd;

	(void)state;
	assert_true(size <= AWSCONFIG_MAX_FILE);
	assert_true(size > AWSCONFIG_MAX_FILE - sizeof(line));
	assert_non_null(buf = malloc(size));
	memcpy(buf, head, sizeof(head) - 1);
	for (i = 0; i < nlines; i++)
		memcpy(buf + sizeof(head) - 1 + i * (sizeof(line) - 1), line,
		    sizeof(line) - 1);
	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(write(fd, buf, size), (ssize_t)size);
	close(fd);
	free(buf);

	before = awsconfig_copied_bytes();
	assert_int_equal(awsconfig_load(path, AWSCONFIG_CONFIG, &cfg), 0);
	unlink(path);
	/* every line appended once, plus the moves of a doubling buffer */
	assert_true(awsconfig_copied_bytes() - before <= 3 * size);
	assert_non_null(v = awsconfig_get(cfg, "default", "key"));
	assert_int_equal(strlen(v), 1 + nlines * (sizeof("\ncont") - 1));
	assert_memory_equal(v, "v\ncont\ncont", 11);
	assert_string_equal(v + strlen(v) - 5, "\ncont");
	awsconfig_free(cfg);
}

/*
 * Many sections: each header is found through a hash, not a scan of all
 * the sections before it (which took minutes for a file of 4 MiB); the
 * last one and a repeated one still merge.
 */
static void
test_many_sections(void **state)
{
	enum {
		N = 200000
	};
	struct awsconfig *cfg;
	char *buf, name[32];
	size_t len = 0, i;

	(void)state;
	assert_non_null(buf = malloc((size_t)N * 32 + 64));
	for (i = 0; i < N; i++)
		len += (size_t)sprintf(buf + len, "[p%zu]\nk = %zu\n", i, i);
	len += (size_t)sprintf(buf + len, "[p7]\nk = again\n");
	assert_non_null(cfg = awsconfig_parse(buf, len, AWSCONFIG_CREDENTIALS));
	free(buf);
	for (i = 0; i < N; i += 9973) {
		char want[32];

		snprintf(name, sizeof(name), "p%zu", i);
		snprintf(want, sizeof(want), "%zu", i);
		assert_true(awsconfig_has_profile(cfg, name));
		assert_string_equal(awsconfig_get(cfg, name, "k"), want);
	}
	assert_string_equal(awsconfig_get(cfg, "p7", "k"), "again");
	assert_false(awsconfig_has_profile(cfg, "p200000"));
	awsconfig_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_credentials_profiles),
		cmocka_unit_test(test_config_profiles),
		cmocka_unit_test(test_long_token),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_continuation),
		cmocka_unit_test(test_continuation_linear),
		cmocka_unit_test(test_many_sections),
		cmocka_unit_test(test_syntax_variants),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_empty_and_binary),
		cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
