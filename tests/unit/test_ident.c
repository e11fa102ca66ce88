/* SPDX-License-Identifier: BSD-2-Clause */
/* Identity lookup: SES's precedence, case rules, and cost with many identities. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "milter/conf.h"
#include "milter/ident.h"

static struct conf_identity ids[] = {
	{ .name = "example.com" },
	{ .name = "alice@example.com" },
	{ .name = "Bob@example.com" },
	{ .name = "sub.example.com" },
	{ .name = "carol@sub.example.com" },
	{ .name = "other.test" },
};
#define NIDS (sizeof(ids) / sizeof(ids[0]))

static const char *
find(const struct ident_index *ix, const char *local, const char *domain)
{
	const struct conf_identity *id = ident_find(ix, local, domain);

	return id != NULL ? id->name : "(none)";
}

static void
test_precedence(void **state)
{
	struct ident_index *ix = ident_build(ids, NIDS);

	(void)state;
	assert_non_null(ix);
	/* the exact address beats its domain */
	assert_string_equal(
	    find(ix, "alice", "example.com"), "alice@example.com");
	/* the domain, for other addresses */
	assert_string_equal(find(ix, "dave", "example.com"), "example.com");
	/* a subdomain identity beats its parent */
	assert_string_equal(
	    find(ix, "dave", "sub.example.com"), "sub.example.com");
	assert_string_equal(
	    find(ix, "carol", "sub.example.com"), "carol@sub.example.com");
	/* deeper senders climb to the nearest configured parent */
	assert_string_equal(
	    find(ix, "x", "a.b.sub.example.com"), "sub.example.com");
	assert_string_equal(
	    find(ix, "x", "deep.er.example.com"), "example.com");
	/* an address identity does not cover other domains' same local part */
	assert_string_equal(
	    find(ix, "alice", "sub.example.com"), "sub.example.com");
	/* label boundary: not a plain suffix */
	assert_string_equal(find(ix, "x", "notexample.com"), "(none)");
	assert_string_equal(find(ix, "x", "com"), "(none)");
	assert_string_equal(find(ix, "x", "unrelated.org"), "(none)");
	ident_free(ix);
}

static void
test_case(void **state)
{
	struct ident_index *ix = ident_build(ids, NIDS);

	(void)state;
	/* the local part compares exactly: Bob is not bob */
	assert_string_equal(find(ix, "Bob", "example.com"), "Bob@example.com");
	assert_string_equal(find(ix, "bob", "example.com"), "example.com");
	assert_string_equal(find(ix, "ALICE", "example.com"), "example.com");
	ident_free(ix);
}

static void
test_edges(void **state)
{
	struct ident_index *ix = ident_build(ids, NIDS);
	struct ident_index *empty = ident_build(NULL, 0);

	(void)state;
	assert_string_equal(find(ix, "", "example.com"), "example.com");
	assert_string_equal(find(ix, "x", ""), "(none)");
	assert_string_equal(find(ix, "x", "."), "(none)");
	assert_string_equal(find(empty, "x", "example.com"), "(none)");
	assert_null(ident_find(NULL, "x", "example.com"));
	ident_free(empty);
	ident_free(ix);
	ident_free(NULL);
}

/*
 * 100,000 identities: every one is found, absent names climb their parents
 * and find nothing. (The cost per lookup is measured by `make bench`.)
 */
static void
test_many(void **state)
{
	enum {
		N = 100000
	};
	struct conf_identity *many = calloc(N, sizeof(*many));
	struct ident_index *ix;
	char local[32], domain[64];
	size_t i;

	(void)state;
	assert_non_null(many);
	for (i = 0; i < N; i++) {
		char buf[80];

		if (i % 2)
			snprintf(
			    buf, sizeof(buf), "user%zu@d%zu.example", i, i);
		else
			snprintf(buf, sizeof(buf), "d%zu.example", i);
		many[i].name = strdup(buf);
		assert_non_null(many[i].name);
	}
	ix = ident_build(many, N);
	assert_non_null(ix);
	for (i = 0; i < N; i++) {
		const struct conf_identity *id;

		snprintf(local, sizeof(local), "user%zu", i);
		snprintf(domain, sizeof(domain), "d%zu.example", i);
		id = ident_find(ix, local, domain);
		assert_ptr_equal(id, &many[i]);
	}
	for (i = 0; i < N; i++) {
		snprintf(domain, sizeof(domain), "x.y.absent%zu.example", i);
		assert_null(ident_find(ix, "nobody", domain));
	}
	ident_free(ix);
	for (i = 0; i < N; i++)
		free(many[i].name);
	free(many);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_case),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
