/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sesstatus: what the synchroniser last learnt of SES's
 * MailFromDomainStatus, for the milter threads: an immutable snapshot,
 * one entry per identity of the configuration it was made for, published
 * by the synchroniser's thread and swapped whole (reference-counted like
 * struct conf). A milter thread reads its identity's entry in O(1) by
 * the identity's place in that configuration, without a lock and without
 * waiting for SES.
 *
 * Ownership: sesstatus_new() holds a reference to its configuration; the
 * last sesstatus_unref() drops it and frees the snapshot. Entries are set
 * with sesstatus_set() before the snapshot is published, never after.
 */
#ifndef SESSTATUS_H
#define SESSTATUS_H

#include <stdatomic.h>
#include <stddef.h>
#include <time.h>

#include "milter/conf.h"

/* SES's MailFromDomainStatus; UNKNOWN: not known (or not fresh). */
enum sesstatus_value {
	SESSTATUS_UNKNOWN,
	SESSTATUS_SUCCESS,
	SESSTATUS_PENDING,
	SESSTATUS_TEMPORARY_FAILURE,
	SESSTATUS_FAILED,
};

struct sesstatus_entry {
	enum sesstatus_value status;
	time_t checked; /* when SES said so (or was told, by a Set) */
};

struct sesstatus {
	struct conf *conf; /* entries[i] is conf->identities[i]'s */
	struct sesstatus_entry *entries;
	atomic_int refs;
};

/* Every entry UNKNOWN; NULL when out of memory. Takes a conf reference. */
struct sesstatus *sesstatus_new(struct conf *);
void sesstatus_set(
    struct sesstatus *, size_t i, enum sesstatus_value, time_t checked);
struct sesstatus *sesstatus_ref(struct sesstatus *);
void sesstatus_unref(struct sesstatus *); /* NULL is fine */

/*
 * SES's status for identity ID of configuration C at time NOW: UNKNOWN
 * unless the snapshot was made for C itself (a reload makes a new one)
 * and the entry is at most twice C's sync_interval old, so that a
 * synchroniser that stopped reaching SES stops steering the decision.
 */
enum sesstatus_value sesstatus_lookup(const struct sesstatus *,
    const struct conf *c, const struct conf_identity *id, time_t now);

/* "Pending", ... as SES spells them; UNKNOWN for anything else or NULL. */
enum sesstatus_value sesstatus_parse(const char *);
/* SES's spelling; NULL for UNKNOWN. */
const char *sesstatus_name(enum sesstatus_value);

#endif
