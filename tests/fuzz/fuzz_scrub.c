/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for ses/errbuf's errbuf_scrub(): a server's error text
 * against two secrets. Input: SECRET1 NUL SECRET2 NUL MESSAGE (missing
 * parts are empty). Beyond "no crash": a secret that cannot be spelt with
 * the marker's own letters never survives, the SigV4 marks never survive
 * a cut, and the result grows at most by the marker per byte.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ses/errbuf.h"

static void
fuzz_check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_scrub: %s\n", what);
		abort();
	}
}

/* The next NUL-terminated part of [*p, end), copied; "" when none left. */
static char *
fuzz_part(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nul = memchr(*p, '\0', (size_t)(end - *p));
	size_t len = nul != NULL ? (size_t)(nul - *p) : (size_t)(end - *p);
	char *s = malloc(len + 1);

	if (s == NULL)
		abort();
	memcpy(s, *p, len);
	s[len] = '\0';
	*p = nul != NULL ? nul + 1 : end;
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	char *secrets[2], *msg, *out;
	size_t i;
	int cut;

	if (size > 65536)
		return 0;
	secrets[0] = fuzz_part(&p, end);
	secrets[1] = fuzz_part(&p, end);
	msg = fuzz_part(&p, end);
	for (cut = 0; cut <= 1; cut++) {
		out = errbuf_scrub(msg, (const char *const *)secrets, 2, cut);
		fuzz_check(out != NULL, "out of memory");
		fuzz_check(strlen(out) <= strlen(msg) * strlen(ERRBUF_REDACTED),
		    "grew more than the marker per byte");
		for (i = 0; i < 2; i++)
			if (secrets[i][0] != '\0' &&
			    strpbrk(secrets[i], "[]redact") == NULL)
				fuzz_check(strstr(out, secrets[i]) == NULL,
				    "a secret survived");
		if (cut)
			fuzz_check(strstr(out, ERRBUF_CANONICAL_MARK) == NULL &&
				strstr(out, ERRBUF_STS_MARK) == NULL,
			    "a SigV4 mark survived the cut");
		free(out);
	}
	free(secrets[0]);
	free(secrets[1]);
	free(msg);
	return 0;
}
