/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * clijson and clivalue: JSON read by jansson with the AWS CLI's rules
 * (dict semantics, no BOM, no trailing text, Python's depth limit), its
 * errors in json.loads()'s form with positions in characters, written as
 * json.dumps(indent=4, ensure_ascii=False), and values shown as Python's
 * str() and repr() show them. The Python texts were taken from Debian's
 * /usr/bin/python3 (3.11); the error reasons are jansson 2.14's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tool/awscli/clijson.h"
#include "tool/awscli/clivalue.h"
#include "ses/strbuf.h"

/* repr() of what TEXT parses to, or "ERR <message>". */
static char *
parse_repr(const char *text, size_t len)
{
	struct clivalue *v;
	struct strbuf b, e;
	enum clijson_status st;

	strbuf_init(&b);
	strbuf_init(&e);
	st = clijson_parse(text, len, &v, &e);
	if (st != CLIJSON_OK) {
		assert_null(v);
		strbuf_addf(&b, "ERR %s", e.data != NULL ? e.data : "");
	} else
		clivalue_repr(v, &b);
	clivalue_free(v);
	strbuf_free(&e);
	return strbuf_take(&b, NULL);
}

static void
check(const char *text, const char *want)
{
	char *got = parse_repr(text, strlen(text));

	assert_string_equal(got, want);
	free(got);
}

/* Every text here is invalid for Python's json.loads() too. */
static void
test_errors(void **state)
{
	static const struct {
		const char *in;
		const char *msg;
	} cases[] = {
		{ "",
		    "unexpected token near end of file: line 1 column 1 "
		    "(char 0)" },
		{ " ",
		    "unexpected token near end of file: line 1 column 1 "
		    "(char 0)" },
		{ "[a", "invalid token near 'a': line 1 column 2 (char 1)" },
		{ "{",
		    "string or '}' expected near end of file: line 1 "
		    "column 1 (char 0)" },
		{ "{\"a\"",
		    "':' expected near end of file: line 1 column 4 "
		    "(char 3)" },
		{ "{\"a\":",
		    "unexpected token near end of file: line 1 "
		    "column 5 (char 4)" },
		{ "{\"a\":1",
		    "'}' expected near end of file: line 1 column 6 "
		    "(char 5)" },
		{ "{\"a\":1,}",
		    "string or '}' expected near '}': line 1 "
		    "column 8 (char 7)" },
		{ "{\"a\" 1}",
		    "':' expected near '1': line 1 column 6 "
		    "(char 5)" },
		{ "{1:2}",
		    "string or '}' expected near '1': line 1 column 2 "
		    "(char 1)" },
		{ "[1,]",
		    "unexpected token near ']': line 1 column 4 "
		    "(char 3)" },
		{ "[1 2]", "']' expected near '2': line 1 column 4 (char 3)" },
		{ "\"abc",
		    "premature end of input near '\"abc': line 1 "
		    "column 4 (char 3)" },
		{ "\"a\x01\"",
		    "control character 0x1 near '\"a': line 1 "
		    "column 2 (char 1)" },
		{ "\"\\x\"",
		    "invalid escape near '\"\\x': line 1 column 3 "
		    "(char 2)" },
		{ "\"\\u12\"",
		    "invalid escape near '\"\\u12\"': line 1 "
		    "column 6 (char 5)" },
		{ "\"\\u12g4\"",
		    "invalid escape near '\"\\u12g': line 1 "
		    "column 6 (char 5)" },
		{ "01", "invalid token near '0': line 1 column 1 (char 0)" },
		{ "-", "invalid token near '-': line 1 column 1 (char 0)" },
		{ "tru",
		    "invalid token near 'tru': line 1 column 3 "
		    "(char 2)" },
		{ "1.", "invalid token near '1.': line 1 column 2 (char 1)" },
		{ "1e", "invalid token near '1e': line 1 column 2 (char 1)" },
		{ ".5", "invalid token near '.': line 1 column 1 (char 0)" },
		{ "[\n  1,\n  x]",
		    "invalid token near 'x': line 3 column 3 "
		    "(char 9)" },
		{ "[\n",
		    "']' expected near end of file: line 2 column 1 "
		    "(char 1)" },
		/* positions count characters, not bytes */
		{ "\xc3\xa9 x",
		    "invalid token near '\xc3\xa9': line 1 "
		    "column 1 (char 0)" },
		{ "\"\\",
		    "invalid escape near '\"\\': line 1 column 2 "
		    "(char 1)" },
		{ "{\"a\":1 \"b\":2}",
		    "'}' expected near '\"b\"': line 1 "
		    "column 10 (char 9)" },
		{ "  [",
		    "']' expected near end of file: line 1 column 3 "
		    "(char 2)" },
		{ "\"\\ud83d\\u12x4 \"",
		    "invalid escape near "
		    "'\"\\ud83d\\u12x': line 1 column 12 (char 11)" },
		{ "\"\\u1234",
		    "premature end of input near '\"\\u1234': "
		    "line 1 column 7 (char 6)" },
		{ "[1,2",
		    "']' expected near end of file: line 1 column 4 "
		    "(char 3)" },
		{ "[1,",
		    "']' expected near end of file: line 1 column 3 "
		    "(char 2)" },
		{ "{\"a\":1,  ",
		    "string or '}' expected near end of file: "
		    "line 1 column 9 (char 8)" },
		{ "\"\xff\"",
		    "unable to decode byte 0xff near '\"': line 1 "
		    "column 1 (char 0)" },
	};
	struct clivalue *v;
	char want[200];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(want, sizeof(want), "ERR %s", cases[i].msg);
		check(cases[i].in, want);
	}
	/* no message asked for */
	assert_int_equal(clijson_parse("[1,", 3, &v, NULL), CLIJSON_EINVALID);
	assert_null(v);
}

