/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * JMESPath lexer, following jmespath/lexer.py of the Python package:
 * the same tokens, the same leniency (the legacy `foo` literal) and the
 * same errors.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tool/awscli/jmespath_int.h"

struct lexer {
	const char *s;
	size_t len;
	json_t *pool;
	struct jmes_token *tok;
	size_t ntok;
	size_t cap;
	struct jmes_err *err;
};

static const char *const tok_names[T_NTOK] = {
	[T_EOF] = "eof",
	[T_UNQUOTED] = "unquoted_identifier",
	[T_QUOTED] = "quoted_identifier",
	[T_LITERAL] = "literal",
	[T_RBRACKET] = "rbracket",
	[T_RPAREN] = "rparen",
	[T_COMMA] = "comma",
	[T_RBRACE] = "rbrace",
	[T_NUMBER] = "number",
	[T_CURRENT] = "current",
	[T_EXPREF] = "expref",
	[T_COLON] = "colon",
	[T_PIPE] = "pipe",
	[T_OR] = "or",
	[T_AND] = "and",
	[T_EQ] = "eq",
	[T_GT] = "gt",
	[T_LT] = "lt",
	[T_GTE] = "gte",
	[T_LTE] = "lte",
	[T_NE] = "ne",
	[T_FLATTEN] = "flatten",
	[T_STAR] = "star",
	[T_FILTER] = "filter",
	[T_DOT] = "dot",
	[T_NOT] = "not",
	[T_LBRACE] = "lbrace",
	[T_LBRACKET] = "lbracket",
	[T_LPAREN] = "lparen",
};

const char *
jmes_tok_name(enum jmes_tok t)
{
	return tok_names[t];
}

/* Copies at most dstsz - 1 bytes of s, never splitting a UTF-8 sequence. */
static void
copy_cut(char *dst, size_t dstsz, const char *s, size_t n)
{
	size_t k = n < dstsz - 1 ? n : dstsz - 1;

	while (k > 0 && k < n && jmes_utf8_seqlen((unsigned char)s[k]) == 0)
		k--;
	memcpy(dst, s, k);
	dst[k] = '\0';
}

/*
 * A syntax error at byte pos of s; tok (may be NULL) names the offending
 * token the way Python's exceptions do.  pos is reported in characters.
 */
void
jmes_syntax_err(struct jmes_err *err, enum jmes_syntax kind, const char *s,
    size_t len, const struct jmes_token *tok, size_t pos, const char *fmt, ...)
{
	va_list ap;

	err->code = JMES_ESYNTAX;
	err->syntax = kind;
	err->pos = jmes_utf8_count(s, pos < len ? pos : len);
	err->token[0] = err->token_type[0] = '\0';
	if (tok != NULL) {
		copy_cut(
		    err->token, sizeof(err->token), s + tok->start, tok->len);
		snprintf(err->token_type, sizeof(err->token_type), "%s",
		    tok_names[tok->type]);
	}
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

/* what: a message with one %s, the text of s[start..start+len). */
static int
lex_error(struct lexer *lx, size_t start, size_t len, const char *what)
{
	struct jmes_token t = { .type = T_EOF, .start = start, .len = len };
	char text[64];

	copy_cut(text, sizeof(text), lx->s + start, len);
	jmes_syntax_err(
	    lx->err, JMES_SYN_LEX, lx->s, lx->len, &t, start, what, text);
	lx->err->token_type[0] = '\0'; /* Python names none either */
	return -1;
}

static struct jmes_token *
emit(struct lexer *lx, enum jmes_tok type, size_t start, size_t len)
{
	struct jmes_token *t;
	size_t cap;

	if (lx->ntok == lx->cap) {
		cap = lx->cap ? lx->cap * 2 : 16;
		t = jmes_grow(lx->tok, lx->ntok * sizeof(*t), cap * sizeof(*t));
		if (t == NULL)
			return jmes_oom(lx->err);
		lx->tok = t;
		lx->cap = cap;
	}
	t = &lx->tok[lx->ntok++];
	memset(t, 0, sizeof(*t));
	t->type = type;
	t->start = start;
	t->len = len;
	return t;
}

/* Hands v (a new reference, may be NULL) to the pool, which then owns it. */
static json_t *
pool_add(struct lexer *lx, json_t *v)
{
	if (v == NULL || json_array_append_new(lx->pool, v) != 0)
		return jmes_oom(lx->err);
	return v;
}

/*
 * Python's _consume_until(): the text up to the unescaped delimiter, a
 * backslash kept together with the character it escapes.  Returns the end
 * (just past the closing delimiter) or 0 if the delimiter is unclosed.
 */
static size_t
scan_until(const struct lexer *lx, size_t start, char delim)
{
	size_t i = start + 1;

	while (i < lx->len && lx->s[i] != delim) {
		if (lx->s[i] == '\\')
			i++;
		if (i >= lx->len)
			return 0;
		i++;
	}
	return i < lx->len ? i + 1 : 0;
}

/*
 * The body of s[start..end) with every backslash-delim pair turned into
 * delim, as Python's str.replace() does; into b.
 */
static void
unescape_delim(struct jmes_buf *b, const char *s, size_t n, char delim)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n && s[i + 1] == delim)
			i++;
		jmes_buf_add(b, &s[i], 1);
	}
}

