/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Internals shared by the JMESPath lexer, parser, evaluator and functions.
 * The tree mirrors the Python package's AST (jmespath/ast.py) so that its
 * quirks carry over node for node.
 */
#ifndef TOOL_AWSCLI_JMESPATH_INT_H
#define TOOL_AWSCLI_JMESPATH_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "tool/awscli/jmespath.h"

/*
 * Work one evaluation may do (nodes visited, elements copied or compared,
 * bytes built / 64): sharing lets an expression double a value per pipe,
 * so a bound on work, not on input, is what keeps it linear-time.
 */
#define JMES_MAX_STEPS (1u << 23)
#define JMES_MAX_RESULT_NODES (1u << 24) /* logical size of a result */
#define JMES_MAX_VALUE_DEPTH 4096        /* nesting walked by ==, to_string */

enum jmes_tok {
	T_EOF,
	T_UNQUOTED,
	T_QUOTED,
	T_LITERAL,
	T_RBRACKET,
	T_RPAREN,
	T_COMMA,
	T_RBRACE,
	T_NUMBER,
	T_CURRENT,
	T_EXPREF,
	T_COLON,
	T_PIPE,
	T_OR,
	T_AND,
	T_EQ,
	T_GT,
	T_LT,
	T_GTE,
	T_LTE,
	T_NE,
	T_FLATTEN,
	T_STAR,
	T_FILTER,
	T_DOT,
	T_NOT,
	T_LBRACE,
	T_LBRACKET,
	T_LPAREN,
	T_NTOK
};

struct jmes_token {
	enum jmes_tok type;
	size_t start; /* bytes into the expression */
	size_t len;
	json_t *value; /* identifiers, literals: borrowed from the pool */
	long long num; /* T_NUMBER, saturated to +-LLONG_MAX */
};

enum jmes_node_type {
	N_CURRENT,
	N_FIELD,
	N_SUBEXPR,
	N_INDEX_EXPR,
	N_INDEX,
	N_SLICE,
	N_PROJECTION,
	N_VALUE_PROJECTION,
	N_FILTER_PROJECTION,
	N_FLATTEN,
	N_LITERAL,
	N_MULTI_LIST,
	N_MULTI_HASH,
	N_KEYVAL,
	N_OR,
	N_AND,
	N_NOT,
	N_COMPARATOR,
	N_PIPE,
	N_FUNCTION,
	N_EXPREF
};

enum jmes_cmp {
	C_EQ,
	C_NE,
	C_LT,
	C_LTE,
	C_GT,
	C_GTE
};

struct jmes_func;

/*
 * Projections: kid[0] the left side, kid[1] the right; a filter's
 * condition is kid[2].  Subexpressions, index expressions and pipes are
 * chains evaluated kid after kid.
 */
struct jmes_node {
	enum jmes_node_type type;
	unsigned height; /* 1 + the highest kid: bounds eval recursion */
	json_t *value;   /* name, key or literal: borrowed from the pool */
	const struct jmes_func *func; /* NULL: unknown, raised when called */
	enum jmes_cmp cmp;
	long long num[3]; /* index; slice start, stop, step */
	bool has[3];      /* slice part given */
	struct jmes_node **kid;
	size_t nkid;
	size_t capkid;
};

/* One evaluation's state. */
struct jmes_ctx {
	struct jmes_err *err;
	size_t left; /* steps still allowed */
};

/* A function argument: a value, or an expression reference (v NULL). */
struct jmes_arg {
	json_t *v;
	const struct jmes_node *ref;
};

/* Growable byte buffer over the allocator; oom latches. */
struct jmes_buf {
	char *p;
	size_t len;
	size_t cap;
	bool oom;
};

/* jmespath_util.c */
void *jmes_alloc(size_t n); /* jansson's allocator; NULL on OOM */
void jmes_dealloc(void *p);
void *jmes_grow(void *p, size_t oldsz, size_t newsz); /* frees p */
void jmes_seterr(struct jmes_err *err, enum jmes_error code, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));
void *jmes_oom(struct jmes_err *err); /* sets ENOMEM, returns NULL */
int jmes_charge(struct jmes_ctx *c, size_t steps);
int jmes_charge_bytes(struct jmes_ctx *c, size_t bytes);
void jmes_buf_add(struct jmes_buf *b, const void *p, size_t n);
void jmes_buf_str(struct jmes_buf *b, const char *s);
size_t jmes_utf8_seqlen(unsigned char lead);
bool jmes_utf8_valid(const char *s, size_t n);
size_t jmes_utf8_count(const char *s, size_t n);
unsigned long jmes_utf8_decode(const char *s, size_t *i);
bool jmes_py_isspace(unsigned long cp);

/* jmespath_lex.c: tokens end with T_EOF; *out is the caller's to
 * jmes_dealloc(); token values are appended to (owned by) pool. */
int jmes_lex(const char *s, size_t len, json_t *pool, struct jmes_token **out,
    size_t *ntok, struct jmes_err *err);
const char *jmes_tok_name(enum jmes_tok t);
void jmes_syntax_err(struct jmes_err *err, enum jmes_syntax kind, const char *s,
    size_t len, const struct jmes_token *tok, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* jmespath_value.c */
bool jmes_truthy(const json_t *v);
bool jmes_is_number(const json_t *v);
const char *jmes_type_name(const json_t *v);
int jmes_num_cmp(const json_t *a, const json_t *b);
int jmes_order_cmp(const json_t *a, const json_t *b);
size_t jmes_cmp_cost(const json_t *a, const json_t *b);
int jmes_py_eq(struct jmes_ctx *c, const json_t *a, const json_t *b, bool *eq);
int jmes_py_dump(struct jmes_ctx *c, const json_t *v, struct jmes_buf *b);
json_t *jmes_number(struct jmes_ctx *c, double d, bool integral);

/* jmespath_eval.c: a new reference, or NULL with c->err set */
json_t *jmes_eval_node(
    struct jmes_ctx *c, const struct jmes_node *n, json_t *v);
/* jmes_eval_node() and a bound on the size of the result */
json_t *jmes_eval_root(
    struct jmes_ctx *c, const struct jmes_node *n, json_t *v);

/* jmespath_func.c */
const struct jmes_func *jmes_func_lookup(const char *name, size_t len);
json_t *jmes_call(struct jmes_ctx *c, const struct jmes_node *n,
    const struct jmes_arg *args, size_t nargs);

#endif
