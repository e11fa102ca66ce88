/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cliinput: file:// and fileb:// values, list arguments, --cli-input-json
 * and --cli-input-yaml documents and how they merge under command-line
 * values, botocore's validation messages, and the input skeletons, each
 * against what the AWS CLI 2.9.19 prints.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tool/awscli/cli.h"
#include "tool/awscli/cliinput.h"
#include "tool/awscli/clivalue.h"
#include "ses/strbuf.h"

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/test_cliinput.XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *
write_file(const char *name, const char *data, size_t len)
{
	char *path;
	FILE *f;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	return path;
}

static void
test_paramfile(void **state)
{
	struct clivalue *v;
	struct strbuf err;
	char *path, *arg, want[512];

	(void)state;
	strbuf_init(&err);
	assert_int_equal(
	    cliinput_paramfile("--identity", "example.com", &v, &err),
	    CLIINPUT_OK);
	assert_null(v);

	path = write_file("id.txt", "a\r\nb\rc\n", 7);
	assert_true(asprintf(&arg, "file://%s", path) > 0);
	assert_int_equal(
	    cliinput_paramfile("--identity", arg, &v, &err), CLIINPUT_OK);
	assert_int_equal(v->kind, CLIV_STR);
	assert_string_equal(v->str, "a\nb\nc\n");
	clivalue_free(v);
	free(arg);

	/* fileb:// keeps the bytes */
	assert_true(asprintf(&arg, "fileb://%s", path) > 0);
	assert_int_equal(
	    cliinput_paramfile("--identity", arg, &v, &err), CLIINPUT_OK);
	assert_int_equal(v->kind, CLIV_BYTES);
	assert_int_equal(v->len, 7);
	clivalue_free(v);
	free(arg);
	free(path);

	/* ~ and $VARS are expanded */
	setenv("HOME", dir, 1);
	setenv("CLIINPUT_TEST_DIR", dir, 1);
	path = write_file("x.json", "{}", 2);
	assert_int_equal(
	    cliinput_paramfile("--cli-input-json", "file://~/x.json", &v, &err),
	    CLIINPUT_OK);
	assert_string_equal(v->str, "{}");
	clivalue_free(v);
	assert_int_equal(cliinput_paramfile("--cli-input-json",
			     "file://${CLIINPUT_TEST_DIR}/x.json", &v, &err),
	    CLIINPUT_OK);
	clivalue_free(v);
	free(path);

	assert_int_equal(cliinput_paramfile("--cli-input-json",
			     "file://nonexistent.json", &v, &err),
	    CLIINPUT_EPARAM);
	assert_null(v);
	assert_string_equal(err.data,
	    "Error parsing parameter "
	    "'--cli-input-json': Unable to load paramfile "
	    "file://nonexistent.json: [Errno 2] No such file or directory: "
	    "'nonexistent.json'");
	strbuf_free(&err);

	path = write_file("latin1.txt", "caf\xe9", 4);
	assert_true(asprintf(&arg, "file://%s", path) > 0);
	assert_int_equal(
	    cliinput_paramfile("--identity", arg, &v, &err), CLIINPUT_EPARAM);
	snprintf(want, sizeof(want),
	    "Error parsing parameter '--identity': "
	    "Unable to load paramfile (%s), text contents could not be "
	    "decoded.  If this is a binary file, please use the fileb:// "
	    "prefix instead of the file:// prefix.",
	    path);
	assert_string_equal(err.data, want);
	strbuf_free(&err);
	free(arg);
	free(path);

	assert_true(asprintf(&arg, "file://%s", dir) > 0);
	assert_int_equal(
	    cliinput_paramfile("--identity", arg, &v, &err), CLIINPUT_EPARAM);
	assert_non_null(strstr(err.data, "[Errno 21] Is a directory: '"));
	strbuf_free(&err);
	free(arg);
}

static char *
list_repr(const char *const *words, size_t n, const struct clivalue *text,
    enum cliinput_status want_st)
{
	struct clivalue *v;
	struct strbuf b, err;

	strbuf_init(&b);
	strbuf_init(&err);
	assert_int_equal(
	    cliinput_list("--identities", words, n, text, &v, &err), want_st);
	if (want_st == CLIINPUT_OK)
		clivalue_repr(v, &b);
	else
		strbuf_add(&b, err.data, err.len);
	clivalue_free(v);
	strbuf_free(&err);
	return strbuf_take(&b, NULL);
}

