/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * form: the body of an SES query-API request, encoded byte for byte as the
 * AWS CLI sends it (Python's urlencode, i.e. quote_plus): A-Za-z0-9 and
 * "-_.~" are kept, a space becomes '+', every other byte of the UTF-8 is
 * %XX with upper-case hex. Pairs go out in the order they are added.
 *
 * The struct form itself belongs to the caller (usually on the stack); the
 * bytes it points to are allocated here and released by form_free(), also
 * after a failed call. A call that fails (-1, errno ENOMEM or EOVERFLOW;
 * EINVAL for a NULL argument) leaves the body exactly as it was.
 */
#ifndef SES_FORM_H
#define SES_FORM_H

#include <stddef.h>

/* The SES API version every request names. */
#define FORM_SES_VERSION "2010-12-01"

struct form {
	char *data; /* NUL-terminated body; NULL until the first append */
	size_t len; /* bytes of body, the NUL not counted */
	size_t cap; /* allocated bytes */
};

void form_init(struct form *);

/* Appends "Action=ACTION&Version=2010-12-01". */
int form_begin(struct form *, const char *action);

/* Appends "KEY=VALUE", preceded by '&' unless the body is empty. */
int form_add(struct form *, const char *key, const char *value);

/*
 * Appends a list as the CLI does: KEY.member.1=V1&KEY.member.2=V2..., and
 * "KEY=" for an empty list (n == 0; values may then be NULL).
 */
int form_add_list(
    struct form *, const char *key, const char *const *values, size_t n);

void form_free(struct form *);

#endif
