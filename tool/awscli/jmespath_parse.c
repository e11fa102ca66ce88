/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * JMESPath parser: the Pratt parser of jmespath/parser.py, binding powers,
 * node shapes and quirks included (f(a b) is f(a, b); a[0][1:2] does not
 * project), so that --query means what it means to the AWS CLI.
 */
#include <string.h>

#include "tool/awscli/jmespath_int.h"

#define PROJECTION_STOP 10

/* Nodes live in an arena freed at once: no per-node cleanup on errors. */
struct chunk {
	struct chunk *next;
	size_t used;
	size_t size;
	max_align_t data[];
};

struct jmes_expr {
	struct chunk *arena;
	json_t *pool; /* owns every name and literal of the tree */
	struct jmes_node *root;
};

struct parser {
	const char *s;
	size_t len;
	struct jmes_token *tok;
	size_t i;
	struct jmes_expr *x;
	struct jmes_err *err;
	unsigned depth;
};

static const unsigned char bp[T_NTOK] = {
	[T_PIPE] = 1,
	[T_OR] = 2,
	[T_AND] = 3,
	[T_EQ] = 5,
	[T_GT] = 5,
	[T_LT] = 5,
	[T_GTE] = 5,
	[T_LTE] = 5,
	[T_NE] = 5,
	[T_FLATTEN] = 9,
	[T_STAR] = 20,
	[T_FILTER] = 21,
	[T_DOT] = 40,
	[T_NOT] = 45,
	[T_LBRACE] = 50,
	[T_LBRACKET] = 55,
	[T_LPAREN] = 60,
};

static struct jmes_node *expression(struct parser *, unsigned);
static struct jmes_node *multi_list(struct parser *);
static struct jmes_node *multi_hash(struct parser *);

/* Returns n zeroed bytes owned by the arena of x, or NULL. */
static void *
arena_alloc(struct parser *p, size_t n)
{
	struct chunk *c = p->x->arena;
	size_t size;
	void *r;

	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) *
	    sizeof(max_align_t);
	if (c == NULL || c->size - c->used < n) {
		size = n > 16384 ? n : 16384;
		if ((c = jmes_alloc(sizeof(*c) + size)) == NULL)
			return jmes_oom(p->err);
		c->next = p->x->arena;
		c->used = 0;
		c->size = size;
		p->x->arena = c;
	}
	r = (char *)c->data + c->used;
	c->used += n;
	memset(r, 0, n);
	return r;
}

static enum jmes_tok
cur(const struct parser *p)
{
	return p->tok[p->i].type;
}

static void *
error_at(struct parser *p, const struct jmes_token *t, const char *msg)
{
	enum jmes_syntax kind = JMES_SYN_PARSE;

	if (p->err->code != JMES_OK)
		return NULL; /* the first error stands */
	if (msg == NULL) {
		kind = JMES_SYN_INCOMPLETE;
		msg = "Incomplete expression";
	}
	jmes_syntax_err(p->err, kind, p->s, p->len, t, t->start, "%s", msg);
	return NULL;
}

static void *
limit_error(struct parser *p)
{
	const struct jmes_token *t = &p->tok[p->i];

	jmes_syntax_err(p->err, JMES_SYN_LIMIT, p->s, p->len, t, t->start,
	    "Expression nested deeper than %d", JMES_MAX_DEPTH);
	return NULL;
}

static struct jmes_node *
node_new(struct parser *p, enum jmes_node_type type)
{
	struct jmes_node *n;

	if ((n = arena_alloc(p, sizeof(*n))) != NULL) {
		n->type = type;
		n->height = 1;
	}
	return n;
}

