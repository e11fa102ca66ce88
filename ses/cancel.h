/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cancel: a one-way "stop now" that every wait of the SES library obeys,
 * so that a daemon stops on time whatever SES or a credential source
 * does. One thread fires it (the daemon's shutdown), the threads in the
 * library see it at once: it is an eventfd that becomes readable and
 * stays so, which a poll() in a sleep, in a credential_process read or in
 * libcurl's curl_multi_poll() wakes on. A library call given none (NULL)
 * is never cancelled: the tool passes none.
 */
#ifndef SES_CANCEL_H
#define SES_CANCEL_H

#include <stdbool.h>
#include <stdint.h>

struct ses_cancel;

/* NULL when out of file descriptors or memory (errno says which). */
struct ses_cancel *ses_cancel_new(void);
/* After every thread that was given it has stopped using it. */
void ses_cancel_free(struct ses_cancel *);

/* Fires it; idempotent; callable from any thread. */
void ses_cancel_fire(struct ses_cancel *);

/* Whether it has fired; false for NULL. */
bool ses_cancel_fired(const struct ses_cancel *);

/* The descriptor that is readable once it has fired; -1 for NULL. */
int ses_cancel_fd(const struct ses_cancel *);

/*
 * Sleeps until clock_now_ns() >= WHEN_NS (clock.h) or until C fires,
 * through signals. 0 when the time came, -1 when C fired (before or
 * during the wait).
 */
int ses_cancel_sleep_until(const struct ses_cancel *c, int64_t when_ns);

#endif
