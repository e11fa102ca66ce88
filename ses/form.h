/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * form: the body of an SES query-API request, encoded byte for byte as the
 * AWS CLI sends it (Python's urlencode, i.e. quote_plus): A-Za-z0-9 and
 * "-_.~" are kept, a space becomes '+', every other byte of the UTF-8 is
 * %XX with upper-case hex. Pairs go out in the order they are added.
 *
 * The body is a strbuf of the caller's (strbuf_init() before, strbuf_free()
 * after, also after a failed call). Unlike strbuf's own appends, a form
 * call is all or nothing: one that fails (-1, errno ENOMEM or EOVERFLOW;
 * EINVAL for a NULL argument) leaves the body exactly as it was, so the
 * client can report the failure of one parameter and keep the request.
 */
#ifndef SES_FORM_H
#define SES_FORM_H

#include <stddef.h>

struct strbuf;

/* The SES API version every request names. */
#define FORM_SES_VERSION "2010-12-01"

/* Appends "Action=ACTION&Version=2010-12-01". */
int form_begin(struct strbuf *, const char *action);

/* Appends "KEY=VALUE", preceded by '&' unless the body is empty. */
int form_add(struct strbuf *, const char *key, const char *value);

/*
 * Appends a list as the CLI does: KEY.member.1=V1&KEY.member.2=V2..., and
 * "KEY=" for an empty list (n == 0; values may then be NULL).
 */
int form_add_list(
    struct strbuf *, const char *key, const char *const *values, size_t n);

#endif
