/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for what a credential_process setting and its process
 * hand over: the command line split as shlex does (creds_process_split)
 * and the JSON document (creds_process_parse). Words never outgrow the
 * input; what parses holds only printable, bounded values.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ses/creds_process.h"

static void
fuzz_check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_credsprocess: %s\n", what);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct creds c;
	char err[256], *s, **argv;
	size_t i, total = 0;

	if (creds_process_parse(
		(const char *)data, size, &c, err, sizeof(err)) == CREDS_OK) {
		fuzz_check(c.source == CREDS_SOURCE_PROCESS, "wrong source");
		fuzz_check(strlen(c.access_key_id) > 0 &&
			strlen(c.secret_access_key) > 0,
		    "empty key accepted");
		creds_clear(&c);
	} else
		fuzz_check(c.access_key_id == NULL && strlen(err) > 0,
		    "error without message, or left-overs");
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (creds_process_split(s, &argv) == 0) {
		fuzz_check(argv[0] != NULL, "no words");
		for (i = 0; argv[i] != NULL; i++)
			total += strlen(argv[i]);
		fuzz_check(total <= strlen(s), "words longer than the input");
		fuzz_check(i <= CREDS_PROCESS_MAX_ARGS, "too many words");
		free(argv);
	}
	free(s);
	return 0;
}
