/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log: syslog, and stderr too when running in the foreground.
 *
 * As in OpenSMTPD, log_warn() appends strerror(errno) and log_warnx() does
 * not. Audit lines go through log_info(); they are one logfmt line each.
 * Callers never pass secrets here.
 *
 * Until log_start() a line is written by the thread that logs it. After
 * it, a thread only formats its line into a bounded queue (logq.h) and
 * returns: one logger thread writes to stderr and syslog, so a syslog
 * reader that lags or stops costs the mail path nothing. When the queue is
 * full lines are dropped and counted, and the logger reports "dropped N
 * lines" as soon as it can. Stderr is written before syslog, and syslog
 * is never waited for (logsys.h): lines its reader has no room for wait
 * in a second queue, tried again every 50 ms; a reader that stopped loses
 * what does not fit there, counted and reported to it once it reads
 * again, while stderr gets every line.
 */
#ifndef LOG_H
#define LOG_H

#include <stdbool.h>

void log_init(const char *ident, int facility, bool to_stderr);
/*
 * Starts the logger thread: call it in the process that stays (after a
 * fork), with the signal mask its threads should have. False, logged,
 * when it cannot start: lines are then written directly, as before it.
 */
bool log_start(void);
/*
 * Writes what is queued, for at most TIMEOUT_MS, and ends the logger
 * thread; lines logged later are written directly. A logger stuck on a
 * standard error nobody reads is left behind when the time is up.
 */
void log_stop(unsigned timeout_ms);
/* Lines dropped on a full queue, or refused by syslog, since start. */
unsigned long log_dropped_total(void);
/* Changes the facility of an open log (a reload may change it). */
void log_set_facility(int facility);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_set_debug(bool on);

#endif
