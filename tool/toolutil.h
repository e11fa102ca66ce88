/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * toolutil: what the project's commands of ses-mailfrom share: their
 * options, the configuration, the SES client and the resolver made from
 * it with the global options applied, and a plain text table.
 *
 * Ownership: toolutil_conf() returns a reference (conf_unref());
 * toolutil_resolver() one to resolver_unref(); a table owns copies of its
 * cells (toolutil_table_free()).
 */
#ifndef TOOLUTIL_H
#define TOOLUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "milter/conf.h"
#include "milter/sync/syncer.h"
#include "tool/awscli/cli.h"

#define TOOLUTIL_CONTINUE (-1)

struct toolutil_opts {
	const char *conf_path;
	bool dry_run;
};

/*
 * Reads ARGV (the words after the command): -c FILE (also -cFILE,
 * --config FILE, --config=FILE), --dry-run when DRY_RUN_OK, and "help"
 * (USAGE on stdout, as `aws ... help`; -h and --help are the CLI parser's). TOOLUTIL_CONTINUE, or the exit code to end with.
 */
int toolutil_args(const char *usage, bool dry_run_ok, int argc, char **argv,
    struct toolutil_opts *);

/*
 * Loads the configuration, every problem on stderr as FILE:LINE: message
 * (NULL then: exit EX_CONFIG), and sets up the log the synchroniser
 * writes to: syslog with the configured facility, and stderr too with
 * --debug.
 */
struct conf *toolutil_conf(const struct cli_globals *, const char *path);

/* The SES client; 0, or -1 after printing why on stderr. */
int toolutil_link(
    const struct cli_globals *, const struct conf *, struct syncpass_link *);

/* A resolver on [dns]; NULL after printing why. Needs ares_library_init(). */
struct resolver *toolutil_resolver(const struct conf *);

/* "domain behavior", or "(disabled)" for a NULL domain. */
void toolutil_setting(
    const char *domain, const char *behavior, char *buf, size_t len);

struct toolutil_table {
	size_t ncols;
	char **cells; /* nrows x ncols */
	size_t nrows;
	size_t cap;
	bool nomem;
};

void toolutil_table_init(struct toolutil_table *, size_t ncols);
/* Copies NCOLS cells (NULL prints as "-"). */
void toolutil_table_row(struct toolutil_table *, const char *const *cells);
/* Columns padded to their widest cell; control bytes print as '?'. */
void toolutil_table_print(const struct toolutil_table *, FILE *);
void toolutil_table_free(struct toolutil_table *);

#endif