/* jansson fails some allocations without saying so: no text, no code. */
static bool
loads_oom(const json_error_t *je)
{
	return je->text[0] == '\0' ||
	    json_error_code(je) == json_error_out_of_memory;
}

/* json.loads(): any value; an integer too big for jansson degrades to a
 * real rather than failing, Python having big integers.  New reference. */
static json_t *
loads(const char *s, size_t n, json_error_t *je)
{
	json_t *v;
	size_t flags = JSON_DECODE_ANY | JSON_ALLOW_NUL;

	memset(je, 0, sizeof(*je));
	v = json_loadb(s, n, flags, je);
	if (v == NULL && json_error_code(je) == json_error_numeric_overflow) {
		memset(je, 0, sizeof(*je));
		v = json_loadb(s, n, flags | JSON_DECODE_INT_AS_REAL, je);
	}
	return v;
}

/* The legacy form `foo` of JEP-12: json.loads('"' + lexeme.lstrip() + '"'). */
static json_t *
loads_legacy(struct lexer *lx, const char *s, size_t n, json_error_t *je)
{
	struct jmes_buf b = { 0 };
	json_t *v = NULL;
	size_t i = 0, k;

	while (i < n) {
		k = i;
		if (!jmes_py_isspace(jmes_utf8_decode(s, &k)))
			break;
		i = k;
	}
	jmes_buf_add(&b, "\"", 1);
	jmes_buf_add(&b, s + i, n - i);
	jmes_buf_add(&b, "\"", 1);
	if (b.oom)
		jmes_oom(lx->err);
	else
		v = loads(b.p, b.len, je);
	jmes_dealloc(b.p);
	return v;
}

/* `json`, '\'raw\'' and "quoted" tokens. */
static int
lex_delimited(struct lexer *lx, size_t start, size_t *next)
{
	char delim = lx->s[start];
	enum jmes_tok type = delim == '"' ? T_QUOTED : T_LITERAL;
	struct jmes_token *t;
	struct jmes_buf b = { 0 };
	json_error_t je;
	json_t *v = NULL;
	size_t end;

	if ((end = scan_until(lx, start, delim)) == 0)
		return lex_error(lx, start, lx->len - start,
		    delim == '`'       ? "Unclosed ` delimiter"
			: delim == '"' ? "Unclosed \" delimiter"
				       : "Unclosed ' delimiter");
	if (delim == '"')
		jmes_buf_add(&b, lx->s + start, end - start);
	else
		unescape_delim(&b, lx->s + start + 1, end - start - 2, delim);
	jmes_buf_add(&b, "", 1); /* never empty, NUL-terminated */
	if (b.oom) {
		jmes_dealloc(b.p);
		jmes_oom(lx->err);
		return -1;
	}
	b.len--;
	if (delim == '\'') {
		v = json_stringn(b.p, b.len);
		if (v == NULL)
			jmes_oom(lx->err);
	} else if ((v = loads(b.p, b.len, &je)) == NULL && delim == '`' &&
	    !loads_oom(&je))
		v = loads_legacy(lx, b.p, b.len, &je);
	if (v == NULL && lx->err->code == JMES_OK) {
		if (loads_oom(&je))
			jmes_oom(lx->err);
		else if (delim == '"')
			jmes_syntax_err(lx->err, JMES_SYN_LEX, lx->s, lx->len,
			    NULL, start, "%s", je.text);
		else
			lex_error(lx, start, end - start, "Bad token %s");
	}
	jmes_dealloc(b.p);
	if (v == NULL || pool_add(lx, v) == NULL ||
	    (t = emit(lx, type, start, end - start)) == NULL)
		return -1;
	t->value = v;
	*next = end;
	return 0;
}

