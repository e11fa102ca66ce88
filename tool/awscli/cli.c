/* SPDX-License-Identifier: BSD-2-Clause */

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool/awscli/cli.h"
#include "tool/awscli/clioutput.h"
#include "tool/awscli/clivalue.h"
#include "ses/strbuf.h"
#include "tool/awscli/u8.h"
#include "tool/awscli/cli_int.h"
#include "tool/awscli/cliquery.h"
#include "tool/awscli/jmespath.h"

#ifndef VERSION
#define VERSION "0.0.0"
#endif

#define FIRST_PASS_USAGE CLI_PROG " [-h] [--profile PROFILE] [--debug]\n"

/* ---- global options ---- */

static const char *const color_choices[] = { "on", "off", "auto", NULL };
static const char *const binary_choices[] = { "base64", "raw-in-base64-out",
	NULL };

enum {
	G_DEBUG,
	G_ENDPOINT,
	G_NO_VERIFY,
	G_NO_PAGINATE,
	G_OUTPUT,
	G_QUERY,
	G_PROFILE,
	G_REGION,
	G_COLOR,
	G_NO_SIGN,
	G_CA_BUNDLE,
	G_READ_TIMEOUT,
	G_CONNECT_TIMEOUT,
	G_BINARY_FORMAT,
	G_NO_PAGER,
	G_AUTO_PROMPT,
	G_NO_AUTO_PROMPT,
	G_VERSION,
	G_COMMAND,
	G_COUNT
};

/* In the order the CLI adds them: prefixes and their ambiguities follow. */
static void
global_options(struct cliargs_opt *o, const char *const *commands)
{
	static const struct cliargs_opt proto[G_COUNT] = {
		{ "--debug", NULL, CLIARGS_FLAG, NULL, NULL, 0 },
		{ "--endpoint-url", NULL, CLIARGS_STORE, NULL, NULL, 0 },
		{ "--no-verify-ssl", NULL, CLIARGS_FLAG, NULL, NULL, 0 },
		{ "--no-paginate", NULL, CLIARGS_FLAG, NULL, NULL, 0 },
		{ "--output", NULL, CLIARGS_STORE, clioutput_names, NULL, 0 },
		{ "--query", NULL, CLIARGS_STORE, NULL, NULL, 0 },
		{ "--profile", NULL, CLIARGS_STORE, NULL, NULL, 0 },
		{ "--region", NULL, CLIARGS_STORE, NULL, NULL, 0 },
		{ "--color", NULL, CLIARGS_STORE, color_choices, NULL, 0 },
		{ "--no-sign-request", NULL, CLIARGS_FLAG, NULL, NULL, 0 },
		{ "--ca-bundle", NULL, CLIARGS_STORE, NULL, NULL, 0 },
		{ "--cli-read-timeout", NULL, CLIARGS_STORE, NULL, NULL, 0 },
		{ "--cli-connect-timeout", NULL, CLIARGS_STORE, NULL, NULL, 0 },
		{ "--cli-binary-format", NULL, CLIARGS_STORE, binary_choices,
		    NULL, 0 },
		{ "--no-cli-pager", NULL, CLIARGS_FLAG, NULL, NULL, 0 },
		{ "--cli-auto-prompt", NULL, CLIARGS_FLAG, NULL, NULL, 0 },
		{ "--no-cli-auto-prompt", NULL, CLIARGS_FLAG, NULL, NULL, 0 },
		{ "--version", NULL, CLIARGS_EXIT, NULL, NULL, 0 },
		{ "command", NULL, CLIARGS_POSITIONAL, NULL, NULL, 1 },
	};

	memcpy(o, proto, sizeof(proto));
	o[G_COMMAND].choices = commands;
}

/* Python's int() of a command-line word: -1 if it is not one. */
int
cli_python_int(const char *s, long *out)
{
	char digits[32];
	size_t n = 0;
	const char *p = s;
	int neg = 0;
	long v;

	p += strspn(p, " \t\n\r\v\f");
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (!(*p >= '0' && *p <= '9'))
		return -1;
	while ((*p >= '0' && *p <= '9') ||
	    (*p == '_' && p[1] >= '0' && p[1] <= '9' && p[-1] != '_')) {
		if (*p != '_' && n < sizeof(digits) - 1)
			digits[n++] = *p;
		p++;
	}
	p += strspn(p, " \t\n\r\v\f");
	if (*p != '\0')
		return -1;
	digits[n] = '\0';
	errno = 0;
	v = strtol(digits, NULL, 10);
	if (errno == ERANGE || n >= sizeof(digits) - 1)
		v = LONG_MAX;
	*out = neg ? -v : v;
	return 0;
}

