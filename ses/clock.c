/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <time.h>

#include "ses/clock.h"

int64_t
clock_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * CLOCK_NSEC + ts.tv_nsec;
}

void
clock_sleep_until(int64_t when_ns)
{
	struct timespec ts;

	ts.tv_sec = when_ns / CLOCK_NSEC;
	ts.tv_nsec = when_ns % CLOCK_NSEC;
	while (
	    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}
