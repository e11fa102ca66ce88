/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * clijson: JSON for the AWS CLI's --cli-input-json and JSON list
 * arguments (which it reads with Python's json.loads()) and for its JSON
 * output (json.dumps()).
 *
 * Reading is jansson's; this module gives its tree the shape and the dict
 * semantics the rest of the tool expects (keys in order, a repeated key
 * keeps its first place and takes the last value). As in the AWS CLI, a
 * UTF-8 BOM and trailing text are errors. Unlike Python, NaN, Infinity,
 * numbers beyond the range of an int64 or a double, lone surrogates in
 * \u escapes or in TEXT, and "\u0000" in a key are errors too. Messages
 * have json.loads()'s form ("<reason>: line 1 column 8 (char 7)") with
 * jansson's reason. No I/O here (jansson itself reads /dev/urandom once
 * per process to seed its hash tables).
 */
#ifndef AWSCLI_CLIJSON_H
#define AWSCLI_CLIJSON_H

#include <stddef.h>

#include <jansson.h>

struct clivalue;
struct strbuf;

/* Nesting deeper than this fails as Python's recursion limit does. */
#define CLIJSON_MAX_DEPTH 900

enum clijson_status {
	CLIJSON_OK = 0,
	CLIJSON_EINVALID, /* not JSON (message in ERR) */
	CLIJSON_EDEPTH,   /* too deep: Python's RecursionError (ERR says) */
	CLIJSON_ENOMEM
};

/*
 * Parses TEXT (LEN bytes of UTF-8) into *OUT, which the caller frees with
 * clivalue_free(). On failure *OUT is NULL and ERR (if not NULL) receives
 * the message (nothing for CLIJSON_ENOMEM).
 */
enum clijson_status clijson_parse(
    const char *text, size_t len, struct clivalue **out, struct strbuf *err);

/*
 * json.dumps(V, indent=INDENT, ensure_ascii=False) appended to OUT, with no
 * final newline; INDENT < 0 is the compact one-line form with ", " and
 * ": " separators.
 */
void clijson_dump(const struct clivalue *, int indent, struct strbuf *out);

/*
 * The jansson tree of V, which --query searches: a new reference, NULL
 * when out of memory. Maps keep their order; an int beyond int64 becomes
 * a real, bytes and dates their str(), as JMESPath sees only JSON types.
 */
json_t *clijson_to_jansson(const struct clivalue *);

/*
 * The clivalue of a --query result J into *OUT (the caller frees it);
 * CLIJSON_EDEPTH (message in ERR) or CLIJSON_ENOMEM otherwise.
 */
enum clijson_status clijson_from_jansson(
    json_t *j, struct clivalue **out, struct strbuf *err);

/* One JSON string literal as json.dumps(ensure_ascii=False) writes it. */
void clijson_dump_string(const char *, size_t, struct strbuf *out);

#endif