/* Appends k to n's kids; a NULL k is an error already reported. */
static int
add_kid(struct parser *p, struct jmes_node *n, struct jmes_node *k)
{
	struct jmes_node **v;
	size_t cap;

	if (n == NULL || k == NULL)
		return -1;
	if (n->nkid == n->capkid) {
		cap = n->capkid ? n->capkid * 2 : 2;
		if ((v = arena_alloc(p, cap * sizeof(*v))) == NULL)
			return -1;
		if (n->nkid > 0)
			memcpy(v, n->kid, n->nkid * sizeof(*v));
		n->kid = v;
		n->capkid = cap;
	}
	n->kid[n->nkid++] = k;
	if (k->height + 1 > n->height)
		n->height = k->height + 1;
	if (n->height > JMES_MAX_DEPTH) {
		limit_error(p);
		return -1;
	}
	return 0;
}

static struct jmes_node *
node2(struct parser *p, enum jmes_node_type type, struct jmes_node *a,
    struct jmes_node *b)
{
	struct jmes_node *n;

	if (a == NULL || b == NULL || (n = node_new(p, type)) == NULL ||
	    add_kid(p, n, a) != 0 || add_kid(p, n, b) != 0)
		return NULL;
	return n;
}

static struct jmes_node *
node1(struct parser *p, enum jmes_node_type type, struct jmes_node *a)
{
	struct jmes_node *n;

	if (a == NULL || (n = node_new(p, type)) == NULL ||
	    add_kid(p, n, a) != 0)
		return NULL;
	return n;
}

/* Python's _match(): consume a token of type t or fail. */
static int
match(struct parser *p, enum jmes_tok t)
{
	char msg[80];

	if (cur(p) == t) {
		p->i++;
		return 0;
	}
	if (cur(p) == T_EOF)
		return error_at(p, &p->tok[p->i], NULL), -1;
	snprintf(msg, sizeof(msg), "Expecting: %s, got: %s", jmes_tok_name(t),
	    jmes_tok_name(cur(p)));
	error_at(p, &p->tok[p->i], msg);
	return -1;
}

/* After a '.': an identifier, '*', a multi-select list or hash. */
static struct jmes_node *
dot_rhs(struct parser *p, unsigned power)
{
	char msg[160];

	switch (cur(p)) {
	case T_QUOTED:
	case T_UNQUOTED:
	case T_STAR:
		return expression(p, power);
	case T_LBRACKET:
		p->i++;
		return multi_list(p);
	case T_LBRACE:
		p->i++;
		return multi_hash(p);
	default:
		snprintf(msg, sizeof(msg),
		    "Expecting: ['quoted_identifier', "
		    "'unquoted_identifier', 'lbracket', 'lbrace'], got: %s",
		    jmes_tok_name(cur(p)));
		return error_at(p, &p->tok[p->i], msg);
	}
}

/* What a projection applies to each element; tokens binding looser than
 * PROJECTION_STOP end it. */
static struct jmes_node *
projection_rhs(struct parser *p, unsigned power)
{
	if (bp[cur(p)] < PROJECTION_STOP)
		return node_new(p, N_CURRENT);
	switch (cur(p)) {
	case T_LBRACKET:
	case T_FILTER:
		return expression(p, power);
	case T_DOT:
		p->i++;
		return dot_rhs(p, power);
	default:
		return error_at(p, &p->tok[p->i], "syntax error");
	}
}

/* [start:stop:step], the '[' consumed. */
static struct jmes_node *
slice(struct parser *p)
{
	struct jmes_node *n;
	int part = 0;

	if ((n = node_new(p, N_SLICE)) == NULL)
		return NULL;
	while (cur(p) != T_RBRACKET) {
		if (cur(p) == T_COLON) {
			if (++part == 3)
				return error_at(
				    p, &p->tok[p->i], "syntax error");
		} else if (cur(p) == T_NUMBER) {
			n->num[part] = p->tok[p->i].num;
			n->has[part] = true;
		} else
			return error_at(p, &p->tok[p->i], "syntax error");
		p->i++;
	}
	return match(p, T_RBRACKET) == 0 ? n : NULL;
}

/* [number] or a slice, the '[' consumed and a number or ':' next. */
static struct jmes_node *
index_or_slice(struct parser *p)
{
	struct jmes_node *n;

	if (cur(p) == T_COLON || p->tok[p->i + 1].type == T_COLON)
		return slice(p);
	if ((n = node_new(p, N_INDEX)) == NULL)
		return NULL;
	n->num[0] = p->tok[p->i++].num;
	return match(p, T_RBRACKET) == 0 ? n : NULL;
}

