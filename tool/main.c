/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ses-mailfrom: the command-line tool. The AWS CLI's SES commands come from
 * tool/awscli/cli.c; the project's own commands join the table below.
 */
#include <curl/curl.h>

#include <stdbool.h>
#include <stdio.h>

#include "milter/nocore.h"
#include "tool/awscli/cli.h"
#include "tool/project.h"

static const struct cli_command commands[] = { CLI_AWS_COMMANDS,
	TOOL_PROJECT_COMMANDS, { NULL, NULL, NULL } };

int
main(int argc, char **argv)
{
	int rc;

	/* It holds AWS secrets (keys, session tokens, MFA-derived ones). */
	if (!nocore_apply()) {
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