static int
lex_number(struct lexer *lx, size_t start, size_t *next)
{
	struct jmes_token *t;
	size_t i = start;
	bool neg = lx->s[i] == '-';
	long long n = 0;
	int d;

	if (neg)
		i++;
	if (i >= lx->len || lx->s[i] < '0' || lx->s[i] > '9')
		return lex_error(lx, start, 1, "Unknown token '%s'");
	for (; i < lx->len && lx->s[i] >= '0' && lx->s[i] <= '9'; i++) {
		d = lx->s[i] - '0';
		n = n > (LLONG_MAX - d) / 10 ? LLONG_MAX : n * 10 + d;
	}
	if ((t = emit(lx, T_NUMBER, start, i - start)) == NULL)
		return -1;
	t->num = neg ? -n : n;
	*next = i;
	return 0;
}

static int
lex_identifier(struct lexer *lx, size_t start, size_t *next)
{
	struct jmes_token *t;
	size_t i = start + 1;
	char c;

	while (i < lx->len &&
	    ((c = lx->s[i]) == '_' || (c >= 'a' && c <= 'z') ||
		(c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
		i++;
	if ((t = emit(lx, T_UNQUOTED, start, i - start)) == NULL ||
	    (t->value = pool_add(lx, json_stringn(lx->s + start, i - start))) ==
		NULL)
		return -1;
	*next = i;
	return 0;
}

/* A one- or two-character operator: c2 after the first makes it two. */
static int
lex_pair(struct lexer *lx, size_t i, char c2, enum jmes_tok two,
    enum jmes_tok one, size_t *next)
{
	if (i + 1 < lx->len && lx->s[i + 1] == c2) {
		*next = i + 2;
		return emit(lx, two, i, 2) ? 0 : -1;
	}
	*next = i + 1;
	return emit(lx, one, i, 1) ? 0 : -1;
}

static int
lex_one(struct lexer *lx, size_t i, size_t *next)
{
	static const enum jmes_tok simple[128] = {
		['.'] = T_DOT,
		['*'] = T_STAR,
		[']'] = T_RBRACKET,
		[','] = T_COMMA,
		[':'] = T_COLON,
		['@'] = T_CURRENT,
		['('] = T_LPAREN,
		[')'] = T_RPAREN,
		['{'] = T_LBRACE,
		['}'] = T_RBRACE,
	};
	unsigned char c = (unsigned char)lx->s[i];

	if (c < 128 && simple[c] != T_EOF) {
		*next = i + 1;
		return emit(lx, simple[c], i, 1) ? 0 : -1;
	}
	if (c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return lex_identifier(lx, i, next);
	if ((c >= '0' && c <= '9') || c == '-')
		return lex_number(lx, i, next);
	switch (c) {
	case '[':
		if (i + 1 < lx->len && lx->s[i + 1] == ']')
			return lex_pair(
			    lx, i, ']', T_FLATTEN, T_LBRACKET, next);
		return lex_pair(lx, i, '?', T_FILTER, T_LBRACKET, next);
	case '\'':
	case '`':
	case '"':
		return lex_delimited(lx, i, next);
	case '|':
		return lex_pair(lx, i, '|', T_OR, T_PIPE, next);
	case '&':
		return lex_pair(lx, i, '&', T_AND, T_EXPREF, next);
	case '<':
		return lex_pair(lx, i, '=', T_LTE, T_LT, next);
	case '>':
		return lex_pair(lx, i, '=', T_GTE, T_GT, next);
	case '!':
		return lex_pair(lx, i, '=', T_NE, T_NOT, next);
	case '=':
		if (i + 1 < lx->len && lx->s[i + 1] == '=')
			return lex_pair(lx, i, '=', T_EQ, T_EQ, next);
		return lex_error(lx, i, 1, "Unknown token '%s'");
	default:
		return lex_error(lx, i, c < 0x80 ? 1 : jmes_utf8_seqlen(c),
		    "Unknown token %s");
	}
}

int
jmes_lex(const char *s, size_t len, json_t *pool, struct jmes_token **out,
    size_t *ntok, struct jmes_err *err)
{
	struct lexer lx = { .s = s, .len = len, .pool = pool, .err = err };
	size_t i = 0;

	while (i < len) {
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
			i++;
		else if (lex_one(&lx, i, &i) != 0)
			break;
	}
	if (i < len || emit(&lx, T_EOF, len, 0) == NULL) {
		jmes_dealloc(lx.tok);
		return -1;
	}
	*out = lx.tok;
	*ntok = lx.ntok;
	return 0;
}
