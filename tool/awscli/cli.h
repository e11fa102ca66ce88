/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cli: the ses-mailfrom command line, compatible with the AWS CLI.
 *
 * cli_main() reads the global options the way `aws` does (with its first
 * pass for --profile/--debug, its argparse rules and messages), then runs
 * the command named on the line from a table the program supplies. The
 * two SES commands of the AWS CLI are here (CLI_AWS_COMMANDS), with the
 * CLI's options, input files, skeletons, output formats, messages and exit
 * codes. The program may add commands of its own to the table; they get
 * the parsed global options and the words that followed.
 *
 * Everything written goes to stdout (results) and stderr (errors, as the
 * CLI: an empty line, the message, a newline; --debug lines). Nothing
 * here writes a secret anywhere.
 */
#ifndef AWSCLI_CLI_H
#define AWSCLI_CLI_H

/* The AWS CLI's exit codes. */
#define CLI_RC_OK 0
#define CLI_RC_PARAM 252   /* usage and parameter errors */
#define CLI_RC_CONFIG 253  /* no credentials, no region */
#define CLI_RC_SERVICE 254 /* SES answered with an error */
#define CLI_RC_FAILED 255  /* anything else */

#define CLI_PROG "ses-mailfrom"

#include "tool/awscli/cliinput.h"

/* The two operations' input members, as the SES model describes them. */
extern const struct cliinput_op cli_set_input;
extern const struct cliinput_op cli_get_input;

/* Seconds; the CLI's default for both timeouts. */
#define CLI_TIMEOUT_DEFAULT 60

struct jmes_expr;

/* The global options; strings point into the (converted) command line. */
struct cli_globals {
	const char *region;
	const char *endpoint_url;
	const char *profile;
	/* NULL: $AWS_DEFAULT_OUTPUT, then the config file, then json */
	const char *output;
	const char *query;
	struct jmes_expr *query_expr; /* --query compiled; NULL: none */
	const char *ca_bundle;
	const char *color; /* on, off, auto */
	const char *cli_binary_format;
	int debug;
	int verify_ssl; /* 0 with --no-verify-ssl */
	int paginate;
	int sign_request;
	int no_cli_pager;
	int cli_auto_prompt;
	int no_cli_auto_prompt;
	/* Seconds; 0: none; < 0 is refused when a client is made, as the
	   CLI does. */
	long read_timeout;
	long connect_timeout;
};

struct cli_command {
	const char *name;
	const char *summary; /* for `ses-mailfrom help` */
	/* ARGV: the words after the global options and the command name. */
	int (*run)(const struct cli_globals *, int argc, char **argv);
};

int cli_set_identity_mail_from_domain(const struct cli_globals *, int, char **);
int cli_get_identity_mail_from_domain_attributes(
    const struct cli_globals *, int, char **);

/* clang-format off */
#define CLI_AWS_COMMANDS						\
	{ "set-identity-mail-from-domain",				\
	    "enable or disable an identity's custom MAIL FROM domain",	\
	    cli_set_identity_mail_from_domain },			\
	{ "get-identity-mail-from-domain-attributes",			\
	    "show the MAIL FROM settings and status of identities",	\
	    cli_get_identity_mail_from_domain_attributes }
/* clang-format on */

/*
 * Runs the command line ARGV[1..ARGC-1] with COMMANDS (ended by an entry
 * whose name is NULL). Returns the exit code. The caller has called
 * curl_global_init().
 */
int cli_main(const struct cli_command *commands, int argc, char **argv);

/* One --debug line on stderr, when --debug was given. */
void cli_debug(const struct cli_globals *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
