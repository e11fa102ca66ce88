/* SPDX-License-Identifier: BSD-2-Clause */
#include "milter/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "milter/logq.h"
#include "milter/logsys.h"

/*
 * Room for a burst: 512 lines are about 100 ms of mail at 5,000 messages
 * a second with one line each, 1 MiB in all.
 */
#define LOG_QUEUE_LINES 512
/* Lines the logger takes out per turn of its lock. */
#define LOG_BATCH 8
/* See log_gather(). */
#define LOG_GATHER_MS 10
#define LOG_WAKE_AT (LOG_QUEUE_LINES / 4)
/* How often an idle logger retries telling syslog what it missed. */
#define LOG_RETRY_MS 500

static bool log_stderr;
static bool log_debugging;
static const char *log_ident = "ses-mailfrom-milter";
static atomic_int log_facility_want;
static pid_t log_pid;
static struct logsys log_sys; /* owned by whoever writes: see log_write() */

static pthread_mutex_t log_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t log_more = PTHREAD_COND_INITIALIZER;  /* to the logger */
static pthread_cond_t log_empty = PTHREAD_COND_INITIALIZER; /* from it */
static struct logq log_q;
static pthread_t log_thread;
static atomic_bool log_queued; /* the logger runs: lines go to log_q */
static bool log_waiting;       /* the logger sleeps on log_more */
static bool log_gathering;     /* ... for more lines to write at once */
static bool log_quit;
static bool log_done; /* the logger has written all and ended */
static atomic_ulong log_dropped;

void
log_init(const char *ident, int facility, bool to_stderr)
{
	log_ident = ident;
	log_stderr = to_stderr;
	log_pid = getpid();
	atomic_store(&log_facility_want, facility);
	/* Now, as root: /dev/log need not be reachable after the drop. */
	logsys_open(&log_sys, LOGSYS_PATH);
}

/* Applied to each line as it is written. */
void
log_set_facility(int facility)
{
	atomic_store(&log_facility_want, facility);
}

void
log_set_debug(bool on)
{
	log_debugging = on;
}

/*
 * One line to stderr (in the foreground) and to syslog. Stderr first and
 * syslog never waited for: a stalled syslog reader loses syslog lines
 * (counted), not the foreground log. Called by the logger thread only
 * once it runs, before that by the thread that logs.
 */
static void
log_write(int prio, const char *line, size_t len)
{
	if (log_stderr)
		fprintf(stderr, "%.*s\n", (int)len, line);
	if (logsys_send(&log_sys, atomic_load(&log_facility_want) | prio,
		log_ident, log_pid, line, len) == LOGSYS_NO_ROOM)
		atomic_fetch_add(&log_dropped, 1);
}

static void
log_write_dropped(unsigned long n, const char *why)
{
	char line[96];
	int len;

	atomic_fetch_add(&log_dropped, n);
	len = snprintf(line, sizeof(line), "dropped %lu lines: %s", n, why);
	log_write(LOG_WARNING, line, (size_t)len);
}

/*
 * Once syslog takes lines again, it is told how many it missed (stderr
 * had them all). If it still has no room the count waits for next time.
 */
static void
log_report_syslog_drops(void)
{
	unsigned long n = log_sys.dropped;
	char line[96];
	int len;

	if (n == 0)
		return;
	len = snprintf(line, sizeof(line),
	    "dropped %lu lines: the syslog reader had no room", n);
	switch (
	    logsys_send(&log_sys, atomic_load(&log_facility_want) | LOG_WARNING,
		log_ident, log_pid, line, (size_t)len)) {
	case LOGSYS_SENT:
		log_sys.dropped -= n;
		if (log_stderr)
			fprintf(stderr, "%.*s\n", len, line);
		break;
	case LOGSYS_NO_ROOM:
		log_sys.dropped--; /* the report itself is not a line lost */
		break;
	case LOGSYS_NO_READER:
		break; /* told when a reader is back */
	}
}

/*
 * Woken by a first line, the logger lets more gather before it writes:
 * one wake-up (a futex call in the thread that logs) per LOG_GATHER_MS
 * or LOG_WAKE_AT lines, not one per message. Called with log_mtx held.
 */
static void
log_gather(void)
{
	struct timespec until;

	if (log_quit || log_q.count >= LOG_WAKE_AT)
		return;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += LOG_GATHER_MS * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	log_gathering = true;
	while (!log_quit && log_q.count < LOG_WAKE_AT &&
	    pthread_cond_timedwait(&log_more, &log_mtx, &until) != ETIMEDOUT)
		;
	log_gathering = false;
}

