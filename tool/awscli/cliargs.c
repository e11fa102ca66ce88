/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdlib.h>
#include <string.h>

#include "tool/awscli/cliargs.h"
#include "tool/awscli/clivalue.h"
#include "ses/strbuf.h"

/* How one word was classified. */
struct word {
	char pattern; /* 'O' option, 'A' argument, '-': "--" */
	int opt;      /* for 'O': the option, -1 if unknown */
	const char *option_string;
	const char *explicit_arg; /* the part after '=' (or a short option's
				     tail), NULL if none */
};

struct parse {
	const struct cliargs_opt *opts;
	size_t nopts;
	int argc;
	char *const *argv;
	struct word *words;
	struct cliargs *out;
	int *seen;
	size_t *positionals; /* still to fill, in order */
	size_t npositionals;
	int failed; /* a usage error or out of memory */
};

static int
is_positional(const struct cliargs_opt *o)
{
	return o->kind == CLIARGS_POSITIONAL ||
	    o->kind == CLIARGS_POSITIONAL_OPT;
}

static void
set_error(struct parse *p, struct strbuf *msg)
{
	if (p->failed) {
		strbuf_free(msg);
		return;
	}
	p->failed = 1;
	p->out->error = strbuf_take(msg, NULL);
}

static void
usage_error(struct parse *p, const char *fmt_prefix,
    const struct cliargs_opt *o, const char *text)
{
	struct strbuf b;

	strbuf_init(&b);
	if (o != NULL) {
		strbuf_addf(&b, "argument %s", o->name);
		if (o->alias != NULL)
			strbuf_addf(&b, "/%s", o->alias);
		strbuf_adds(&b, ": ");
	}
	if (fmt_prefix != NULL)
		strbuf_adds(&b, fmt_prefix);
	if (text != NULL)
		strbuf_adds(&b, text);
	set_error(p, &b);
}

static int
matches_name(const struct cliargs_opt *o, const char *s, size_t len)
{
	return (strlen(o->name) == len && memcmp(o->name, s, len) == 0) ||
	    (o->alias != NULL && strlen(o->alias) == len &&
		memcmp(o->alias, s, len) == 0);
}

static int
find_exact(const struct parse *p, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < p->nopts; i++)
		if (!is_positional(&p->opts[i]) &&
		    matches_name(&p->opts[i], s, len))
			return (int)i;
	return -1;
}

/* Python's ^-\d+$|^-\d*\.\d+$ */
static int
negative_number(const char *s)
{
	size_t d;

	if (s[0] != '-')
		return 0;
	s++;
	d = strspn(s, "0123456789");
	if (s[d] == '\0')
		return d > 0;
	if (s[d] != '.')
		return 0;
	s += d + 1;
	d = strspn(s, "0123456789");
	return d > 0 && s[d] == '\0';
}

struct candidate {
	int opt;
	const char *option_string;
	const char *explicit_arg;
};

/* argparse's _get_option_tuples: options the word may abbreviate. */
static size_t
option_tuples(
    const struct parse *p, const char *arg, struct candidate *cand, size_t max)
{
	const char *eq, *strings[2];
	size_t i, k, n = 0, plen;
	int dd = arg[1] == '-';

	eq = dd ? strchr(arg, '=') : NULL;
	plen = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
	for (i = 0; i < p->nopts; i++) {
		if (is_positional(&p->opts[i]))
			continue;
		strings[0] = p->opts[i].name;
		strings[1] = p->opts[i].alias;
		for (k = 0; k < 2 && strings[k] != NULL; k++) {
			if (!dd && strlen(strings[k]) == 2 &&
			    strncmp(strings[k], arg, 2) == 0) {
				if (n < max) {
					cand[n].opt = (int)i;
					cand[n].option_string = strings[k];
					cand[n].explicit_arg = arg + 2;
				}
				n++;
			} else if (strncmp(strings[k], arg, plen) == 0) {
				if (n < max) {
					cand[n].opt = (int)i;
					cand[n].option_string = strings[k];
					cand[n].explicit_arg =
					    eq != NULL ? eq + 1 : NULL;
				}
				n++;
			}
		}
	}
	return n;
}

