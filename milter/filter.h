/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * filter: the libmilter callbacks and the run-time state they use.
 *
 * The running configuration and resolver are swapped together by
 * filter_set_runtime() (at start-up and on reload); each message holds
 * references to the ones it started with, so a reload never changes the
 * rules under a message in flight.
 */
#ifndef FILTER_H
#define FILTER_H

#include <libmilter/mfapi.h>

struct conf;
struct resolver;

extern struct smfiDesc filter_desc;

/* Takes over the caller's references; the previous ones are released. */
void filter_set_runtime(struct conf *, struct resolver *);
/* New references to the running ones; release with conf_unref/resolver_unref. */
void filter_get_runtime(struct conf **, struct resolver **);

#endif
