/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * clioutput: responses printed exactly as the AWS CLI 2.9.19 prints them
 * with --output text, table (plain and coloured, at several terminal
 * widths, with double-width characters), json and yaml-stream. The
 * expected texts were produced by awscli's own formatters.
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
#include "tool/awscli/clioutput.h"
#include "tool/awscli/clivalue.h"
#include "ses/strbuf.h"

static const struct {
	const char *name;
	const char *json;
} docs[] = {
	{ "many",
	    "{\"MailFromDomainAttributes\": {\"b.example.net\": {\"Mail"
	    "FromDomain\": \"m.b.example.net\", \"MailFromDomainStatus\""
	    ": \"Pending\", \"BehaviorOnMXFailure\": \"UseDefaultValue\""
	    "}, \"example.com\": {\"MailFromDomain\": \"bounce.example."
	    "com\", \"MailFromDomainStatus\": \"Success\", \"BehaviorOn"
	    "MXFailure\": \"RejectMessage\"}, \"alice@example.org\": {\""
	    "BehaviorOnMXFailure\": \"UseDefaultValue\"}, \"\xc3\x9cn\xc3"
	    "\xaf.example\": {\"MailFromDomain\": \"x.\xc3\x9cn\xc3\xaf"
	    ".example\", \"MailFromDomainStatus\": \"Pending\", \"Behav"
	    "iorOnMXFailure\": \"UseDefaultValue\"}}}" },
	{ "empty", "{\"MailFromDomainAttributes\": {}}" },
	{ "zero-columns", "{\"X\": [[], {\"a\": \"1\", \"b\": \"2\"}]}" },
	{ "long",
	    "{\"MailFromDomainAttributes\": {\"averyveryveryveryverylon"
	    "gidentityname.example.com\": {\"MailFromDomain\": \"bounce"
	    ".averyveryveryveryverylongidentityname.example.com\", \"Ma"
	    "ilFromDomainStatus\": \"TemporaryFailure\", \"BehaviorOnMX"
	    "Failure\": \"UseDefaultValue\"}, \"example.com\": {\"MailF"
	    "romDomain\": \"bounce.example.com\", \"MailFromDomainStatu"
	    "s\": \"Success\", \"BehaviorOnMXFailure\": \"RejectMessage"
	    "\"}}}" },
	{ "lists",
	    "{\"A\": [{\"x\": \"1\", \"y\": \"2\"}, {\"x\": \"3\", \"y\""
	    ": \"4\"}], \"B\": [\"p\", \"q\"], \"C\": \"c\", \"D\": \"\xe6"
	    "\x97\xa5\xe6\x9c\xac\"}" },
};

