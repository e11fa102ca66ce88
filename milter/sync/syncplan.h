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
 * Settings that match are not yet "in step" unless SES uses them: its
 * MailFromDomainStatus and the local MX check say what comes next
 * (syncplan_next()). SES checks a new MAIL FROM domain for up to 72 hours
 * (Pending, TemporaryFailure: wait); once Failed it stops checking until
 * SetIdentityMailFromDomain is called again, which is worth doing (a
 * re-verification, same values) only when the local MX check now passes,
 * and at most once per sync_interval; while it fails, the record to
 * publish is what the admin needs.
 *
 * SES refuses to send from an identity it has not verified, whatever its
 * MAIL FROM setting, so an identity whose own VerificationStatus (from
 * GetIdentityVerificationAttributes) is not Success is never in step:
 * Pending and TemporaryFailure are SES still checking (wait), Failed,
 * NotStarted or anything else need the admin to verify it again. That
 * comes before every MAIL FROM step: those wait for the identity anyway.
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
	/* SES's VerificationStatus; NULL: not read, or SES gave none */
	const char *verification;
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
 * ignored; of two entries for one identity the first counts) and with its
 * entry of VERIFIED[0..NVERIFIED) (GetIdentityVerificationAttributes's,
 * matched the same way) for its verification. 0, or -1 when out of memory.
 */
int syncplan_make(const struct conf_identity *want, size_t n,
    const struct sesxml_mail_from *have, size_t nhave,
    const struct sesxml_mail_from *verified, size_t nverified,
    struct syncplan_item *out);

/* "in-step", "set", "unknown". */
const char *syncplan_verdict_name(enum syncplan_verdict);

/* What comes next for one identity. */
enum syncplan_next {
	SYNCPLAN_NEXT_NONE,     /* SES uses the setting (or it is disabled) */
	SYNCPLAN_NEXT_SET,      /* the settings differ */
	SYNCPLAN_NEXT_UNKNOWN,  /* SES does not know the identity */
	SYNCPLAN_NEXT_WAIT,     /* SES is checking the MX (or will again) */
	SYNCPLAN_NEXT_REVERIFY, /* Failed, the MX passes now: Set again */
	SYNCPLAN_NEXT_FIX_DNS,  /* Failed, the MX check does not pass */
	SYNCPLAN_NEXT_VERIFY_WAIT, /* SES is verifying the identity */
	SYNCPLAN_NEXT_VERIFY,      /* the identity's verification failed or
				 never started: verify it in SES */
};
#define SYNCPLAN_NEXT_LAST SYNCPLAN_NEXT_VERIFY

/* The local MX check of the configured MAIL FROM domain, in short. */
enum syncplan_mx {
	SYNCPLAN_MX_UNCHECKED,
	SYNCPLAN_MX_OK,
	SYNCPLAN_MX_FAILED,
	SYNCPLAN_MX_TEMPFAIL,
};

/*
 * Pure: the next step for an identity whose comparison gave VERDICT, with
 * SES's attributes HAVE (its status counts only when the settings match),
 * the identity's VERIFICATION status (NULL: unknown, no say), the local MX
 * check MX, and whether a re-verification was sent within the last
 * sync_interval (RECENT: then waiting is all there is to do).
 */
enum syncplan_next syncplan_next(enum syncplan_verdict verdict,
    const struct conf_identity *want, const struct sesxml_mail_from *have,
    const char *verification, enum syncplan_mx mx, bool recent);

/*
 * "none", "set", "unknown", "wait", "reverify", "fix-dns",
 * "wait-verification", "verify-identity".
 */
const char *syncplan_next_name(enum syncplan_next);

#endif
