/*
 * clijson and clivalue: JSON read exactly as Python's json.loads() reads
 * it (what it accepts, dict semantics, its error texts, positions in
 * characters), written as json.dumps(indent=4, ensure_ascii=False), and
 * values shown as Python's str() and repr() show them. The expected texts
 * were taken from Debian's /usr/bin/python3 (3.11).
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

#include "ses/clijson.h"
#include "ses/clivalue.h"
#include "ses/strbuf.h"

/* repr() of what TEXT parses to, or "ERR <message>". */
static char *
parse_repr(const char *text, size_t len)
{
	struct clivalue	*v;
	struct strbuf	 b, e;
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
	char	*got = parse_repr(text, strlen(text));

	assert_string_equal(got, want);
	free(got);
}

static void
test_python_errors(void **state)
{
	static const struct {
		const char	*in;
		const char	*msg;
	} cases[] = {
		{ "", "Expecting value: line 1 column 1 (char 0)" },
		{ " ", "Expecting value: line 1 column 2 (char 1)" },
		{ "[a", "Expecting value: line 1 column 2 (char 1)" },
		{ "{", "Expecting property name enclosed in double quotes: "
		    "line 1 column 2 (char 1)" },
		{ "{\"a\"", "Expecting ':' delimiter: line 1 column 5 "
		    "(char 4)" },
		{ "{\"a\":", "Expecting value: line 1 column 6 (char 5)" },
		{ "{\"a\":1", "Expecting ',' delimiter: line 1 column 7 "
		    "(char 6)" },
		{ "{\"a\":1,}", "Expecting property name enclosed in double "
		    "quotes: line 1 column 8 (char 7)" },
		{ "{\"a\" 1}", "Expecting ':' delimiter: line 1 column 6 "
		    "(char 5)" },
		{ "{1:2}", "Expecting property name enclosed in double quotes: "
		    "line 1 column 2 (char 1)" },
		{ "[1,]", "Expecting value: line 1 column 4 (char 3)" },
		{ "[1 2]", "Expecting ',' delimiter: line 1 column 4 "
		    "(char 3)" },
		{ "\"abc", "Unterminated string starting at: line 1 column 1 "
		    "(char 0)" },
		{ "\"a\x01\"", "Invalid control character at: line 1 column 3 "
		    "(char 2)" },
		{ "\"\\x\"", "Invalid \\escape: line 1 column 2 (char 1)" },
		{ "\"\\u12\"", "Invalid \\uXXXX escape: line 1 column 3 "
		    "(char 2)" },
		{ "\"\\u12g4\"", "Invalid \\uXXXX escape: line 1 column 3 "
		    "(char 2)" },
		{ "01", "Extra data: line 1 column 2 (char 1)" },
		{ "1 2", "Extra data: line 1 column 3 (char 2)" },
		{ "-", "Expecting value: line 1 column 1 (char 0)" },
		{ "tru", "Expecting value: line 1 column 1 (char 0)" },
		{ "1.", "Extra data: line 1 column 2 (char 1)" },
		{ "1e", "Extra data: line 1 column 2 (char 1)" },
		{ ".5", "Expecting value: line 1 column 1 (char 0)" },
		{ "\xef\xbb\xbf{}", "Unexpected UTF-8 BOM (decode using "
		    "utf-8-sig): line 1 column 1 (char 0)" },
		{ "[\n  1,\n  x]", "Expecting value: line 3 column 3 "
		    "(char 9)" },
		{ "\xc3\xa9 x", "Expecting value: line 1 column 1 (char 0)" },
		{ "\"\xc3\xa9\" x", "Extra data: line 1 column 5 (char 4)" },
		{ "\"\\", "Unterminated string starting at: line 1 column 1 "
		    "(char 0)" },
		{ "{\"a\":1 \"b\":2}", "Expecting ',' delimiter: line 1 "
		    "column 8 (char 7)" },
		{ "  [", "Expecting value: line 1 column 4 (char 3)" },
		{ "\x0c" "5", "Expecting value: line 1 column 1 (char 0)" },
		{ "\"\\ud83d\\u12x4 \"", "Invalid \\uXXXX escape: line 1 "
		    "column 9 (char 8)" },
		{ "\"\\u1234", "Invalid \\uXXXX escape: line 1 column 3 "
		    "(char 2)" },
		{ "[1,2", "Expecting ',' delimiter: line 1 column 5 (char 4)" },
		{ "[1,", "Expecting value: line 1 column 4 (char 3)" },
		{ "{\"a\":1,  ", "Expecting property name enclosed in double "
		    "quotes: line 1 column 10 (char 9)" },
	};
	char	 want[200];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(want, sizeof(want), "ERR %s", cases[i].msg);
		check(cases[i].in, want);
	}
}

