/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ses/retry.h"

static const char *const throttling_codes[] = {
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

static const char *const transient_codes[] = {
	"RequestTimeout",
	"RequestTimeoutException",
	"PriorRequestNotComplete",
};

static int
in_list(const char *code, const char *const *list, size_t n)
{
	size_t i;

	if (code == NULL)
		return 0;
	for (i = 0; i < n; i++)
		if (strcmp(code, list[i]) == 0)
			return 1;
	return 0;
}

int
retry_throttling_code(const char *code)
{
	return in_list(code, throttling_codes,
	    sizeof(throttling_codes) / sizeof(throttling_codes[0]));
}

int
retry_transient_code(const char *code)
{
	return in_list(code, transient_codes,
	    sizeof(transient_codes) / sizeof(transient_codes[0]));
}

int
retry_service_error(const char *code, long status)
{
	return retry_throttling_code(code) || retry_transient_code(code) ||
	    status == 500 || status == 502 || status == 503 || status == 504;
}

int
retry_transport_error(enum http_error e)
{
	switch (e) {
	case HTTP_ECONNECT:
	case HTTP_ETIMEOUT:
	case HTTP_ECLOSED:
	case HTTP_ETLS:
		return 1;
	case HTTP_ENONE:
	case HTTP_EOTHER:
	case HTTP_ECANCELLED:
		break;
	}
	return 0;
}

long
retry_delay_ms(int retry, double r, long base_ms)
{
	double s;

	if (retry < 1 || base_ms <= 0 || !(r > 0))
		return 0;
	if (r >= 1)
		r = 1 - 0x1p-53;
	/* Past 2^5 the cap decides nearly every draw: 2^16 is plenty. */
	s = r * (double)(1L << (retry - 1 < 16 ? retry - 1 : 16));
	if (s > RETRY_MAX_DELAY_S)
		s = RETRY_MAX_DELAY_S;
	return (long)(s * (double)base_ms);
}

/* Python's repr() of the text, near enough for an error message. */
static void
quote(const char *s, char *out, size_t outlen)
{
	char q = strchr(s, '\'') != NULL && strchr(s, '"') == NULL ? '"' : '\'';
	size_t o = 0;
	int n;

	if (outlen < 3) {
		if (outlen > 0)
			out[0] = '\0';
		return;
	}
	out[o++] = q;
	for (; *s != '\0' && o + 5 < outlen; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\' || c == (unsigned char)q) {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c == '\t' || c == '\n' || c == '\r') {
			out[o++] = '\\';
			out[o++] = c == '\t' ? 't' : c == '\n' ? 'n' : 'r';
		} else if (c < 0x20 || c == 0x7f) {
			n = snprintf(out + o, outlen - o, "\\x%02x", c);
			o += (size_t)n;
		} else
			out[o++] = (char)c;
	}
	out[o++] = q;
	out[o] = '\0';
}

int
retry_max_attempts(const char *env, int *out, char *err, size_t errlen)
{
	static const char blanks[] = " \t\n\r\v\f";
	char text[64], shown[80];
	const char *p;
	size_t n;
	long long v;

	*out = RETRY_DEFAULT_ATTEMPTS;
	if (env == NULL)
		return 0;
	p = env + strspn(env, blanks);
	for (n = strlen(p); n > 0 && strchr(blanks, p[n - 1]) != NULL; n--)
		;
	if (n == 0 || n >= sizeof(text))
		goto bad;
	memcpy(text, p, n);
	text[n] = '\0';
	/* strtoll would also take inner blanks after the sign, and hex. */
	p = text + (text[0] == '+' || text[0] == '-');
	if (*p == '\0' || strspn(p, "0123456789") != strlen(p))
		goto bad;
	errno = 0;
	v = strtoll(text, NULL, 10);
	if (errno == ERANGE && v == LLONG_MAX)
		v = INT_MAX;
	if (v < 1) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen,
			    "Value provided to \"max_attempts\": "
			    "%lld must be an integer greater than or equal to "
			    "one.",
			    v);
		return -1;
	}
	*out = v > INT_MAX ? INT_MAX : (int)v;
	return 0;

bad:
	if (err != NULL && errlen > 0) {
		quote(env, shown, sizeof(shown));
		snprintf(err, errlen,
		    "invalid literal for int() with base 10: "
		    "%s",
		    shown);
	}
	return -1;
}
