/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_jmespath: what --query costs. Builds the attributes of N
 * identities (default 100) as GetIdentityMailFromDomainAttributes returns
 * them, then times compiling and evaluating typical --query expressions,
 * and the conversions the tool adds around them (its value tree to
 * jansson and back). Prints microseconds per operation; figures, not a
 * pass/fail test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "tool/awscli/clijson.h"
#include "tool/awscli/clivalue.h"
#include "tool/awscli/jmespath.h"

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static json_t *
attributes(int n)
{
	static const char *const status[] = { "Success", "Pending", "Failed",
		"TemporaryFailure" };
	json_t *all = json_object(), *one, *doc;
	char name[64], mf[80];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "d%03d.example.com", i);
		snprintf(mf, sizeof(mf), "bounce.%s", name);
		one = json_pack("{s:s, s:s, s:s}", "MailFromDomain", mf,
		    "MailFromDomainStatus", status[i % 4],
		    "BehaviorOnMXFailure",
		    i % 3 ? "UseDefaultValue" : "RejectMessage");
		json_object_set_new(all, name, one);
	}
	doc = json_object();
	json_object_set_new(doc, "MailFromDomainAttributes", all);
	return doc;
}

static void
bench(const char *label, const char *expr, json_t *doc, int rounds)
{
	struct jmes_err err;
	struct jmes_expr *x;
	json_t *r;
	double t0, tc, te;
	int i;

	t0 = now_us();
	for (i = 0; i < rounds; i++)
		jmes_free(jmes_compile(expr, strlen(expr), &err));
	tc = (now_us() - t0) / rounds;
	if ((x = jmes_compile(expr, strlen(expr), &err)) == NULL) {
		fprintf(stderr, "%s: %s\n", expr, err.msg);
		exit(1);
	}
	t0 = now_us();
	for (i = 0; i < rounds; i++) {
		if ((r = jmes_eval(x, doc, &err)) == NULL) {
			fprintf(stderr, "%s: %s\n", expr, err.msg);
			exit(1);
		}
		json_decref(r);
	}
	te = (now_us() - t0) / rounds;
	jmes_free(x);
	printf("  %-34s compile %7.2f us  evaluate %8.2f us\n", label, tc, te);
}

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100, rounds = 2000, i;
	json_t *doc = attributes(n), *back;
	struct clivalue *v;
	double t0;

	printf("--query over %d identities' attributes (%d rounds each):\n", n,
	    rounds);
	bench("one status",
	    "MailFromDomainAttributes.\"d001.example.com\"."
	    "MailFromDomainStatus",
	    doc, rounds);
	bench("filter",
	    "values(MailFromDomainAttributes)[?MailFromDomainStatus"
	    "=='Failed'].MailFromDomain",
	    doc, rounds);
	bench("multiselect projection",
	    "MailFromDomainAttributes.*.[MailFromDomain, MailFromDomainStatus]",
	    doc, rounds);
	bench("sort_by",
	    "sort_by(values(MailFromDomainAttributes), "
	    "&MailFromDomain)[].MailFromDomain",
	    doc, rounds);
	if (clijson_from_jansson(doc, &v, NULL) != CLIJSON_OK)
		return 1;
	t0 = now_us();
	for (i = 0; i < rounds; i++) {
		back = clijson_to_jansson(v);
		json_decref(back);
	}
	printf("  %-34s %7.2f us\n", "response to jansson (the tool's part)",
	    (now_us() - t0) / rounds);
	clivalue_free(v);
	json_decref(doc);
	return 0;
}
