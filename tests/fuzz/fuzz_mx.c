/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for milter/dns/mx. The input is a raw DNS answer, as a
 * server (or anyone on the path) could send it. Beyond "no crash": the
 * summary must keep the header's promises whatever the bytes, and the
 * verdict must agree with the summary for the SES host, "any" and the
 * host found. The input is also tried as a name for mx_canon_name().
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "milter/dns/mx.h"

#define SES_MX "feedback-smtp.us-east-1.amazonses.com"

static void
fuzz_check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_mx: %s\n", what);
		abort();
	}
}

static void
fuzz_check_summary(const struct mx_summary *s)
{
	char canon[MX_NAME_MAX + 1];
	size_t hl;

	fuzz_check(s->kind >= MX_KIND_ANSWER && s->kind <= MX_KIND_ERROR,
	    "kind (never internal)");
	fuzz_check(memchr(s->host, '\0', sizeof(s->host)) != NULL,
	    "host not terminated");
	hl = strlen(s->host);
	fuzz_check(
	    hl == 0 || (s->nmx == 1 && !s->null_mx), "host without one MX");
	fuzz_check(!s->null_mx || s->nmx == 1, "null MX among several");
	fuzz_check(s->kind == MX_KIND_ANSWER ? s->nmx > 0 : s->nmx == 0,
	    "nmx for kind");
	fuzz_check((s->ttl & 0x80000000u) == 0, "TTL top bit");
	fuzz_check(s->kind == MX_KIND_ANSWER || s->kind == MX_KIND_NXDOMAIN ||
		s->kind == MX_KIND_NODATA || s->ttl == 0,
	    "TTL of an error");
	if (hl > 0) {
		fuzz_check(mx_canon_name(s->host, canon, sizeof(canon)),
		    "host not canonical");
		fuzz_check(
		    strcmp(canon, s->host) == 0, "host changed by canon");
	}
}

static void
fuzz_check_judge(const struct mx_summary *s)
{
	enum mx_result ses = mx_judge(s, SES_MX), any = mx_judge(s, "any");

	fuzz_check(mx_result_name(ses) != NULL && mx_result_name(any) != NULL,
	    "names");
	if (s->kind != MX_KIND_ANSWER) {
		fuzz_check(
		    ses == any, "expected host mattered without an answer");
		fuzz_check(ses != MX_OK && ses != MX_WRONG_HOST,
		    "answer verdict without one");
		fuzz_check(mx_result_transient(ses) ==
			(s->kind != MX_KIND_NXDOMAIN &&
			    s->kind != MX_KIND_NODATA),
		    "transient");
		return;
	}
	fuzz_check(!mx_result_transient(ses) && !mx_result_transient(any),
	    "answer transient");
	if (s->nmx > 1)
		fuzz_check(
		    ses == MX_MULTIPLE && any == MX_MULTIPLE, "multiple");
	else if (s->null_mx)
		fuzz_check(ses == MX_NULL_MX && any == MX_NULL_MX, "null MX");
	else {
		fuzz_check(any == MX_OK, "any");
		fuzz_check(ses ==
			(strcmp(s->host, SES_MX) == 0 ? MX_OK : MX_WRONG_HOST),
		    "SES");
		if (s->host[0] != '\0')
			fuzz_check(mx_judge(s, s->host) == MX_OK, "own host");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mx_summary s;
	char name[300], canon[MX_NAME_MAX + 1];
	size_t n = size < sizeof(name) - 1 ? size : sizeof(name) - 1;

	memset(&s, 0x5a, sizeof(s));
	mx_parse(data, size, &s);
	fuzz_check_summary(&s);
	fuzz_check_judge(&s);

	memcpy(name, data, n);
	name[n] = '\0';
	if (mx_canon_name(name, canon, sizeof(canon))) {
		char again[MX_NAME_MAX + 1];

		fuzz_check(strlen(canon) <= MX_NAME_MAX, "canon length");
		fuzz_check(mx_canon_name(canon, again, sizeof(again)) &&
			strcmp(canon, again) == 0,
		    "canon not idempotent");
	}
	return 0;
}
