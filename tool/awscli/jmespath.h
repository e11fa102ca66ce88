/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * JMESPath (https://jmespath.org) over jansson, behaving like the Python
 * jmespath package 1.0.1 that the AWS CLI uses for --query.
 *
 * Pure: no I/O, no global state.  Every allocation, the engine's own ones
 * included, goes through jansson's allocator (json_set_alloc_funcs), which
 * must stay the same between jmes_compile() and jmes_free().
 *
 * A result may share structure with the document and with literals of the
 * expression: treat it as read-only.
 */
#ifndef TOOL_AWSCLI_JMESPATH_H
#define TOOL_AWSCLI_JMESPATH_H

#include <stddef.h>

#include <jansson.h>

#define JMES_MAX_EXPR_LEN 65536 /* bytes of an expression */
#define JMES_MAX_DEPTH 128      /* nesting of an expression */

struct jmes_expr; /* a compiled expression, owned by the caller */

enum jmes_error {
	JMES_OK,
	JMES_ESYNTAX,
	JMES_EINVALID_TYPE,
	JMES_EINVALID_VALUE,
	JMES_EINVALID_ARITY,
	JMES_EUNKNOWN_FUNCTION,
	JMES_ENOMEM
};

/* Which of the Python package's syntax errors a JMES_ESYNTAX is. */
enum jmes_syntax {
	JMES_SYN_NONE,       /* not a syntax error */
	JMES_SYN_EMPTY,      /* EmptyExpressionError */
	JMES_SYN_LEX,        /* LexerError */
	JMES_SYN_PARSE,      /* ParseError */
	JMES_SYN_INCOMPLETE, /* IncompleteExpressionError */
	JMES_SYN_LIMIT       /* too long or too deeply nested */
};

struct jmes_err {
	enum jmes_error code;
	enum jmes_syntax syntax;
	size_t pos;          /* in characters (code points) of the expression */
	char token[64];      /* syntax: the offending token's text, cut */
	char token_type[24]; /* syntax: its type as Python names it */
	char msg[256];
	/*
	 * JMES_EINVALID_TYPE raised by a function: the parts of Python's
	 * JMESPathTypeError, for a caller that words it in full (msg cuts
	 * the value). VALUE is a reference of the error's own (NULL for an
	 * expression reference): release it with jmes_err_clear().
	 */
	json_t *value;
	char function[32];
	char expected[64]; /* Python's list: "['number', 'string']" */
	char received[16]; /* "object" */
};

/* Returns a compiled expression the caller frees with jmes_free(), or NULL
 * with *err set.  expr need not be NUL-terminated. */
struct jmes_expr *jmes_compile(
    const char *expr, size_t len, struct jmes_err *err);

/* Returns a new reference (JSON null is json_null()), or NULL with *err
 * set.  doc is borrowed. */
json_t *jmes_eval(
    const struct jmes_expr *expr, json_t *doc, struct jmes_err *err);

void jmes_free(struct jmes_expr *expr);

/* Releases what an error holds (VALUE); the struct may then be reused. */
void jmes_err_clear(struct jmes_err *err);

/* "syntax", "invalid-type", ...; a static string. */
const char *jmes_error_name(enum jmes_error code);

#endif
