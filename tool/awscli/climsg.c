/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ses/strbuf.h"
#include "tool/awscli/cli.h"
#include "tool/awscli/cli_int.h"

void
cli_debug(const struct cli_globals *g, const char *fmt, ...)
{
	va_list ap;

	if (g == NULL || !g->debug)
		return;
	fputs(CLI_PROG ": debug: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
cli_debug_line(void *arg, const char *msg)
{
	cli_debug(arg, "%s", msg);
}

/* The CLI's way with an error: an empty line, the message, a newline. */
int
cli_fail(int rc, const char *msg)
{
	fprintf(stderr, "\n%s\n", msg);
	return rc;
}

int
cli_fail_buf(int rc, struct strbuf *msg)
{
	if (strbuf_failed(msg))
		rc = cli_fail(CLI_RC_FAILED, strerror(ENOMEM));
	else
		rc = cli_fail(rc, msg->data != NULL ? msg->data : "");
	strbuf_free(msg);
	return rc;
}

int
cli_nomem(void)
{
	return cli_fail(CLI_RC_FAILED, strerror(ENOMEM));
}

/* argparse's error(): the usage, then "PROG: error: MESSAGE". */
int
cli_usage_error(const char *usage, const char *msg)
{
	fprintf(stderr, "\nusage: %s\n" CLI_PROG ": error: %s\n\n", usage, msg);
	return CLI_RC_PARAM;
}

int
cli_parse_failed(const char *usage, enum cliargs_status st, struct cliargs *a)
{
	int rc;

	rc = st == CLIARGS_ENOMEM ? cli_nomem()
				  : cli_usage_error(usage, a->error);
	cliargs_free(a);
	return rc;
}

void
cli_write_out(const struct strbuf *b)
{
	if (b->len > 0) {
		fwrite(b->data, 1, b->len, stdout);
		fflush(stdout);
	}
}
