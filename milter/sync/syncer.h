/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * syncer: keeps SES's custom MAIL FROM settings equal to the configuration
 * (the desired state), calling SetIdentityMailFromDomain only where they
 * differ.
 *
 * A pass reads SES's attributes of every configured identity
 * (GetIdentityMailFromDomainAttributes, 100 identities a request), plans
 * (syncplan.h) and sets what differs. Every SES call is audited with
 * log_info() as one key=value line ("SES: action=... result=ok|error
 * ... attempts=N"); an identity SES does not know is reported once per
 * pass with log_warnx() and the others carry on. SES's
 * MailFromDomainStatus is remembered per identity (state.h): a change is
 * audited, and a status that disagrees with the local MX check (SES says
 * Success while the check fails, or the check passes while SES says
 * Failed or TemporaryFailure) is a "drift" warning.
 *
 * The daemon runs passes on a thread of the syncer's own: at start (after
 * a restart, not before sync_interval has passed since the last good pass
 * the state file records, unless the configuration asks for something the
 * recorded SES state lacks), every sync_interval, and after each reload.
 * A failed pass (SES unreachable, throttled or failing after the client's
 * own retries) is tried again after 30 s, 60 s, ... at most sync_interval.
 * The thread has its own SES client, holds only references (conf_ref) and
 * never a lock the milter threads take: mail never waits for SES.
 * `sync = no` means no thread at all (the daemon does not start one); a
 * reload to `no` leaves the thread idle, `dry-run` audits each call a pass
 * would make and makes none.
 *
 * The tool runs single passes with syncer_run_pass().
 */
#ifndef SYNCER_H
#define SYNCER_H

#include <stdbool.h>
#include <stddef.h>

#include "milter/conf.h"
#include "milter/dns/mx.h"
#include "milter/sync/state.h"
#include "ses/client.h"

#define SYNCER_BACKOFF_FIRST 30 /* seconds after a failed pass */

struct syncer_hooks {
	/*
	 * The local MX check of a configured MAIL FROM domain (the daemon's
	 * calls resolver_mx() with expected_mx). NULL: no check, no drift
	 * warnings. Called on the syncer's thread; it may block for a DNS
	 * timeout.
	 */
	enum mx_result (*mx_check)(void *arg, const char *mail_from_domain);
	void *arg;
};

/* ---- the SES client a configuration describes ---- */

struct syncer_client_opts {
	const char *region; /* NULL: [ses] region */
	/*
	 * NULL: [ses] endpoint when set, else $AWS_ENDPOINT_URL_SES, else
	 * $AWS_ENDPOINT_URL, else the region's (as the AWS CLI)
	 */
	const char *endpoint_url;
	const char *profile;      /* NULL: [ses] profile ("" none) */
	struct http_options http; /* 0 timeouts: 5 s connect, 15 s */
	void (*debug)(void *arg, const char *msg);
	void *debug_arg;
};

struct syncer_link {
	struct creds_provider *creds;
	struct ses_client *client;
};

/* 0, or -1 with the reason in ERR and nothing to close. */
int syncer_link_open(const struct conf *, const struct syncer_client_opts *,
    struct syncer_link *, char *err, size_t errlen);
/* Zeroed or opened links alike. */
void syncer_link_close(struct syncer_link *);

/* ---- one pass ---- */

enum syncer_mode {
	SYNCER_APPLY,     /* set what differs */
	SYNCER_DRY_RUN,   /* audit what would be set, set nothing */
	SYNCER_READ_ONLY, /* read and compare only (`ses-mailfrom status`) */
};

enum syncer_outcome {
	SYNCER_IN_STEP,
	SYNCER_CHANGED,      /* set */
	SYNCER_FAILED,       /* the Set failed: row->error */
	SYNCER_WOULD_CHANGE, /* differs; not set (dry-run, read-only) */
	SYNCER_UNKNOWN,      /* SES does not know the identity */
	SYNCER_NOT_DONE,     /* the pass ended before this identity */
};

struct syncer_row {
	const struct conf_identity *want; /* borrowed from the pass's conf */
	bool known;                       /* in SES's answer */
	/* SES's attributes before the pass (owned copies; identity NULL) */
	struct sesxml_mail_from ses;
	unsigned diff; /* SYNCPLAN_DIFF_* */
	enum syncer_outcome outcome;
	int attempts;    /* of its Set */
	char *error;     /* owned: "Code: message" of a failed Set */
	bool mx_checked; /* of want->mail_from_domain */
	enum mx_result mx;
};

struct syncer_report {
	struct syncer_row *rows; /* one per configured identity, conf order */
	size_t nrows;
	int get_requests; /* attempts, retries included */
	int set_requests;
	bool read;       /* SES's attributes were all read */
	char error[512]; /* why the pass failed; "" */
};

struct syncer_pass {
	struct ses_client *client;
	const struct conf *conf;
	enum syncer_mode mode;
	/* NULL: none. Else its statuses are compared and it is updated. */
	struct state *state;
	const struct syncer_hooks *hooks; /* NULL: no MX checks */
	/* Asked between requests; true ends the pass (NULL: never). */
	bool (*cancelled)(void *arg);
	void *cancel_arg;
};

/*
 * One pass. 0 when it succeeded: SES was read and everything that differs
 * was set (APPLY; an identity SES does not know is no failure). -1
 * otherwise, with the reason in report->error. The report is filled
 * either way (rows the pass did not reach: SYNCER_NOT_DONE) and must be
 * released with syncer_report_free().
 */
int syncer_run_pass(const struct syncer_pass *, struct syncer_report *);
void syncer_report_free(struct syncer_report *);

const char *syncer_outcome_name(enum syncer_outcome);

/* ---- the daemon's thread ---- */

/*
 * Starts the thread with CONF (the syncer takes a reference of its own)
 * and the hooks (copied). NULL with the reason in ERR when the thread
 * cannot start. Call it after curl_global_init() and after the process
 * has its final user: the state file is written as that user.
 */
struct syncer *syncer_start(
    struct conf *, const struct syncer_hooks *, char *err, size_t errlen);

/*
 * A reloaded configuration (the syncer takes its own reference): the
 * running pass, if any, finishes under the previous one, then a pass runs
 * under the new one. Never blocks on SES.
 */
void syncer_reload(struct syncer *, struct conf *);

/*
 * Stops the thread and frees everything. It is woken at once; a request
 * in flight may still take until its timeout. NULL is fine.
 */
void syncer_stop(struct syncer *);

#endif
