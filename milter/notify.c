/* SPDX-License-Identifier: BSD-2-Clause */
#include "milter/notify.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "milter/log.h"

static int notify_fd = -1;
static struct sockaddr_un notify_sun;
static socklen_t notify_sunlen;

bool
notify_parse_addr(const char *value, struct sockaddr_un *sun, socklen_t *len)
{
	size_t n;

	if (value == NULL || (value[0] != '/' && value[0] != '@'))
		return false;
	n = strlen(value);
	if (n < 2 || n >= sizeof(sun->sun_path))
		return false;
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, value, n);
	if (value[0] == '@') {
		/* abstract: a leading NUL, and the length says where it ends */
		sun->sun_path[0] = '\0';
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else
		*len = (socklen_t)sizeof(*sun);
	return true;
}

bool
notify_open(void)
{
	const char *value = getenv("NOTIFY_SOCKET");
	bool ok;

	if (value == NULL)
		return true;
	ok = notify_parse_addr(value, &notify_sun, &notify_sunlen);
	if (!ok)
		log_warnx("NOTIFY_SOCKET %s: not a unix socket address; "
			  "systemd will not hear from this daemon",
		    value);
	else if ((notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) <
	    0) {
		log_warn("NOTIFY_SOCKET: socket");
		ok = false;
	}
	/* not for anything this process might start */
	unsetenv("NOTIFY_SOCKET");
	return ok;
}

void
notify_send(const char *msg)
{
	if (notify_fd < 0)
		return;
	if (sendto(notify_fd, msg, strlen(msg), MSG_NOSIGNAL,
		(struct sockaddr *)&notify_sun, notify_sunlen) < 0)
		log_warn("NOTIFY_SOCKET: cannot tell systemd");
}

/* STATUS= is one line: a newline would start another field. */
static void
notify_with_status(const char *head, const char *status)
{
	char buf[512];
	size_t i, start;

	start = (size_t)snprintf(buf, sizeof(buf), "%sSTATUS=", head);
	if (start >= sizeof(buf))
		return;
	snprintf(buf + start, sizeof(buf) - start, "%s", status);
	for (i = start; buf[i] != '\0'; i++)
		if (buf[i] == '\n' || buf[i] == '\r')
			buf[i] = ' ';
	notify_send(buf);
}

void
notify_ready(const char *status)
{
	notify_with_status("READY=1\n", status);
}

void
notify_reloading_msg(char *buf, size_t len, uint64_t monotonic_usec)
{
	snprintf(
	    buf, len, "RELOADING=1\nMONOTONIC_USEC=%" PRIu64, monotonic_usec);
}

void
notify_reloading(void)
{
	struct timespec ts;
	char buf[64];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	notify_reloading_msg(buf, sizeof(buf),
	    (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u);
	notify_send(buf);
}

void
notify_stopping(void)
{
	notify_send("STOPPING=1");
}

void
notify_status(const char *status)
{
	notify_with_status("", status);
}

void
notify_close(void)
{
	if (notify_fd >= 0)
		close(notify_fd);
	notify_fd = -1;
}

void
notify_summary(char *buf, size_t len, size_t nidentities, const char *sync,
    time_t last_pass, const char *last_error)
{
	char when[32];
	struct tm tm;

	if (strcmp(sync, "no") == 0) {
		snprintf(buf, len, "%zu identities; SES sync off", nidentities);
		return;
	}
	if (last_pass == 0) {
		snprintf(buf, len, "%zu identities; SES sync %s: no pass yet",
		    nidentities, sync);
		return;
	}
	if (gmtime_r(&last_pass, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(when, sizeof(when), "%lld", (long long)last_pass);
	if (last_error == NULL)
		snprintf(buf, len,
		    "%zu identities; SES sync %s: last pass %s ok", nidentities,
		    sync, when);
	else
		snprintf(buf, len,
		    "%zu identities; SES sync %s: last pass %s failed (%s)",
		    nidentities, sync, when, last_error);
}
