/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * audit: the one logfmt line (kvline.h) the milter writes to syslog for
 * every message, once its outcome is known: refused at MAIL FROM, accepted
 * (or tempfailed) at end of message, or aborted. Formatting is pure (no
 * I/O) so the quoting of hostile senders can be unit-tested and fuzzed;
 * audit_log() hands the line to log.
 *
 * A line starts with the queue id, or NOQUEUE while the MTA has none (in
 * Postfix's smtpd the id is only known at end-of-message), and a colon, as
 * Postfix's own lines do; the fields follow.
 */
#ifndef AUDIT_H
#define AUDIT_H

#include <stddef.h>

struct kvline;

/* Fields left NULL are omitted. */
struct audit_rec {
	const char *queue_id; /* NULL: NOQUEUE */
	const char *msg;      /* the filter's own message id */
	const char *stage;    /* "mail", "eom", "abort": where it ended */
	const char *sender;   /* as the client sent it, without <> */
	/* the mailbox as compared: canonical local part, A-label domain */
	const char *mailbox;
	const char *identity;
	const char *mail_from_domain;
	const char *mx;
	const char *ses_status; /* SES's own, when known and fresh */
	const char *status;
	const char *basis; /* which of mx and ses_status decided */
	const char *behavior;
	const char *action;
	const char *reply;
	const char *reason;
	const char *rewritten;
	const char *spared; /* what a local submission was spared */
	const char *origin; /* "local" for non-SMTP mail */
};

/* Writes the record into LINE, quoted as kvline.h says. */
void audit_format(struct kvline *line, const struct audit_rec *);
void audit_log(const struct audit_rec *);

#endif
