/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * snapshot: the milter threads' view of SES's MailFromDomainStatus
 * (milter/sesstatus.h), made from the synchroniser's state (state.h) for
 * one configuration. An identity's status counts only while SES's MAIL
 * FROM domain is the configured one: a status of another domain says
 * nothing about the domain the message is checked against.
 *
 * Pure: no I/O; the state is only read.
 */
#ifndef SNAPSHOT_H
#define SNAPSHOT_H

#include "milter/conf.h"
#include "milter/sesstatus.h"
#include "milter/sync/state.h"

/* A new snapshot (one reference), or NULL when out of memory. */
struct sesstatus *snapshot_make(struct conf *, const struct state *);

#endif
