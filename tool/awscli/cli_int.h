/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cli_int: what the command line's modules share inside tool/awscli/: the
 * AWS CLI's way with errors and usage messages, and Python's int().
 */
#ifndef AWSCLI_CLI_INT_H
#define AWSCLI_CLI_INT_H

#include "tool/awscli/cliargs.h"

struct strbuf;

#define CLI_HELP_BLURB \
	"To see help text, you can run:\n" \
	"\n" \
	"  " CLI_PROG " help\n" \
	"  " CLI_PROG " <command> help\n" \
	"  " CLI_PROG " <command> <subcommand> help\n"
#define CLI_USAGE \
	CLI_PROG " [options] <command> <subcommand> " \
		 "[<subcommand> ...] [parameters]\n" CLI_HELP_BLURB

/* The CLI's way with an error: an empty line, MSG, a newline; returns RC. */
int cli_fail(int rc, const char *msg);
/* The same with MSG's text (ENOMEM if it failed); frees MSG. */
int cli_fail_buf(int rc, struct strbuf *msg);
int cli_nomem(void);
/* argparse's error(): the usage, then "PROG: error: MESSAGE". */
int cli_usage_error(const char *usage, const char *msg);
/* A cliargs failure reported as argparse does; frees A. */
int cli_parse_failed(const char *usage, enum cliargs_status, struct cliargs *a);
void cli_write_out(const struct strbuf *);
/* cli_debug() for a callback's (void *) cli_globals. */
void cli_debug_line(void *globals, const char *msg);
/* The creds_options mfa_prompt of the tool: the terminal, without echo. */
int cli_mfa_prompt(void *arg, const char *serial, char *code, size_t n);
/* Python's int() of S (sign, digits, underscores, blanks); -1 if invalid. */
int cli_python_int(const char *s, long *out);

#endif