static void
test_python_values(void **state)
{
	(void)state;
	check("NaN", "nan");
	check("-Infinity", "-inf");
	check("[1e400, -1e-400, -0, -0.0]", "[inf, -0.0, 0, -0.0]");
	check("123456789012345678901234567890",
	    "123456789012345678901234567890");
	check("[1e5, 1.5, 1e16, 1e15, 0.0001, 0.00001, 5e-324, 0.1]",
	    "[100000.0, 1.5, 1e+16, 1000000000000000.0, 0.0001, 1e-05, "
	    "5e-324, 0.1]");
	check("[true, false, null, \"it's\", \"a\\\"b\", \"\\/\\b\\f\"]",
	    "[True, False, None, \"it's\", 'a\"b', '/\\x08\\x0c']");
	check("\"\\ud83d\\ude00\"", "'\xf0\x9f\x98\x80'");
	/* a lone surrogate is kept, as Python keeps it */
	check("\"\\ud800x\"", "'\\ud800x'");
	check(" \t\n\r5 \t", "5");
}

static void
test_dict_semantics(void **state)
{
	(void)state;
	/* a repeated key keeps its first place and takes the last value */
	check("{\"b\":1,\"a\":2,\"b\":[3,{\"x\":null}]}",
	    "{'b': [3, {'x': None}], 'a': 2}");
}

static void
test_int_digit_limit(void **state)
{
	char	*text, *got;

	(void)state;
	assert_non_null(text = malloc(4302));
	memset(text, '7', 4301);
	text[4301] = '\0';
	got = parse_repr(text, 4301);
	assert_string_equal(got, "ERR Exceeds the limit (4300 digits) for "
	    "integer string conversion: value has 4301 digits; use "
	    "sys.set_int_max_str_digits() to increase the limit");
	free(got);
	free(text);
}

static void
test_depth(void **state)
{
	struct clivalue	*v;
	struct strbuf	 e;
	char		*text;
	size_t		 n = CLIJSON_MAX_DEPTH + 10;

	(void)state;
	assert_non_null(text = malloc(n));
	memset(text, '[', n);
	strbuf_init(&e);
	assert_int_equal(clijson_parse(text, n, &v, &e), CLIJSON_EDEPTH);
	assert_null(v);
	assert_string_equal(e.data, "maximum recursion depth exceeded while "
	    "decoding a JSON array from a unicode string");
	strbuf_free(&e);
	free(text);
}

static void
test_dump(void **state)
{
	struct clivalue	*v;
	struct strbuf	 b;
	const char	*in = "{\"MailFromDomainAttributes\": "
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
	assert_string_equal(b.data, "{\"MailFromDomainAttributes\": "
	    "{\"b\xc3\xbc.example\": {\"MailFromDomain\": \"x\\u0001\\t\\\"\", "
	    "\"n\": [], \"m\": {}}}, \"L\": [1, 2.5, true, null]}");
	strbuf_free(&b);
	clivalue_free(v);
}

static void
test_python_str_and_types(void **state)
{
	struct clivalue	*v;
	struct strbuf	 b;
	const char	*in = "{\"k\": [1, \"a\\n'\", {\"x\": 1.0}]}";

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
	assert_string_equal(clivalue_type(v->items[0]->items[0]),
	    "<class 'int'>");
	assert_string_equal(clivalue_type(v->items[0]->items[2]->items[0]),
	    "<class 'float'>");
	clivalue_free(v);
}

static void
test_float_repr(void **state)
{
	static const struct {
		double		 x;
		const char	*want;
	} cases[] = {
		{ 0.0, "0.0" }, { -0.0, "-0.0" }, { 1.0, "1.0" },
		{ 0.1 + 0.2, "0.30000000000000004" }, { 1e22, "1e+22" },
		{ 123456789.0, "123456789.0" }, { 1.7976931348623157e308,
		    "1.7976931348623157e+308" }, { 2.5e-5, "2.5e-05" },
		{ 9999999999999998.0, "9999999999999998.0" },
		{ 1e16, "1e+16" }, { 12345.678, "12345.678" },
	};
	struct strbuf	 b;
	size_t		 i;

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_python_errors),
		cmocka_unit_test(test_python_values),
		cmocka_unit_test(test_dict_semantics),
		cmocka_unit_test(test_int_digit_limit),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_python_str_and_types),
		cmocka_unit_test(test_float_repr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