/* argparse's _parse_optional. 0: a positional word; 1: an option; -1 error. */
static int
classify(struct parse *p, const char *arg, struct word *w)
{
	struct candidate cand[64];
	struct strbuf b;
	const char *eq;
	size_t n, i;
	int k;

	w->opt = -1;
	w->option_string = arg;
	w->explicit_arg = NULL;
	if (arg[0] != '-')
		return 0;
	if ((k = find_exact(p, arg, strlen(arg))) != -1) {
		w->opt = k;
		return 1;
	}
	if (arg[1] == '\0')
		return 0;
	if ((eq = strchr(arg, '=')) != NULL &&
	    (k = find_exact(p, arg, (size_t)(eq - arg))) != -1) {
		w->opt = k;
		w->option_string = p->opts[k].name;
		if (!matches_name(
			&p->opts[k], p->opts[k].name, (size_t)(eq - arg)))
			w->option_string = p->opts[k].alias;
		w->explicit_arg = eq + 1;
		return 1;
	}
	n = option_tuples(p, arg, cand, sizeof(cand) / sizeof(cand[0]));
	if (n > 1) {
		strbuf_init(&b);
		strbuf_addf(&b, "ambiguous option: %s could match ", arg);
		for (i = 0; i < n && i < sizeof(cand) / sizeof(cand[0]); i++)
			strbuf_addf(&b, "%s%s", i > 0 ? ", " : "",
			    cand[i].option_string);
		set_error(p, &b);
		return -1;
	}
	if (n == 1) {
		w->opt = cand[0].opt;
		w->option_string = cand[0].option_string;
		w->explicit_arg = cand[0].explicit_arg;
		return 1;
	}
	if (negative_number(arg) || strchr(arg, ' ') != NULL)
		return 0;
	return 1;
}

static int
add_extra(struct parse *p, char *s)
{
	char **e;

	e = realloc(p->out->extras, (p->out->nextras + 1) * sizeof(*e));
	if (e == NULL) {
		p->failed = 1;
		return -1;
	}
	e[p->out->nextras++] = s;
	p->out->extras = e;
	return 0;
}

static int
check_choice(struct parse *p, const struct cliargs_opt *o, const char *v)
{
	const char *const *c;
	char *msg;

	if (o->choices == NULL)
		return 0;
	for (c = o->choices; *c != NULL; c++)
		if (strcmp(*c, v) == 0)
			return 0;
	if ((msg = cliargs_choice_error(v, o->choices)) == NULL) {
		p->failed = 1;
		return -1;
	}
	usage_error(p, NULL, o, msg);
	free(msg);
	return -1;
}

/*
 * argparse's take_action with the words ARGS[0..N-1]. Returns 1 when the
 * option ends the parse, 0 to go on, -1 on error.
 */
static int
take(struct parse *p, int opt, const char **args, size_t n)
{
	const struct cliargs_opt *o = &p->opts[opt];
	struct cliargs_val *v = &p->out->vals[opt];
	const char **list;
	size_t i, k;

	p->seen[opt] = 1;
	/* a positional's words lose their first "--" */
	if (is_positional(o))
		for (i = 0; i < n; i++)
			if (strcmp(args[i], "--") == 0) {
				for (k = i; k + 1 < n; k++)
					args[k] = args[k + 1];
				n--;
				break;
			}
	switch (o->kind) {
	case CLIARGS_EXIT:
		v->count++;
		p->out->exit_opt = opt;
		return 1;
	case CLIARGS_FLAG:
		v->count++;
		return 0;
	case CLIARGS_LIST:
		for (i = 0; i < n; i++)
			if (check_choice(p, o, args[i]) == -1)
				return -1;
		list = NULL;
		if (n > 0 && (list = calloc(n, sizeof(*list))) == NULL) {
			p->failed = 1;
			return -1;
		}
		for (i = 0; i < n; i++)
			list[i] = args[i];
		free(v->list);
		v->list = list;
		v->nlist = n;
		v->count++;
		return 0;
	case CLIARGS_OPTIONAL:
	case CLIARGS_POSITIONAL_OPT:
		if (n == 0) {
			if (o->kind == CLIARGS_POSITIONAL_OPT)
				return 0;
			if (check_choice(p, o, o->konst) == -1)
				return -1;
			v->value = o->konst;
			v->count++;
			return 0;
		}
		/* FALLTHROUGH */
	default:
		if (check_choice(p, o, args[0]) == -1)
			return -1;
		v->value = args[0];
		v->count++;
		return 0;
	}
}

