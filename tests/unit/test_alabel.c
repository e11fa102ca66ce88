/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Domain names in A-label form: the UTS #46 mapping, non-transitional, and
 * what libidn2 must refuse (hostile input).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "milter/alabel.h"
#include "milter/conf.h"
#include "milter/ident.h"

struct alabel_case {
	const char *in;
	const char *out; /* NULL: refused */
	const char *why; /* part of the reason when refused */
};

static const struct alabel_case cases[] = {
	/* the three spellings of one identity */
	{ "m\xc3\xbcller.example", "xn--mller-kva.example", NULL },
	{ "M\xc3\x9cLLER.Example", "xn--mller-kva.example", NULL },
	{ "xn--mller-kva.example", "xn--mller-kva.example", NULL },
	{ "XN--MLLER-KVA.EXAMPLE", "xn--mller-kva.example", NULL },
	/* plain ASCII: lower-cased only */
	{ "Example.COM", "example.com", NULL },
	{ "ab--c.example", "ab--c.example", NULL },
	/* non-transitional: sharp s and final sigma are kept */
	{ "stra\xc3\x9f"
	  "e.de",
	    "xn--strae-oqa.de", NULL },
	/* NFC: u + combining diaeresis is the same name */
	{ "mu\xcc\x88ller.example", "xn--mller-kva.example", NULL },
	/* fullwidth dot and letters are mapped (UTS #46) */
	{ "\xef\xbd\x8d\xc3\xbcller\xef\xbc\x8e"
	  "example",
	    "xn--mller-kva.example", NULL },
	/* mixed Latin and Cyrillic: IDNA2008 has no whole-script rule */
	{ "p\xd0\xb0ypal.com", "xn--pypal-4ve.com", NULL },
	/* hostile */
	{ "xn--zz.example", NULL, "punycode" },
	{ "xn--mller-kva-.example", NULL, "punycode" },
	{ "xn--abc.example", NULL, "TR46" },
	{ "xn--ls8h.la", NULL, "disallowed" },
	{ "\xf0\x9f\x92\xa9.la", NULL, "disallowed" },
	{ "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d"
	  "abc.com",
	    NULL, "bi-directional" },
	{ "-m\xc3\xbcller.example", NULL, "hyphen" },
	{ "m\xc3\xbcller_x.example", NULL, "letters, digits and hyphens" },
	{ "m\xff\xfe.example", NULL, "" },
	{ "m\xc3\xbcller..example", NULL, "" },
};

static void
test_cases(void **state)
{
	char out[ALABEL_NAME_MAX + 1];
	const char *why;
	size_t i;
	bool ok;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why = NULL;
		ok = alabel_domain(cases[i].in, out, sizeof(out), &why);
		if (cases[i].out != NULL) {
			if (!ok)
				fail_msg("%s: refused (%s)", cases[i].in, why);
			assert_string_equal(out, cases[i].out);
		} else {
			if (ok)
				fail_msg(
				    "%s: accepted as %s", cases[i].in, out);
			assert_non_null(why);
			if (strstr(why, cases[i].why) == NULL)
				fail_msg("%s: reason '%s' lacks '%s'",
				    cases[i].in, why, cases[i].why);
			assert_string_equal(out, "");
		}
	}
}

/* Over-long once converted: a U-label of 60 code points fits a byte
   budget that its A-label does not. */
static void
test_too_long_after_conversion(void **state)
{
	char in[400], out[ALABEL_NAME_MAX + 1];
	const char *why;
	size_t i, n = 0;

	(void)state;
	for (i = 0; i < 60; i++) {
		in[n++] = '\xc3';
		in[n++] = '\xbc';
	}
	strcpy(in + n, ".example");
	assert_false(alabel_domain(in, out, sizeof(out), &why));
	/* ASCII labels over 63 and names over 253 octets */
	memset(in, 'a', 64);
	strcpy(in + 64, ".example");
	assert_false(alabel_domain(in, out, sizeof(out), &why));
	assert_non_null(strstr(why, "63"));
	for (n = 0; n < 260; n += 2)
		memcpy(in + n, "a.", 2);
	strcpy(in + n, "com");
	assert_false(alabel_domain(in, out, sizeof(out), &why));
	assert_non_null(strstr(why, "253"));
	/* an output buffer too small is refused, not overrun */
	assert_false(alabel_domain("m\xc3\xbcller.example", out, 10, &why));
	assert_string_equal(out, "");
}

static void
test_needed(void **state)
{
	(void)state;
	assert_false(alabel_needed("example.com"));
	assert_false(alabel_needed("axn--b.example.com"));
	assert_true(alabel_needed("xn--mller-kva.example"));
	assert_true(alabel_needed("a.XN--mller-kva.example"));
	assert_true(alabel_needed("m\xc3\xbcller.example"));
}

/* A sender in any of the three spellings finds the A-label identity. */
static void
test_sender_matches_identity(void **state)
{
	static struct conf_identity ids[] = {
		{ .name = "xn--mller-kva.example" },
		{ .name = "anna@xn--strae-oqa.de" },
	};
	static const char *const domains[] = {
		"m\xc3\xbcller.example",
		"M\xc3\x9cLLER.EXAMPLE",
		"xn--mller-kva.example",
		"sub.m\xc3\xbcller.example",
	};
	struct ident_index *ix = ident_build(ids, 2);
	const struct conf_identity *id;
	char out[ALABEL_NAME_MAX + 1];
	const char *why;
	size_t i;

	(void)state;
	assert_non_null(ix);
	for (i = 0; i < sizeof(domains) / sizeof(domains[0]); i++) {
		assert_true(alabel_domain(domains[i], out, sizeof(out), &why));
		id = ident_find(ix, "anna", out);
		assert_non_null(id);
		assert_string_equal(id->name, "xn--mller-kva.example");
	}
	assert_true(alabel_domain("STRASSE.de", out, sizeof(out), &why));
	assert_null(ident_find(ix, "anna", out)); /* not transitional */
	assert_true(alabel_domain("stra\xc3\x9f"
				  "e.DE",
	    out, sizeof(out), &why));
	assert_non_null(ident_find(ix, "anna", out));
	ident_free(ix);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_too_long_after_conversion),
		cmocka_unit_test(test_needed),
		cmocka_unit_test(test_sender_matches_identity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