static int
timeout_arg(const char *arg, long *out)
{
	struct strbuf msg;

	if (arg == NULL) {
		*out = CLI_TIMEOUT_DEFAULT;
		return 0;
	}
	if (cli_python_int(arg, out) == 0)
		return 0;
	strbuf_init(&msg);
	strbuf_adds(&msg, "invalid literal for int() with base 10: ");
	clivalue_repr_str(arg, strlen(arg), &msg);
	return cli_fail_buf(CLI_RC_FAILED, &msg);
}

/* urllib.parse.urlparse(URL).scheme is not empty. */
static int
has_scheme(const char *url)
{
	const char *colon = strchr(url, ':');
	const char *p;

	if (colon == NULL || colon == url ||
	    !((url[0] >= 'a' && url[0] <= 'z') ||
		(url[0] >= 'A' && url[0] <= 'Z')))
		return 0;
	for (p = url; p < colon; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9') || *p == '+' || *p == '-' ||
			*p == '.'))
			return 0;
	return 1;
}

static void
main_help(const struct cli_command *commands, struct strbuf *out)
{
	const struct cli_command *c;

	strbuf_adds(out,
	    CLI_PROG " - Amazon SES custom MAIL FROM domains from the command "
		     "line\n"
		     "\n"
		     "usage: " CLI_PROG
		     " [global options] <command> [options]\n"
		     "\n"
		     "Commands:\n");
	for (c = commands; c->name != NULL; c++)
		strbuf_addf(out, "  %-42s %s\n", c->name, c->summary);
	strbuf_addf(out, "  %-42s %s\n", "help",
	    "this text; "
	    "`" CLI_PROG " COMMAND help` describes a command");
	strbuf_adds(out,
	    "\n"
	    "Global options (as the AWS CLI's):\n"
	    "  --region REGION        --endpoint-url URL      --profile NAME\n"
	    "  --output json|text|table|yaml|yaml-stream      --debug\n"
	    "  --ca-bundle FILE       --no-verify-ssl         "
	    "--color on|off|auto\n"
	    "  --cli-connect-timeout SECONDS   --cli-read-timeout SECONDS\n"
	    "\n"
	    "Exit status: 0 success, 252 bad usage or parameters, 253 no "
	    "credentials\nor region, 254 SES answered with an error, 255 any "
	    "other failure.\n"
	    "The set and get commands behave as `aws ses ...`; see " CLI_PROG
	    "(1).\n");
}

/* ---- the program ---- */

static const struct cliargs_opt first_pass_opts[] = {
	{ "-h", "--help", CLIARGS_EXIT, NULL, NULL, 0 },
	{ "--profile", NULL, CLIARGS_STORE, NULL, NULL, 0 },
	{ "--debug", NULL, CLIARGS_FLAG, NULL, NULL, 0 },
};

/* Refusals of what the AWS CLI has and this tool deliberately has not. */
static int
unsupported(const struct cli_globals *g)
{
	if (!g->sign_request)
		return cli_fail(CLI_RC_PARAM,
		    "--no-sign-request is not supported: "
		    "SES refuses unsigned requests.");
	if (g->cli_auto_prompt)
		return cli_fail(CLI_RC_PARAM,
		    "--cli-auto-prompt is not supported "
		    "by " CLI_PROG ".");
	return CLI_RC_OK;
}

