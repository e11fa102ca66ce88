/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * logsys: lines to the syslog socket without ever waiting for its reader.
 *
 * glibc's syslog() blocks when the reader of /dev/log stops (a datagram
 * socket whose queue is full), and with it the one logger thread: lines
 * for stderr and the journal stalled behind it. This sends each line with
 * MSG_DONTWAIT on a socket of its own, in the format glibc writes
 * ("<PRI>Mmm dd hh:mm:ss IDENT[PID]: line"), and counts what the reader
 * had no room for. One owner (the logger thread, or the thread that logs
 * before it starts): no locking here.
 */
#ifndef LOGSYS_H
#define LOGSYS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#define LOGSYS_PATH "/dev/log"

struct logsys {
	char path[108];        /* sun_path */
	int fd;                /* -1 while not connected */
	unsigned long dropped; /* refused since logsys_take_dropped() */
};

/* Remembers PATH and connects now if it can (later sends retry). */
void logsys_open(struct logsys *, const char *path);
void logsys_close(struct logsys *);
/*
 * Sends one line; false, and counted in ->dropped, when the reader has no
 * room or no syslog listens. Never blocks.
 */
bool logsys_send(struct logsys *, int pri, const char *ident, pid_t pid,
    const char *line, size_t len);
/* The count of lines refused since the last call, reset. */
unsigned long logsys_take_dropped(struct logsys *);
/*
 * Pure: the datagram for LINE at NOW (local time) into BUF; its length,
 * cut to SIZE - 1.
 */
size_t logsys_format(char *buf, size_t size, int pri, const char *ident,
    pid_t pid, time_t now, const char *line, size_t len);

#endif
