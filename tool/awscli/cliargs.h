/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cliargs: command lines read the way the AWS CLI reads them, which is
 * Python 3.11's argparse parse_known_args(): "--opt=value" and
 * "--opt value", any unambiguous prefix of an option name (an ambiguous
 * one is an error naming the candidates), the last of a repeated option
 * winning, "--" ending the options, words that look like negative numbers
 * or hold a space taken as values, and argparse's order of checks and its
 * messages, so that a script that works (or fails) with the CLI does the
 * same here.
 *
 * Pure: no I/O. Parsed values point into ARGV (or at an option's
 * constant); cliargs_free() releases what cliargs_parse() allocated.
 */
#ifndef AWSCLI_CLIARGS_H
#define AWSCLI_CLIARGS_H

#include <stddef.h>

enum cliargs_kind {
	CLIARGS_STORE,         /* --opt VALUE */
	CLIARGS_FLAG,          /* --opt */
	CLIARGS_OPTIONAL,      /* --opt [VALUE]: CONST without a value */
	CLIARGS_LIST,          /* --opt [VALUE ...] */
	CLIARGS_EXIT,          /* --help, --version: end the parse */
	CLIARGS_POSITIONAL,    /* one word */
	CLIARGS_POSITIONAL_OPT /* zero or one word */
};

struct cliargs_opt {
	const char *name;  /* "--identity", "command" */
	const char *alias; /* another spelling, or NULL */
	enum cliargs_kind kind;
	const char *const *choices; /* NULL-terminated, or NULL */
	const char *konst;
	int required;
};

struct cliargs_val {
	int count;         /* times given */
	const char *value; /* the last value */
	const char **list; /* CLIARGS_LIST's last */
	size_t nlist;
};

struct cliargs {
	struct cliargs_val *vals; /* one per option, in order */
	size_t nvals;
	char **extras; /* words nothing took */
	size_t nextras;
	int exit_opt; /* a CLIARGS_EXIT met, or -1 */
	/* argparse's message, without the "PROG: error: " in front */
	char *error;
};

enum cliargs_status {
	CLIARGS_OK = 0,
	CLIARGS_EUSAGE, /* out->error says why */
	CLIARGS_ENOMEM
};

/* Parses ARGV[0..ARGC-1] (no program name). Release OUT either way. */
enum cliargs_status cliargs_parse(const struct cliargs_opt *opts, size_t nopts,
    int argc, char *const argv[], struct cliargs *out);
void cliargs_free(struct cliargs *);

/*
 * difflib.get_close_matches(WORD, CHOICES, 3, 0.8): up to three choices,
 * best first. Returns how many were put in OUT.
 */
size_t cliargs_close_matches(
    const char *word, const char *const *choices, const char *out[3]);

/*
 * The text of argparse's "Invalid choice" error as the AWS CLI words it:
 * the choices two to a line, then any close matches. Allocated.
 */
char *cliargs_choice_error(const char *value, const char *const *choices);

#endif