/* What the AWS CLI refuses as invalid JSON, as its json.loads() does. */
static void
test_aws_rules(void **state)
{
	(void)state;
	check("\xef\xbb\xbf{}",
	    "ERR invalid token near '\xef\xbb\xbf': "
	    "line 1 column 1 (char 0)");
	check("{} x",
	    "ERR end of file expected near 'x': line 1 column 4 "
	    "(char 3)");
	check("1 2",
	    "ERR end of file expected near '2': line 1 column 3 "
	    "(char 2)");
	check("\"\xc3\xa9\" x",
	    "ERR end of file expected near 'x': line 1 "
	    "column 5 (char 4)");
	check("\x0c"
	      "5",
	    "ERR invalid token near '\x0c': line 1 column 1 "
	    "(char 0)");
	/* a lone value is a document: cli-input-json names its type */
	check("5", "5");
	check("\"x\"", "'x'");
	check("null", "None");
}

static void
test_values(void **state)
{
	(void)state;
	check("[-1e-400, -0, -0.0, 9223372036854775807, "
	      "-9223372036854775808]",
	    "[-0.0, 0, -0.0, 9223372036854775807, -9223372036854775808]");
	check("[1e5, 1.5, 1e16, 1e15, 0.0001, 0.00001, 5e-324, 0.1]",
	    "[100000.0, 1.5, 1e+16, 1000000000000000.0, 0.0001, 1e-05, "
	    "5e-324, 0.1]");
	check("[true, false, null, \"it's\", \"a\\\"b\", \"\\/\\b\\f\"]",
	    "[True, False, None, \"it's\", 'a\"b', '/\\x08\\x0c']");
	check("\"\\ud83d\\ude00\"", "'\xf0\x9f\x98\x80'");
	/* json.loads() accepts a NUL in a string; the caller refuses it */
	check("\"a\\u0000b\"", "'a\\x00b'");
	check(" \t\n\r5 \t", "5");
}

/*
 * Python's extensions and its unbounded integers: jansson refuses them, so
 * these documents the AWS CLI would take are invalid here.
 */
static void
test_python_only(void **state)
{
	(void)state;
	check("NaN", "ERR invalid token near 'NaN': line 1 column 3 (char 2)");
	check("[-Infinity]",
	    "ERR invalid token near '-': line 1 column 2 "
	    "(char 1)");
	check("1e400",
	    "ERR real number overflow near '1e400': line 1 "
	    "column 5 (char 4)");
	check("9223372036854775808",
	    "ERR too big integer near "
	    "'9223372036854775808': line 1 column 19 (char 18)");
	check("-9223372036854775809",
	    "ERR too big negative integer near "
	    "'-9223372036854775809': line 1 column 20 (char 19)");
	check("\"\\ud800x\"",
	    "ERR invalid Unicode '\\uD800' near "
	    "'\"\\ud800x\"': line 1 column 9 (char 8)");
	check("\"\xed\xa0\x80\"",
	    "ERR unable to decode byte 0xed near '\"': "
	    "line 1 column 1 (char 0)");
	check("{\"a\\u0000\":1}",
	    "ERR NUL byte in object key not supported "
	    "near '\"a\\u0000\"': line 1 column 10 (char 9)");
}

