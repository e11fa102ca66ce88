/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ses-mailfrom: the command-line tool. The AWS CLI's SES commands come from
 * tool/awscli/cli.c; the project's own commands join the table below.
 */
#include <curl/curl.h>

#include <stdbool.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "tool/awscli/cli.h"
#include "tool/project.h"

static const struct cli_command commands[] = { CLI_AWS_COMMANDS,
	TOOL_PROJECT_COMMANDS, { NULL, NULL, NULL } };

/*
 * The tool holds AWS secrets (keys, session tokens, MFA-derived ones): no
 * core file and no ptrace by other accounts, before any is read. The
 * daemon's daemon_no_core() does the same; the layout keeps tool/ and
 * milter/ apart, and this is three calls.
 */
static bool
tool_no_core(void)
{
	static const struct rlimit none = { 0, 0 };

	return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 &&
	    setrlimit(RLIMIT_CORE, &none) == 0;
}

int
main(int argc, char **argv)
{
	int rc;

	if (!tool_no_core()) {
		perror("\ncannot disable core dumps");
		return CLI_RC_FAILED;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "\ncannot initialise libcurl\n");
		return CLI_RC_FAILED;
	}
	rc = cli_main(commands, argc, argv);
	curl_global_cleanup();
	return rc;
}