/*
 * Sleeps until lines come, or, while syslog owes a report of lines it
 * missed, until it is time to try again. Called with log_mtx held.
 */
static void
log_idle(void)
{
	struct timespec until;

	if (log_sys.dropped == 0) {
		pthread_cond_wait(&log_more, &log_mtx);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += LOG_RETRY_MS * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	if (pthread_cond_timedwait(&log_more, &log_mtx, &until) == ETIMEDOUT) {
		pthread_mutex_unlock(&log_mtx);
		log_report_syslog_drops();
		if (log_stderr)
			fflush(stderr);
		pthread_mutex_lock(&log_mtx);
	}
}

static void *
log_main(void *arg)
{
	static struct logq_entry batch[LOG_BATCH];
	unsigned long dropped;
	size_t i, n;

	(void)arg;
	pthread_mutex_lock(&log_mtx);
	for (;;) {
		if (log_q.count == 0 && log_q.dropped == 0 && !log_quit) {
			while (log_q.count == 0 && log_q.dropped == 0 &&
			    !log_quit) {
				log_waiting = true;
				log_idle();
				log_waiting = false;
			}
			log_gather();
		}
		if (log_q.count == 0 && log_q.dropped == 0)
			break;
		dropped = logq_take_dropped(&log_q);
		for (n = 0; n < LOG_BATCH && logq_pop(&log_q, &batch[n]); n++)
			;
		pthread_mutex_unlock(&log_mtx);
		if (dropped != 0)
			log_write_dropped(dropped, "the log queue was full");
		log_report_syslog_drops();
		for (i = 0; i < n; i++)
			log_write(batch[i].prio, batch[i].line, batch[i].len);
		if (log_stderr)
			fflush(stderr);
		pthread_mutex_lock(&log_mtx);
	}
	log_done = true;
	pthread_cond_broadcast(&log_empty);
	pthread_mutex_unlock(&log_mtx);
	return NULL;
}

bool
log_start(void)
{
	if (!logq_init(&log_q, LOG_QUEUE_LINES)) {
		log_warnx("no memory for the log queue: logging directly");
		return false;
	}
	if ((errno = pthread_create(&log_thread, NULL, log_main, NULL)) != 0) {
		log_warn("cannot start the logger thread: logging directly");
		logq_free(&log_q);
		return false;
	}
	log_pid = getpid(); /* after the fork: the pid syslog should show */
	/* named, so that its CPU time can be told apart (make bench) */
	pthread_setname_np(log_thread, "smf-logger");
	atomic_store(&log_queued, true);
	return true;
}

void
log_stop(unsigned timeout_ms)
{
	struct timespec deadline;
	bool done;
	int rc = 0;

	if (!atomic_load(&log_queued))
		return;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&log_mtx);
	log_quit = true;
	pthread_cond_signal(&log_more);
	while (!log_done && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&log_empty, &log_mtx, &deadline);
	done = log_done;
	pthread_mutex_unlock(&log_mtx);
	if (!done)
		return; /* stuck in syslog(): the process ends around it */
	pthread_join(log_thread, NULL);
	atomic_store(&log_queued, false);
	logq_free(&log_q);
}

unsigned long
log_dropped_total(void)
{
	return atomic_load(&log_dropped);
}

/* Never waits for the logger: a full queue drops the line (counted). */
static void
log_enqueue(int prio, const char *line, size_t len)
{
	pthread_mutex_lock(&log_mtx);
	if (logq_push(&log_q, prio, line, len) &&
	    (log_waiting || (log_gathering && log_q.count == LOG_WAKE_AT)))
		pthread_cond_signal(&log_more);
	pthread_mutex_unlock(&log_mtx);
}

static void
log_emit(int prio, const char *suffix, const char *fmt, va_list ap)
{
	char line[LOGQ_LINE_MAX];
	int n;

	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1; /* truncated: still worth logging */
	if (suffix != NULL) {
		snprintf(line + n, sizeof(line) - n, ": %s", suffix);
		n = (int)strlen(line);
	}
	if (atomic_load(&log_queued))
		log_enqueue(prio, line, (size_t)n);
	else {
		log_write(prio, line, (size_t)n);
		if (log_stderr)
			fflush(stderr);
	}
}

void
log_warn(const char *fmt, ...)
{
	int saved = errno;
	char buf[128];
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_WARNING, strerror_r(saved, buf, sizeof(buf)), fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_WARNING, NULL, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_INFO, NULL, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_debugging)
		return;
	va_start(ap, fmt);
	log_emit(LOG_DEBUG, NULL, fmt, ap);
	va_end(ap);
}
