/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * logsys: lines to the syslog socket without ever waiting for its reader.
 *
 * glibc's syslog() blocks for as long as the reader of /dev/log stops (a
 * datagram socket whose queue is full), and with it the one logger
 * thread: lines for stderr stalled behind it. This sends each line on a
 * socket of its own, with MSG_DONTWAIT, in the format glibc writes
 * ("<PRI>Mmm dd hh:mm:ss IDENT[PID]: line"), and says when the reader had
 * no room: the caller keeps the line for another try (log.c). One owner
 * (the logger thread, or the thread that logs before it starts): no
 * locking here.
 */
#ifndef LOGSYS_H
#define LOGSYS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#define LOGSYS_PATH "/dev/log"

struct logsys {
	char path[108]; /* sun_path */
	int fd;         /* -1 while not connected */
};

enum logsys_sent {
	LOGSYS_SENT,
	LOGSYS_NO_ROOM,   /* the reader's queue is full: try again later */
	LOGSYS_NO_READER, /* nobody listens (as glibc: not an error) */
};

/* Remembers PATH and connects now if it can (later sends retry). */
void logsys_open(struct logsys *, const char *path);
void logsys_close(struct logsys *);
/* Sends one line; never blocks. */
enum logsys_sent logsys_send(struct logsys *, int pri, const char *ident,
    pid_t pid, const char *line, size_t len);
/*
 * Pure: the datagram for LINE at NOW (local time) into BUF; its length,
 * cut to SIZE - 1.
 */
size_t logsys_format(char *buf, size_t size, int pri, const char *ident,
    pid_t pid, time_t now, const char *line, size_t len);

#endif
