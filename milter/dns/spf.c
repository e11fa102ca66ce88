/* SPDX-License-Identifier: BSD-2-Clause */
#include "milter/dns/spf.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#define SPF_VERSION "v=spf1"

/* RFC 7208 4.5: the version, alone or followed by a space. */
static bool
spf_is_record(const char *txt)
{
	size_t n = sizeof(SPF_VERSION) - 1;

	return strncasecmp(txt, SPF_VERSION, n) == 0 &&
	    (txt[n] == '\0' || txt[n] == ' ');
}

/* TERM[0..LEN) names DOMAIN, with or without one final dot. */
static bool
spf_same_domain(const char *term, size_t len, const char *domain)
{
	size_t dlen = strlen(domain);

	if (dlen > 0 && domain[dlen - 1] == '.')
		dlen--;
	if (len > 0 && term[len - 1] == '.')
		len--;
	return len == dlen && strncasecmp(term, domain, len) == 0;
}

static enum spf_result
spf_terms(const char *rec, const char *domain)
{
	static const char include[] = "include:";
	const char *p = rec + sizeof(SPF_VERSION) - 1, *t;
	size_t len;
	char q;

	for (;;) {
		p += strspn(p, " ");
		if (*p == '\0')
			return SPF_NO_INCLUDE;
		len = strcspn(p, " ");
		t = p;
		p += len;
		q = *t == '+' || *t == '-' || *t == '~' || *t == '?' ? *t : '+';
		if (q != '+' || *t == '+') {
			t++;
			len--;
		}
		/* "all" ends the evaluation: an include after it is dead */
		if (len == 3 && strncasecmp(t, "all", 3) == 0)
			return SPF_NO_INCLUDE;
		if (len > sizeof(include) - 1 &&
		    strncasecmp(t, include, sizeof(include) - 1) == 0 &&
		    spf_same_domain(t + sizeof(include) - 1,
			len - (sizeof(include) - 1), domain))
			return q == '+' ? SPF_OK : SPF_NO_INCLUDE;
	}
}

enum spf_result
spf_check(
    const char *const *records, size_t n, const char *domain, const char **spf)
{
	const char *found = NULL;
	size_t i, count = 0;

	if (spf != NULL)
		*spf = NULL;
	for (i = 0; i < n; i++)
		if (records[i] != NULL && spf_is_record(records[i])) {
			found = records[i];
			count++;
		}
	if (count == 0)
		return SPF_NONE;
	if (count > 1)
		return SPF_MULTIPLE;
	if (spf != NULL)
		*spf = found;
	return spf_terms(found, domain);
}

const char *
spf_result_name(enum spf_result r)
{
	switch (r) {
	case SPF_OK:
		return "ok";
	case SPF_NONE:
		return "none";
	case SPF_MULTIPLE:
		return "multiple";
	case SPF_NO_INCLUDE:
		return "no-include";
	}
	return "?";
}