static void
test_list(void **state)
{
	const char *two[] = { "a.com", "b.com" };
	const char *comma[] = { "a.com,b.com" };
	const char *json[] = { " [\"a\", 1]" };
	const char *bad[] = { "[a" };
	struct clivalue *text;
	char *got;

	(void)state;
	got = list_repr(two, 2, NULL, CLIINPUT_OK);
	assert_string_equal(got, "['a.com', 'b.com']");
	free(got);
	got = list_repr(comma, 1, NULL, CLIINPUT_OK);
	assert_string_equal(got, "['a.com,b.com']");
	free(got);
	got = list_repr(NULL, 0, NULL, CLIINPUT_OK);
	assert_string_equal(got, "[]");
	free(got);
	got = list_repr(json, 1, NULL, CLIINPUT_OK);
	assert_string_equal(got, "['a', 1]");
	free(got);
	got = list_repr(bad, 1, NULL, CLIINPUT_EPARAM);
	assert_string_equal(got,
	    "Error parsing parameter '--identities': "
	    "Invalid JSON: invalid token near 'a': line 1 column 2 (char 1)\n"
	    "JSON received: [a");
	free(got);
	/* a file's text that is not JSON: its characters, as the CLI does */
	text = clivalue_new_str(CLIV_STR, "ab", 2);
	got = list_repr(NULL, 0, text, CLIINPUT_OK);
	assert_string_equal(got, "['a', 'b']");
	free(got);
	clivalue_free(text);
	text = clivalue_new_str(CLIV_STR, " \n", 2);
	got = list_repr(NULL, 0, text, CLIINPUT_EFATAL);
	assert_string_equal(got, "string index out of range");
	free(got);
	clivalue_free(text);
	text = clivalue_new_str(CLIV_BYTES, "hi", 2);
	got = list_repr(NULL, 0, text, CLIINPUT_OK);
	assert_string_equal(got, "[104, 105]");
	free(got);
	clivalue_free(text);
}

static char *
document(int json, const char *text, enum cliinput_status want_st)
{
	struct clivalue *v;
	struct strbuf b, err;

	strbuf_init(&b);
	strbuf_init(&err);
	assert_int_equal(
	    cliinput_document(json, text, strlen(text), &v, &err), want_st);
	if (want_st == CLIINPUT_OK)
		clivalue_repr(v, &b);
	else
		strbuf_add(&b, err.data, err.len);
	clivalue_free(v);
	strbuf_free(&err);
	return strbuf_take(&b, NULL);
}

static void
test_documents(void **state)
{
	char *got;

	(void)state;
	got = document(1, "{\"Identity\": \"x\"} y", CLIINPUT_EPARAM);
	assert_string_equal(got,
	    "Error parsing parameter 'cli-input-json': "
	    "Invalid JSON received.");
	free(got);
	got = document(0, "a: [b", CLIINPUT_EPARAM);
	assert_string_equal(got,
	    "Error parsing parameter 'cli-input-yaml': "
	    "Invalid YAML received.");
	free(got);
	got = document(1, "[1]", CLIINPUT_EPARAM);
	assert_string_equal(got,
	    "Error parsing parameter '--cli-input-json': "
	    "Invalid type: expecting map, received <class 'list'>");
	free(got);
	got = document(0, "", CLIINPUT_EPARAM);
	assert_string_equal(got,
	    "Error parsing parameter '--cli-input-yaml': "
	    "Invalid type: expecting map, received <class 'NoneType'>");
	free(got);
	got = document(0, "Identity: !!int abc", CLIINPUT_EFATAL);
	assert_string_equal(got,
	    "invalid literal for int() with base 10: "
	    "'abc'");
	free(got);
	got = document(0, "Identity: x\nMailFromDomain: yes", CLIINPUT_OK);
	assert_string_equal(got, "{'Identity': 'x', 'MailFromDomain': 'yes'}");
	free(got);
}

static struct clivalue *
str(const char *s)
{
	return clivalue_new_str(CLIV_STR, s, strlen(s));
}

static void
test_merge_order(void **state)
{
	struct clivalue *params, *doc;
	struct strbuf b, err;
	const char *text =
	    "{\"MailFromDomain\": \"m\", "
	    "\"Identity\": \"x\", \"BehaviorOnMXFailure\": \"RejectMessage\"}";

	(void)state;
	/* command-line values first, then the document's other keys */
	assert_non_null(params = clivalue_new(CLIV_MAP));
	assert_int_equal(clivalue_map_set(params, str("BehaviorOnMXFailure"),
			     str("UseDefaultValue")),
	    0);
	strbuf_init(&err);
	assert_int_equal(
	    cliinput_document(1, text, strlen(text), &doc, &err), CLIINPUT_OK);
	assert_int_equal(cliinput_merge(params, doc), CLIINPUT_OK);
	strbuf_init(&b);
	clivalue_repr(params, &b);
	assert_string_equal(b.data,
	    "{'BehaviorOnMXFailure': "
	    "'UseDefaultValue', 'MailFromDomain': 'm', 'Identity': 'x'}");
	strbuf_free(&b);
	assert_int_equal(cliinput_validate(&cli_set_input, params, &err), 0);
	assert_int_equal(err.len, 0);
	clivalue_free(params);
}