/*
 * The words the positionals still waiting take from PAT (a pattern such
 * as "AA-A"): like matching the regular expression of their nargs, e.g.
 * "(-*A-*)(-*A?-*)", greedily and with backtracking. COUNTS receives one
 * count per positional; returns 0 when the first K positionals match.
 */
static int
match_from(const struct parse *p, size_t k, size_t kmax, const char *pat,
    size_t *counts)
{
	size_t lead, tail, lmax, tmax, used;
	int a;

	if (k == kmax)
		return 0;
	lmax = strspn(pat, "-");
	for (lead = lmax + 1; lead-- > 0;) {
		for (a = 1; a >= 0; a--) {
			if (a == 1 && pat[lead] != 'A')
				continue;
			if (a == 0 &&
			    p->opts[p->positionals[k]].kind !=
				CLIARGS_POSITIONAL_OPT)
				continue;
			used = lead + (size_t)a;
			tmax = strspn(pat + used, "-");
			for (tail = tmax + 1; tail-- > 0;) {
				counts[k] = used + tail;
				if (match_from(p, k + 1, kmax,
					pat + used + tail, counts) == 0)
					return 0;
			}
		}
	}
	return -1;
}

/* argparse's consume_positionals: returns the index after what they took. */
static int
consume_positionals(struct parse *p, const char *pattern, int start)
{
	size_t counts[8], kmax, i;
	const char *args[64];
	int r;

	kmax = p->npositionals < 8 ? p->npositionals : 8;
	while (kmax > 0 && match_from(p, 0, kmax, pattern + start, counts) != 0)
		kmax--;
	for (i = 0; i < kmax; i++) {
		size_t c = counts[i], j;

		if (c > sizeof(args) / sizeof(args[0]))
			c = sizeof(args) / sizeof(args[0]);
		for (j = 0; j < c; j++)
			args[j] = p->argv[start + (int)j];
		if ((r = take(p, (int)p->positionals[i], args, c)) != 0)
			return -1;
		start += (int)counts[i];
	}
	memmove(p->positionals, p->positionals + kmax,
	    (p->npositionals - kmax) * sizeof(*p->positionals));
	p->npositionals -= kmax;
	return start;
}

/* argparse's consume_optional. Returns the next index, -1 on error, or
   -2 when an option ended the parse. */
static int
consume_optional(struct parse *p, const char *pattern, int start)
{
	struct word *w = &p->words[start];
	const struct cliargs_opt *o;
	const char *explicit_arg = w->explicit_arg;
	const char *option_string = w->option_string;
	const char *args[256];
	char shortopt[3];
	int opt = w->opt, stop, taken[8], ntaken = 0, k, r;
	size_t n, i;
	struct strbuf b;

	if (opt == -1) {
		if (add_extra(p, p->argv[start]) == -1)
			return -1;
		return start + 1;
	}
	for (;;) {
		o = &p->opts[opt];
		if (explicit_arg != NULL) {
			if (o->kind == CLIARGS_FLAG ||
			    o->kind == CLIARGS_EXIT) {
				if (option_string[1] != '-' &&
				    explicit_arg[0] != '\0' && ntaken < 8) {
					taken[ntaken++] = opt;
					shortopt[0] = '-';
					shortopt[1] = explicit_arg[0];
					shortopt[2] = '\0';
					if ((k = find_exact(p, shortopt, 2)) !=
					    -1) {
						opt = k;
						option_string = p->opts[k].name;
						explicit_arg =
						    explicit_arg[1] != '\0'
						    ? explicit_arg + 1
						    : NULL;
						continue;
					}
				}
				strbuf_init(&b);
				strbuf_adds(&b, "ignored explicit argument ");
				clivalue_repr_str(
				    explicit_arg, strlen(explicit_arg), &b);
				usage_error(p, b.data, o, NULL);
				strbuf_free(&b);
				return -1;
			}
			args[0] = explicit_arg;
			n = 1;
			stop = start + 1;
			break;
		}
		n = 0;
		switch (o->kind) {
		case CLIARGS_STORE:
			if (pattern[start + 1] != 'A') {
				usage_error(
				    p, "expected one argument", o, NULL);
				return -1;
			}
			n = 1;
			break;
		case CLIARGS_OPTIONAL:
			n = pattern[start + 1] == 'A';
			break;
		case CLIARGS_LIST:
			n = strspn(pattern + start + 1, "A");
			break;
		default:
			break;
		}
		if (n > sizeof(args) / sizeof(args[0])) {
			p->failed = 1;
			return -1;
		}
		for (i = 0; i < n; i++)
			args[i] = p->argv[start + 1 + (int)i];
		stop = start + 1 + (int)n;
		break;
	}
	for (k = 0; k < ntaken; k++)
		if ((r = take(p, taken[k], NULL, 0)) != 0)
			return r == 1 ? -2 : -1;
	if ((r = take(p, opt, args, n)) != 0)
		return r == 1 ? -2 : -1;
	return stop;
}

