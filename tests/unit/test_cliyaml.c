/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cliyaml: --cli-input-yaml read as ruamel.yaml's safe loader reads it
 * (YAML 1.2 core schema, or 1.1 under %YAML 1.1), and --output yaml
 * written as its safe dumper writes it. Expected values were produced by
 * Debian's ruamel.yaml 0.17 and awscli 2.9.19 (YAMLDumper).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tool/awscli/clijson.h"
#include "tool/awscli/clivalue.h"
#include "tool/awscli/cliyaml.h"
#include "ses/strbuf.h"

/* repr() of what TEXT loads to, "INVALID", or "FATAL <message>". */
static char *
load_repr(const char *text)
{
	struct clivalue *v;
	struct strbuf b, e;

	strbuf_init(&b);
	strbuf_init(&e);
	switch (cliyaml_load(text, strlen(text), &v, &e)) {
	case CLIYAML_OK:
		if (v == NULL)
			strbuf_adds(&b, "None");
		else
			clivalue_repr(v, &b);
		break;
	case CLIYAML_EINVALID:
		assert_null(v);
		strbuf_adds(&b, "INVALID");
		break;
	case CLIYAML_EFATAL:
		assert_null(v);
		strbuf_addf(&b, "FATAL %s", e.data != NULL ? e.data : "");
		break;
	default:
		fail_msg("out of memory");
	}
	clivalue_free(v);
	strbuf_free(&e);
	return strbuf_take(&b, NULL);
}

static void
test_like_ruamel(void **state)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{ "Identity: example.com\nMailFromDomain: yes\nBehaviorOnMX"
		  "Failure: on",
		    "{'Identity': 'example.com', 'MailFromDomain': 'yes', 'Be"
		    "haviorOnMXFailure': 'on'}" },
		{ "Identity: example.com\nIdentity: x", "INVALID" },
		{ "Identity: 0o17\nMailFromDomain: 2001-12-14\nBehaviorOnMX"
		  "Failure: .inf",
		    "{'Identity': 15, 'MailFromDomain': datetime.date(2001, 1"
		    "2, 14), 'BehaviorOnMXFailure': inf}" },
		{ "a: 017\nb: 0x1F\nc: 1_000",
		    "{'a': 17, 'b': 31, 'c': 1000}" },
		{ "a: ~\nb: Null\nc: 1.5e3",
		    "{'a': None, 'b': None, 'c': 1500.0}" },
		{ "- a", "['a']" },
		{ "a: [b", "INVALID" },
		{ "a: !!binary aGVsbG8=", "{'a': b'hello'}" },
		{ "{a: x, b: !!str 123}", "{'a': 'x', 'b': '123'}" },
		{ "a: &x e\nb: *x", "{'a': 'e', 'b': 'e'}" },
		{ "a: &x {p: 1, q: 2}\nb: 2\n<<: *x",
		    "{'p': 1, 'q': 2, 'a': {'p': 1, 'q': 2}, 'b': 2}" },
		{ "b: 2\n<<: {a: 1, b: 3}", "{'a': 1, 'b': 2}" },
		{ "<<: [{a: 1}, {a: 2, c: 3}]\nd: 4",
		    "{'a': 1, 'c': 3, 'd': 4}" },
		{ "<<: 5", "INVALID" },
		{ "a: =", "INVALID" },
		{ "1: a\n1.0: b", "INVALID" },
		{ "true: a\n1: b", "INVALID" },
		{ "a: !!int abc",
		    "FATAL invalid literal for int() with base 10: 'abc'" },
		{ "a: !foo x", "INVALID" },
		{ "a: !!binary aGk", "INVALID" },
		{ "a: ! 12", "{'a': 12}" },
		{ "---\na: 1\n---\nb: 2", "INVALID" },
		{ "%YAML 1.1\n---\na: yes\nb: 017\nc: 1:30\nd: 0b11\ne: 1:3"
		  "0.5\nf: 190:20:30",
		    "{'a': True, 'b': 15, 'c': 90, 'd': 3, 'e': 90.5, 'f': 68"
		    "5230}" },
		{ "a: 0x_",
		    "FATAL invalid literal for int() with base 16: ''" },
		{ "a: !!bool yes", "{'a': True}" },
		{ "a: !!timestamp 2001-1-1",
		    "{'a': datetime.date(2001, 1, 1)}" },
		{ "a: 2001-1-1", "{'a': '2001-1-1'}" },
		{ "a: 12:30", "{'a': '12:30'}" },
		{ "a: -.5", "{'a': -0.5}" },
		{ "a: 1.", "{'a': 1.0}" },
		{ "a: -.INF", "{'a': -inf}" },
		{ "a: 1__0", "{'a': 10}" },
		{ "a: _1", "{'a': '_1'}" },
		{ "a: 0X1F", "{'a': '0X1F'}" },
		{ "a: -0o17", "{'a': -15}" },
		{ "a: tRue", "{'a': 'tRue'}" },
		{ "a: 2001-12-14T21:59:43.1234567Z",
		    "{'a': datetime.datetime(2001, 12, 14, 21, 59, 43, 123457"
		    ")}" },
		{ "a: 2001-12-14 21:59:43 +5",
		    "{'a': datetime.datetime(2001, 12, 14, 16, 59, 43)}" },
		{ "a: 2001-12-14t21:59:43.10-05:00",
		    "{'a': datetime.datetime(2001, 12, 15, 2, 59, 43, 100000)"
		    "}" },
		{ "a: 2001-02-30", "FATAL day is out of range for month" },
		{ "a: 12345678901234567890123456789",
		    "{'a': 12345678901234567890123456789}" },
		{ "a: !!float abc",
		    "FATAL could not convert string to float: 'abc'" },
		{ "a: \"x\"\nb: 'y'", "{'a': 'x', 'b': 'y'}" },
		{ "a: |\n  multi\n  line\n", "{'a': 'multi\\nline\\n'}" },
		{ "<<: {x: 1}\na: 1\na: 2", "{'x': 1, 'a': 2}" },
		{ "\xef"
		  "\xbb"
		  "\xbf"
		  "a: 1",
		    "{'a': 1}" },
		{ "a: 1\n\x01"
		  "",
		    "INVALID" },
		{ "a: *nope", "INVALID" },
		{ "null: 1\n~: 2", "INVALID" },
	};
	char *got;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = load_repr(cases[i].in);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("%s: got %s, want %s", cases[i].in, got,
			    cases[i].want);
		free(got);
	}
}

