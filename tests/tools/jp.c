/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * jp EXPRESSION < DOCUMENT: the JMESPath compliance runner's interface to
 * tool/awscli/jmespath.  Prints the result as compact JSON; on an error
 * exits 1 with "<class>: <message>" on stderr, the class being the
 * compliance suite's name (syntax, invalid-type, ...).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool/awscli/jmespath.h"

/* Reads stdin whole; the caller frees the result.  NULL on failure. */
static char *
slurp(size_t *len)
{
	size_t cap = 65536, n = 0, got;
	char *buf = malloc(cap), *p;

	while (buf != NULL && (got = fread(buf + n, 1, cap - n, stdin)) > 0) {
		n += got;
		if (n == cap) {
			if ((p = realloc(buf, cap * 2)) == NULL) {
				free(buf);
				return NULL;
			}
			buf = p;
			cap *= 2;
		}
	}
	if (buf != NULL && ferror(stdin)) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

int
main(int argc, char **argv)
{
	struct jmes_expr *x;
	struct jmes_err err;
	json_error_t je;
	json_t *doc, *r;
	size_t len;
	char *in;
	int flags = JSON_DECODE_ANY | JSON_ALLOW_NUL;

	if (argc != 2) {
		fprintf(stderr, "usage: jp EXPRESSION < JSON\n");
		return 2;
	}
	if ((in = slurp(&len)) == NULL) {
		fprintf(stderr, "jp: cannot read stdin\n");
		return 2;
	}
	/* Python reads big integers exactly; a real is the nearest we have. */
	doc = json_loadb(in, len, flags, &je);
	if (doc == NULL && json_error_code(&je) == json_error_numeric_overflow)
		doc = json_loadb(in, len, flags | JSON_DECODE_INT_AS_REAL, &je);
	free(in);
	if (doc == NULL) {
		fprintf(stderr, "jp: invalid JSON input: %s\n", je.text);
		return 2;
	}
	if ((x = jmes_compile(argv[1], strlen(argv[1]), &err)) == NULL) {
		fprintf(stderr, "%s: %s\n", jmes_error_name(err.code), err.msg);
		json_decref(doc);
		return 1;
	}
	r = jmes_eval(x, doc, &err);
	jmes_free(x);
	json_decref(doc);
	if (r == NULL) {
		fprintf(stderr, "%s: %s\n", jmes_error_name(err.code), err.msg);
		jmes_err_clear(&err);
		return 1;
	}
	if (json_dumpf(r, stdout,
		JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(17)) !=
		0 ||
	    putchar('\n') == EOF || fflush(stdout) != 0) {
		fprintf(stderr, "jp: cannot write the result\n");
		json_decref(r);
		return 2;
	}
	json_decref(r);
	return 0;
}
