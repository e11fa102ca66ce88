/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for the credential documents of the container and
 * instance metadata endpoints (creds_parse_document, creds_parse_time) and
 * of SSO (the cached token, the portal's answer): what parses holds only
 * printable, bounded values and a real time.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ses/creds.h"
#include "ses/creds_sso.h"

static void
fuzz_check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_credsdoc: %s\n", what);
		abort();
	}
}

static int
fuzz_printable(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s <= ' ' || *s > '~')
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct creds c;
	char err[256], *s;
	time_t t;

	if (creds_parse_document((const char *)data, size, CREDS_SOURCE_IMDS,
		&c, err, sizeof(err)) == CREDS_OK) {
		fuzz_check(fuzz_printable(c.access_key_id) &&
			fuzz_printable(c.secret_access_key) &&
			(c.session_token == NULL ||
			    fuzz_printable(c.session_token)),
		    "bad value accepted");
		fuzz_check(c.source == CREDS_SOURCE_IMDS, "wrong source");
		creds_clear(&c);
	} else {
		fuzz_check(c.access_key_id == NULL &&
			c.secret_access_key == NULL && c.session_token == NULL,
		    "left-overs after an error");
		fuzz_check(strlen(err) > 0, "error without message");
	}
	if (creds_sso_parse_role(
		(const char *)data, size, &c, err, sizeof(err)) == CREDS_OK) {
		fuzz_check(c.source == CREDS_SOURCE_SSO &&
			fuzz_printable(c.access_key_id) &&
			fuzz_printable(c.session_token),
		    "bad SSO value accepted");
		creds_clear(&c);
	} else
		fuzz_check(c.access_key_id == NULL, "SSO left-overs");
	if (creds_sso_parse_token((const char *)data, size, 0, "fuzz", &s, err,
		sizeof(err)) == CREDS_OK) {
		fuzz_check(*s != '\0', "empty SSO token accepted");
		free(s);
	} else
		fuzz_check(s == NULL, "SSO token left after an error");
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (creds_parse_time(s, &t) == 0)
		fuzz_check(t >= -24 * 3600, "time before 1970");
	free(s);
	return 0;
}