static void
missing_required(struct parse *p)
{
	struct strbuf b;
	size_t i, n = 0;

	strbuf_init(&b);
	for (i = 0; i < p->nopts; i++) {
		if (p->seen[i] || !p->opts[i].required)
			continue;
		strbuf_adds(&b,
		    n++ == 0 ? "the following arguments are required: " : ", ");
		strbuf_adds(&b, p->opts[i].name);
		if (p->opts[i].alias != NULL)
			strbuf_addf(&b, "/%s", p->opts[i].alias);
	}
	if (n > 0)
		set_error(p, &b);
	else
		strbuf_free(&b);
}

static int
run(struct parse *p, const char *pattern)
{
	int start = 0, next, maxopt = -1, i, end;

	for (i = 0; i < p->argc; i++)
		if (pattern[i] == 'O')
			maxopt = i;
	while (start <= maxopt) {
		for (next = start; pattern[next] != 'O'; next++)
			;
		if (start != next) {
			if ((end = consume_positionals(p, pattern, start)) < 0)
				return -1;
			if (end > start) {
				start = end;
				continue;
			}
		}
		if (pattern[start] != 'O') {
			for (i = start; i < next; i++)
				if (add_extra(p, p->argv[i]) == -1)
					return -1;
			start = next;
		}
		if ((start = consume_optional(p, pattern, start)) < 0)
			return start == -2 ? 1 : -1;
	}
	if ((start = consume_positionals(p, pattern, start)) < 0)
		return -1;
	for (i = start; i < p->argc; i++)
		if (add_extra(p, p->argv[i]) == -1)
			return -1;
	return 0;
}

enum cliargs_status
cliargs_parse(const struct cliargs_opt *opts, size_t nopts, int argc,
    char *const argv[], struct cliargs *out)
{
	struct parse p;
	char *pattern = NULL;
	int i, after_dd = 0, r;
	size_t k;

	memset(out, 0, sizeof(*out));
	out->exit_opt = -1;
	memset(&p, 0, sizeof(p));
	p.opts = opts;
	p.nopts = nopts;
	p.argc = argc;
	p.argv = argv;
	p.out = out;
	out->nvals = nopts;
	if ((out->vals = calloc(nopts ? nopts : 1, sizeof(*out->vals))) ==
		NULL ||
	    (p.seen = calloc(nopts ? nopts : 1, sizeof(int))) == NULL ||
	    (p.positionals = calloc(nopts ? nopts : 1, sizeof(size_t))) ==
		NULL ||
	    (p.words = calloc((size_t)argc + 1, sizeof(*p.words))) == NULL ||
	    (pattern = calloc((size_t)argc + 2, 1)) == NULL)
		goto nomem;
	for (k = 0; k < nopts; k++)
		if (is_positional(&opts[k]))
			p.positionals[p.npositionals++] = k;
	for (i = 0; i < argc; i++) {
		if (after_dd) {
			pattern[i] = 'A';
			continue;
		}
		if (strcmp(argv[i], "--") == 0) {
			pattern[i] = '-';
			after_dd = 1;
			continue;
		}
		r = classify(&p, argv[i], &p.words[i]);
		if (r == -1)
			goto done;
		pattern[i] = r == 1 ? 'O' : 'A';
	}
	r = run(&p, pattern);
	if (r == 0 && !p.failed)
		missing_required(&p);
done:
	free(pattern);
	free(p.words);
	free(p.seen);
	free(p.positionals);
	if (p.failed)
		return out->error != NULL ? CLIARGS_EUSAGE : CLIARGS_ENOMEM;
	return CLIARGS_OK;
nomem:
	free(pattern);
	free(p.words);
	free(p.seen);
	free(p.positionals);
	return CLIARGS_ENOMEM;
}

