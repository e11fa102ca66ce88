/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * creds_process: the command line split as Python's shlex.split() splits it
 * (the expected rows are shlex's own output), the JSON document read as
 * botocore reads it, and a real child process bounded in time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "ses/cancel.h"
#include "ses/clock.h"
#include "ses/creds_process.h"

/* Words joined with '|' (no row has one). */
static const struct {
	const char *in;
	const char *words;
} split_rows[] = {
	{ "a b  c", "a|b|c" },
	{ "  lead and trail  ", "lead|and|trail" },
	{ "'single quoted' x", "single quoted|x" },
	{ "\"double \\\"q\\\" \\\\ \\n \\$\"", "double \"q\" \\ \\n \\$" },
	{ "back\\ slash", "back slash" },
	{ "a'b'\\\"c\\\"d", "ab\"c\"d" },
	{ "''", "" },
	{ "\"\"", "" },
	{ "a '' b", "a||b" },
	{ "tab\tsep\nnewline", "tab|sep|newline" },
	{ "x\\\\y", "x\\y" },
	{ "'it''s'", "its" },
	{ "\"a\\b\"", "a\\b" },
	{ "\\'", "'" },
	{ "\"\\'\"", "\\'" },
	{ "a#b #c", "a#b|#c" },
	{ "/usr/bin/aws_signing_helper credential-process --certificate "
	  "/etc/ra/cert.pem --role-arn arn:aws:iam::123456789012:role/gw",
	    "/usr/bin/aws_signing_helper|credential-process|--certificate|"
	    "/etc/ra/cert.pem|--role-arn|arn:aws:iam::123456789012:role/gw" },
};

static void
test_split(void **state)
{
	char **argv, joined[512];
	size_t i, j, off;

	(void)state;
	for (i = 0; i < sizeof(split_rows) / sizeof(split_rows[0]); i++) {
		assert_int_equal(
		    creds_process_split(split_rows[i].in, &argv), 0);
		for (j = 0, off = 0; argv[j] != NULL; j++)
			off +=
			    (size_t)snprintf(joined + off, sizeof(joined) - off,
				"%s%s", j > 0 ? "|" : "", argv[j]);
		joined[off] = '\0';
		if (strcmp(joined, split_rows[i].words) != 0)
			fail_msg("row %zu: [%s] gave [%s], shlex [%s]", i,
			    split_rows[i].in, joined, split_rows[i].words);
		free(argv);
	}
}

static void
test_split_refused(void **state)
{
	static const char *const bad[] = { "'unclosed", "\"unclosed",
		"trailing\\", "", "   " };
	char **argv, many[2 * (CREDS_PROCESS_MAX_ARGS + 1) + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		assert_int_equal(creds_process_split(bad[i], &argv), -1);
		assert_int_equal(errno, EINVAL);
		assert_null(argv);
	}
	for (i = 0; i < CREDS_PROCESS_MAX_ARGS + 1; i++) {
		many[2 * i] = 'x';
		many[2 * i + 1] = ' ';
	}
	many[sizeof(many) - 1] = '\0';
	assert_int_equal(creds_process_split(many, &argv), -1);
	many[2 * CREDS_PROCESS_MAX_ARGS] = '\0';
	assert_int_equal(creds_process_split(many, &argv), 0);
	free(argv);
}

static enum creds_status
parse(const char *json, struct creds *c, char *err)
{
	return creds_process_parse(json, strlen(json), c, err, 256);
}

static void
test_parse(void **state)
{
	struct creds c;
	char err[256];

	(void)state;
	assert_int_equal(parse("{\"Version\": 1, \"AccessKeyId\": \"AKID\", "
			       "\"SecretAccessKey\": \"sec\", "
			       "\"SessionToken\": \"tok\", \"Expiration\": "
			       "\"2030-01-02T03:04:05Z\"}",
			     &c, err),
	    CREDS_OK);
	assert_string_equal(c.access_key_id, "AKID");
	assert_string_equal(c.secret_access_key, "sec");
	assert_string_equal(c.session_token, "tok");
	assert_int_equal(c.expiration, 1893553445);
	assert_int_equal(c.source, CREDS_SOURCE_PROCESS);
	creds_clear(&c);
	/* Token and expiry are optional; null is absent, 1.0 is 1. */
	assert_int_equal(parse("{\"Version\": 1.0, \"AccessKeyId\": \"A\", "
			       "\"SecretAccessKey\": \"s\", "
			       "\"SessionToken\": null}",
			     &c, err),
	    CREDS_OK);
	assert_null(c.session_token);
	assert_int_equal(c.expiration, 0);
	creds_clear(&c);
}

static void
test_parse_refused(void **state)
{
	static const struct {
		const char *json, *msg;
	} rows[] = {
		{ "not json", "is not a JSON object" },
		{ "[1]", "is not a JSON object" },
		{ "{\"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s\"}",
		    "Unsupported version '<Version key not provided>'" },
		{ "{\"Version\": 2, \"AccessKeyId\": \"A\", "
		  "\"SecretAccessKey\": \"s\"}",
		    "Unsupported version '(not 1)'" },
		{ "{\"Version\": \"1\", \"AccessKeyId\": \"A\", "
		  "\"SecretAccessKey\": \"s\"}",
		    "Unsupported version" },
		{ "{\"Version\": 1, \"SecretAccessKey\": \"s\"}",
		    "Missing required key in response: 'AccessKeyId'" },
		{ "{\"Version\": 1, \"AccessKeyId\": \"A\"}",
		    "Missing required key in response: 'SecretAccessKey'" },
		{ "{\"Version\": 1, \"AccessKeyId\": \"A\", "
		  "\"SecretAccessKey\": \"s\", \"Expiration\": \"soon\"}",
		    "the Expiration is not an ISO 8601 time" },
		{ "{\"Version\": 1, \"AccessKeyId\": \"A B\", "
		  "\"SecretAccessKey\": \"s\"}",
		    "the access key id is empty, too long or not printable" },
	};
	struct creds c;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_not_equal(parse(rows[i].json, &c, err), CREDS_OK);
		assert_null(c.access_key_id);
		if (strstr(err, rows[i].msg) == NULL)
			fail_msg("row %zu: %s", i, err);
	}
}