static const struct {
	const char *doc;
	const char *format;
	int color;
	int width;
	const char *want;
} cases[] = {
	{ "many", "text", 0, 80,
	    "ALICE@EXAMPLE.ORG\tUseDefaultValue\n"
	    "B.EXAMPLE.NET\tUseDefaultValue\tm.b.example.net\tPending\n"
	    "EXAMPLE.COM\tRejectMessage\tbounce.example.com\tSuccess\n"
	    "\xc3\x9cN\xc3\x8f.EXAMPLE\tUseDefaultValue\tx.\xc3\x9cn\xc3"
	    "\xaf.example\tPending\n" },
	{ "many", "table", 0, 80,
	    "----------------------------------------------------------"
	    "-----------------\n"
	    "|                   GetIdentityMailFromDomainAttributes   "
	    "                |\n"
	    "+---------------------------------------------------------"
	    "----------------+\n"
	    "||                       MailFromDomainAttributes         "
	    "               ||\n"
	    "|+--------------------------------------------------------"
	    "---------------+|\n"
	    "|||                          alice@example.org            "
	    "              |||\n"
	    "||+-------------------------------------+-----------------"
	    "--------------+||\n"
	    "|||  BehaviorOnMXFailure                |  UseDefaultValue"
	    "              |||\n"
	    "||+-------------------------------------+-----------------"
	    "--------------+||\n"
	    "|||                            b.example.net              "
	    "              |||\n"
	    "||+-----------------------+-------------------+-----------"
	    "--------------+||\n"
	    "|||  BehaviorOnMXFailure  |  MailFromDomain   |  MailFromD"
	    "omainStatus   |||\n"
	    "||+-----------------------+-------------------+-----------"
	    "--------------+||\n"
	    "|||  UseDefaultValue      |  m.b.example.net  |  Pending  "
	    "              |||\n"
	    "||+-----------------------+-------------------+-----------"
	    "--------------+||\n"
	    "|||                             example.com               "
	    "              |||\n"
	    "||+---------------------+----------------------+----------"
	    "--------------+||\n"
	    "||| BehaviorOnMXFailure |   MailFromDomain     | MailFromD"
	    "omainStatus   |||\n"
	    "||+---------------------+----------------------+----------"
	    "--------------+||\n"
	    "|||  RejectMessage      |  bounce.example.com  |  Success "
	    "              |||\n"
	    "||+---------------------+----------------------+----------"
	    "--------------+||\n"
	    "|||                             \xc3\x9cn\xc3\xaf.example "
	    "                            |||\n"
	    "||+-----------------------+-------------------+-----------"
	    "--------------+||\n"
	    "|||  BehaviorOnMXFailure  |  MailFromDomain   |  MailFromD"
	    "omainStatus   |||\n"
	    "||+-----------------------+-------------------+-----------"
	    "--------------+||\n"
	    "|||  UseDefaultValue      |  x.\xc3\x9cn\xc3\xaf.example  "
	    "  |  Pending                |||\n"
	    "||+-----------------------+-------------------+-----------"
	    "--------------+||\n" },
	{ "many", "table", 1, 80,
	    "----------------------------------------------------------"
	    "-----------------\n"
	    "\033[0m\033[0m|                   GetIdentityMailFromDomai"
	    "nAttributes                   |\033[0m\033[0m\n"
	    "\033[0m\033[0m+-------------------------------------------"
	    "------------------------------+\033[0m\033[0m\n"
	    "\033[0m\033[2m\033[33m|\033[0m\033[0m|                    "
	    "   MailFromDomainAttributes                        |\033[0"
	    "m\033[2m\033[33m|\033[0m\033[0m\n"
	    "\033[0m\033[2m\033[33m|\033[0m\033[0m+--------------------"
	    "---------------------------------------------------+\033[0"
	    "m\033[2m\033[33m|\033[0m\033[0m\n"
	    "\033[0m\033[2m\033[33m|\033[0m\033[2m\033[33m|\033[0m\033["
	    "0m|                          alice@example.org            "
	    "              |\033[0m\033[2m\033[33m|\033[0m\033[2m\033[3"
	    "3m|\033[0m\033[0m\n"
	    "\033[0m\033[2m\033[33m|\033[0m\033[2m\033[33m|\033[0m\033["
	    "0m+-------------------------------------+-----------------"
	    "--------------+\033[0m\033[2m\033[33m|\033[0m\033[2m\033[3"
	    "3m|\033[0m\033[0m\n"
	    "\033[0m\033[2m\033[33m|\033[0m\033[2m\033[33m|\033[0m\033["
	    "0m|  \033[1m\033[34mBehaviorOnMXFailure\033[0m            "
	    "    |  \033[1m\033[34mUseDefaultValue\033[0m              "
	    "|\033[0m\033[2m\033[33m|\033[0m\033[2m\033[33m|\033[0m\033"
	    "[0m\n"
	    "\033[0m\033[2m\033[33m|\033[0m\033[2m\033[33m|\033[0m\033["
	    "0m+-------------------------------------+-----------------"
	    "--------------+\033[0m\033[2m\033[33m|\033[0m\033[2m\033[3"
	    "3m|\033[0m\033[0m\n"
	    "\033[0m\033[2m\033[33m|\033[0m\033[2m\033[33m|\033[0m\033["
	    "0m|                            b.example.net              "
	    "              |\033[0m\033[2m\033[33m|\033[0m\033[2m\033[3"
	    "3m|\033[0m\033[0m\n"
	    "\033[0m\033[2m\033[33m|\033[0m\033[2m\033[33m|\033[0m\033["
	    "0m+-----------------------+-------------------+-----------"
	    "--------------+\033[0m\033[2m\033[33m|\033[0m\033[2m\033[3"
	    "3m|\033[0m\033[0m\n"
	    "\033[0m\033[2m\033[33m|\033[0m\033[2m\033[33m|\033[0m\033["
	    "0m|  BehaviorOnMXFailure  |  MailFromDomain   |  MailFromD"
	    "omainStatus   |\033[0m\033[2m\033[33m|\033[0m\033[2m\033[3"
	    "3m|\033[0m\033[0m\n"
	    "\033[0m\033[2m\033[33m|\033[0m\033[2m\033[33m|\033[0m\033["
	    "0m+-----------------------+-------------------+-----------"
	    "--------------+\033[0m\033[2m\033[33m|\033[0m\033[2m\033[3"
	    "3m|\033[0m\033[0m\n"
	    "\033[0m\033[2m\033[33m|\033[0m\033[2m\033[33m|\033[0m\033["
	    "0m|  \033[1m\033[34mUseDefaultValue\033[0m      |  \033[1m"
	    "\033[34mm.b.example.net\033[0m  |  \033[1m\033[34mPending\033"
	    "[0m                |\033[0m\033[2m\033[33m|\033[0m\033[2m\033"
	    "[33m|\033[0m\033[0m\n"
	    "\033[0m\033[2m\033[33m|\033[0m\033[2m\033[33m|\033[0m\033["
	    "0m+-----------------------+-------------------+-----------"
	    "--------------+\033[0m\033[2m\033[33m|\033[0m\033[2m\033[3"
	    "3m|\033[0m\033[0m\n"
	    "\033[0m\033[2m\033[33m|\033[0m\033[2m\033[33m|\033[0m\033["
	    "0m|                             example.com               "
	    "              |\033[0m\033[2m\033[33m|\033[0m\033[2m\033[3"
	    "3m|\033[0m\033[0m\n"
	    "\033[0m\033[2m\033[33m|\033[0m\033[2m\033[33m|\033[0m\033["
	    "0m+---------------------+----------------------+----------"
	    "--------------+\033[0m\033[2m\033[33m|\033[0m\033[2m\033[3"
	    "3m|\033[0m\033[0m\n"
	    "\033[0m\033[2m\033[33m|\033[0m\033[2m\033[33m|\033[0m\033["
	    "0m| BehaviorOnMXFailure |   MailFromDomain     | MailFromD"
	    "omainStatus   |\033[0m\033[2m\033[33m|\033[0m\033[2m\033[3"
	    "3m|\033[0m\033[0m\n"
	    "\033[0m\033[2m\033[33m|\033[0m\033[2m\033[33m|\033[0m\033["
	    "0m+---------------------+----------------------+----------"
	    "--------------+\033[0m\033[2m\033[33m|\033[0m\033[2m\033[3"
	    "3m|\033[0m\033[0m\n"
	    "\033[0m\033[2m\033[33m|\033[0m\033[2m\033[33m|\033[0m\033["
	    "0m|  \033[1m\033[34mRejectMessage\033[0m      |  \033[1m\033"
	    "[34mbounce.example.com\033[0m  |  \033[1m\033[34mSuccess\033"
	    "[0m               |\033[0m\033[2m\033[33m|\033[0m\033[2m\033"
	    "[33m|\033[0m\033[0m\n"
	    "\033[0m\033[2m\033[33m|\033[0m\033[2m\033[33m|\033[0m\033["
	    "0m+---------------------+----------------------+----------"
	    "--------------+\033[0m\033[2m\033[33m|\033[0m\033[2m\033[3"
	    "3m|\033[0m\033[0m\n"
	    "\033[0m\033[2m\033[33m|\033[0m\033[2m\033[33m|\033[0m\033["
	    "0m|                             \xc3\x9cn\xc3\xaf.example "
	    "                            |\033[0m\033[2m\033[33m|\033[0"
	    "m\033[2m\033[33m|\033[0m\033[0m\n"
	    "\033[0m\033[2m\033[33m|\033[0m\033[2m\033[33m|\033[0m\033["
	    "0m+-----------------------+-------------------+-----------"
	    "--------------+\033[0m\033[2m\033[33m|\033[0m\033[2m\033[3"
	    "3m|\033[0m\033[0m\n"
	    "\033[0m\033[2m\033[33m|\033[0m\033[2m\033[33m|\033[0m\033["
	    "0m|  BehaviorOnMXFailure  |  MailFromDomain   |  MailFromD"
	    "omainStatus   |\033[0m\033[2m\033[33m|\033[0m\033[2m\033[3"
	    "3m|\033[0m\033[0m\n"
	    "\033[0m\033[2m\033[33m|\033[0m\033[2m\033[33m|\033[0m\033["
	    "0m+-----------------------+-------------------+-----------"
	    "--------------+\033[0m\033[2m\033[33m|\033[0m\033[2m\033[3"
	    "3m|\033[0m\033[0m\n"
	    "\033[0m\033[2m\033[33m|\033[0m\033[2m\033[33m|\033[0m\033["
	    "0m|  \033[1m\033[34mUseDefaultValue\033[0m      |  \033[1m"
	    "\033[34mx.\xc3\x9cn\xc3\xaf.example\033[0m    |  \033[1m\033"
	    "[34mPending\033[0m                |\033[0m\033[2m\033[33m|"
	    "\033[0m\033[2m\033[33m|\033[0m\033[0m\n"
	    "\033[0m\033[2m\033[33m|\033[0m\033[2m\033[33m|\033[0m\033["
	    "0m+-----------------------+-------------------+-----------"
	    "--------------+\033[0m\033[2m\033[33m|\033[0m\033[2m\033[3"
	    "3m|\033[0m\033[0m\n"
	    "\033[0m" },
	{ "empty", "table", 0, 80,
	    "-------------------------------------\n"
	    "|GetIdentityMailFromDomainAttributes|\n"
	    "+-----------------------------------+\n" },
	{ "empty", "text", 0, 80, "" },
	{ "long", "table", 0, 80,
	    "----------------------------------------------------------"
	    "--------------------------------\n"
	    "|                           GetIdentityMailFromDomainAttri"
	    "butes                          |\n"
	    "+---------------------------------------------------------"
	    "-------------------------------+\n"
	    "||                               MailFromDomainAttributes "
	    "                              ||\n"
	    "|+--------------------------------------------------------"
	    "------------------------------+|\n"
	    "|||                  averyveryveryveryverylongidentityname"
	    ".example.com                 |||\n"
	    "||+-----------------------+-------------------------------"
	    "-----------------------------+||\n"
	    "|||  BehaviorOnMXFailure  |  UseDefaultValue              "
	    "                             |||\n"
	    "|||  MailFromDomain       |  bounce.averyveryveryveryveryl"
	    "ongidentityname.example.com  |||\n"
	    "|||  MailFromDomainStatus |  TemporaryFailure             "
	    "                             |||\n"
	    "||+-----------------------+-------------------------------"
	    "-----------------------------+||\n"
	    "|||                                     example.com       "
	    "                             |||\n"
	    "||+-------------------------------------------+-----------"
	    "-----------------------------+||\n"
	    "|||  BehaviorOnMXFailure                      |  RejectMes"
	    "sage                         |||\n"
	    "|||  MailFromDomain                           |  bounce.ex"
	    "ample.com                    |||\n"
	    "|||  MailFromDomainStatus                     |  Success  "
	    "                             |||\n"
	    "||+-------------------------------------------+-----------"
	    "-----------------------------+||\n" },
	{ "long", "table", 0, 200,
	    "----------------------------------------------------------"
	    "-------------------------------------------------------\n"
	    "|                                      GetIdentityMailFrom"
	    "DomainAttributes                                      |\n"
	    "+---------------------------------------------------------"
	    "------------------------------------------------------+\n"
	    "||                                          MailFromDomain"
	    "Attributes                                           ||\n"
	    "|+--------------------------------------------------------"
	    "-----------------------------------------------------+|\n"
	    "|||                             averyveryveryveryverylongi"
	    "dentityname.example.com                             |||\n"
	    "||+---------------------+---------------------------------"
	    "---------------------------+------------------------+||\n"
	    "||| BehaviorOnMXFailure |                      MailFromDom"
	    "ain                        | MailFromDomainStatus   |||\n"
	    "||+---------------------+---------------------------------"
	    "---------------------------+------------------------+||\n"
	    "|||  UseDefaultValue    |  bounce.averyveryveryveryverylon"
	    "gidentityname.example.com  |  TemporaryFailure      |||\n"
	    "||+---------------------+---------------------------------"
	    "---------------------------+------------------------+||\n"
	    "|||                                                example"
	    ".com                                                |||\n"
	    "||+----------------------------------+--------------------"
	    "--------------+-------------------------------------+||\n"
	    "|||        BehaviorOnMXFailure       |         MailFromDom"
	    "ain           |        MailFromDomainStatus         |||\n"
	    "||+----------------------------------+--------------------"
	    "--------------+-------------------------------------+||\n"
	    "|||  RejectMessage                   |  bounce.example.com"
	    "              |  Success                            |||\n"
	    "||+----------------------------------+--------------------"
	    "--------------+-------------------------------------+||\n" },
	{ "many", "table", 0, 40,
	    "----------------------------------------------------\n"
	    "|        GetIdentityMailFromDomainAttributes       |\n"
	    "+--------------------------------------------------+\n"
	    "||            MailFromDomainAttributes            ||\n"
	    "|+------------------------------------------------+|\n"
	    "|||               alice@example.org              |||\n"
	    "||+------------------------+---------------------+||\n"
	    "|||  BehaviorOnMXFailure   |  UseDefaultValue    |||\n"
	    "||+------------------------+---------------------+||\n"
	    "|||                 b.example.net                |||\n"
	    "||+-------------------------+--------------------+||\n"
	    "|||  BehaviorOnMXFailure    |  UseDefaultValue   |||\n"
	    "|||  MailFromDomain         |  m.b.example.net   |||\n"
	    "|||  MailFromDomainStatus   |  Pending           |||\n"
	    "||+-------------------------+--------------------+||\n"
	    "|||                  example.com                 |||\n"
	    "||+-----------------------+----------------------+||\n"
	    "|||  BehaviorOnMXFailure  |  RejectMessage       |||\n"
	    "|||  MailFromDomain       |  bounce.example.com  |||\n"
	    "|||  MailFromDomainStatus |  Success             |||\n"
	    "||+-----------------------+----------------------+||\n"
	    "|||                  \xc3\x9cn\xc3\xaf.example            "
	    "     |||\n"
	    "||+-------------------------+--------------------+||\n"
	    "|||  BehaviorOnMXFailure    |  UseDefaultValue   |||\n"
	    "|||  MailFromDomain         |  x.\xc3\x9cn\xc3\xaf.example"
	    "     |||\n"
	    "|||  MailFromDomainStatus   |  Pending           |||\n"
	    "||+-------------------------+--------------------+||\n" },
	{ "lists", "text", 0, 80,
	    "c\t\xe6\x97\xa5\xe6\x9c\xac\n"
	    "A\t1\t2\n"
	    "A\t3\t4\n"
	    "B\tp\n"
	    "B\tq\n" },
	{ "lists", "table", 0, 80,
	    "-------------------------------------\n"
	    "|GetIdentityMailFromDomainAttributes|\n"
	    "+------------+----------------------+\n"
	    "|      C     |          D           |\n"
	    "+------------+----------------------+\n"
	    "|  c         |  \xe6\x97\xa5\xe6\x9c\xac                |\n"
	    "+------------+----------------------+\n"
	    "||                A                ||\n"
	    "|+---------------+-----------------+|\n"
	    "||       x       |        y        ||\n"
	    "|+---------------+-----------------+|\n"
	    "||  1            |  2              ||\n"
	    "||  3            |  4              ||\n"
	    "|+---------------+-----------------+|\n"
	    "||                B                ||\n"
	    "|+---------------------------------+|\n"
	    "||  p                              ||\n"
	    "||  q                              ||\n"
	    "|+---------------------------------+|\n" },
	{ "many", "json", 0, 80,
	    "{\n"
	    "    \"MailFromDomainAttributes\": {\n"
	    "        \"b.example.net\": {\n"
	    "            \"MailFromDomain\": \"m.b.example.net\",\n"
	    "            \"MailFromDomainStatus\": \"Pending\",\n"
	    "            \"BehaviorOnMXFailure\": \"UseDefaultValue\"\n"
	    "        },\n"
	    "        \"example.com\": {\n"
	    "            \"MailFromDomain\": \"bounce.example.com\",\n"
	    "            \"MailFromDomainStatus\": \"Success\",\n"
	    "            \"BehaviorOnMXFailure\": \"RejectMessage\"\n"
	    "        },\n"
	    "        \"alice@example.org\": {\n"
	    "            \"BehaviorOnMXFailure\": \"UseDefaultValue\"\n"
	    "        },\n"
	    "        \"\xc3\x9cn\xc3\xaf.example\": {\n"
	    "            \"MailFromDomain\": \"x.\xc3\x9cn\xc3\xaf.exam"
	    "ple\",\n"
	    "            \"MailFromDomainStatus\": \"Pending\",\n"
	    "            \"BehaviorOnMXFailure\": \"UseDefaultValue\"\n"
	    "        }\n"
	    "    }\n"
	    "}\n" },
	{ "empty", "yaml-stream", 0, 80, "- MailFromDomainAttributes: {}\n" },
};

