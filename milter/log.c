/* SPDX-License-Identifier: BSD-2-Clause */
#include "milter/log.h"

#include <errno.h>
#include <poll.h>
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
/*
 * Lines a syslog reader had no room for wait here, in order, and are
 * tried again every LOG_RETRY_MS and before each batch: a reader that is
 * only slow loses nothing, one that stopped loses what does not fit.
 */
#define LOG_SYSQ_LINES 512
#define LOG_RETRY_MS 50
/* At exit, the logger ends this long before log_stop() gives up on it. */
#define LOG_QUIT_MARGIN_MS 20

static bool log_stderr;
static bool log_debugging;
static const char *log_ident = "ses-mailfrom-milter";
static atomic_int log_facility_want;
static pid_t log_pid;
static struct logsys log_sys; /* owned by whoever writes: see log_write() */
static struct logq log_sysq;  /* the logger thread's alone */
static bool log_sysq_on;      /* allocated, the logger running */

static pthread_mutex_t log_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t log_more = PTHREAD_COND_INITIALIZER;  /* to the logger */
static pthread_cond_t log_empty = PTHREAD_COND_INITIALIZER; /* from it */
static struct logq log_q;
static pthread_t log_thread;
static atomic_bool log_queued; /* the logger runs: lines go to log_q */
static bool log_waiting;       /* the logger sleeps on log_more */
static bool log_gathering;     /* ... for more lines to write at once */
static bool log_quit;
static struct timespec log_quit_by; /* log_stop()'s deadline, CLOCK_REALTIME */
static bool log_done;               /* the logger has written all and ended */
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
 * A line to syslog, behind those still waiting for room; one it has no
 * room for waits its turn (the logger's), or is counted as dropped.
 */
static void
log_syslog_line(int prio, const char *line, size_t len)
{
	if (log_sysq_on && log_sysq.count > 0) {
		if (!logq_push(&log_sysq, prio, line, len))
			atomic_fetch_add(&log_dropped, 1);
		return;
	}
	if (logsys_send(&log_sys, atomic_load(&log_facility_want) | prio,
		log_ident, log_pid, line, len) != LOGSYS_NO_ROOM)
		return;
	if (!log_sysq_on || !logq_push(&log_sysq, prio, line, len))
		atomic_fetch_add(&log_dropped, 1);
}

/*
 * One line to stderr (in the foreground) and to syslog. Stderr first and
 * syslog never waited for: a stalled syslog reader costs syslog lines
 * (counted), not the foreground log. Called by the logger thread only
 * once it runs, before that by the thread that logs.
 */
static void
log_write(int prio, const char *line, size_t len)
{
	if (log_stderr)
		fprintf(stderr, "%.*s\n", (int)len, line);
	log_syslog_line(prio, line, len);
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
 * The lines waiting for syslog, in order, until it has no room again; once
 * all are in, it is told how many did not fit (stderr had them all, and
 * is told too). Logger thread only, without log_mtx.
 */
static void
log_syslog_retry(void)
{
	const struct logq_entry *e;
	unsigned long n;
	char line[96];
	int len;

	while ((e = logq_front(&log_sysq)) != NULL) {
		if (logsys_send(&log_sys,
			atomic_load(&log_facility_want) | e->prio, log_ident,
			log_pid, e->line, e->len) == LOGSYS_NO_ROOM)
			return;
		logq_drop_front(&log_sysq);
	}
	if ((n = logq_take_dropped(&log_sysq)) == 0)
		return;
	len = snprintf(line, sizeof(line),
	    "dropped %lu lines: the syslog reader had no room", n);
	if (logsys_send(&log_sys, atomic_load(&log_facility_want) | LOG_WARNING,
		log_ident, log_pid, line, (size_t)len) == LOGSYS_NO_ROOM) {
		log_sysq.dropped += n; /* told next time */
		return;
	}
	if (log_stderr)
		fprintf(stderr, "%.*s\n", len, line);
}

/* CLOCK_REALTIME now plus MS, for pthread_cond_timedwait(). */
static void
log_deadline(unsigned ms, struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
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
	log_deadline(LOG_GATHER_MS, &until);
	log_gathering = true;
	while (!log_quit && log_q.count < LOG_WAKE_AT &&
	    pthread_cond_timedwait(&log_more, &log_mtx, &until) != ETIMEDOUT)
		;
	log_gathering = false;
}

/*
 * Sleeps until lines come, or, while lines wait for syslog, until it is
 * time to try them again. Called with log_mtx held.
 */
static void
log_idle(void)
{
	struct timespec until;

	if (log_sysq.count == 0 && log_sysq.dropped == 0) {
		pthread_cond_wait(&log_more, &log_mtx);
		return;
	}
	log_deadline(LOG_RETRY_MS, &until);
	if (pthread_cond_timedwait(&log_more, &log_mtx, &until) == ETIMEDOUT) {
		pthread_mutex_unlock(&log_mtx);
		log_syslog_retry();
		if (log_stderr)
			fflush(stderr);
		pthread_mutex_lock(&log_mtx);
	}
}

/*
 * At exit: the lines syslog has not taken yet get until log_stop()'s
 * deadline, each try as soon as the reader has room.
 */
static void
log_syslog_last_tries(void)
{
	struct pollfd p;
	struct timespec now;
	long left_ms;

	for (;;) {
		log_syslog_retry();
		if ((log_sysq.count == 0 && log_sysq.dropped == 0) ||
		    log_sys.fd < 0)
			return;
		clock_gettime(CLOCK_REALTIME, &now);
		left_ms = (log_quit_by.tv_sec - now.tv_sec) * 1000L +
		    (log_quit_by.tv_nsec - now.tv_nsec) / 1000000L;
		if (left_ms <= LOG_QUIT_MARGIN_MS)
			return;
		p.fd = log_sys.fd;
		p.events = POLLOUT;
		(void)poll(&p, 1,
		    (int)(left_ms - LOG_QUIT_MARGIN_MS < LOG_RETRY_MS
			    ? left_ms - LOG_QUIT_MARGIN_MS
			    : LOG_RETRY_MS));
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
		log_syslog_retry();
		if (dropped != 0)
			log_write_dropped(dropped, "the log queue was full");
		for (i = 0; i < n; i++)
			log_write(batch[i].prio, batch[i].line, batch[i].len);
		if (log_stderr)
			fflush(stderr);
		pthread_mutex_lock(&log_mtx);
	}
	pthread_mutex_unlock(&log_mtx);
	log_syslog_last_tries();
	pthread_mutex_lock(&log_mtx);
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
	if (!logq_init(&log_sysq, LOG_SYSQ_LINES)) {
		logq_free(&log_q);
		log_warnx("no memory for the log queue: logging directly");
		return false;
	}
	log_pid = getpid(); /* after the fork: the pid syslog should show */
	log_sysq_on = true;
	if ((errno = pthread_create(&log_thread, NULL, log_main, NULL)) != 0) {
		log_sysq_on = false;
		log_warn("cannot start the logger thread: logging directly");
		logq_free(&log_sysq);
		logq_free(&log_q);
		return false;
	}
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
	log_deadline(timeout_ms, &deadline);
	pthread_mutex_lock(&log_mtx);
	log_quit_by = deadline;
	log_quit = true;
	pthread_cond_signal(&log_more);
	while (!log_done && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&log_empty, &log_mtx, &deadline);
	done = log_done;
	pthread_mutex_unlock(&log_mtx);
	if (!done)
		return; /* stuck on stderr: the process ends around it */
	pthread_join(log_thread, NULL);
	atomic_store(&log_queued, false);
	log_sysq_on = false;
	logq_free(&log_sysq);
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
