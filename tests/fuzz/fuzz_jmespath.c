/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for tool/awscli/jmespath.  The input is an expression,
 * a newline, then a JSON document (a fixed one if that part does not
 * parse).  Beyond "no crash, leak or hang": an error must carry a named
 * class and a message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool/awscli/jmespath.h"

static const char fallback_doc[] =
    "{\"a\": [1, 2.5, \"x\", null, true, {\"b\": [[1], [2, 3]]}],"
    " \"foo\": {\"bar\": [{\"baz\": 1}, {\"baz\": \"q\"}]},"
    " \"s\": \"h\\u00e9\"}";

static void
fuzz_check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_jmespath: %s\n", what);
		abort();
	}
}

static void
fuzz_check_err(const struct jmes_err *err)
{
	fuzz_check(err->code != JMES_OK, "failure without an error code");
	fuzz_check(err->msg[0] != '\0', "error without a message");
	fuzz_check(strcmp(jmes_error_name(err->code), "unknown-error") != 0,
	    "error code without a name");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *nl;
	struct jmes_expr *x;
	struct jmes_err err;
	json_t *doc, *r;
	size_t elen;

	nl = memchr(s, '\n', size);
	elen = nl != NULL ? (size_t)(nl - s) : size;
	doc = nl != NULL ? json_loadb(nl + 1, size - elen - 1,
			       JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL)
			 : NULL;
	if (doc == NULL)
		doc = json_loads(fallback_doc, 0, NULL);
	fuzz_check(doc != NULL, "fallback document");
	if ((x = jmes_compile(s, elen, &err)) == NULL) {
		fuzz_check_err(&err);
		json_decref(doc);
		return 0;
	}
	if ((r = jmes_eval(x, doc, &err)) == NULL) {
		fuzz_check_err(&err);
		jmes_err_clear(&err);
	}
	json_decref(r);
	jmes_free(x);
	json_decref(doc);
	return 0;
}
