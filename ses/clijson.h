/*
 * clijson: JSON read and written the way Python's json module does it,
 * because the AWS CLI's --cli-input-json, its JSON list arguments and its
 * JSON output are Python's json.loads() and json.dumps().
 *
 * Reading accepts what json.loads() accepts (NaN, Infinity, -Infinity,
 * integers of any size up to Python's 4300 digits, lone surrogates in
 * \u escapes), keeps an object's keys in order with dict semantics for a
 * repeated key, and fails with json.loads()'s own message ("Expecting
 * ',' delimiter: line 1 column 8 (char 7)"). A UTF-8 BOM and trailing
 * text are errors, as in Python. Pure: no I/O.
 */
#ifndef SES_CLIJSON_H
#define SES_CLIJSON_H

#include <stddef.h>

struct clivalue;
struct strbuf;

/* Nesting deeper than this fails as Python's recursion limit does. */
#define CLIJSON_MAX_DEPTH	900

enum clijson_status {
	CLIJSON_OK = 0,
	CLIJSON_EINVALID,	/* a ValueError: not JSON (message in ERR) */
	CLIJSON_EDEPTH,		/* Python's RecursionError (ERR says) */
	CLIJSON_ENOMEM
};

/*
 * Parses TEXT (LEN bytes of WTF-8, i.e. a Python str) into *OUT, which the
 * caller frees with clivalue_free(). On failure *OUT is NULL and ERR (if
 * not NULL) receives the message.
 */
enum clijson_status clijson_parse(const char *text, size_t len,
		    struct clivalue **out, struct strbuf *err);

/*
 * json.dumps(V, indent=INDENT, ensure_ascii=False) appended to OUT, with no
 * final newline; INDENT < 0 is the compact one-line form with ", " and
 * ": " separators.
 */
void		clijson_dump(const struct clivalue *, int indent,
		    struct strbuf *out);

/* One JSON string literal as json.dumps(ensure_ascii=False) writes it. */
void		clijson_dump_string(const char *, size_t,
		    struct strbuf *out);

#endif
