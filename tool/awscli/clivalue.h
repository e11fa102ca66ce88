/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * clivalue: the values that --cli-input-json, --cli-input-yaml and list
 * options produce, typed the way Python types them, because the AWS CLI
 * names the Python type and prints the Python str() of any value that
 * fails validation ("value: [1, 'a'], type: <class 'list'>").
 *
 * A map keeps its keys in first-insertion order and takes the last value
 * for a repeated key, as a Python dict does. Strings are WTF-8: UTF-8 that
 * may carry lone surrogates (see u8.h).
 *
 * Ownership: a container owns its items and keys; the functions that add
 * to one take ownership of what they are given, also when they fail.
 * clivalue_free() releases a whole tree.
 */
#ifndef AWSCLI_CLIVALUE_H
#define AWSCLI_CLIVALUE_H

#include <stddef.h>

struct strbuf;

enum clivalue_kind {
	CLIV_NONE,
	CLIV_BOOL,
	CLIV_INT, /* str: the decimal digits, any size */
	CLIV_FLOAT,
	CLIV_STR,
	CLIV_BYTES,    /* YAML !!binary, fileb:// */
	CLIV_DATE,     /* YAML timestamps: datetime.date ... */
	CLIV_DATETIME, /* ... and datetime.datetime (naive, as ruamel) */
	CLIV_LIST,
	CLIV_SET, /* YAML !!set */
	CLIV_MAP
};

struct clivalue {
	enum clivalue_kind kind;
	int boolean;
	double num;
	int dt[7]; /* y m d H M S microseconds */
	char *str; /* STR, BYTES, INT + NUL */
	size_t len;
	struct clivalue **items; /* LIST, SET; MAP values */
	struct clivalue **keys;  /* MAP */
	size_t n;
	size_t cap;
};

/* NULL when out of memory. */
struct clivalue *clivalue_new(enum clivalue_kind);
/* A STR (or, with KIND, a BYTES or INT) holding a copy of LEN bytes. */
struct clivalue *clivalue_new_str(enum clivalue_kind, const char *, size_t);
void clivalue_free(struct clivalue *);

/* Appends ITEM to a LIST or SET. 0, or -1 (ITEM freed). */
int clivalue_append(struct clivalue *, struct clivalue *item);
/*
 * Sets KEY to VAL in a MAP with dict semantics. 0, or -1 when out of
 * memory (both freed).
 */
int clivalue_map_set(
    struct clivalue *, struct clivalue *key, struct clivalue *val);
/* The value of the string key NAME, or NULL. */
struct clivalue *clivalue_map_get(const struct clivalue *, const char *name);
/* Removes the pair at index I (freeing it). */
void clivalue_map_remove(struct clivalue *, size_t i);

/* 1 if A and B are the same dict key for Python. */
int clivalue_key_equal(const struct clivalue *, const struct clivalue *);

/* Python's str() and repr() of the value. */
void clivalue_str(const struct clivalue *, struct strbuf *);
void clivalue_repr(const struct clivalue *, struct strbuf *);
/* repr() of the Python str holding LEN bytes of S. */
void clivalue_repr_str(const char *s, size_t len, struct strbuf *);
/* "<class 'int'>" and so on. */
const char *clivalue_type(const struct clivalue *);

/* repr() of a Python float: the shortest text that reads back the same. */
void clivalue_float_repr(double, struct strbuf *);

#endif