/* left[right]; a slice projects what follows. */
static struct jmes_node *
project_if_slice(
    struct parser *p, struct jmes_node *left, struct jmes_node *right)
{
	struct jmes_node *ie;

	ie = node2(p, N_INDEX_EXPR, left, right);
	if (ie == NULL || right->type != N_SLICE)
		return ie;
	return node2(p, N_PROJECTION, ie, projection_rhs(p, bp[T_STAR]));
}

static struct jmes_node *
multi_list(struct parser *p)
{
	struct jmes_node *n;

	if ((n = node_new(p, N_MULTI_LIST)) == NULL)
		return NULL;
	for (;;) {
		if (add_kid(p, n, expression(p, 0)) != 0)
			return NULL;
		if (cur(p) == T_RBRACKET)
			break;
		if (match(p, T_COMMA) != 0)
			return NULL;
	}
	return match(p, T_RBRACKET) == 0 ? n : NULL;
}

/* {key: expr, ...}, the '{' consumed; like Python, a missing comma
 * between pairs goes unnoticed. */
static struct jmes_node *
multi_hash(struct parser *p)
{
	struct jmes_node *n, *kv;
	char msg[96];

	if ((n = node_new(p, N_MULTI_HASH)) == NULL)
		return NULL;
	for (;;) {
		if (cur(p) != T_QUOTED && cur(p) != T_UNQUOTED) {
			if (cur(p) == T_EOF)
				return error_at(p, &p->tok[p->i], NULL);
			snprintf(msg, sizeof(msg),
			    "Expecting: "
			    "['quoted_identifier', 'unquoted_identifier'], "
			    "got: %s",
			    jmes_tok_name(cur(p)));
			return error_at(p, &p->tok[p->i], msg);
		}
		if ((kv = node_new(p, N_KEYVAL)) == NULL)
			return NULL;
		kv->value = p->tok[p->i++].value;
		if (match(p, T_COLON) != 0 ||
		    add_kid(p, kv, expression(p, 0)) != 0 ||
		    add_kid(p, n, kv) != 0)
			return NULL;
		if (cur(p) == T_COMMA)
			p->i++;
		else if (cur(p) == T_RBRACE) {
			p->i++;
			return n;
		}
	}
}

static struct jmes_node *
filter(struct parser *p, struct jmes_node *left)
{
	struct jmes_node *cond, *right, *n;

	if ((cond = expression(p, 0)) == NULL || match(p, T_RBRACKET) != 0)
		return NULL;
	if (cur(p) == T_FLATTEN)
		right = node_new(p, N_CURRENT);
	else
		right = projection_rhs(p, bp[T_FILTER]);
	if ((n = node2(p, N_FILTER_PROJECTION, left, right)) == NULL ||
	    add_kid(p, n, cond) != 0)
		return NULL;
	return n;
}

static struct jmes_node *
nud_lbracket(struct parser *p)
{
	if (cur(p) == T_NUMBER || cur(p) == T_COLON)
		return project_if_slice(
		    p, node_new(p, N_CURRENT), index_or_slice(p));
	if (cur(p) == T_STAR && p->tok[p->i + 1].type == T_RBRACKET) {
		p->i += 2;
		return node2(p, N_PROJECTION, node_new(p, N_CURRENT),
		    projection_rhs(p, bp[T_STAR]));
	}
	return multi_list(p);
}

