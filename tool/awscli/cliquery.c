/* SPDX-License-Identifier: BSD-2-Clause */
#include <string.h>

#include "ses/strbuf.h"
#include "tool/awscli/cli.h"
#include "tool/awscli/cli_int.h"
#include "tool/awscli/clijson.h"
#include "tool/awscli/cliquery.h"
#include "tool/awscli/clivalue.h"
#include "tool/awscli/jmespath.h"
#include "tool/awscli/u8.h"

/* N spaces, then the caret of Python's error texts. */
static void
caret(struct strbuf *b, size_t n)
{
	strbuf_addn(b, ' ', n);
	strbuf_addc(b, '^');
}

/* str() of the jmespath package's exception for a failed compile. */
static void
syntax_text(const char *expr, const struct jmes_err *e, struct strbuf *b)
{
	char type[sizeof(e->token_type)];
	size_t i;

	switch (e->syntax) {
	case JMES_SYN_LEX:
		strbuf_addf(
		    b, "Bad jmespath expression: %s:\n%s\n", e->msg, expr);
		caret(b, e->pos);
		break;
	case JMES_SYN_PARSE:
		for (i = 0; e->token_type[i] != '\0'; i++)
			type[i] = (char)(e->token_type[i] >= 'a' &&
				    e->token_type[i] <= 'z'
				? e->token_type[i] - 'a' + 'A'
				: e->token_type[i]);
		type[i] = '\0';
		strbuf_addf(b,
		    "%s: Parse error at column %zu, token \"%s\" (%s), "
		    "for expression:\n\"%s\"\n",
		    e->msg, e->pos, e->token, type, expr);
		caret(b, e->pos + 1);
		break;
	case JMES_SYN_INCOMPLETE:
		strbuf_addf(b,
		    "Invalid jmespath expression: Incomplete expression:\n"
		    "\"%s\"\n",
		    expr);
		caret(b, u8_count(expr, strlen(expr)) + 1);
		break;
	default:
		strbuf_adds(b, e->msg);
		break;
	}
}

int
cliquery_compile(const char *expr, struct jmes_expr **out)
{
	struct jmes_err e;
	struct strbuf msg;

	if ((*out = jmes_compile(expr, strlen(expr), &e)) != NULL)
		return CLI_RC_OK;
	if (e.code == JMES_ENOMEM)
		return cli_nomem();
	strbuf_init(&msg);
	strbuf_addf(&msg, "Bad value for --query %s: ", expr);
	syntax_text(expr, &e, &msg);
	jmes_err_clear(&e);
	return cli_fail_buf(CLI_RC_PARAM, &msg);
}

/*
 * JMESPathTypeError's text in full: Python's str() of the offending value,
 * which the engine's own message cuts.
 */
static void
type_text(const struct jmes_err *e, struct strbuf *b)
{
	struct clivalue *v;

	if (e->value == NULL ||
	    clijson_from_jansson(e->value, &v, NULL) != CLIJSON_OK) {
		strbuf_adds(b, e->msg);
		return;
	}
	strbuf_addf(
	    b, "In function %s(), invalid type for value: ", e->function);
	clivalue_str(v, b);
	strbuf_addf(b, ", expected one of: %s, received: \"%s\"", e->expected,
	    e->received);
	clivalue_free(v);
}

int
cliquery_apply(const struct jmes_expr *expr, struct clivalue **resp)
{
	struct clivalue *found;
	struct jmes_err e;
	struct strbuf msg;
	json_t *doc, *r;
	int rc;

	if ((doc = clijson_to_jansson(*resp)) == NULL)
		return cli_nomem();
	r = jmes_eval(expr, doc, &e);
	json_decref(doc);
	if (r == NULL) {
		strbuf_init(&msg);
		if (e.code == JMES_ENOMEM)
			strbuf_free(&msg);
		else if (e.code == JMES_EINVALID_TYPE && e.function[0] != '\0')
			type_text(&e, &msg);
		else
			strbuf_adds(&msg, e.msg);
		rc = e.code == JMES_ENOMEM ? cli_nomem()
					   : cli_fail_buf(CLI_RC_FAILED, &msg);
		jmes_err_clear(&e);
		return rc;
	}
	strbuf_init(&msg);
	switch (clijson_from_jansson(r, &found, &msg)) {
	case CLIJSON_OK:
		clivalue_free(*resp);
		*resp = found;
		rc = CLI_RC_OK;
		strbuf_free(&msg);
		break;
	case CLIJSON_EDEPTH:
		rc = cli_fail_buf(CLI_RC_FAILED, &msg);
		break;
	default:
		strbuf_free(&msg);
		rc = cli_nomem();
		break;
	}
	json_decref(r);
	return rc;
}
