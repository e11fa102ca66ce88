/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_state: any bytes as the synchroniser's state file. Besides not
 * crashing or leaking: a state that parses formats into text that parses
 * again and formats into the same text, and a failure always says why.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "milter/sync/state.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state *st, *again;
	char err[256], *text, *text2;

	err[0] = '\0';
	if (state_parse((const char *)data, size, &st, err, sizeof(err)) != 0) {
		if (st != NULL || err[0] == '\0')
			abort();
		return 0;
	}
	if ((text = state_format(st)) == NULL)
		abort();
	if (state_parse(text, strlen(text), &again, err, sizeof(err)) != 0 ||
	    again->nids != st->nids || again->last_success != st->last_success)
		abort();
	if ((text2 = state_format(again)) == NULL || strcmp(text, text2) != 0)
		abort();
	free(text);
	free(text2);
	state_free(st);
	state_free(again);
	return 0;
}