static void
test_dict_semantics(void **state)
{
	(void)state;
	/* a repeated key keeps its first place and takes the last value */
	check("{\"b\":1,\"a\":2,\"b\":[3,{\"x\":null}]}",
	    "{'b': [3, {'x': None}], 'a': 2}");
	check("{\"k\":{\"z\":1,\"y\":2},\"k\":{\"y\":3}}", "{'k': {'y': 3}}");
}

/* N times OPEN, a 1, then N times CLOSE unless CLOSE is 0. */
static enum clijson_status
nested(size_t n, const char *open, char close, struct strbuf *e)
{
	struct clivalue *v;
	struct strbuf b;
	enum clijson_status st;
	size_t i;

	strbuf_init(&b);
	for (i = 0; i < n; i++)
		strbuf_adds(&b, open);
	strbuf_adds(&b, "1");
	if (close != 0)
		strbuf_addn(&b, close, n);
	assert_false(strbuf_failed(&b));
	st = clijson_parse(b.data, b.len, &v, e);
	if (st == CLIJSON_OK)
		assert_non_null(v);
	else
		assert_null(v);
	clivalue_free(v);
	strbuf_free(&b);
	return st;
}

static void
test_depth(void **state)
{
	struct strbuf e;

	(void)state;
	strbuf_init(&e);
	assert_int_equal(nested(CLIJSON_MAX_DEPTH, "[", ']', &e), CLIJSON_OK);
	assert_int_equal(
	    nested(CLIJSON_MAX_DEPTH, "{\"a\":", '}', &e), CLIJSON_OK);
	assert_int_equal(
	    nested(CLIJSON_MAX_DEPTH + 1, "[", ']', &e), CLIJSON_EDEPTH);
	assert_string_equal(e.data,
	    "maximum recursion depth exceeded while "
	    "decoding a JSON array from a unicode string");
	strbuf_free(&e);
	assert_int_equal(
	    nested(CLIJSON_MAX_DEPTH + 1, "{\"a\":", '}', &e), CLIJSON_EDEPTH);
	assert_string_equal(e.data,
	    "maximum recursion depth exceeded while "
	    "decoding a JSON object from a unicode string");
	strbuf_free(&e);
	/* beyond jansson's own limit (2048), which stops it earlier */
	assert_int_equal(nested(3000, "[", ']', &e), CLIJSON_EDEPTH);
	assert_string_equal(e.data,
	    "maximum recursion depth exceeded while "
	    "decoding a JSON array from a unicode string");
	strbuf_free(&e);
	assert_int_equal(nested(3000, "{\"a\":", '}', &e), CLIJSON_EDEPTH);
	assert_string_equal(e.data,
	    "maximum recursion depth exceeded while "
	    "decoding a JSON object from a unicode string");
	strbuf_free(&e);
	/* unlike Python, an unfinished text is invalid before too deep */
	assert_int_equal(
	    nested(CLIJSON_MAX_DEPTH + 10, "[", 0, &e), CLIJSON_EINVALID);
	strbuf_free(&e);
}

static void
test_dump(void **state)
{
	struct clivalue *v;
	struct strbuf b;
	const char *in = "{\"MailFromDomainAttributes\": "
			 "{\"b\xc3\xbc.example\": {\"MailFromDomain\": "
			 "\"x\\u0001\\t\\\"\", \"n\": [], \"m\": {}}}, "
			 "\"L\": [1, 2.5, true, null]}";

	(void)state;
	assert_int_equal(clijson_parse(in, strlen(in), &v, NULL), CLIJSON_OK);
	strbuf_init(&b);
	clijson_dump(v, 4, &b);
	assert_string_equal(b.data,
	    "{\n"
	    "    \"MailFromDomainAttributes\": {\n"
	    "        \"b\xc3\xbc.example\": {\n"
	    "            \"MailFromDomain\": \"x\\u0001\\t\\\"\",\n"
	    "            \"n\": [],\n"
	    "            \"m\": {}\n"
	    "        }\n"
	    "    },\n"
	    "    \"L\": [\n"
	    "        1,\n"
	    "        2.5,\n"
	    "        true,\n"
	    "        null\n"
	    "    ]\n"
	    "}");
	strbuf_free(&b);
	clijson_dump(v, -1, &b);
	assert_string_equal(b.data,
	    "{\"MailFromDomainAttributes\": "
	    "{\"b\xc3\xbc.example\": {\"MailFromDomain\": \"x\\u0001\\t\\\"\", "
	    "\"n\": [], \"m\": {}}}, \"L\": [1, 2.5, true, null]}");
	strbuf_free(&b);
	clivalue_free(v);
}

