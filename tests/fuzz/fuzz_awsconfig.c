/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for ses/awsconfig. Beyond "no crash": a value is never
 * found in a profile that does not exist, and values come back trimmed
 * (continuation lines are joined by single newlines, each part trimmed).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ses/awsconfig.h"

static void
fuzz_check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_awsconfig: %s\n", what);
		abort();
	}
}

static int
fuzz_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void
fuzz_value(const char *v)
{
	size_t n = strlen(v);

	if (n == 0)
		return;
	fuzz_check(!fuzz_space(v[0]) && !fuzz_space(v[n - 1]) && v[0] != '\n' &&
		v[n - 1] != '\n',
	    "untrimmed value");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const profiles[] = { "default", "p", "profile p",
		"a b", "" };
	static const char *const keys[] = { "k", "region", "aws_access_key_id",
		"aws_session_token", "s3" };
	struct awsconfig *cfg;
	const char *v;
	size_t i, j;
	int kind;

	for (kind = 0; kind < 2; kind++) {
		cfg = awsconfig_parse((const char *)data, size,
		    kind ? AWSCONFIG_CONFIG : AWSCONFIG_CREDENTIALS);
		fuzz_check(cfg != NULL, "parse failed");
		for (i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
			for (j = 0; j < sizeof(keys) / sizeof(keys[0]); j++) {
				v = awsconfig_get(cfg, profiles[i], keys[j]);
				if (v == NULL)
					continue;
				fuzz_check(
				    awsconfig_has_profile(cfg, profiles[i]),
				    "value without profile");
				fuzz_value(v);
			}
		if (kind)
			fuzz_check(!awsconfig_has_profile(cfg, "profile p"),
			    "config kept a 'profile ' prefix");
		awsconfig_free(cfg);
	}
	return 0;
}
