/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The project's own commands of ses-mailfrom, which need the milter's
 * configuration, resolver and synchroniser:
 *
 *   ses-mailfrom sync [-c FILE] [--dry-run]
 *	one synchroniser pass; a table of what changed or would change
 *   ses-mailfrom status [-c FILE]
 *	per identity: the configured setting, SES's setting and status,
 *	the local MX check
 *   ses-mailfrom check-dns [-c FILE]
 *	each MAIL FROM domain's MX and SPF, and the records to publish
 *
 * Each has the signature of a struct cli_command's run (tool/awscli/cli.h):
 * TOOL_PROJECT_COMMANDS in the tool's command table, after
 * CLI_AWS_COMMANDS, dispatches to them; ARGV holds the words after the
 * command name. The SES calls are audited to syslog as the daemon's are.
 * `sync` never writes the daemon's state file: run as root it would hand
 * the file to root, and the daemon's next pass reads SES anyway.
 *
 * The global options apply: --region, --endpoint-url and --profile
 * override [ses] region, endpoint and profile, --debug shows the client's
 * and the synchroniser's lines on stderr, the timeouts and TLS options go
 * to the SES client.
 *
 * Exit codes: 0 all good; 1 something failed or is not as configured; 2
 * SES does not use a configured MAIL FROM domain and something is to be
 * done or waited for (see each command's help); 78 (EX_CONFIG) the configuration file is invalid,
 * with each problem as "FILE:LINE: message" on stderr; 252 (the AWS CLI's)
 * a usage error.
 */
#ifndef TOOL_PROJECT_H
#define TOOL_PROJECT_H

#include "tool/awscli/cli.h"

#define TOOL_RC_FAILED 1
/* SES does not use a configured MAIL FROM domain: see each command's help */
#define TOOL_RC_ATTENTION 2

#define TOOL_PROJECT_COMMANDS \
	{ "sync", \
		"make SES's MAIL FROM settings match the " \
		"configuration (one pass)", \
		tool_sync }, \
	    { "status", "compare the configuration, SES and the DNS", \
		    tool_status }, \
	{ \
		"check-dns", \
		    "check the MX and SPF records of each MAIL FROM " \
		    "domain", \
		    tool_check_dns \
	}

int tool_sync(const struct cli_globals *, int argc, char **argv);
int tool_status(const struct cli_globals *, int argc, char **argv);
int tool_check_dns(const struct cli_globals *, int argc, char **argv);

#endif
