/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cliquery: --query, as the AWS CLI applies it: the expression is compiled
 * once the global options are read (a bad one is a parameter error, exit
 * 252, before any request), and the response is searched before it is
 * printed, in every output format. Errors carry the texts of the Python
 * jmespath package the CLI uses.
 */
#ifndef AWSCLI_CLIQUERY_H
#define AWSCLI_CLIQUERY_H

struct clivalue;
struct jmes_expr;

/*
 * Compiles EXPR into *OUT (the caller frees it with jmes_free()). Returns
 * CLI_RC_OK, or the exit code after the CLI's message was printed.
 */
int cliquery_compile(const char *expr, struct jmes_expr **out);

/*
 * Replaces *RESP (freed) by what EXPR finds in it. Returns CLI_RC_OK, or
 * the exit code after the CLI's message was printed (*RESP then intact).
 */
int cliquery_apply(const struct jmes_expr *expr, struct clivalue **resp);

#endif
