/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * filter: the libmilter callbacks and the run-time state they use.
 *
 * The running configuration and resolver are swapped together by
 * filter_set_runtime() (at start-up and on reload); each message holds
 * references to the ones it started with, so a reload never changes the
 * rules under a message in flight. SES's statuses come as a snapshot the
 * synchroniser publishes (filter_set_sesstatus()); a message reads it
 * once, at MAIL FROM.
 */
#ifndef FILTER_H
#define FILTER_H

#include <libmilter/mfapi.h>

struct conf;
struct resolver;
struct sesstatus;

extern struct smfiDesc filter_desc;

/* Takes over the caller's references; the previous ones are released. */
void filter_set_runtime(struct conf *, struct resolver *);
/* New references to the running ones; release with conf_unref/resolver_unref. */
void filter_get_runtime(struct conf **, struct resolver **);

/*
 * The synchroniser's latest SES status snapshot (sesstatus.h); takes over
 * the caller's reference. NULL: none known (the MX check alone decides).
 */
void filter_set_sesstatus(struct sesstatus *);

#endif