static struct jmes_node *
nud(struct parser *p, const struct jmes_token *t)
{
	struct jmes_node *n;

	switch (t->type) {
	case T_LITERAL:
	case T_UNQUOTED:
	case T_QUOTED:
		if (t->type == T_QUOTED && cur(p) == T_LPAREN) {
			error_at(p, &p->tok[p->i],
			    "Quoted identifier not "
			    "allowed for function names.");
			p->err->pos = 0; /* as Python reports it */
			return NULL;
		}
		if ((n = node_new(p,
			 t->type == T_LITERAL ? N_LITERAL : N_FIELD)) != NULL)
			n->value = t->value;
		return n;
	case T_STAR:
		return node2(p, N_VALUE_PROJECTION, node_new(p, N_CURRENT),
		    cur(p) == T_RBRACKET ? node_new(p, N_CURRENT)
					 : projection_rhs(p, bp[T_STAR]));
	case T_FILTER:
		return filter(p, node_new(p, N_CURRENT));
	case T_LBRACE:
		return multi_hash(p);
	case T_LPAREN:
		n = expression(p, 0);
		return n != NULL && match(p, T_RPAREN) == 0 ? n : NULL;
	case T_FLATTEN:
		return node2(p, N_PROJECTION,
		    node1(p, N_FLATTEN, node_new(p, N_CURRENT)),
		    projection_rhs(p, bp[T_FLATTEN]));
	case T_NOT:
		return node1(p, N_NOT, expression(p, bp[T_NOT]));
	case T_LBRACKET:
		return nud_lbracket(p);
	case T_CURRENT:
		return node_new(p, N_CURRENT);
	case T_EXPREF:
		return node1(p, N_EXPREF, expression(p, bp[T_EXPREF]));
	case T_EOF:
		return error_at(p, t, NULL);
	default:
		return error_at(p, t, "invalid token");
	}
}

/* name(args...), the '(' consumed. */
static struct jmes_node *
function(struct parser *p, struct jmes_node *left)
{
	const struct jmes_token *prev = &p->tok[p->i - 2];
	struct jmes_node *n, *arg;
	char msg[128];

	if (left->type != N_FIELD) {
		snprintf(msg, sizeof(msg), "Invalid function name '%.*s'",
		    (int)(prev->len < 64 ? prev->len : 64), p->s + prev->start);
		return error_at(p, prev, msg);
	}
	if ((n = node_new(p, N_FUNCTION)) == NULL)
		return NULL;
	n->value = left->value;
	n->func = jmes_func_lookup(
	    json_string_value(n->value), json_string_length(n->value));
	while (cur(p) != T_RPAREN) {
		if ((arg = expression(p, 0)) == NULL)
			return NULL;
		if (cur(p) == T_COMMA)
			p->i++;
		if (add_kid(p, n, arg) != 0)
			return NULL;
	}
	p->i++;
	return n;
}

static struct jmes_node *
led(struct parser *p, struct jmes_node *left)
{
	const struct jmes_token *t = &p->tok[p->i];
	static const enum jmes_cmp cmps[T_NTOK] = {
		[T_EQ] = C_EQ,
		[T_NE] = C_NE,
		[T_LT] = C_LT,
		[T_LTE] = C_LTE,
		[T_GT] = C_GT,
		[T_GTE] = C_GTE,
	};
	struct jmes_node *n, *right;

	switch (t->type) {
	case T_DOT:
		p->i++;
		if (cur(p) == T_STAR) {
			p->i++;
			return node2(p, N_VALUE_PROJECTION, left,
			    projection_rhs(p, bp[T_DOT]));
		}
		right = dot_rhs(p, bp[T_DOT]);
		if (left->type == N_SUBEXPR)
			return add_kid(p, left, right) == 0 ? left : NULL;
		return node2(p, N_SUBEXPR, left, right);
	case T_PIPE:
	case T_OR:
	case T_AND:
		p->i++;
		return node2(p,
		    t->type == T_PIPE     ? N_PIPE
			: t->type == T_OR ? N_OR
					  : N_AND,
		    left, expression(p, bp[t->type]));
	case T_LPAREN:
		p->i++;
		return function(p, left);
	case T_FILTER:
		p->i++;
		return filter(p, left);
	case T_EQ:
	case T_NE:
	case T_LT:
	case T_LTE:
	case T_GT:
	case T_GTE:
		p->i++;
		if ((n = node2(p, N_COMPARATOR, left,
			 expression(p, bp[t->type]))) != NULL)
			n->cmp = cmps[t->type];
		return n;
	case T_FLATTEN:
		p->i++;
		return node2(p, N_PROJECTION, node1(p, N_FLATTEN, left),
		    projection_rhs(p, bp[T_FLATTEN]));
	case T_LBRACKET:
		p->i++;
		if (cur(p) == T_NUMBER || cur(p) == T_COLON) {
			right = index_or_slice(p);
			if (right != NULL && left->type == N_INDEX_EXPR)
				return add_kid(p, left, right) == 0 ? left
								    : NULL;
			return right ? project_if_slice(p, left, right) : NULL;
		}
		if (match(p, T_STAR) != 0 || match(p, T_RBRACKET) != 0)
			return NULL;
		return node2(
		    p, N_PROJECTION, left, projection_rhs(p, bp[T_STAR]));
	default:
		return error_at(p, t, "invalid token");
	}
}