static void
test_validation_messages(void **state)
{
	struct clivalue *v;
	struct strbuf err;
	const char *text = "{\"Bogus\": 1, \"MailFromDomain\": null, "
			   "\"BehaviorOnMXFailure\": [\"a\", {\"k\": 1.0}]}";

	(void)state;
	strbuf_init(&err);
	assert_int_equal(
	    cliinput_document(1, text, strlen(text), &v, &err), CLIINPUT_OK);
	assert_int_equal(cliinput_validate(&cli_set_input, v, &err), -1);
	assert_string_equal(err.data,
	    "Parameter validation failed:\n"
	    "Missing required parameter in input: \"Identity\"\n"
	    "Unknown parameter in input: \"Bogus\", must be one of: Identity, "
	    "MailFromDomain, BehaviorOnMXFailure\n"
	    "Invalid type for parameter MailFromDomain, value: None, type: "
	    "<class 'NoneType'>, valid types: <class 'str'>\n"
	    "Invalid type for parameter BehaviorOnMXFailure, value: ['a', "
	    "{'k': 1.0}], type: <class 'list'>, valid types: <class 'str'>");
	strbuf_free(&err);
	clivalue_free(v);

	text = "{\"Identities\": [\"a\", 5, null]}";
	assert_int_equal(
	    cliinput_document(1, text, strlen(text), &v, &err), CLIINPUT_OK);
	assert_int_equal(cliinput_validate(&cli_get_input, v, &err), -1);
	assert_string_equal(err.data,
	    "Parameter validation failed:\n"
	    "Invalid type for parameter Identities[1], value: 5, type: "
	    "<class 'int'>, valid types: <class 'str'>\n"
	    "Invalid type for parameter Identities[2], value: None, type: "
	    "<class 'NoneType'>, valid types: <class 'str'>");
	strbuf_free(&err);
	clivalue_free(v);

	text = "{\"Identities\": \"abc\"}";
	assert_int_equal(
	    cliinput_document(1, text, strlen(text), &v, &err), CLIINPUT_OK);
	assert_int_equal(cliinput_validate(&cli_get_input, v, &err), -1);
	assert_string_equal(err.data,
	    "Parameter validation failed:\n"
	    "Invalid type for parameter Identities, value: abc, type: "
	    "<class 'str'>, valid types: <class 'list'>, <class 'tuple'>");
	strbuf_free(&err);
	clivalue_free(v);
}

static void
test_skeletons(void **state)
{
	struct strbuf b;

	(void)state;
	strbuf_init(&b);
	cliinput_skeleton_json(&cli_set_input, &b);
	assert_string_equal(b.data,
	    "{\n"
	    "    \"Identity\": \"\",\n"
	    "    \"MailFromDomain\": \"\",\n"
	    "    \"BehaviorOnMXFailure\": \"UseDefaultValue\"\n"
	    "}\n");
	strbuf_free(&b);
	cliinput_skeleton_json(&cli_get_input, &b);
	assert_string_equal(b.data,
	    "{\n    \"Identities\": [\n        \"\"\n"
	    "    ]\n}\n");
	strbuf_free(&b);
	cliinput_skeleton_yaml(&cli_set_input, &b);
	assert_string_equal(b.data,
	    "Identity: ''  # [REQUIRED] The verified "
	    "identity for which you want to enable or disable the specified "
	    "custom MAIL FROM domain.\n"
	    "MailFromDomain: '' # The custom MAIL FROM domain that you want "
	    "the verified identity to use.\n"
	    "BehaviorOnMXFailure: UseDefaultValue # The action that you want "
	    "Amazon SES to take if it cannot successfully read the required "
	    "MX record when you send an email. Valid values are: "
	    "UseDefaultValue, RejectMessage.\n");
	strbuf_free(&b);
	cliinput_skeleton_yaml(&cli_get_input, &b);
	assert_string_equal(b.data,
	    "Identities:  # [REQUIRED] A list of one "
	    "or more identities.\n- ''\n");
	strbuf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_paramfile, setup, teardown),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_documents),
		cmocka_unit_test(test_merge_order),
		cmocka_unit_test(test_validation_messages),
		cmocka_unit_test(test_skeletons),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
