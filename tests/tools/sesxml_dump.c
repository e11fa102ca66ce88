/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sesxml_dump: parses SES answers read from stdin, one a line in hex (so any
 * bytes can be given), and prints for each one JSON line:
 *   {"status": N, "error": "...", "kind": N, "request_id": ...,
 *    "type": ..., "code": ..., "message": ...,
 *    "entries": [[identity, domain, status, behavior,
 *                 verification_status, verification_token], ...]}
 * with null for what was absent. A test compares this with botocore.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ses/sesxml.h"

static int
unhex(const char *s, size_t n, unsigned char *out)
{
	size_t i;
	unsigned int b;

	if (n % 2 != 0)
		return -1;
	for (i = 0; i < n; i += 2) {
		if (sscanf(s + i, "%2x", &b) != 1)
			return -1;
		out[i / 2] = (unsigned char)b;
	}
	return 0;
}

static json_t *
str(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *
describe(int status, const char *err, const struct sesxml_doc *d)
{
	json_t *o, *list;
	size_t i;

	o = json_pack("{s:i, s:s}", "status", status, "error", err);
	if (d == NULL)
		return o;
	list = json_array();
	for (i = 0; i < d->nentries; i++)
		json_array_append_new(list,
		    json_pack("[o,o,o,o,o,o]", str(d->entries[i].identity),
			str(d->entries[i].mail_from_domain),
			str(d->entries[i].status), str(d->entries[i].behavior),
			str(d->entries[i].verification_status),
			str(d->entries[i].verification_token)));
	json_object_set_new(o, "kind", json_integer(d->kind));
	json_object_set_new(o, "request_id", str(d->request_id));
	json_object_set_new(o, "type", str(d->error_type));
	json_object_set_new(o, "code", str(d->error_code));
	json_object_set_new(o, "message", str(d->error_message));
	json_object_set_new(o, "entries", list);
	return o;
}

int
main(void)
{
	struct sesxml_doc *d;
	unsigned char *doc;
	json_t *o;
	char *line = NULL, *text, err[256];
	size_t cap = 0;
	ssize_t n;
	int status, rc = 0;

	while ((n = getline(&line, &cap, stdin)) != -1) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if ((doc = malloc((size_t)n / 2 + 1)) == NULL ||
		    unhex(line, (size_t)n, doc) == -1) {
			free(doc);
			printf("null\n");
			rc = 1;
			continue;
		}
		status = sesxml_parse(doc, (size_t)n / 2, &d, err, sizeof(err));
		o = describe(status, err, d);
		text = json_dumps(o, JSON_COMPACT);
		printf("%s\n", text != NULL ? text : "null");
		free(text);
		json_decref(o);
		sesxml_doc_free(d);
		free(doc);
	}
	free(line);
	return rc;
}
