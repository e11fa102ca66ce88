/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for milter/alabel: hostile domain names (invalid
 * Punycode, disallowed code points, invalid UTF-8, names that grow past
 * the limits once converted). Beyond "no crash": what converts is lower-case
 * letters, digits, hyphens and dots within the DNS limits, and converting
 * it again gives it back unchanged.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "milter/alabel.h"

static void
fuzz_check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_alabel: %s\n", what);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[1024], out[ALABEL_NAME_MAX + 1], again[ALABEL_NAME_MAX + 1];
	const char *why = NULL, *p;
	size_t label = 0;

	if (size >= sizeof(in))
		return 0;
	memcpy(in, data, size);
	in[size] = '\0'; /* an embedded NUL just ends the name */
	if (!alabel_domain(in, out, sizeof(out), &why)) {
		fuzz_check(why != NULL && out[0] == '\0', "refusal");
		return 0;
	}
	if (!alabel_needed(in))
		return 0; /* only lower-cased: the caller's syntax */
	fuzz_check(strlen(out) <= ALABEL_NAME_MAX, "name length");
	for (p = out;; p++) {
		if (*p == '.' || *p == '\0') {
			fuzz_check(label > 0 && label <= ALABEL_LABEL_MAX,
			    "label length");
			if (*p == '\0')
				break;
			label = 0;
			continue;
		}
		fuzz_check(*p == '-' || (*p >= '0' && *p <= '9') ||
			(*p >= 'a' && *p <= 'z'),
		    "not lower-case LDH");
		label++;
	}
	fuzz_check(alabel_domain(out, again, sizeof(again), &why), "reconvert");
	fuzz_check(strcmp(out, again) == 0, "not idempotent");
	return 0;
}