static void
test_empty_and_set(void **state)
{
	char *got;

	(void)state;
	got = load_repr("");
	assert_string_equal(got, "None");
	free(got);
	got = load_repr("# only a comment\n");
	assert_string_equal(got, "None");
	free(got);
	/* ruamel makes a Python set; its order is the hash's, ours the
	   document's */
	got = load_repr("a: !!set {x, y}");
	assert_string_equal(got, "{'a': {'x', 'y'}}");
	free(got);
}

static void
test_alias_bomb_bounded(void **state)
{
	struct strbuf doc;
	char *got;
	int i;

	(void)state;
	strbuf_init(&doc);
	strbuf_adds(&doc, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (i = 1; i < 12; i++)
		strbuf_addf(&doc,
		    "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, "
		    "*a%d, *a%d, *a%d, *a%d, *a%d]\n",
		    i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
		    i - 1, i - 1, i - 1);
	got = load_repr(doc.data);
	assert_string_equal(got, "INVALID");
	free(got);
	strbuf_free(&doc);
}

static void
test_int_digit_limit(void **state)
{
	struct strbuf doc;
	char *got;

	(void)state;
	strbuf_init(&doc);
	strbuf_adds(&doc, "a: ");
	strbuf_addn(&doc, '7', 4301);
	got = load_repr(doc.data);
	assert_string_equal(got,
	    "FATAL Exceeds the limit (4300 digits) for "
	    "integer string conversion: value has 4301 digits; use "
	    "sys.set_int_max_str_digits() to increase the limit");
	free(got);
	strbuf_free(&doc);
}

static void
test_resolver(void **state)
{
	static const struct {
		const char *in;
		const char *tag;
	} cases[] = {
		{ "", "null" },
		{ "~", "null" },
		{ "yes", "str" },
		{ "true", "bool" },
		{ "TRUE", "bool" },
		{ "tRue", "str" },
		{ "017", "int" },
		{ "0o17", "int" },
		{ "0x1F", "int" },
		{ "1_000", "int" },
		{ "1.5", "float" },
		{ ".inf", "float" },
		{ "-.5", "float" },
		{ "1e3", "float" },
		{ "2001-12-14", "timestamp" },
		{ "2001-1-1", "str" },
		{ "<<", "merge" },
		{ "=", "value" },
		{ "12:30", "str" },
		{ "example.com", "str" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(
		    cliyaml_resolve(cases[i].in, strlen(cases[i].in)),
		    cases[i].tag);
}

static void
dump_json(const char *json, const char *want, int stream)
{
	struct clivalue *v;
	struct strbuf b;

	assert_int_equal(
	    clijson_parse(json, strlen(json), &v, NULL), CLIJSON_OK);
	strbuf_init(&b);
	if (stream)
		cliyaml_dump_seq((const struct clivalue *const *)&v, 1, &b);
	else
		cliyaml_dump(v, &b);
	assert_false(strbuf_failed(&b));
	assert_string_equal(b.data, want);
	strbuf_free(&b);
	clivalue_free(v);
}

static void
test_dump_like_aws(void **state)
{
	struct clivalue *v;
	struct strbuf b;

	(void)state;
	dump_json("{\"MailFromDomainAttributes\": {\"b.example.net\": "
		  "{\"MailFromDomain\": \"m.b.example.net\", "
		  "\"MailFromDomainStatus\": \"Pending\", "
		  "\"BehaviorOnMXFailure\": \"UseDefaultValue\"}, "
		  "\"alice@example.org\": "
		  "{\"BehaviorOnMXFailure\": \"UseDefaultValue\"}}}",
	    "MailFromDomainAttributes:\n"
	    "  alice@example.org:\n"
	    "    BehaviorOnMXFailure: UseDefaultValue\n"
	    "  b.example.net:\n"
	    "    BehaviorOnMXFailure: UseDefaultValue\n"
	    "    MailFromDomain: m.b.example.net\n"
	    "    MailFromDomainStatus: Pending\n",
	    0);
	dump_json("{\"MailFromDomainAttributes\": {}}",
	    "- MailFromDomainAttributes: {}\n", 1);
	dump_json("{\"a\": [\"x\", \"y\"], \"b\": {\"c\": "
		  "[{\"d\": 1, \"e\": \"f\"}, [\"g\"]]}}",
	    "a:\n- x\n- y\nb:\n  c:\n  - d: 1\n    e: f\n  - - g\n", 0);
	/* quoted where the resolver would read another type back */
	dump_json(
	    "{\"a\": \"yes\", \"b\": \"true\", \"c\": \"\", "
	    "\"d\": \"a b\", \"e\": \"it's\", \"f\": \"x\\ny\", "
	    "\"g\": \"- x\", \"h\": \"a: b\", "
	    "\"i\": \"2001-12-14\", \"j\": \"1_000\", \"k\": \"~\", \"l\": "
	    "\"\\u0001\", \"m\": \"x\\t\", \"n\": \"\xc3\xa9\", \"o\": null, "
	    "\"p\": true, \"q\": 1.5, \"s\": 1e16}",
	    "a: yes\nb: 'true'\nc: ''\nd: a b\ne: it's\nf: 'x\n\n  y'\n"
	    "g: '- x'\nh: 'a: b'\ni: '2001-12-14'\nj: '1_000'\nk: '~'\n"
	    "l: \"\\x01\"\nm: \"x\\t\"\nn: \xc3\xa9\no: null\np: true\n"
	    "q: 1.5\ns: 1e+16\n",
	    0);
	/* infinity, which JSON cannot spell */
	assert_int_equal(cliyaml_load("r: .inf", 7, &v, NULL), CLIYAML_OK);
	strbuf_init(&b);
	cliyaml_dump(v, &b);
	assert_string_equal(b.data, "r: .inf\n");
	strbuf_free(&b);
	clivalue_free(v);
	/* long plain values fold at 80 columns */
	dump_json("{\"zd\": \"word word word word word word word word "
		  "word word word word word word word word word word\"}",
	    "zd: word word word word word word word word word word word word "
	    "word word word word\n  word word\n",
	    0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_like_ruamel),
		cmocka_unit_test(test_empty_and_set),
		cmocka_unit_test(test_alias_bomb_bounded),
		cmocka_unit_test(test_int_digit_limit),
		cmocka_unit_test(test_resolver),
		cmocka_unit_test(test_dump_like_aws),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