static void
test_run(void **state)
{
	struct creds c;
	char err[256];
	time_t t0;

	(void)state;
	assert_int_equal(creds_process_run("printf '{\"Version\":1,"
					   "\"AccessKeyId\":\"AK\","
					   "\"SecretAccessKey\":\"S\"}'",
			     5, NULL, &c, err, sizeof(err)),
	    CREDS_OK);
	assert_string_equal(c.access_key_id, "AK");
	creds_clear(&c);
	assert_int_equal(
	    creds_process_run("sh -c 'exit 7'", 5, NULL, &c, err, sizeof(err)),
	    CREDS_EFETCH);
	assert_string_equal(err,
	    "Error when retrieving credentials from custom-process: "
	    "sh exited with status 7");
	/* No shell: a ';' is an argument like any other. */
	assert_int_equal(
	    creds_process_run("true; false", 5, NULL, &c, err, sizeof(err)),
	    CREDS_EFETCH);
	assert_non_null(strstr(err, "cannot run true;"));
	t0 = time(NULL);
	assert_int_equal(
	    creds_process_run("sleep 30", 1, NULL, &c, err, sizeof(err)),
	    CREDS_EFETCH);
	assert_true(time(NULL) - t0 < 5);
	assert_string_equal(err,
	    "Error when retrieving credentials from custom-process: "
	    "sleep did not finish in time and was killed");
	assert_int_equal(
	    creds_process_run("yes", 5, NULL, &c, err, sizeof(err)),
	    CREDS_EFETCH);
	assert_non_null(strstr(err, "yes wrote too much and was killed"));
	assert_int_equal(
	    creds_process_run("'open", 5, NULL, &c, err, sizeof(err)),
	    CREDS_EINVALID);
}

static void *
fire_later(void *arg)
{
	clock_sleep_until(clock_now_ns() + 200 * 1000000LL);
	ses_cancel_fire(arg);
	return NULL;
}

/* A daemon that stops kills a credential_process that hangs, at once. */
static void
test_run_cancelled(void **state)
{
	struct ses_cancel *cancel = ses_cancel_new();
	struct creds c;
	char err[256];
	pthread_t t;
	int64_t t0;

	(void)state;
	assert_non_null(cancel);
	assert_int_equal(pthread_create(&t, NULL, fire_later, cancel), 0);
	t0 = clock_now_ns();
	assert_int_equal(
	    creds_process_run("sleep 30", 60, cancel, &c, err, sizeof(err)),
	    CREDS_EFETCH);
	assert_true(clock_now_ns() - t0 < CLOCK_NSEC);
	assert_string_equal(err,
	    "Error when retrieving credentials from custom-process: "
	    "sleep was killed: the program is stopping");
	pthread_join(t, NULL);
	/* fired already: the next one is killed as soon as it starts */
	t0 = clock_now_ns();
	assert_int_equal(
	    creds_process_run("sleep 30", 60, cancel, &c, err, sizeof(err)),
	    CREDS_EFETCH);
	assert_true(clock_now_ns() - t0 < CLOCK_NSEC);
	ses_cancel_free(cancel);
}

/* The daemon blocks SIGTERM in every thread; its helper must not inherit
   that mask. */
static void
test_run_unblocked(void **state)
{
	/* awk, not sh: dash clears its signal mask when it starts. */
	static const char cmd[] =
	    "awk '/^SigBlk/ { if ($2 ~ /^0+$/) print \"{\\\"Version\\\":1,"
	    "\\\"AccessKeyId\\\":\\\"A\\\",\\\"SecretAccessKey\\\":\\\"S\\\"}\" "
	    "}' /proc/self/status";
	sigset_t block, old;
	struct creds c;
	char err[256];
	enum creds_status st;

	(void)state;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	st = creds_process_run(cmd, 5, NULL, &c, err, sizeof(err));
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (st != CREDS_OK)
		fail_msg("%s", err);
	creds_clear(&c);
}

/* The daemon ignores SIGPIPE; its helper must have the default back. */
static void
test_run_sigpipe_default(void **state)
{
	/* SIGPIPE (13) is bit 12 of SigIgn: the 13th of its 16 hex digits is odd */
	static const char cmd[] =
	    "awk '/^SigIgn/ { if (substr($2, 13, 1) !~ /[13579bdf]/) print "
	    "\"{\\\"Version\\\":1,\\\"AccessKeyId\\\":\\\"A\\\","
	    "\\\"SecretAccessKey\\\":\\\"S\\\"}\" }' /proc/self/status";
	void (*old)(int);
	struct creds c;
	char err[256];
	enum creds_status st;

	(void)state;
	old = signal(SIGPIPE, SIG_IGN);
	st = creds_process_run(cmd, 5, NULL, &c, err, sizeof(err));
	signal(SIGPIPE, old);
	if (st != CREDS_OK)
		fail_msg("%s", err);
	creds_clear(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_split_refused),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_refused),
		cmocka_unit_test(test_run),
		cmocka_unit_test(test_run_cancelled),
		cmocka_unit_test(test_run_unblocked),
		cmocka_unit_test(test_run_sigpipe_default),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