static void
test_python_str_and_types(void **state)
{
	struct clivalue *v;
	struct strbuf b;
	const char *in = "{\"k\": [1, \"a\\n'\", {\"x\": 1.0}]}";

	(void)state;
	assert_int_equal(clijson_parse(in, strlen(in), &v, NULL), CLIJSON_OK);
	strbuf_init(&b);
	clivalue_str(v->items[0], &b);
	assert_string_equal(b.data, "[1, \"a\\n'\", {'x': 1.0}]");
	strbuf_free(&b);
	clivalue_str(v->items[0]->items[1], &b);
	assert_string_equal(b.data, "a\n'");
	strbuf_free(&b);
	assert_string_equal(clivalue_type(v), "<class 'dict'>");
	assert_string_equal(clivalue_type(v->items[0]), "<class 'list'>");
	assert_string_equal(
	    clivalue_type(v->items[0]->items[0]), "<class 'int'>");
	assert_string_equal(
	    clivalue_type(v->items[0]->items[2]->items[0]), "<class 'float'>");
	clivalue_free(v);
}

static void
test_float_repr(void **state)
{
	static const struct {
		double x;
		const char *want;
	} cases[] = {
		{ 0.0, "0.0" },
		{ -0.0, "-0.0" },
		{ 1.0, "1.0" },
		{ 0.1 + 0.2, "0.30000000000000004" },
		{ 1e22, "1e+22" },
		{ 123456789.0, "123456789.0" },
		{ 1.7976931348623157e308, "1.7976931348623157e+308" },
		{ 2.5e-5, "2.5e-05" },
		{ 9999999999999998.0, "9999999999999998.0" },
		{ 1e16, "1e+16" },
		{ 12345.678, "12345.678" },
	};
	struct strbuf b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		strbuf_init(&b);
		clivalue_float_repr(cases[i].x, &b);
		assert_string_equal(b.data, cases[i].want);
		strbuf_free(&b);
	}
	strbuf_init(&b);
	clivalue_float_repr(NAN, &b);
	clivalue_float_repr(-INFINITY, &b);
	assert_string_equal(b.data, "nan-inf");
	strbuf_free(&b);
}

/*
 * --query's bridge: a response goes to jansson in order and comes back the
 * same; what JSON has no type for becomes what JMESPath can compare.
 */
static void
test_jansson_bridge(void **state)
{
	static const char text[] = "{\"b\": [1, 2.5, true, null, \"x\"], "
				   "\"a\": {\"k\": \"caf\u00e9\"}}";
	struct clivalue *v, *back, *big, *bytes;
	struct strbuf a, b;
	json_t *j;
	char *dump;

	(void)state;
	assert_int_equal(
	    clijson_parse(text, strlen(text), &v, NULL), CLIJSON_OK);
	assert_non_null(j = clijson_to_jansson(v));
	dump = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
	assert_string_equal(dump,
	    "{\"b\":[1,2.5,true,null,\"x\"],\"a\":{\"k\":\"caf\\u00E9\"}}");
	free(dump);
	assert_int_equal(clijson_from_jansson(j, &back, NULL), CLIJSON_OK);
	strbuf_init(&a);
	strbuf_init(&b);
	clivalue_repr(v, &a);
	clivalue_repr(back, &b);
	assert_string_equal(a.data, b.data);
	strbuf_free(&a);
	strbuf_free(&b);
	json_decref(j);
	clivalue_free(back);
	clivalue_free(v);

	big = clivalue_new_str(CLIV_INT, "123456789012345678901234567890", 30);
	assert_non_null(j = clijson_to_jansson(big));
	assert_true(json_is_real(j));
	json_decref(j);
	clivalue_free(big);
	bytes = clivalue_new_str(CLIV_BYTES, "ab", 2);
	assert_non_null(j = clijson_to_jansson(bytes));
	assert_true(json_is_string(j));
	json_decref(j);
	clivalue_free(bytes);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_aws_rules),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_python_only),
		cmocka_unit_test(test_dict_semantics),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_python_str_and_types),
		cmocka_unit_test(test_float_repr),
		cmocka_unit_test(test_jansson_bridge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