static struct clivalue *
doc(const char *name)
{
	struct clivalue *v;
	size_t i;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		if (strcmp(docs[i].name, name) == 0) {
			assert_int_equal(clijson_parse(docs[i].json,
					     strlen(docs[i].json), &v, NULL),
			    CLIJSON_OK);
			return v;
		}
	fail_msg("no document %s", name);
	return NULL;
}

static void
test_like_aws(void **state)
{
	struct clioutput_style style;
	enum clioutput_format fmt;
	struct clivalue *v;
	struct strbuf out, err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = doc(cases[i].doc);
		assert_int_equal(clioutput_parse(cases[i].format, &fmt), 0);
		style.color = cases[i].color;
		style.width = cases[i].width;
		strbuf_init(&out);
		strbuf_init(&err);
		assert_int_equal(
		    clioutput_render(fmt, "GetIdentityMailFromDomainAttributes",
			v, &style, &out, &err),
		    0);
		assert_false(strbuf_failed(&out));
		if (strcmp(out.data != NULL ? out.data : "", cases[i].want) !=
		    0)
			fail_msg("%s as %s (color %d, width %d):\n%s",
			    cases[i].doc, cases[i].format, cases[i].color,
			    cases[i].width, out.data != NULL ? out.data : "");
		strbuf_free(&out);
		strbuf_free(&err);
		clivalue_free(v);
	}
}

