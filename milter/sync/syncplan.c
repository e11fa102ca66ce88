/* SPDX-License-Identifier: BSD-2-Clause */
#include "milter/sync/syncplan.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SES_DEFAULT_BEHAVIOR "UseDefaultValue"

const char *
syncplan_have_domain(const struct sesxml_mail_from *have)
{
	if (have == NULL || have->mail_from_domain == NULL ||
	    have->mail_from_domain[0] == '\0')
		return NULL;
	return have->mail_from_domain;
}

const char *
syncplan_have_behavior(const struct sesxml_mail_from *have)
{
	if (have == NULL || have->behavior == NULL || have->behavior[0] == '\0')
		return SES_DEFAULT_BEHAVIOR;
	return have->behavior;
}

enum syncplan_verdict
syncplan_compare(const struct conf_identity *want,
    const struct sesxml_mail_from *have, unsigned *diffp)
{
	const char *domain;
	unsigned diff = 0;

	if (diffp != NULL)
		*diffp = 0;
	if (have == NULL)
		return SYNCPLAN_UNKNOWN;
	domain = syncplan_have_domain(have);
	if (want->mail_from_domain == NULL) {
		if (domain != NULL)
			diff |= SYNCPLAN_DIFF_DOMAIN;
	} else {
		if (domain == NULL ||
		    strcasecmp(domain, want->mail_from_domain) != 0)
			diff |= SYNCPLAN_DIFF_DOMAIN;
		if (strcmp(syncplan_have_behavior(have),
			conf_behavior_name(want->behavior)) != 0)
			diff |= SYNCPLAN_DIFF_BEHAVIOR;
	}
	if (diffp != NULL)
		*diffp = diff;
	return diff != 0 ? SYNCPLAN_SET : SYNCPLAN_IN_STEP;
}

int
syncplan_identity_cmp(const char *a, const char *b)
{
	const char *at_a = strrchr(a, '@'), *at_b = strrchr(b, '@');
	size_t la, lb;
	int r;

	if ((at_a == NULL) != (at_b == NULL))
		return at_a == NULL ? -1 : 1;
	if (at_a == NULL)
		return strcasecmp(a, b);
	la = (size_t)(at_a - a);
	lb = (size_t)(at_b - b);
	if ((r = memcmp(a, b, la < lb ? la : lb)) != 0)
		return r;
	if (la != lb)
		return la < lb ? -1 : 1;
	return strcasecmp(at_a + 1, at_b + 1);
}

/* qsort() and bsearch() see pointers to entries. */
static int
syncplan_entry_cmp(const void *x, const void *y)
{
	const struct sesxml_mail_from *const *a = x, *const *b = y;
	int r = syncplan_identity_cmp((*a)->identity, (*b)->identity);

	/* equal names keep SES's order, so that the first one is found */
	if (r == 0 && *a != *b)
		r = *a < *b ? -1 : 1;
	return r;
}

static int
syncplan_key_cmp(const void *key, const void *elem)
{
	const struct sesxml_mail_from *const *e = elem;

	return syncplan_identity_cmp(key, (*e)->identity);
}

/* The first of the equal entries around a bsearch() hit. */
static const struct sesxml_mail_from *
syncplan_find(const struct sesxml_mail_from **index, size_t n, const char *name)
{
	const struct sesxml_mail_from **hit;

	hit = bsearch(name, index, n, sizeof(*index), syncplan_key_cmp);
	if (hit == NULL)
		return NULL;
	while (
	    hit > index && syncplan_identity_cmp(name, hit[-1]->identity) == 0)
		hit--;
	return *hit;
}