static struct jmes_node *
expression(struct parser *p, unsigned power)
{
	struct jmes_node *left;

	if (++p->depth > JMES_MAX_DEPTH)
		return limit_error(p);
	left = nud(p, &p->tok[p->i++]);
	while (left != NULL && power < bp[cur(p)])
		left = led(p, left);
	p->depth--;
	return left;
}

void
jmes_free(struct jmes_expr *x)
{
	struct chunk *c, *next;

	if (x == NULL)
		return;
	for (c = x->arena; c != NULL; c = next) {
		next = c->next;
		jmes_dealloc(c);
	}
	json_decref(x->pool);
	jmes_dealloc(x);
}

/* Returns an expression the caller frees with jmes_free(), or NULL. */
struct jmes_expr *
jmes_compile(const char *s, size_t len, struct jmes_err *err)
{
	struct parser p = { .s = s, .len = len, .err = err };
	char msg[80];
	size_t ntok;

	memset(err, 0, sizeof(*err));
	if (len == 0) {
		jmes_syntax_err(err, JMES_SYN_EMPTY, s, len, NULL, 0,
		    "Invalid JMESPath expression: cannot be empty.");
		return NULL;
	}
	if (len > JMES_MAX_EXPR_LEN) {
		jmes_syntax_err(err, JMES_SYN_LIMIT, s, 0, NULL, 0,
		    "Expression longer than %d bytes", JMES_MAX_EXPR_LEN);
		return NULL;
	}
	if (!jmes_utf8_valid(s, len)) {
		jmes_syntax_err(err, JMES_SYN_LEX, s, 0, NULL, 0,
		    "Expression is not valid UTF-8");
		return NULL;
	}
	if ((p.x = jmes_alloc(sizeof(*p.x))) == NULL)
		return jmes_oom(err);
	memset(p.x, 0, sizeof(*p.x));
	if ((p.x->pool = json_array()) == NULL) {
		jmes_oom(err);
		goto fail;
	}
	if (jmes_lex(s, len, p.x->pool, &p.tok, &ntok, err) != 0)
		goto fail;
	if ((p.x->root = expression(&p, 0)) != NULL && cur(&p) != T_EOF) {
		snprintf(msg, sizeof(msg), "Unexpected token: %.*s",
		    (int)(p.tok[p.i].len < 64 ? p.tok[p.i].len : 64),
		    s + p.tok[p.i].start);
		error_at(&p, &p.tok[p.i], msg);
		p.x->root = NULL;
	}
	jmes_dealloc(p.tok);
	if (p.x->root != NULL)
		return p.x;
fail:
	jmes_free(p.x);
	return NULL;
}

/* Returns a new reference, or NULL with *err set. */
json_t *
jmes_eval(const struct jmes_expr *x, json_t *doc, struct jmes_err *err)
{
	struct jmes_ctx c = { .err = err, .left = JMES_MAX_STEPS };

	memset(err, 0, sizeof(*err));
	return jmes_eval_root(&c, x->root, doc != NULL ? doc : json_null());
}
