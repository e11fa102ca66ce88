/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * syncer: the daemon's synchroniser thread, which keeps SES's custom MAIL
 * FROM settings equal to the configuration by running passes (syncpass.h)
 * on a thread of its own: at start (after a restart, not before
 * sync_interval has passed since the last good pass the state file
 * records, unless the configuration asks for something the recorded SES
 * state lacks), every sync_interval, and after each reload. A failed pass
 * (SES unreachable, throttled or failing after the client's own retries)
 * is tried again after 30 s, 60 s, ... at most sync_interval. The thread
 * has its own SES client, holds only references (conf_ref) and never a
 * lock the milter threads take: mail never waits for SES. `sync = no`
 * means no thread at all (the daemon does not start one); a reload to
 * `no` leaves the thread idle, `dry-run` audits each call a pass would
 * make and makes none.
 */
#ifndef SYNCER_H
#define SYNCER_H

#include "milter/conf.h"
#include "milter/sync/syncpass.h"

#define SYNCER_BACKOFF_FIRST 30 /* seconds after a failed pass */

/*
 * Starts the thread with CONF (the syncer takes a reference of its own)
 * and the hooks (copied). NULL with the reason in ERR when the thread
 * cannot start. Call it after curl_global_init() and after the process
 * has its final user: the state file is written as that user.
 */
struct syncer *syncer_start(
    struct conf *, const struct syncpass_hooks *, char *err, size_t errlen);

/*
 * A reloaded configuration (the syncer takes its own reference): the
 * running pass, if any, finishes under the previous one, then a pass runs
 * under the new one. Never blocks on SES.
 */
void syncer_reload(struct syncer *, struct conf *);

/*
 * At start-up, as the final user: -1 with the reason in ERR when the
 * credentials C's [ses] profile leads to need an MFA code, which nobody
 * can type into a daemon (creds_profile_needs_mfa()); else 0.
 */
int syncer_check_profile(const struct conf *c, char *err, size_t errlen);

/*
 * Stops the thread and frees everything, within SYNCER_STOP_WAIT_MS
 * (syncer.c): a wait between passes, an SES request in flight, a back-off,
 * the 1-per-second pacing and a credential fetch end at once. Only the
 * local MX check cannot be interrupted: when it outlasts the wait, the
 * thread is left to end (and free) on its own, saving nothing more than
 * the state file. NULL is fine.
 */
void syncer_stop(struct syncer *);

#endif
