/* SPDX-License-Identifier: BSD-2-Clause */
#include "milter/logsys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "milter/logq.h"

/* Room for the header ("<191>Dec 31 23:59:59 ident[4194304]: ") too. */
#define LOGSYS_DGRAM_MAX (LOGQ_LINE_MAX + 128)

static void
logsys_connect(struct logsys *ls)
{
	struct sockaddr_un sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, ls->path, sizeof(ls->path));
	if ((ls->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	if (connect(ls->fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		close(ls->fd);
		ls->fd = -1;
	}
}

void
logsys_open(struct logsys *ls, const char *path)
{
	ls->fd = -1;
	snprintf(ls->path, sizeof(ls->path), "%s", path);
	logsys_connect(ls);
}

void
logsys_close(struct logsys *ls)
{
	if (ls->fd >= 0)
		close(ls->fd);
	ls->fd = -1;
}

size_t
logsys_format(char *buf, size_t size, int pri, const char *ident, pid_t pid,
    time_t now, const char *line, size_t len)
{
	char stamp[32];
	struct tm tm;
	int n;

	if (localtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%b %e %T", &tm) == 0)
		snprintf(stamp, sizeof(stamp), "Jan  1 00:00:00");
	n = snprintf(buf, size, "<%d>%s %s[%ld]: %.*s", pri, stamp, ident,
	    (long)pid, (int)len, line);
	if (n < 0)
		return 0;
	return (size_t)n < size ? (size_t)n : size - 1;
}

enum logsys_sent
logsys_send(struct logsys *ls, int pri, const char *ident, pid_t pid,
    const char *line, size_t len)
{
	char buf[LOGSYS_DGRAM_MAX];
	size_t n;
	int reconnects = 0;

	n = logsys_format(
	    buf, sizeof(buf), pri, ident, pid, time(NULL), line, len);
	for (;;) {
		if (ls->fd < 0)
			logsys_connect(ls);
		if (ls->fd < 0)
			return LOGSYS_NO_READER;
		if (send(ls->fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
			return LOGSYS_SENT;
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
			return LOGSYS_NO_ROOM;
		/* Once: the syslog daemon may have restarted on a new socket. */
		logsys_close(ls);
		if (reconnects++ > 0)
			return LOGSYS_NO_READER;
	}
}
