/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics: the daemon's counters, and a thread that writes them in
 * Prometheus's text exposition format to [milter] metrics_file every
 * metrics_interval, atomically (a temporary file renamed over it), for
 * the node exporter's textfile collector.
 *
 * Counting is lock-free (relaxed atomics), so the mail path pays a few
 * instructions. The counters live as long as the process: a reload never
 * resets them. metrics_format() is pure, for the unit tests.
 */
#ifndef METRICS_H
#define METRICS_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "milter/dns/mx.h"

enum metrics_action {
	METRICS_ACCEPT,
	METRICS_REJECT,
	METRICS_TEMPFAIL,
	METRICS_NACTIONS
};

/* Why a message ended as it did: SES's status or what decided instead. */
enum metrics_reason {
	METRICS_R_SUCCESS,
	METRICS_R_FAILED,
	METRICS_R_TEMPORARY_FAILURE,
	METRICS_R_PENDING,
	METRICS_R_UNKNOWN_SENDER,
	METRICS_R_BOUNCE,
	METRICS_R_LOCAL, /* a local submission spared a refusal */
	METRICS_R_OUT_OF_SCOPE,
	METRICS_R_NO_MAIL_FROM,
	METRICS_R_ERROR, /* the rewrite failed */
	METRICS_NREASONS
};

#define METRICS_NMX MX_NRESULTS /* enum mx_result */

enum metrics_dns {
	METRICS_DNS_HIT,
	METRICS_DNS_MISS,
	METRICS_DNS_QUERY
};

enum metrics_ses_action {
	METRICS_SES_GET,
	METRICS_SES_SET,
	METRICS_SES_VERIFY,
	METRICS_NSES
};

enum metrics_status {
	METRICS_ST_SUCCESS,
	METRICS_ST_PENDING,
	METRICS_ST_FAILED,
	METRICS_ST_TEMPORARY_FAILURE,
	METRICS_ST_UNKNOWN, /* SES does not know it, or was not read */
	METRICS_NSTATUSES
};

void metrics_message(enum metrics_action, enum metrics_reason);
/* R: enum mx_result */
void metrics_mx(int r);
void metrics_dns(enum metrics_dns);
void metrics_ses_request(enum metrics_ses_action, bool ok);
void metrics_sync_pass(bool ok, time_t when);
/* A status name as SES spells it (NULL: unknown) -> its bucket. */
enum metrics_status metrics_status_of(const char *ses_status);
/* The identities per status, as the last pass read them. */
void metrics_identities(const unsigned long counts[METRICS_NSTATUSES]);

struct metrics_snap {
	unsigned long messages[METRICS_NACTIONS][METRICS_NREASONS];
	unsigned long mx[METRICS_NMX];
	unsigned long dns_hits, dns_misses, dns_queries;
	unsigned long ses[METRICS_NSES][2]; /* [action][ok] */
	unsigned long passes[2];            /* [ok] */
	time_t last_good_pass;              /* 0: none yet */
	unsigned long identities[METRICS_NSTATUSES];
	bool identities_known; /* a pass has counted them */
	unsigned long log_dropped;
	time_t started;
	const char *version;
};

/* The counters now. */
void metrics_snapshot(struct metrics_snap *);
/* The exposition text of S. */
void metrics_format(FILE *, const struct metrics_snap *);

/*
 * The writer thread: writes PATH every INTERVAL seconds (PATH "": none).
 * metrics_start() records the start time too; metrics_configure() applies
 * a reload; metrics_stop() writes a last time and ends the thread.
 */
bool metrics_start(const char *path, unsigned interval);
void metrics_configure(const char *path, unsigned interval);
void metrics_stop(void);

#endif
