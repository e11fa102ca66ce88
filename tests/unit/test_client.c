/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * client: the retry policy (what is retried, backoff bounds, the
 * $AWS_MAX_ATTEMPTS rules the AWS CLI applies) and the client's paths that
 * need no server: bad options, bad arguments, no credentials.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "ses/cancel.h"
#include "ses/client.h"
#include "ses/clock.h"
#include "ses/creds.h"
#include "ses/retry.h"

static void
test_throttling_codes(void **state)
{
	static const char *const yes[] = {
		"Throttling",
		"ThrottlingException",
		"ThrottledException",
		"RequestThrottledException",
		"TooManyRequestsException",
		"ProvisionedThroughputExceededException",
		"TransactionInProgressException",
		"RequestLimitExceeded",
		"BandwidthLimitExceeded",
		"LimitExceededException",
		"RequestThrottled",
		"SlowDown",
		"PriorRequestNotComplete",
		"EC2ThrottledException",
	};
	static const char *const no[] = {
		"throttling",
		"Throttling ",
		"",
		"InvalidParameterValue",
		"RequestTimeout",
		"ServiceUnavailable",
		"InternalFailure",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_true(retry_throttling_code(yes[i]));
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_false(retry_throttling_code(no[i]));
	assert_false(retry_throttling_code(NULL));
}

static void
test_transient_codes(void **state)
{
	(void)state;
	assert_true(retry_transient_code("RequestTimeout"));
	assert_true(retry_transient_code("RequestTimeoutException"));
	assert_true(retry_transient_code("PriorRequestNotComplete"));
	assert_false(retry_transient_code("Throttling"));
	assert_false(retry_transient_code("RequestExpired"));
	assert_false(retry_transient_code(NULL));
}

static void
test_service_errors(void **state)
{
	(void)state;
	/* Codes decide whatever the status. */
	assert_true(retry_service_error("Throttling", 400));
	assert_true(retry_service_error("RequestTimeout", 408));
	assert_true(retry_service_error("SlowDown", 200));
	/* The transient statuses decide whatever the code. */
	assert_true(retry_service_error("InternalFailure", 500));
	assert_true(retry_service_error(NULL, 502));
	assert_true(retry_service_error("ServiceUnavailable", 503));
	assert_true(retry_service_error("Whatever", 504));
	/* Never retried. */
	assert_false(retry_service_error("InternalFailure", 501));
	assert_false(retry_service_error(NULL, 505));
	assert_false(retry_service_error("RequestExpired", 400));
	assert_false(retry_service_error("SignatureDoesNotMatch", 403));
	assert_false(retry_service_error("InvalidClientTokenId", 403));
	assert_false(retry_service_error("InvalidParameterValue", 400));
	assert_false(retry_service_error("ValidationError", 400));
	assert_false(retry_service_error(NULL, 429));
	assert_false(retry_service_error(NULL, 404));
}

static void
test_transport_errors(void **state)
{
	(void)state;
	assert_true(retry_transport_error(HTTP_ECONNECT));
	assert_true(retry_transport_error(HTTP_ETIMEOUT));
	assert_true(retry_transport_error(HTTP_ECLOSED));
	assert_true(retry_transport_error(HTTP_ETLS));
	assert_false(retry_transport_error(HTTP_EOTHER));
	assert_false(retry_transport_error(HTTP_ENONE));
	assert_false(retry_transport_error(HTTP_ECANCELLED));
}

static void
test_delay_bounds(void **state)
{
	double r;
	int n;
	long d;

	(void)state;
	/* random(0,1) x 2^(n-1) s: below 2^(n-1) s, never over 20 s. */
	for (n = 1; n <= 40; n++)
		for (r = 0; r < 1; r += 0.0625) {
			d = retry_delay_ms(n, r, 1000);
			assert_true(d >= 0);
			assert_true(d <= RETRY_MAX_DELAY_S * 1000L);
			if (n <= 5)
				assert_true(d < 1000L << (n - 1));
		}
	assert_int_equal(retry_delay_ms(1, 0.5, 1000), 500);
	assert_int_equal(retry_delay_ms(2, 0.5, 1000), 1000);
	assert_int_equal(retry_delay_ms(3, 0.25, 1000), 1000);
	assert_int_equal(retry_delay_ms(5, 0.5, 1000), 8000);
	assert_int_equal(retry_delay_ms(6, 0.999, 1000), 20000);
	assert_int_equal(retry_delay_ms(INT_MAX, 0.999, 1000), 20000);
	assert_true(retry_delay_ms(1, 1.0, 1000) < 1000);
	assert_true(retry_delay_ms(1, 5.0, 1000) < 1000);
	/* Nothing to wait for. */
	assert_int_equal(retry_delay_ms(0, 0.5, 1000), 0);
	assert_int_equal(retry_delay_ms(-3, 0.5, 1000), 0);
	assert_int_equal(retry_delay_ms(2, 0, 1000), 0);
	assert_int_equal(retry_delay_ms(2, -1, 1000), 0);
	assert_int_equal(retry_delay_ms(2, 0.5, 0), 0);
	/* The test scale: one "second" is base_ms. */
	assert_int_equal(retry_delay_ms(2, 0.5, 10), 10);
	assert_int_equal(retry_delay_ms(9, 0.999, 10), 200);
}

static void
test_max_attempts(void **state)
{
	char err[200];
	int n;

	(void)state;
	assert_int_equal(retry_max_attempts(NULL, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_int_equal(retry_max_attempts("5", &n, err, sizeof(err)), 0);
	assert_int_equal(n, 5);
	assert_int_equal(retry_max_attempts(" 2 \n", &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(retry_max_attempts("+2", &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(retry_max_attempts("1", &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(
	    retry_max_attempts("99999999999999999999999", &n, err, sizeof(err)),
	    0);
	assert_int_equal(n, INT_MAX);

	assert_int_equal(retry_max_attempts("0", &n, err, sizeof(err)), -1);
	assert_string_equal(err,
	    "Value provided to \"max_attempts\": 0 must "
	    "be an integer greater than or equal to one.");
	assert_int_equal(retry_max_attempts("-1", &n, err, sizeof(err)), -1);
	assert_string_equal(err,
	    "Value provided to \"max_attempts\": -1 must "
	    "be an integer greater than or equal to one.");
	assert_int_equal(retry_max_attempts("abc", &n, err, sizeof(err)), -1);
	assert_string_equal(
	    err, "invalid literal for int() with base 10: 'abc'");
	assert_int_equal(retry_max_attempts("", &n, err, sizeof(err)), -1);
	assert_string_equal(err, "invalid literal for int() with base 10: ''");
	assert_int_equal(retry_max_attempts("2.0", &n, err, sizeof(err)), -1);
	assert_string_equal(
	    err, "invalid literal for int() with base 10: '2.0'");
	assert_int_equal(retry_max_attempts("0x10", &n, err, sizeof(err)), -1);
	assert_int_equal(retry_max_attempts("- 2", &n, err, sizeof(err)), -1);
	assert_int_equal(retry_max_attempts("+", &n, err, sizeof(err)), -1);
	assert_int_equal(retry_max_attempts("it's", &n, err, sizeof(err)), -1);
	assert_string_equal(
	    err, "invalid literal for int() with base 10: \"it's\"");
	assert_int_equal(retry_max_attempts("a\tb", &n, err, sizeof(err)), -1);
	assert_string_equal(
	    err, "invalid literal for int() with base 10: 'a\\tb'");
	/* A tiny buffer is still terminated; NULL is allowed. */
	assert_int_equal(retry_max_attempts("x", &n, err, 4), -1);
	assert_int_equal(strlen(err), 3);
	assert_int_equal(retry_max_attempts("x", &n, NULL, 0), -1);
}

/* A provider that finds nothing: empty environment and home. */
static struct creds_provider *
no_creds(char *home, size_t homelen)
{
	snprintf(home, homelen, "/tmp/test_client.XXXXXX");
	assert_non_null(mkdtemp(home));
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_SESSION_TOKEN");
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	unsetenv("AWS_CONFIG_FILE");
	unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	setenv("HOME", home, 1);
	return creds_provider_new(NULL);
}

static void
test_new_refuses(void **state)
{
	struct ses_client_options o;
	struct creds_provider *p;
	char err[200], home[64];

	(void)state;
	p = no_creds(home, sizeof(home));
	assert_non_null(p);
	unsetenv("AWS_MAX_ATTEMPTS");
	assert_null(ses_client_new(NULL, err, sizeof(err)));
	assert_string_equal(err, "no region");

	memset(&o, 0, sizeof(o));
	o.region = "us-east-1";
	o.endpoint_url = "http://127.0.0.1:1/";
	assert_null(ses_client_new(&o, err, sizeof(err)));
	assert_string_equal(err, "no credentials provider");

	o.creds = p;
	o.endpoint_url = "ftp://example.com/";
	assert_null(ses_client_new(&o, err, sizeof(err)));
	assert_string_equal(err, "Invalid endpoint: ftp://example.com/");

	o.endpoint_url = "http://127.0.0.1:1/";
	o.max_attempts = -1;
	assert_null(ses_client_new(&o, err, sizeof(err)));
	o.max_attempts = 0;
	setenv("AWS_MAX_ATTEMPTS", "0", 1);
	assert_null(ses_client_new(&o, err, sizeof(err)));
	assert_string_equal(err,
	    "Value provided to \"max_attempts\": 0 must "
	    "be an integer greater than or equal to one.");
	/* An explicit number does not look at the environment. */
	o.max_attempts = 2;
	ses_client_free(ses_client_new(&o, err, sizeof(err)));
	unsetenv("AWS_MAX_ATTEMPTS");

	/* a CA file that is missing fails requests, not the client */
	o.http.ca_file = "/nonexistent/ca.pem";
	ses_client_free(ses_client_new(&o, err, sizeof(err)));
	creds_provider_free(p);
	rmdir(home);
}

static void
test_bad_arguments(void **state)
{
	struct ses_client_options o;
	struct creds_provider *p;
	struct ses_client *c;
	struct ses_result r;
	char err[200], home[64];

	(void)state;
	p = no_creds(home, sizeof(home));
	memset(&o, 0, sizeof(o));
	o.region = "us-east-1";
	o.endpoint_url = "http://127.0.0.1:1";
	o.creds = p;
	c = ses_client_new(&o, err, sizeof(err));
	assert_non_null(c);

	memset(&r, 0xa5, sizeof(r));
	assert_int_equal(ses_call(NULL, "X", NULL, 0, &r), -1);
	assert_int_equal(r.kind, SES_EINTERNAL);
	assert_int_equal(r.attempts, 0);
	assert_string_equal(r.message, "invalid arguments");
	ses_result_free(&r);
	assert_null(r.message);

	assert_int_equal(ses_call(c, NULL, NULL, 0, &r), -1);
	assert_int_equal(r.kind, SES_EINTERNAL);
	ses_result_free(&r);
	assert_int_equal(ses_call(c, "X", NULL, 2, &r), -1);
	assert_int_equal(r.kind, SES_EINTERNAL);
	ses_result_free(&r);
	assert_int_equal(ses_set_mail_from(c, NULL, NULL, NULL, &r), -1);
	assert_int_equal(r.kind, SES_EINTERNAL);
	ses_result_free(&r);
	assert_int_equal(ses_get_mail_from(c, NULL, 3, &r), -1);
	assert_int_equal(r.kind, SES_EINTERNAL);
	ses_result_free(&r);
	assert_int_equal(ses_get_verification(c, NULL, 3, &r), -1);
	assert_int_equal(r.kind, SES_EINTERNAL);
	ses_result_free(&r);
	assert_int_equal(ses_call(c, "X", NULL, 0, NULL), -1);
	ses_result_free(NULL);
	ses_client_free(c);
	ses_client_free(NULL);
	creds_provider_free(p);
	rmdir(home);
}

static void
test_no_credentials(void **state)
{
	static const char *const ids[] = { "example.com" };
	struct ses_client_options o;
	struct creds_provider *p;
	struct ses_client *c;
	struct ses_result r;
	char err[200], home[64];

	(void)state;
	p = no_creds(home, sizeof(home));
	memset(&o, 0, sizeof(o));
	o.region = "us-east-1";
	o.endpoint_url = "http://127.0.0.1:1/";
	o.creds = p;
	c = ses_client_new(&o, err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(
	    ses_set_mail_from(c, "example.com", NULL, NULL, &r), -1);
	assert_int_equal(r.kind, SES_ECREDS);
	assert_int_equal(r.creds_status, CREDS_ENOTFOUND);
	assert_int_equal(r.attempts, 0);
	assert_false(r.retries_exhausted);
	assert_string_equal(r.message, CREDS_MSG_NOTFOUND);
	assert_null(r.doc);
	ses_result_free(&r);
	assert_int_equal(ses_get_mail_from(c, ids, 1, &r), -1);
	assert_int_equal(r.kind, SES_ECREDS);
	assert_int_equal(r.attempts, 0);
	ses_result_free(&r);
	ses_client_free(c);
	creds_provider_free(p);
	rmdir(home);
}

static void *
fire_later(void *arg)
{
	clock_sleep_until(clock_now_ns() + 200 * 1000000LL);
	ses_cancel_fire(arg);
	return NULL;
}

/*
 * A request to a server that never answers (a listening socket nobody
 * accepts on: the kernel completes the handshake) ends as soon as the
 * canceller fires, not after its 60 s timeout x 3 attempts; later calls
 * send nothing.
 */
static void
test_cancelled(void **state)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	struct ses_client_options o;
	struct ses_cancel *cancel;
	struct creds_provider *p;
	struct ses_client *c;
	struct ses_result r;
	char err[200], url[64];
	pthread_t t;
	int64_t t0;
	int fd;

	(void)state;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", ntohs(sa.sin_port));
	setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
	assert_non_null(p = creds_provider_new(NULL));
	assert_non_null(cancel = ses_cancel_new());
	memset(&o, 0, sizeof(o));
	o.region = "us-east-1";
	o.endpoint_url = url;
	o.creds = p;
	o.http.cancel = cancel;
	assert_non_null(c = ses_client_new(&o, err, sizeof(err)));
	ses_ratelimit_set(0);
	assert_int_equal(pthread_create(&t, NULL, fire_later, cancel), 0);
	t0 = clock_now_ns();
	assert_int_equal(
	    ses_set_mail_from(c, "example.com", NULL, NULL, &r), -1);
	assert_true(clock_now_ns() - t0 < CLOCK_NSEC);
	assert_int_equal(r.kind, SES_ETRANSPORT);
	assert_int_equal(r.http_error, HTTP_ECANCELLED);
	assert_int_equal(r.attempts, 1);
	assert_false(r.retries_exhausted);
	ses_result_free(&r);
	pthread_join(t, NULL);
	assert_int_equal(
	    ses_set_mail_from(c, "example.com", NULL, NULL, &r), -1);
	assert_int_equal(r.http_error, HTTP_ECANCELLED);
	assert_int_equal(r.attempts, 0);
	ses_result_free(&r);
	ses_client_free(c);
	ses_cancel_free(cancel);
	creds_provider_free(p);
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_throttling_codes),
		cmocka_unit_test(test_transient_codes),
		cmocka_unit_test(test_service_errors),
		cmocka_unit_test(test_transport_errors),
		cmocka_unit_test(test_delay_bounds),
		cmocka_unit_test(test_max_attempts),
		cmocka_unit_test(test_new_refuses),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_no_credentials),
		cmocka_unit_test(test_cancelled),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
