/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The cancellation flag as an eventfd: a poll() wakes on it wherever the
 * waiting thread is, where a flag alone would be seen only at the end of
 * a sleep or of a transfer.
 */
#include "ses/cancel.h"

#include <sys/eventfd.h>

#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "ses/clock.h"

struct ses_cancel {
	int fd;
	atomic_bool fired;
};

struct ses_cancel *
ses_cancel_new(void)
{
	struct ses_cancel *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1) {
		free(c);
		return NULL;
	}
	atomic_init(&c->fired, false);
	return c;
}

void
ses_cancel_free(struct ses_cancel *c)
{
	if (c == NULL)
		return;
	close(c->fd);
	free(c);
}

void
ses_cancel_fire(struct ses_cancel *c)
{
	uint64_t one = 1;

	if (c == NULL || atomic_exchange(&c->fired, true))
		return;
	/*
	 * Never read back: the descriptor stays readable, so every waiter,
	 * now or later, wakes. A full counter (never, at one write) would
	 * leave it readable too.
	 */
	while (write(c->fd, &one, sizeof(one)) == -1 && errno == EINTR)
		;
}

bool
ses_cancel_fired(const struct ses_cancel *c)
{
	return c != NULL && atomic_load(&c->fired);
}

int
ses_cancel_fd(const struct ses_cancel *c)
{
	return c != NULL ? c->fd : -1;
}

int
ses_cancel_sleep_until(const struct ses_cancel *c, int64_t when_ns)
{
	struct pollfd pfd = { ses_cancel_fd(c), POLLIN, 0 };
	int64_t left;

	for (;;) {
		if (ses_cancel_fired(c))
			return -1;
		left = when_ns - clock_now_ns();
		if (left <= 0)
			return 0;
		/* rounded up: a wait never ends before its time */
		left = (left + 999999) / 1000000;
		/* a negative fd (no canceller) makes poll() a plain sleep */
		(void)poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
	}
}
