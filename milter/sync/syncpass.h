/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * syncpass: one pass of the synchroniser, which keeps SES's custom MAIL
 * FROM settings equal to the configuration (the desired state), calling
 * SetIdentityMailFromDomain only where they differ.
 *
 * A pass reads SES's attributes of every configured identity
 * (GetIdentityMailFromDomainAttributes, 100 identities a request) and
 * their own verification (GetIdentityVerificationAttributes, the same),
 * plans (syncplan.h) and sets what differs. Every SES call is audited with
 * log_info() as one key=value line ("SES: action=... result=ok|error
 * ... attempts=N"); an identity SES does not know is reported once per
 * pass with log_warnx() and the others carry on, and so is one SES has
 * not verified (it sends nothing from it; the MAIL FROM decision at the
 * milter is left alone: that is BehaviorOnMXFailure's, and a refusal there
 * would not make the identity verified). SES's
 * MailFromDomainStatus is remembered per identity (state.h): a change is
 * audited, and a status that disagrees with the local MX check (SES says
 * Success while the check fails, or the check passes while SES says
 * Failed or TemporaryFailure) is a "drift" warning.
 *
 * The local MX checks come first, so that an identity SES has Failed
 * whose MX now passes is set again with the same values (a
 * re-verification, audited reason=reverify, at most once per
 * sync_interval as the state remembers), and one whose MX still fails is
 * reported with the record to publish (syncplan_next()).
 *
 * The daemon runs passes on its thread (syncer.h); the tool runs single
 * passes with syncpass_run().
 */
#ifndef SYNCPASS_H
#define SYNCPASS_H

#include <stdbool.h>
#include <stddef.h>

#include "milter/conf.h"
#include "milter/sesstatus.h"
#include "milter/dns/mx.h"
#include "milter/sync/state.h"
#include "milter/sync/syncplan.h"
#include "ses/client.h"

struct syncpass_report;

struct syncpass_hooks {
	/*
	 * The local MX check of a configured MAIL FROM domain (the daemon's
	 * calls resolver_mx() with expected_mx). NULL: no check, no drift
	 * warnings. Called on the syncer's thread; it may block for a DNS
	 * timeout.
	 */
	enum mx_result (*mx_check)(void *arg, const char *mail_from_domain);
	void *arg;
	/*
	 * The daemon's syncer calls this after each pass with its result
	 * (systemd's STATUS line). NULL: nothing.
	 */
	void (*pass_done)(void *arg, int rc, const struct syncpass_report *);
	/*
	 * Check only the identities SES has Failed with the configured
	 * domain (all re-verification needs; `ses-mailfrom sync`): no drift
	 * warnings then, and no DNS wait for the others.
	 */
	bool failed_only;
	/*
	 * The daemon's only: the syncer hands the milter threads each new
	 * SES status snapshot (sesstatus.h; the callee takes the reference;
	 * NULL after a reload to sync = no). NULL: none is made.
	 */
	void (*publish)(void *arg, struct sesstatus *);
};

/* ---- the SES client a configuration describes ---- */

struct syncpass_client_opts {
	const char *region; /* NULL: [ses] region */
	/*
	 * NULL: [ses] endpoint when set, else $AWS_ENDPOINT_URL_SES, else
	 * $AWS_ENDPOINT_URL, else the region's (as the AWS CLI)
	 */
	const char *endpoint_url;
	const char *profile; /* NULL: [ses] profile ("" none) */
	/*
	 * 0 timeouts: 5 s connect, 15 s. Its canceller (the daemon's stop)
	 * ends the credential provider's fetches too.
	 */
	struct http_options http;
	void (*debug)(void *arg, const char *msg);
	void *debug_arg;
};

struct syncpass_link {
	struct creds_provider *creds;
	struct ses_client *client;
};

/* 0, or -1 with the reason in ERR and nothing to close. */
int syncpass_link_open(const struct conf *, const struct syncpass_client_opts *,
    struct syncpass_link *, char *err, size_t errlen);
/* Zeroed or opened links alike. */
void syncpass_link_close(struct syncpass_link *);

/* ---- one pass ---- */

enum syncpass_mode {
	SYNCPASS_APPLY,     /* set what differs */
	SYNCPASS_DRY_RUN,   /* audit what would be set, set nothing */
	SYNCPASS_READ_ONLY, /* read and compare only (`ses-mailfrom status`) */
};

enum syncpass_outcome {
	SYNCPASS_IN_STEP,
	SYNCPASS_CHANGED,        /* set */
	SYNCPASS_FAILED,         /* the Set failed: row->error */
	SYNCPASS_WOULD_CHANGE,   /* differs; not set (dry-run, read-only) */
	SYNCPASS_UNKNOWN,        /* SES does not know the identity */
	SYNCPASS_REVERIFIED,     /* Failed, MX good: set again, same values */
	SYNCPASS_WOULD_REVERIFY, /* the same, not done (dry-run) */
	SYNCPASS_NOT_DONE,       /* the pass ended before this identity */
};

struct syncpass_row {
	const struct conf_identity *want; /* borrowed from the pass's conf */
	bool known;                       /* in SES's answer */
	/*
	 * SES's attributes before the pass (owned copies; identity NULL),
	 * verification_status included (NULL: not read or none given)
	 */
	struct sesxml_mail_from ses;
	unsigned diff; /* SYNCPLAN_DIFF_* */
	enum syncpass_outcome outcome;
	int attempts;    /* of its Set */
	char *error;     /* owned: "Code: message" of a failed Set */
	bool mx_checked; /* of want->mail_from_domain */
	enum mx_result mx;
	/* what comes next, as the pass found it (before its own Sets) */
	enum syncplan_next next;
};

struct syncpass_report {
	struct syncpass_row *rows; /* one per configured identity, conf order */
	size_t nrows;
	int get_requests; /* attempts, retries included */
	int set_requests;
	bool read;              /* SES's attributes were all read */
	bool verification_read; /* and the identities' verification */
	bool no_credentials;    /* the pass failed for want of credentials */
	char error[512];        /* why the pass failed; "" */
};

struct syncpass {
	struct ses_client *client;
	const struct conf *conf;
	enum syncpass_mode mode;
	/* NULL: none. Else its statuses are compared and it is updated. */
	struct state *state;
	const struct syncpass_hooks *hooks; /* NULL: no MX checks */
	/* Asked between requests; true ends the pass (NULL: never). */
	bool (*cancelled)(void *arg);
	void *cancel_arg;
};

/*
 * One pass. 0 when it succeeded: SES was read (the verification too) and
 * everything that differs was set (APPLY; an identity SES does not know or
 * has not verified is no failure). A failure to read the verification
 * alone does not stop the Sets. -1
 * otherwise, with the reason in report->error. The report is filled
 * either way (rows the pass did not reach: SYNCPASS_NOT_DONE) and must be
 * released with syncpass_report_free().
 */
int syncpass_run(const struct syncpass *, struct syncpass_report *);
void syncpass_report_free(struct syncpass_report *);

const char *syncpass_outcome_name(enum syncpass_outcome);

/* The row's identity is known to SES but not verified there. */
bool syncpass_row_unverified(const struct syncpass_row *);

#endif
