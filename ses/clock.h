/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * clock: the monotonic clock the SES library's waits (rate limit, retry
 * back-off) run on, exported so that the synchroniser's own waits use the
 * same one. Wall-clock steps never shorten or stretch a wait.
 */
#ifndef SES_CLOCK_H
#define SES_CLOCK_H

#include <stdint.h>

#define CLOCK_NSEC 1000000000LL

/* Nanoseconds on CLOCK_MONOTONIC. */
int64_t clock_now_ns(void);

/* Sleeps until clock_now_ns() >= WHEN_NS, through signals. */
void clock_sleep_until(int64_t when_ns);

#endif
