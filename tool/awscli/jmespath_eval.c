/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * JMESPath evaluator: jmespath/visitor.py's TreeInterpreter over jansson.
 * Every function returns a new reference or NULL with c->err set; the
 * recursion follows the tree, whose height the parser bounds.
 */
#include <string.h>

#include "tool/awscli/jmespath_int.h"

static json_t *
fail_oom(struct jmes_ctx *c, json_t *partial)
{
	json_decref(partial);
	return jmes_oom(c->err);
}

/* Kid after kid, each applied to the previous one's result. */
static json_t *
eval_chain(struct jmes_ctx *c, const struct jmes_node *n, json_t *v)
{
	json_t *cur = json_incref(v), *next;
	size_t i;

	for (i = 0; i < n->nkid; i++) {
		next = jmes_eval_node(c, n->kid[i], cur);
		json_decref(cur);
		if ((cur = next) == NULL)
			return NULL;
	}
	return cur;
}

static json_t *
eval_field(const struct jmes_node *n, json_t *v)
{
	json_t *r;

	if (!json_is_object(v))
		return json_null();
	r = json_object_getn(
	    v, json_string_value(n->value), json_string_length(n->value));
	return r != NULL ? json_incref(r) : json_null();
}

static json_t *
eval_index(const struct jmes_node *n, json_t *v)
{
	long long i = n->num[0], size;

	if (!json_is_array(v))
		return json_null();
	size = (long long)json_array_size(v);
	if (i < 0)
		i += size;
	if (i < 0 || i >= size)
		return json_null();
	return json_incref(json_array_get(v, (size_t)i));
}

/* Python's slice.indices(): clamps like PySlice_AdjustIndices(). */
static long long
slice_bound(
    bool given, long long x, long long len, long long step, bool is_start)
{
	if (!given)
		return step < 0 ? (is_start ? len - 1 : -1)
				: (is_start ? 0 : len);
	if (x < 0) {
		x += len;
		if (x < 0)
			x = step < 0 ? -1 : 0;
	} else if (x >= len)
		x = step < 0 ? len - 1 : len;
	return x;
}

static json_t *
eval_slice(struct jmes_ctx *c, const struct jmes_node *n, json_t *v)
{
	long long len, start, stop, step, count = 0, k;
	json_t *r;

	if (!json_is_array(v))
		return json_null();
	step = n->has[2] ? n->num[2] : 1;
	if (step == 0) {
		jmes_seterr(
		    c->err, JMES_EINVALID_VALUE, "slice step cannot be zero");
		return NULL;
	}
	len = (long long)json_array_size(v);
	start = slice_bound(n->has[0], n->num[0], len, step, true);
	stop = slice_bound(n->has[1], n->num[1], len, step, false);
	if (step > 0 && start < stop)
		count = (stop - start - 1) / step + 1;
	else if (step < 0 && stop < start)
		count = (start - stop - 1) / -step + 1;
	if (jmes_charge(c, (size_t)count) != 0)
		return NULL;
	if ((r = json_array()) == NULL)
		return jmes_oom(c->err);
	for (k = 0; k < count; k++)
		if (json_array_append(
			r, json_array_get(v, (size_t)(start + k * step))) != 0)
			return fail_oom(c, r);
	return r;
}

/* Appends the right side's non-null result for element e to out. */
static int
project_one(
    struct jmes_ctx *c, const struct jmes_node *right, json_t *e, json_t *out)
{
	json_t *r;

	if ((r = jmes_eval_node(c, right, e)) == NULL)
		return -1;
	if (json_is_null(r))
		return 0;
	if (json_array_append_new(out, r) != 0) {
		jmes_oom(c->err);
		return -1;
	}
	return 0;
}

/* Projections over a list ([*], [], [?...]) and over an object's values. */
static json_t *
eval_projection(struct jmes_ctx *c, const struct jmes_node *n, json_t *v)
{
	json_t *base, *out = NULL, *e, *cond;
	const char *key;
	size_t i;
	bool keep;

	if ((base = jmes_eval_node(c, n->kid[0], v)) == NULL)
		return NULL;
	if (!(n->type == N_VALUE_PROJECTION ? json_is_object(base)
					    : json_is_array(base))) {
		json_decref(base);
		return json_null();
	}
	if ((out = json_array()) == NULL)
		goto oom;
	if (n->type == N_VALUE_PROJECTION) {
		json_object_foreach(base, key, e)
			if (project_one(c, n->kid[1], e, out) != 0)
				goto fail;
	} else
		json_array_foreach(base, i, e) {
			if (n->type == N_FILTER_PROJECTION) {
				if ((cond = jmes_eval_node(c, n->kid[2], e)) ==
				    NULL)
					goto fail;
				keep = jmes_truthy(cond);
				json_decref(cond);
				if (!keep)
					continue;
			}
			if (project_one(c, n->kid[1], e, out) != 0)
				goto fail;
		}
	json_decref(base);
	return out;
oom:
	jmes_oom(c->err);
fail:
	json_decref(out);
	json_decref(base);
	return NULL;
}

