/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * decide: what the milter does with one MAIL FROM. Pure: plain values in,
 * a verdict out, no I/O and no global state, so that every row of the
 * decision table (README, "What happens at MAIL FROM") is a unit test.
 *
 * The caller looks the identity up (ident) and asks decide(); when the
 * verdict is DECIDE_LOOKUP_MX it checks the MAIL FROM domain's MX
 * (resolver) and asks again with the result filled in.
 *
 * Two signals say whether SES will use the custom MAIL FROM: the live MX
 * check, and SES's own MailFromDomainStatus when the synchroniser knows it
 * (sesstatus.h), which is what SES applies BehaviorOnMXFailure from.
 * Pending and TemporaryFailure fail transiently, Failed definitively,
 * Success not at all; the more severe of the two signals decides.
 */
#ifndef DECIDE_H
#define DECIDE_H

#include <stdbool.h>
#include <stddef.h>

#include "milter/conf.h"
#include "milter/sesstatus.h"

/* The local MX check, as SES would judge it. */
enum decide_mx {
	DECIDE_MX_UNKNOWN, /* not looked up yet */
	DECIDE_MX_OK,      /* exactly one MX, the expected host */
	DECIDE_MX_FAILED, /* definitive: nxdomain, nodata, null MX, wrong host, several */
	DECIDE_MX_TEMPFAIL, /* transient: servfail, timeout */
	/*
	 * The check failed inside the filter (MX_INTERNAL): nothing is known
	 * about the domain, so on_internal_error decides, whatever SES says,
	 * and never with a 5xx.
	 */
	DECIDE_MX_INTERNAL,
};

struct decide_in {
	bool null_sender; /* MAIL FROM:<> */
	bool unparsable;  /* the sender did not parse */
	enum conf_scope scope;
	bool authenticated;    /* {auth_authen} was set */
	bool local_submission; /* not from an SMTP client: never refuse */
	const struct conf_identity *identity; /* NULL: no identity */
	enum conf_action unknown_sender;
	bool rewrite_envelope;
	enum decide_mx mx;
	enum sesstatus_value ses; /* SESSTATUS_UNKNOWN: the MX check alone */
	/* For DECIDE_MX_INTERNAL: CONF_ACCEPT accepts, anything else tempfails. */
	enum conf_action on_internal_error;
};

enum decide_verdict {
	DECIDE_ACCEPT,
	DECIDE_REJECT,
	DECIDE_TEMPFAIL,
	DECIDE_LOOKUP_MX,
};

/* Why: the audit line's reason=, and what the tests check. */
enum decide_reason {
	DECIDE_R_BOUNCE,         /* <>: never touched */
	DECIDE_R_OUT_OF_SCOPE,   /* scope = authenticated, not authenticated */
	DECIDE_R_UNKNOWN_SENDER, /* no identity (or unparsable sender) */
	DECIDE_R_NO_MAIL_FROM,   /* identity without a custom MAIL FROM */
	DECIDE_R_NEED_MX,        /* DECIDE_LOOKUP_MX */
	DECIDE_R_MX_OK,          /* Success */
	DECIDE_R_USE_DEFAULT, /* failed, UseDefaultValue: SES uses amazonses.com */
	DECIDE_R_REJECT_MESSAGE, /* failed, RejectMessage */
	DECIDE_R_INTERNAL_ERROR, /* DECIDE_MX_INTERNAL: on_internal_error */
};

/* Which signal decided (decide_out.basis): the more severe, or both. */
enum decide_basis {
	DECIDE_BASIS_NONE, /* no MAIL FROM check was made */
	DECIDE_BASIS_MX,
	DECIDE_BASIS_SES,
	DECIDE_BASIS_BOTH,
};

struct decide_out {
	enum decide_verdict verdict;
	enum decide_reason reason;
	/*
	 * The MailFromDomainStatus the decision stands on: SES's own when it
	 * decided (alone or with the MX check), else the MX check's reading
	 * (Success, TemporaryFailure, Failed); NULL when none was needed.
	 */
	const char *status;
	enum decide_basis basis;
	const char *rcode; /* "550", "451" for REJECT and TEMPFAIL, else NULL */
	const char *xcode; /* "5.7.1", "4.4.3", "4.3.0" (internal error), ... */
	bool rewrite;      /* rewrite the envelope sender at end-of-message */
	/* Local submission spared from this verdict (audited, not applied). */
	enum decide_verdict spared;
};

void decide(const struct decide_in *, struct decide_out *);

const char *decide_verdict_name(enum decide_verdict);
const char *decide_reason_name(enum decide_reason);
/* "mx", "ses", "both"; NULL for DECIDE_BASIS_NONE. */
const char *decide_basis_name(enum decide_basis);

/*
 * Expands a reply template for smfi_setreply(): %{domain}, %{identity},
 * %{mx} and %{sender} are replaced; '%' in the result is doubled as
 * libmilter requires, and CR, LF and other control bytes become spaces so
 * the reply is never dropped. False if it does not fit in size.
 */
bool decide_reply_text(const char *tmpl, const char *domain,
    const char *identity, const char *mx, const char *sender, char *buf,
    size_t size);

#endif