static void
test_empty_response_prints_nothing(void **state)
{
	static const char *const formats[] = { "json", "text", "table", "yaml",
		"yaml-stream" };
	struct clioutput_style style = { 0, 80 };
	enum clioutput_format fmt;
	struct clivalue *v;
	struct strbuf out, err;
	size_t i;

	(void)state;
	assert_non_null(v = clivalue_new(CLIV_MAP));
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		assert_int_equal(clioutput_parse(formats[i], &fmt), 0);
		strbuf_init(&out);
		strbuf_init(&err);
		assert_int_equal(
		    clioutput_render(fmt, "SetIdentityMailFromDomain", v,
			&style, &out, &err),
		    0);
		assert_int_equal(out.len, 0);
		strbuf_free(&out);
		strbuf_free(&err);
	}
	clivalue_free(v);
	assert_int_equal(clioutput_parse("xml", &fmt), -1);
}

static void
test_upper(void **state)
{
	struct strbuf out;

	(void)state;
	strbuf_init(&out);
	/* str.upper(): full Unicode, and sharp s becomes SS */
	clioutput_upper("stra\xc3\x9f"
			"e.\xc3\xbcn\xc3\xaf",
	    13, &out);
	assert_string_equal(out.data, "STRASSE.\xc3\x9cN\xc3\x8f");
	strbuf_free(&out);
}

/*
 * A header of no columns fixes the count at 0, as Python's _num_cols, but
 * not the widths: the next row is refused with the CLI's ValueError, and
 * nothing is read past the widths (fuzz_cliinput found the overflow).
 */
static void
test_zero_column_header(void **state)
{
	struct clioutput_style style = { 0, 80 };
	enum clioutput_format fmt;
	struct strbuf out, err;
	struct clivalue *v;

	(void)state;
	v = doc("zero-columns");
	assert_int_equal(clioutput_parse("table", &fmt), 0);
	strbuf_init(&out);
	strbuf_init(&err);
	assert_int_equal(
	    clioutput_render(fmt, "GetIdentityMailFromDomainAttributes", v,
		&style, &out, &err),
	    -1);
	assert_non_null(err.data);
	assert_non_null(
	    strstr(err.data, "Row should have 0 elements, instead it has 2"));
	strbuf_free(&out);
	strbuf_free(&err);
	clivalue_free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_like_aws),
		cmocka_unit_test(test_empty_response_prints_nothing),
		cmocka_unit_test(test_upper),
		cmocka_unit_test(test_zero_column_header),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