static json_t *
eval_flatten(struct jmes_ctx *c, const struct jmes_node *n, json_t *v)
{
	json_t *base, *out, *e;
	size_t i;
	int rc = 0;

	if ((base = jmes_eval_node(c, n->kid[0], v)) == NULL)
		return NULL;
	if (!json_is_array(base)) {
		json_decref(base);
		return json_null();
	}
	if ((out = json_array()) == NULL)
		rc = -1;
	json_array_foreach(base, i, e) {
		if (rc != 0)
			break;
		if (json_is_array(e)) {
			if ((rc = jmes_charge(c, json_array_size(e))) != 0)
				break;
			rc = json_array_extend(out, e);
		} else
			rc = json_array_append(out, e);
	}
	json_decref(base);
	if (rc != 0 && c->err->code == JMES_OK)
		jmes_oom(c->err);
	if (rc != 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}

static json_t *
eval_multi(struct jmes_ctx *c, const struct jmes_node *n, json_t *v)
{
	const struct jmes_node *k;
	json_t *out, *r;
	size_t i;
	int rc;

	if (json_is_null(v))
		return json_null();
	out = n->type == N_MULTI_LIST ? json_array() : json_object();
	if (out == NULL)
		return jmes_oom(c->err);
	for (i = 0; i < n->nkid; i++) {
		k = n->kid[i];
		if ((r = jmes_eval_node(c,
			 n->type == N_MULTI_LIST ? k : k->kid[0], v)) == NULL) {
			json_decref(out);
			return NULL;
		}
		if (n->type == N_MULTI_LIST)
			rc = json_array_append_new(out, r);
		else
			rc = json_object_setn_new(out,
			    json_string_value(k->value),
			    json_string_length(k->value), r);
		if (rc != 0)
			return fail_oom(c, out);
	}
	return out;
}

/* && and ||: the left operand decides whether the right one is seen. */
static json_t *
eval_logic(struct jmes_ctx *c, const struct jmes_node *n, json_t *v)
{
	json_t *l;

	if ((l = jmes_eval_node(c, n->kid[0], v)) == NULL)
		return NULL;
	if (jmes_truthy(l) == (n->type == N_AND)) {
		json_decref(l);
		return jmes_eval_node(c, n->kid[1], v);
	}
	return l;
}

/*
 * == and != are Python's, but a number is never equal to a boolean at the
 * top (visitor._is_special_number_case); ordering is for two numbers or,
 * as the Python package allows, two strings, else null.
 */
static json_t *
compare(struct jmes_ctx *c, enum jmes_cmp op, const json_t *l, const json_t *r)
{
	bool eq;
	int d;

	if (op == C_EQ || op == C_NE) {
		if ((jmes_is_number(l) && json_is_boolean(r)) ||
		    (json_is_boolean(l) && jmes_is_number(r)))
			eq = false;
		else if (jmes_py_eq(c, l, r, &eq) != 0)
			return NULL;
		return json_boolean(eq == (op == C_EQ));
	}
	if (!(jmes_is_number(l) && jmes_is_number(r)) &&
	    !(json_is_string(l) && json_is_string(r)))
		return json_null(); /* Python: TypeError for 1 < 'a' */
	if (json_is_string(l) && jmes_charge(c, jmes_cmp_cost(l, r)) != 0)
		return NULL;
	d = jmes_order_cmp(l, r);
	switch (op) {
	case C_LT:
		return json_boolean(d < 0);
	case C_LTE:
		return json_boolean(d <= 0);
	case C_GT:
		return json_boolean(d > 0);
	default:
		return json_boolean(d >= 0);
	}
}

static json_t *
eval_comparator(struct jmes_ctx *c, const struct jmes_node *n, json_t *v)
{
	json_t *l, *r, *out = NULL;

	if ((l = jmes_eval_node(c, n->kid[0], v)) == NULL)
		return NULL;
	if ((r = jmes_eval_node(c, n->kid[1], v)) != NULL)
		out = compare(c, n->cmp, l, r);
	json_decref(l);
	json_decref(r);
	return out;
}

/* Arguments are evaluated left to right before the function is looked
 * at, as in Python: an error in one beats an unknown function. */
static json_t *
eval_function(struct jmes_ctx *c, const struct jmes_node *n, json_t *v)
{
	struct jmes_arg few[4], *args = few;
	json_t *r = NULL;
	size_t i;

	if (n->nkid > 4 && (args = jmes_alloc(n->nkid * sizeof(*args))) == NULL)
		return jmes_oom(c->err);
	memset(args, 0, n->nkid * sizeof(*args));
	for (i = 0; i < n->nkid; i++) {
		if (n->kid[i]->type == N_EXPREF)
			args[i].ref = n->kid[i]->kid[0];
		else if ((args[i].v = jmes_eval_node(c, n->kid[i], v)) == NULL)
			break;
	}
	if (i == n->nkid)
		r = jmes_call(c, n, args, n->nkid);
	for (i = 0; i < n->nkid; i++)
		json_decref(args[i].v);
	if (args != few)
		jmes_dealloc(args);
	return r;
}

json_t *
jmes_eval_node(struct jmes_ctx *c, const struct jmes_node *n, json_t *v)
{
	json_t *r;
	bool truthy;

	if (jmes_charge(c, 1) != 0)
		return NULL;
	switch (n->type) {
	case N_CURRENT:
		return json_incref(v);
	case N_LITERAL:
		return json_incref(n->value);
	case N_FIELD:
		return eval_field(n, v);
	case N_SUBEXPR:
	case N_INDEX_EXPR:
	case N_PIPE:
		return eval_chain(c, n, v);
	case N_INDEX:
		return eval_index(n, v);
	case N_SLICE:
		return eval_slice(c, n, v);
	case N_PROJECTION:
	case N_VALUE_PROJECTION:
	case N_FILTER_PROJECTION:
		return eval_projection(c, n, v);
	case N_FLATTEN:
		return eval_flatten(c, n, v);
	case N_MULTI_LIST:
	case N_MULTI_HASH:
		return eval_multi(c, n, v);
	case N_OR:
	case N_AND:
		return eval_logic(c, n, v);
	case N_NOT:
		if ((r = jmes_eval_node(c, n->kid[0], v)) == NULL)
			return NULL;
		truthy = jmes_truthy(r);
		json_decref(r);
		return json_boolean(!truthy);
	case N_COMPARATOR:
		return eval_comparator(c, n, v);
	case N_FUNCTION:
		return eval_function(c, n, v);
	case N_EXPREF:
	case N_KEYVAL:
		break;
	}
	/* Python would carry the reference on as an opaque object. */
	jmes_seterr(c->err, JMES_EINVALID_TYPE,
	    "An expression reference (&) is only valid as a function argument");
	return NULL;
}

/*
 * Shared references let a small expression build a result far larger than
 * its work ([@, @] | [@, @] | ...): bound what a caller will walk.
 */
static int
result_walk(struct jmes_ctx *c, const json_t *v, unsigned depth, size_t *left)
{
	const char *key;
	json_t *e;
	size_t i;

	if (*left == 0 || depth > JMES_MAX_VALUE_DEPTH) {
		jmes_seterr(c->err, JMES_EINVALID_VALUE,
		    "Result larger than "
		    "%u values or nested deeper than %d",
		    JMES_MAX_RESULT_NODES, JMES_MAX_VALUE_DEPTH);
		return -1;
	}
	--*left;
	if (json_is_array(v)) {
		json_array_foreach(v, i, e)
			if (result_walk(c, e, depth + 1, left) != 0)
				return -1;
	} else if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, e)
			if (result_walk(c, e, depth + 1, left) != 0)
				return -1;
	}
	return 0;
}

json_t *
jmes_eval_root(struct jmes_ctx *c, const struct jmes_node *n, json_t *v)
{
	size_t left = JMES_MAX_RESULT_NODES;
	json_t *r;

	if ((r = jmes_eval_node(c, n, v)) != NULL &&
	    result_walk(c, r, 0, &left) != 0) {
		json_decref(r);
		return NULL;
	}
	return r;
}
