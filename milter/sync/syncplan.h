/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * syncplan: what SES must be told so that each configured identity's
 * custom MAIL FROM setting equals the configuration.
 *
 * The configuration is the desired state; SES's attributes of an identity
 * (struct sesxml_mail_from, as GetIdentityMailFromDomainAttributes gives
 * them, or as the state file remembers them) are compared with it:
 *   - an identity absent from SES's answer is unknown to SES (not, or not
 *     yet, verified): SES is not called for it;
 *   - an empty or absent MailFromDomain is a disabled custom MAIL FROM;
 *     domains are compared without case;
 *   - BehaviorOnMXFailure (absent: SES's default, UseDefaultValue) only
 *     counts when a MAIL FROM domain is configured: with it disabled SES
 *     never applies it, so a difference there is not worth a call that
 *     SES allows once per second.
 * A difference gives one SetIdentityMailFromDomain with the configured
 * domain (NULL: disable) and behaviour.
 *
 * Pure: no I/O, no global state. syncplan_make() allocates only a
 * temporary index, which it frees; every pointer in its output is
 * borrowed from its inputs.
 */
#ifndef SYNCPLAN_H
#define SYNCPLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "milter/conf.h"
#include "ses/sesxml.h"

enum syncplan_verdict {
	SYNCPLAN_IN_STEP,
	SYNCPLAN_SET,     /* SetIdentityMailFromDomain needed */
	SYNCPLAN_UNKNOWN, /* SES does not know the identity */
};

/* Which parts differ (syncplan_item.diff). */
#define SYNCPLAN_DIFF_DOMAIN 0x1
#define SYNCPLAN_DIFF_BEHAVIOR 0x2

struct syncplan_item {
	const struct conf_identity *want;
	const struct sesxml_mail_from *have; /* NULL: unknown to SES */
	enum syncplan_verdict verdict;
	unsigned diff;
};

/* One identity; HAVE NULL means SES does not know it. *DIFF may be NULL. */
enum syncplan_verdict syncplan_compare(const struct conf_identity *want,
    const struct sesxml_mail_from *have, unsigned *diff);

/*
 * SES's MailFromDomain as a domain: NULL for absent or empty (disabled).
 * BehaviorOnMXFailure with SES's default for an absent one.
 */
const char *syncplan_have_domain(const struct sesxml_mail_from *);
const char *syncplan_have_behavior(const struct sesxml_mail_from *);

/*
 * Orders identities as SES's answer is matched to the configuration: the
 * local part of an address exactly, domains without case; an address and a
 * domain never match. 0 when A and B name the same identity.
 */
int syncplan_identity_cmp(const char *a, const char *b);

/*
 * Plans every identity of WANT[0..N): OUT[i] is WANT[i]'s item, matched
 * with its entry of HAVE[0..NHAVE) (entries matching no identity are
 * ignored; of two entries for one identity the first counts). 0, or -1
 * when out of memory.
 */
int syncplan_make(const struct conf_identity *want, size_t n,
    const struct sesxml_mail_from *have, size_t nhave,
    struct syncplan_item *out);

/* "in-step", "set", "unknown". */
const char *syncplan_verdict_name(enum syncplan_verdict);

#endif