/* HAVE's named entries sorted for syncplan_find(); *M of them. */
static int
syncplan_index(const struct sesxml_mail_from *have, size_t nhave,
    const struct sesxml_mail_from ***indexp, size_t *m)
{
	const struct sesxml_mail_from **index = NULL;
	size_t i;

	*m = 0;
	if (nhave > 0 && (index = calloc(nhave, sizeof(*index))) == NULL)
		return -1;
	for (i = 0; i < nhave; i++)
		if (have[i].identity != NULL)
			index[(*m)++] = &have[i];
	if (*m > 1)
		qsort(index, *m, sizeof(*index), syncplan_entry_cmp);
	*indexp = index;
	return 0;
}

int
syncplan_make(const struct conf_identity *want, size_t n,
    const struct sesxml_mail_from *have, size_t nhave,
    const struct sesxml_mail_from *verified, size_t nverified,
    struct syncplan_item *out)
{
	const struct sesxml_mail_from **index = NULL, **vindex = NULL, *v;
	size_t i, m, vm;
	int rc = -1;

	if (syncplan_index(have, nhave, &index, &m) == -1 ||
	    syncplan_index(verified, nverified, &vindex, &vm) == -1)
		goto done;
	for (i = 0; i < n; i++) {
		out[i].want = &want[i];
		out[i].have =
		    m > 0 ? syncplan_find(index, m, want[i].name) : NULL;
		v = vm > 0 ? syncplan_find(vindex, vm, want[i].name) : NULL;
		out[i].verification = v != NULL ? v->verification_status : NULL;
		out[i].verdict =
		    syncplan_compare(&want[i], out[i].have, &out[i].diff);
	}
	rc = 0;
done:
	free(index);
	free(vindex);
	return rc;
}

const char *
syncplan_verdict_name(enum syncplan_verdict v)
{
	switch (v) {
	case SYNCPLAN_IN_STEP:
		return "in-step";
	case SYNCPLAN_SET:
		return "set";
	case SYNCPLAN_UNKNOWN:
		return "unknown";
	}
	return "?";
}

enum syncplan_next
syncplan_next(enum syncplan_verdict verdict, const struct conf_identity *want,
    const struct sesxml_mail_from *have, const char *verification,
    enum syncplan_mx mx, bool recent)
{
	const char *status;

	if (verdict == SYNCPLAN_UNKNOWN || have == NULL)
		return SYNCPLAN_NEXT_UNKNOWN;
	if (verification != NULL && strcmp(verification, "Success") != 0)
		return strcmp(verification, "Pending") == 0 ||
			strcmp(verification, "TemporaryFailure") == 0
		    ? SYNCPLAN_NEXT_VERIFY_WAIT
		    : SYNCPLAN_NEXT_VERIFY;
	if (verdict == SYNCPLAN_SET)
		return SYNCPLAN_NEXT_SET;
	if (want->mail_from_domain == NULL)
		return SYNCPLAN_NEXT_NONE;
	status = have->status != NULL ? have->status : "";
	if (strcmp(status, "Success") == 0)
		return SYNCPLAN_NEXT_NONE;
	/* Pending, TemporaryFailure, or no word from SES yet */
	if (strcmp(status, "Failed") != 0)
		return SYNCPLAN_NEXT_WAIT;
	if (mx != SYNCPLAN_MX_OK)
		return SYNCPLAN_NEXT_FIX_DNS;
	return recent ? SYNCPLAN_NEXT_WAIT : SYNCPLAN_NEXT_REVERIFY;
}

const char *
syncplan_next_name(enum syncplan_next n)
{
	switch (n) {
	case SYNCPLAN_NEXT_NONE:
		return "none";
	case SYNCPLAN_NEXT_SET:
		return "set";
	case SYNCPLAN_NEXT_UNKNOWN:
		return "unknown";
	case SYNCPLAN_NEXT_WAIT:
		return "wait";
	case SYNCPLAN_NEXT_REVERIFY:
		return "reverify";
	case SYNCPLAN_NEXT_FIX_DNS:
		return "fix-dns";
	case SYNCPLAN_NEXT_VERIFY_WAIT:
		return "wait-verification";
	case SYNCPLAN_NEXT_VERIFY:
		return "verify-identity";
	}
	return "?";
}
