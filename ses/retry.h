/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * retry: the AWS CLI's "standard" retry policy as pure functions, so that
 * the client (ses/client.c) stays I/O and the policy can be unit-tested:
 * which failures are worth another attempt, how long to wait before it,
 * and how many attempts $AWS_MAX_ATTEMPTS allows. No clock, no random
 * source, no I/O, no allocation: the caller supplies them.
 *
 * The lists are botocore's (botocore/retries/standard.py), which the AWS
 * CLI v2 uses: the throttling codes, the transient codes, the transient
 * HTTP statuses 500/502/503/504, and connection-level failures.
 */
#ifndef SES_RETRY_H
#define SES_RETRY_H

#include <stddef.h>

#include "ses/http.h"

#define RETRY_DEFAULT_ATTEMPTS 3
#define RETRY_MAX_DELAY_S 20 /* cap of one backoff, seconds */

/* 1 if CODE (an SES error code, may be NULL) is a throttling code. */
int retry_throttling_code(const char *code);

/* 1 if CODE is one of the transient codes (RequestTimeout, ...). */
int retry_transient_code(const char *code);

/*
 * 1 if an error document with CODE (NULL: none) and HTTP STATUS is
 * retried: a throttling or transient code, or status 500/502/503/504.
 */
int retry_service_error(const char *code, long status);

/*
 * 1 if a transport failure is retried: no connection, a read timeout, a
 * connection closed or reset, a TLS failure. HTTP_EOTHER (a response over
 * the size limit, a request that could not be set up) is not: trying
 * again would fail the same way; nor is HTTP_ECANCELLED (the program
 * stops).
 */
int retry_transport_error(enum http_error);

/*
 * Milliseconds to wait before retry RETRY (1: before the second attempt)
 * for a uniform R in [0, 1): R x 2^(RETRY-1) seconds, capped at
 * RETRY_MAX_DELAY_S, where one second is BASE_MS milliseconds (1000;
 * tests use less). 0 for RETRY < 1 or BASE_MS <= 0.
 */
long retry_delay_ms(int retry, double r, long base_ms);

/*
 * The number of attempts in all from $AWS_MAX_ATTEMPTS: NULL (unset)
 * gives RETRY_DEFAULT_ATTEMPTS. Read as Python's int() does (blanks
 * around, a sign); values above INT_MAX are clamped. 0, or -1 with the
 * AWS CLI's message in ERR for text that is not an integer ("invalid
 * literal for int() with base 10: 'x'", the empty string included) and
 * for values below 1.
 */
int retry_max_attempts(const char *env, int *out, char *err, size_t errlen);

#endif
