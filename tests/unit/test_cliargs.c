/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cliargs: command lines read as Python 3.11's argparse reads them for the
 * AWS CLI (prefixes, ambiguity, "=", "--", negative numbers, the order of
 * positionals and extras, and every message). The expected results were
 * produced by argparse itself (Debian's /usr/bin/python3) with the same
 * options, and the "Invalid choice" text by the AWS CLI's own parser.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tool/awscli/cliargs.h"
#include "ses/strbuf.h"

static const char *const skeleton[] = { "input", "output", "yaml-input", NULL };
static const char *const outputs[] = { "json", "text", "table", "yaml",
	"yaml-stream", NULL };

static const struct cliargs_opt opts[] = {
	{ "--identity", NULL, CLIARGS_STORE, NULL, NULL, 1 },
	{ "--mail-from-domain", NULL, CLIARGS_STORE, NULL, NULL, 0 },
	{ "--cli-input-json", NULL, CLIARGS_STORE, NULL, NULL, 0 },
	{ "--cli-input-yaml", NULL, CLIARGS_STORE, NULL, NULL, 0 },
	{ "--generate-cli-skeleton", NULL, CLIARGS_OPTIONAL, skeleton, "input",
	    0 },
	{ "--identities", NULL, CLIARGS_LIST, NULL, NULL, 0 },
	{ "-h", "--help", CLIARGS_EXIT, NULL, NULL, 0 },
	{ "--debug", NULL, CLIARGS_FLAG, NULL, NULL, 0 },
	{ "--output", NULL, CLIARGS_STORE, outputs, NULL, 0 },
	{ "command", NULL, CLIARGS_POSITIONAL, NULL, NULL, 1 },
	{ "help", NULL, CLIARGS_POSITIONAL_OPT, NULL, NULL, 0 },
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

/* ARGV parsed: "--name=value;... extras=a,b", "EXIT -h" or "ERR ...". */
static char *
parse(char *const *argv)
{
	struct cliargs a;
	struct strbuf b;
	size_t i, k;
	int argc = 0;

	while (argv[argc] != NULL)
		argc++;
	strbuf_init(&b);
	switch (cliargs_parse(opts, NOPTS, argc, argv, &a)) {
	case CLIARGS_EUSAGE:
		strbuf_addf(&b, "ERR %s", a.error);
		goto out;
	case CLIARGS_ENOMEM:
		fail_msg("out of memory");
		break;
	case CLIARGS_OK:
		break;
	}
	if (a.exit_opt >= 0) {
		strbuf_addf(&b, "EXIT %s", opts[a.exit_opt].name);
		goto out;
	}
	for (i = 0; i < NOPTS; i++) {
		if (a.vals[i].count == 0)
			continue;
		strbuf_addf(&b, "%s=", opts[i].name);
		if (opts[i].kind == CLIARGS_LIST) {
			strbuf_addc(&b, '[');
			for (k = 0; k < a.vals[i].nlist; k++)
				strbuf_addf(&b, "%s%s", k > 0 ? "," : "",
				    a.vals[i].list[k]);
			strbuf_addc(&b, ']');
		} else if (opts[i].kind == CLIARGS_FLAG)
			strbuf_addf(&b, "%d", a.vals[i].count);
		else
			strbuf_adds(&b, a.vals[i].value);
		strbuf_addc(&b, ';');
	}
	strbuf_adds(&b, " extras=");
	for (k = 0; k < a.nextras; k++)
		strbuf_addf(&b, "%s%s", k > 0 ? "," : "", a.extras[k]);
out:
	cliargs_free(&a);
	return strbuf_take(&b, NULL);
}

static void
test_like_argparse(void **state)
{
	static const struct {
		const char *argv[10];
		const char *want;
	} cases[] = {
		{ { "cmd", "--identity", "a", NULL },
		    "--identity=a;command=cmd; extras=" },
		{ { "--identity", "a", NULL },
		    "ERR the following arguments are required: command" },
		{ { "cmd", "--identity=a", "--ident", "b", NULL },
		    "ERR ambiguous option: --ident could match --identi"
		    "ty, --identities" },
		{ { "cmd", "--i", "x", NULL },
		    "ERR ambiguous option: --i could match --identity, "
		    "--identities" },
		{ { "cmd", "--cli-input", "x", NULL },
		    "ERR ambiguous option: --cli-input could match --cl"
		    "i-input-json, --cli-input-yaml" },
		{ { "cmd", "--identity", "a", "extra", NULL },
		    "--identity=a;command=cmd; extras=extra" },
		{ { "cmd", "extra", "--identity", "a", NULL },
		    "--identity=a;command=cmd;help=extra; extras=" },
		{ { "cmd", "--identity", "a", "help", NULL },
		    "--identity=a;command=cmd; extras=help" },
		{ { "cmd", "--identity", NULL },
		    "ERR argument --identity: expected one argument" },
		{ { "cmd", "--identity", "--mail-from-domain", "x", NULL },
		    "ERR argument --identity: expected one argument" },
		{ { "cmd", "--identity", "-x", NULL },
		    "ERR argument --identity: expected one argument" },
		{ { "cmd", "--identity=", NULL },
		    "--identity=;command=cmd; extras=" },
		{ { "cmd", "-x", "--identity", "a", NULL },
		    "--identity=a;command=cmd; extras=-x" },
		{ { "cmd", "--identity", "-5", NULL },
		    "--identity=-5;command=cmd; extras=" },
		{ { "cmd", "--identity", "-x y", NULL },
		    "--identity=-x y;command=cmd; extras=" },
		{ { "cmd", "--identity", "a", "--", "b", NULL },
		    "--identity=a;command=cmd; extras=--,b" },
		{ { "--", "cmd", "--identity", "a", NULL },
		    "ERR the following arguments are required: --identi"
		    "ty" },
		{ { "cmd", "--", "--identity", "a", NULL },
		    "ERR the following arguments are required: --identi"
		    "ty" },
		{ { "cmd", "--identity", "a", "--generate-cli-skeleton", NULL },
		    "--identity=a;--generate-cli-skeleton=input;command"
		    "=cmd; extras=" },
		{ { "cmd", "--identity", "a", "--generate-cli-skeleton",
		      "output", NULL },
		    "--identity=a;--generate-cli-skeleton=output;comman"
		    "d=cmd; extras=" },
		{ { "cmd", "--identity", "a", "--generate-cli-skeleton",
		      "bogus", NULL },
		    "ERR argument --generate-cli-skeleton: Invalid choi"
		    "ce, valid choices are:\n\ninput                     "
		    "               | output                           "
		    "       \nyaml-input                              " },
		{ { "cmd", "--identity", "a",
		      "--generate-cli-skeleton=yaml-input", NULL },
		    "--identity=a;--generate-cli-skeleton=yaml-input;co"
		    "mmand=cmd; extras=" },
		{ { "cmd", "--identity", "a", "--gen", NULL },
		    "--identity=a;--generate-cli-skeleton=input;command"
		    "=cmd; extras=" },
		{ { "cmd", "--identity", "a", "--identities", NULL },
		    "--identity=a;--identities=[];command=cmd; extras=" },
		{ { "cmd", "--identity", "a", "--identities", "x", "y",
		      "--identities", "z", NULL },
		    "--identity=a;--identities=[z];command=cmd; extras=" },
		{ { "cmd", "--identity", "a", "--identities=x", "y", NULL },
		    "--identity=a;--identities=[x];command=cmd; extras="
		    "y" },
		{ { "cmd", "--identity", "a", "-h", NULL }, "EXIT -h" },
		{ { "cmd", "--identity", "a", "--he", NULL }, "EXIT -h" },
		{ { "cmd", "-hx", NULL },
		    "ERR argument -h/--help: ignored explicit argument "
		    "'x'" },
		{ { "cmd", "--debug=x", "--identity", "a", NULL },
		    "ERR argument --debug: ignored explicit argument 'x"
		    "'" },
		{ { "cmd", "--identity", "a", "--output", "tex", NULL },
		    "ERR argument --output: Invalid choice, valid choic"
		    "es are:\n\njson                                     "
		    "| text                                    \ntable  "
		    "                                  | yaml          "
		    "                          \nyaml-stream            "
		    "                 \n\n\nInvalid choice: 'tex', maybe y"
		    "ou meant:\n\n  * text" },
		{ { "cmd", "--identity", "a", "--o", "text", NULL },
		    "--identity=a;--output=text;command=cmd; extras=" },
		{ { "--=x", NULL },
		    "ERR ambiguous option: --=x could match --identity,"
		    " --mail-from-domain, --cli-input-json, --cli-input"
		    "-yaml, --generate-cli-skeleton, --identities, --he"
		    "lp, --debug, --output" },
		{ { "cmd", "--identity", "a", "---x", NULL },
		    "--identity=a;command=cmd; extras=---x" },
		{ { "cmd", "--identity", "a", "-", NULL },
		    "--identity=a;command=cmd; extras=-" },
		{ { NULL },
		    "ERR the following arguments are required: --identi"
		    "ty, command" },
		{ { "cmd", NULL },
		    "ERR the following arguments are required: --identi"
		    "ty" },
		{ { "--identity", "a", "cmd", "x", "y", NULL },
		    "--identity=a;command=cmd;help=x; extras=y" },
		{ { "cmd", "--identity", "a", "--bogus", "x", "--mail", "m",
		      NULL },
		    "--identity=a;--mail-from-domain=m;command=cmd; ext"
		    "ras=--bogus,x" },
		{ { "cmd", "--identity", "a", "--bogus=x", NULL },
		    "--identity=a;command=cmd; extras=--bogus=x" },
		{ { "cmd", "--identity", "a", "--identities", "--", "x", NULL },
		    "--identity=a;--identities=[];command=cmd; extras=-"
		    "-,x" },
		{ { "-5", "--identity", "a", NULL },
		    "--identity=a;command=-5; extras=" },
		{ { "cmd", "--identity", "a", "-1.5", NULL },
		    "--identity=a;command=cmd; extras=-1.5" },
		{ { "cmd", "--mail-from-domain", "m", "--mail-from-domain", "n",
		      "--identity", "a", NULL },
		    "--identity=a;--mail-from-domain=n;command=cmd; ext"
		    "ras=" },
		{ { "cmd", "--identity", "a", "-hh", NULL }, "EXIT -h" },
		{ { "--identity", "a", "--", "cmd", "--", "x", NULL },
		    "--identity=a;command=cmd; extras=x" },
		{ { "cmd", "--identity", "a", "--identities", "x", "--", "y",
		      NULL },
		    "--identity=a;--identities=[x];command=cmd; extras="
		    "--,y" },
	};
	char *got;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = parse((char *const *)(uintptr_t)cases[i].argv);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, got,
			    cases[i].want);
		free(got);
	}
}

