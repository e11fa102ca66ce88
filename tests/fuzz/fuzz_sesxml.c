/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_sesxml: any bytes as an SES answer. Besides not crashing or leaking,
 * the document read in one piece and the same bytes fed in three pieces
 * must give the same status and the same strings.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ses/sesxml.h"

static int
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static int
same_doc(const struct sesxml_doc *a, const struct sesxml_doc *b)
{
	size_t i;

	if (a->kind != b->kind || a->nentries != b->nentries ||
	    !same_str(a->request_id, b->request_id) ||
	    !same_str(a->error_type, b->error_type) ||
	    !same_str(a->error_code, b->error_code) ||
	    !same_str(a->error_message, b->error_message))
		return 0;
	for (i = 0; i < a->nentries; i++)
		if (!same_str(a->entries[i].identity, b->entries[i].identity) ||
		    !same_str(a->entries[i].mail_from_domain,
			b->entries[i].mail_from_domain) ||
		    !same_str(a->entries[i].status, b->entries[i].status) ||
		    !same_str(a->entries[i].behavior, b->entries[i].behavior) ||
		    !same_str(a->entries[i].verification_status,
			b->entries[i].verification_status) ||
		    !same_str(a->entries[i].verification_token,
			b->entries[i].verification_token))
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sesxml_parser *p;
	struct sesxml_doc *whole, *pieces;
	char err[128];
	size_t cut1, cut2;
	int s1, s2;

	s1 = sesxml_parse(data, size, &whole, err, sizeof(err));
	if ((s1 == SESXML_OK) != (whole != NULL) ||
	    memchr(err, '\0', sizeof(err)) == NULL)
		abort();

	cut1 = size > 0 ? data[0] % (size + 1) : 0;
	cut2 = cut1 + (size - cut1) / 2;
	if ((p = sesxml_parser_new()) == NULL)
		abort();
	s2 = sesxml_parser_feed(p, data, cut1);
	if (s2 == SESXML_OK)
		s2 = sesxml_parser_feed(p, data + cut1, cut2 - cut1);
	if (s2 == SESXML_OK)
		s2 = sesxml_parser_feed(p, data + cut2, size - cut2);
	if (s2 == SESXML_OK)
		s2 = sesxml_parser_finish(p, &pieces);
	else
		pieces = NULL;
	sesxml_parser_free(p);

	if (s1 != s2 || (s1 == SESXML_OK && !same_doc(whole, pieces)))
		abort();
	sesxml_doc_free(whole);
	sesxml_doc_free(pieces);
	return 0;
}