void
cliargs_free(struct cliargs *a)
{
	size_t i;

	for (i = 0; a->vals != NULL && i < a->nvals; i++)
		free(a->vals[i].list);
	free(a->vals);
	free(a->extras);
	free(a->error);
	memset(a, 0, sizeof(*a));
	a->exit_opt = -1;
}

/* difflib's find_longest_match without junk: the longest common block of
   A[alo..ahi) and B[blo..bhi), the first one found. */
static size_t
longest_match(const char *a, size_t alo, size_t ahi, const char *b, size_t blo,
    size_t bhi, size_t *besti, size_t *bestj)
{
	size_t len[256], prev[256], i, j, k, best = 0;

	*besti = alo;
	*bestj = blo;
	memset(prev, 0, sizeof(prev));
	for (i = alo; i < ahi; i++) {
		memset(len, 0, sizeof(len));
		for (j = blo; j < bhi; j++) {
			if (a[i] != b[j])
				continue;
			k = (j > blo ? prev[j - 1] : 0) + 1;
			len[j] = k;
			if (k > best) {
				*besti = i + 1 - k;
				*bestj = j + 1 - k;
				best = k;
			}
		}
		memcpy(prev, len, sizeof(prev));
	}
	return best;
}

/* Characters in matching blocks, as difflib's get_matching_blocks. */
static size_t
matched(const char *a, size_t alo, size_t ahi, const char *b, size_t blo,
    size_t bhi)
{
	size_t i, j, k;

	if (alo >= ahi || blo >= bhi)
		return 0;
	if ((k = longest_match(a, alo, ahi, b, blo, bhi, &i, &j)) == 0)
		return 0;
	return k + matched(a, alo, i, b, blo, j) +
	    matched(a, i + k, ahi, b, j + k, bhi);
}

size_t
cliargs_close_matches(
    const char *word, const char *const *choices, const char *out[3])
{
	double score[3], r;
	size_t n = 0, i, la, lb = strlen(word);
	const char *c;

	for (; *choices != NULL; choices++) {
		c = *choices;
		la = strlen(c);
		if (la + lb == 0 || la >= 256 || lb >= 256)
			continue;
		r = 2.0 * (double)matched(c, 0, la, word, 0, lb) /
		    (double)(la + lb);
		if (r < 0.8)
			continue;
		/* keep the best three, ties broken as heapq.nlargest does
		   on (score, word): the larger word first */
		for (i = n; i > 0 &&
		     (score[i - 1] < r ||
			 (score[i - 1] == r && strcmp(out[i - 1], c) < 0));
		     i--)
			if (i < 3) {
				score[i] = score[i - 1];
				out[i] = out[i - 1];
			}
		if (i < 3) {
			score[i] = r;
			out[i] = c;
			if (n < 3)
				n++;
		}
	}
	return n;
}

char *
cliargs_choice_error(const char *value, const char *const *choices)
{
	struct strbuf b;
	const char *close[3];
	size_t i, n, k;

	strbuf_init(&b);
	strbuf_adds(&b, "Invalid choice, valid choices are:\n");
	for (n = 0; choices[n] != NULL; n++)
		;
	for (i = 0; i < n; i += 2) {
		strbuf_addc(&b, '\n');
		strbuf_addf(&b, "%-40s", choices[i]);
		if (i + 1 < n)
			strbuf_addf(&b, " | %-40s", choices[i + 1]);
	}
	if ((k = cliargs_close_matches(value, choices, close)) > 0) {
		strbuf_adds(&b, "\n\n\nInvalid choice: ");
		clivalue_repr_str(value, strlen(value), &b);
		strbuf_adds(&b, ", maybe you meant:\n");
		for (i = 0; i < k; i++)
			strbuf_addf(&b, "\n  * %s", close[i]);
	}
	return strbuf_take(&b, NULL);
}