static void
test_choice_error(void **state)
{
	static const char *const commands[] = { "set-identity-mail-from-domain",
		"get-identity-mail-from-domain-attributes", "help", NULL };
	char *msg;

	(void)state;
	msg = cliargs_choice_error("set-identity-mail-from-domai", commands);
	assert_string_equal(msg,
	    "Invalid choice, valid choices are:\n"
	    "\n"
	    "set-identity-mail-from-domain            | "
	    "get-identity-mail-from-domain-attributes\n"
	    "help                                    \n"
	    "\n"
	    "\n"
	    "Invalid choice: 'set-identity-mail-from-domai', maybe you meant:\n"
	    "\n"
	    "  * set-identity-mail-from-domain");
	free(msg);
	msg = cliargs_choice_error("xml", outputs);
	assert_string_equal(msg,
	    "Invalid choice, valid choices are:\n"
	    "\n"
	    "json                                     | "
	    "text                                    \n"
	    "table                                    | "
	    "yaml                                    \n"
	    "yaml-stream                             ");
	free(msg);
}

static void
test_close_matches(void **state)
{
	static const char *const words[] = { "ape", "apple", "peach", "puppy",
		"applet", NULL };
	const char *out[3];

	(void)state;
	/* get_close_matches('appel', [...], cutoff=0.8) == ['apple'];
	   'applet' scores 0.73, 'ape' 0.75 */
	assert_int_equal(cliargs_close_matches("appel", words, out), 1);
	assert_string_equal(out[0], "apple");
	/* ... ('aple', ..., cutoff=0.8) == ['apple', 'ape', 'applet'] */
	assert_int_equal(cliargs_close_matches("aple", words, out), 3);
	assert_string_equal(out[0], "apple");
	assert_string_equal(out[1], "ape");
	assert_string_equal(out[2], "applet");
	assert_int_equal(cliargs_close_matches("zzz", words, out), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_like_argparse),
		cmocka_unit_test(test_choice_error),
		cmocka_unit_test(test_close_matches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
