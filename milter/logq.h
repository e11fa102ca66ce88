/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * logq: the bounded queue of log lines between the threads that log and
 * the one logger thread that writes them (log.c). A full queue refuses a
 * line and counts it, so a thread that logs never waits for the syslog
 * reader; the logger reports the count when it next writes.
 *
 * Pure: no locking and no I/O (log.c holds its lock around every call).
 * Lines come out in the order they went in. The slots are allocated once.
 */
#ifndef LOGQ_H
#define LOGQ_H

#include <stdbool.h>
#include <stddef.h>

/* A line, NUL included: longer ones are cut (log.c cuts them first). */
#define LOGQ_LINE_MAX 2048

struct logq_entry {
	int prio;
	size_t len; /* strlen(line) */
	char line[LOGQ_LINE_MAX];
};

struct logq {
	struct logq_entry *slots;
	size_t cap, head, count;
	unsigned long dropped; /* refused since the last logq_take_dropped() */
};

/* CAP slots; false when out of memory. */
bool logq_init(struct logq *, size_t cap);
void logq_free(struct logq *);

/* Queues LINE (LEN bytes, cut to fit); false, and counted, when full. */
bool logq_push(struct logq *, int prio, const char *line, size_t len);
/*
 * The oldest line, left in place (NULL when empty), and its removal: for a
 * line that may have to wait for another try.
 */
const struct logq_entry *logq_front(const struct logq *);
void logq_drop_front(struct logq *);
/* The oldest line into OUT; false when empty. */
bool logq_pop(struct logq *, struct logq_entry *out);
/* The lines refused since the last call, and the count starts again. */
unsigned long logq_take_dropped(struct logq *);

#endif