static int
dispatch(const struct cli_command *commands, const char *const *names, int argc,
    char **argv)
{
	struct cliargs_opt opts[G_COUNT];
	struct cli_globals g;
	struct cliargs a;
	struct strbuf help;
	const struct cli_command *c;
	const struct cliargs_val *v;
	enum cliargs_status st;
	int rc;

	/* the CLI's first pass, for --debug and --profile only */
	if ((st = cliargs_parse(first_pass_opts, 3, argc, argv, &a)) !=
	    CLIARGS_OK)
		return cli_parse_failed(FIRST_PASS_USAGE, st, &a);
	if (a.exit_opt == 0) {
		cliargs_free(&a);
		strbuf_init(&help);
		main_help(commands, &help);
		cli_write_out(&help);
		strbuf_free(&help);
		return CLI_RC_OK;
	}
	cliargs_free(&a);

	global_options(opts, names);
	if ((st = cliargs_parse(opts, G_COUNT, argc, argv, &a)) != CLIARGS_OK)
		return cli_parse_failed(CLI_USAGE, st, &a);
	if (a.exit_opt == G_VERSION) {
		cliargs_free(&a);
		printf("%s/%s\n", CLI_PROG, VERSION);
		return CLI_RC_OK;
	}
	v = a.vals;
	memset(&g, 0, sizeof(g));
	g.debug = v[G_DEBUG].count > 0;
	g.endpoint_url = v[G_ENDPOINT].value;
	g.verify_ssl = v[G_NO_VERIFY].count == 0;
	g.paginate = v[G_NO_PAGINATE].count == 0;
	g.output = v[G_OUTPUT].value;
	g.query = v[G_QUERY].value;
	g.profile = v[G_PROFILE].value;
	g.region = v[G_REGION].value;
	g.color = v[G_COLOR].value != NULL ? v[G_COLOR].value : "auto";
	g.sign_request = v[G_NO_SIGN].count == 0;
	g.ca_bundle = v[G_CA_BUNDLE].value;
	g.cli_binary_format = v[G_BINARY_FORMAT].value;
	g.no_cli_pager = v[G_NO_PAGER].count > 0;
	g.cli_auto_prompt = v[G_AUTO_PROMPT].count > 0;
	g.no_cli_auto_prompt = v[G_NO_AUTO_PROMPT].count > 0;

	/* the CLI's top-level checks, in its order */
	if ((rc = unsupported(&g)) != CLI_RC_OK)
		goto out;
	if (g.query != NULL &&
	    (rc = cliquery_compile(g.query, &g.query_expr)) != CLI_RC_OK)
		goto out;
	if (g.endpoint_url != NULL && !has_scheme(g.endpoint_url)) {
		fprintf(stderr,
		    "\nBad value for --endpoint-url \"%s\": scheme "
		    "is missing.  Must be of the form http://<hostname>/ or "
		    "https://<hostname>/\n",
		    g.endpoint_url);
		rc = CLI_RC_PARAM;
		goto out;
	}
	if ((rc = timeout_arg(v[G_READ_TIMEOUT].value, &g.read_timeout)) !=
		CLI_RC_OK ||
	    (rc = timeout_arg(
		 v[G_CONNECT_TIMEOUT].value, &g.connect_timeout)) != CLI_RC_OK)
		goto out;
	if (g.profile != NULL && g.profile[0] == '\0')
		g.profile = NULL;

	if (strcmp(v[G_COMMAND].value, "help") == 0) {
		strbuf_init(&help);
		main_help(commands, &help);
		cli_write_out(&help);
		strbuf_free(&help);
		rc = CLI_RC_OK;
		goto out;
	}
	for (c = commands; c->name != NULL; c++)
		if (strcmp(c->name, v[G_COMMAND].value) == 0)
			break;
	cli_debug(&g, "%s %s", CLI_PROG, VERSION);
	rc = c->run(&g, (int)a.nextras, a.extras);
out:
	jmes_free(g.query_expr);
	cliargs_free(&a);
	return rc;
}

int
cli_main(const struct cli_command *commands, int argc, char **argv)
{
	const char **names;
	char **args;
	size_t n = 0, i;
	int rc, k;

	/* a closed pipe on stdout ends the output, not the program */
	signal(SIGPIPE, SIG_IGN);
	while (commands[n].name != NULL)
		n++;
	names = calloc(n + 2, sizeof(*names));
	args = calloc((size_t)(argc > 0 ? argc : 1), sizeof(*args));
	if (names == NULL || args == NULL) {
		free(names);
		free(args);
		return cli_nomem();
	}
	for (i = 0; i < n; i++)
		names[i] = commands[i].name;
	names[n] = "help";
	/* the words as Python sees them: undecodable bytes as surrogates */
	rc = CLI_RC_OK;
	for (k = 1; k < argc; k++)
		if ((args[k - 1] = u8_from_argv(argv[k])) == NULL)
			rc = cli_nomem();
	if (rc == CLI_RC_OK)
		rc = dispatch(commands, names, argc > 0 ? argc - 1 : 0, args);
	for (k = 0; k + 1 < argc; k++)
		free(args[k]);
	free(args);
	free(names);
	return rc;
}
