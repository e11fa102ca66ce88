/* SPDX-License-Identifier: BSD-2-Clause */
#include "milter/metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "milter/log.h"
#include "milter/dns/mx.h"

#define PFX "ses_mailfrom_"

static const char *const metrics_actions[METRICS_NACTIONS] = {
	"accept",
	"reject",
	"tempfail",
};

static const char *const metrics_reasons[METRICS_NREASONS] = {
	"Success",
	"Failed",
	"TemporaryFailure",
	"Pending",
	"unknown_sender",
	"bounce",
	"local",
	"out_of_scope",
	"no_mail_from",
	"error",
};

static const char *const metrics_statuses[METRICS_NSTATUSES] = {
	"Success",
	"Pending",
	"Failed",
	"TemporaryFailure",
	"unknown",
};

static const char *const metrics_ses_actions[METRICS_NSES] = {
	"GetIdentityMailFromDomainAttributes",
	"SetIdentityMailFromDomain",
	"GetIdentityVerificationAttributes",
};

static atomic_ulong m_messages[METRICS_NACTIONS][METRICS_NREASONS];
static atomic_ulong m_mx[METRICS_NMX];
static atomic_ulong m_dns[3];
static atomic_ulong m_ses[METRICS_NSES][2];
static atomic_ulong m_passes[2];
static atomic_llong m_last_good;
static atomic_ulong m_identities[METRICS_NSTATUSES];
static atomic_bool m_identities_known;
static time_t m_started;

static void
metrics_inc(atomic_ulong *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

void
metrics_message(enum metrics_action a, enum metrics_reason r)
{
	metrics_inc(&m_messages[a][r]);
}

void
metrics_mx(int r)
{
	if (r >= 0 && r < METRICS_NMX)
		metrics_inc(&m_mx[r]);
}

void
metrics_dns(enum metrics_dns what)
{
	metrics_inc(&m_dns[what]);
}

void
metrics_ses_request(enum metrics_ses_action a, bool ok)
{
	metrics_inc(&m_ses[a][ok]);
}

void
metrics_sync_pass(bool ok, time_t when)
{
	metrics_inc(&m_passes[ok]);
	if (ok)
		atomic_store(&m_last_good, (long long)when);
}

enum metrics_status
metrics_status_of(const char *s)
{
	size_t i;

	for (i = 0; s != NULL && i < METRICS_ST_UNKNOWN; i++)
		if (strcmp(s, metrics_statuses[i]) == 0)
			return (enum metrics_status)i;
	return METRICS_ST_UNKNOWN;
}

void
metrics_identities(const unsigned long counts[METRICS_NSTATUSES])
{
	size_t i;

	for (i = 0; i < METRICS_NSTATUSES; i++)
		atomic_store(&m_identities[i], counts[i]);
	atomic_store(&m_identities_known, true);
}

void
metrics_snapshot(struct metrics_snap *s)
{
	size_t i, j;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < METRICS_NACTIONS; i++)
		for (j = 0; j < METRICS_NREASONS; j++)
			s->messages[i][j] = atomic_load(&m_messages[i][j]);
	for (i = 0; i < METRICS_NMX; i++)
		s->mx[i] = atomic_load(&m_mx[i]);
	s->dns_hits = atomic_load(&m_dns[METRICS_DNS_HIT]);
	s->dns_misses = atomic_load(&m_dns[METRICS_DNS_MISS]);
	s->dns_queries = atomic_load(&m_dns[METRICS_DNS_QUERY]);
	for (i = 0; i < METRICS_NSES; i++) {
		s->ses[i][0] = atomic_load(&m_ses[i][0]);
		s->ses[i][1] = atomic_load(&m_ses[i][1]);
	}
	for (i = 0; i < 2; i++)
		s->passes[i] = atomic_load(&m_passes[i]);
	s->last_good_pass = (time_t)atomic_load(&m_last_good);
	for (i = 0; i < METRICS_NSTATUSES; i++)
		s->identities[i] = atomic_load(&m_identities[i]);
	s->identities_known = atomic_load(&m_identities_known);
	s->log_dropped = log_dropped_total();
	s->started = m_started;
	s->version = VERSION;
}

static void
metrics_head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP " PFX "%s %s\n# TYPE " PFX "%s %s\n", name, help,
	    name, type);
}

void
metrics_format(FILE *f, const struct metrics_snap *s)
{
	size_t i, j;

	metrics_head(f, "messages_total", "counter",
	    "Messages by outcome and by the status or rule that decided it.");
	for (i = 0; i < METRICS_NACTIONS; i++)
		for (j = 0; j < METRICS_NREASONS; j++)
			fprintf(f,
			    PFX "messages_total{action=\"%s\",reason=\"%s\"} "
				"%lu\n",
			    metrics_actions[i], metrics_reasons[j],
			    s->messages[i][j]);
	metrics_head(f, "mx_checks_total", "counter",
	    "MX checks of MAIL FROM domains at MAIL FROM, by result.");
	for (i = 0; i < METRICS_NMX; i++)
		fprintf(f, PFX "mx_checks_total{result=\"%s\"} %lu\n",
		    mx_result_name((enum mx_result)i), s->mx[i]);
	metrics_head(f, "dns_cache_hits_total", "counter",
	    "MX lookups answered from the cache.");
	fprintf(f, PFX "dns_cache_hits_total %lu\n", s->dns_hits);
	metrics_head(f, "dns_cache_misses_total", "counter",
	    "MX lookups the cache could not answer.");
	fprintf(f, PFX "dns_cache_misses_total %lu\n", s->dns_misses);
	metrics_head(f, "dns_queries_total", "counter",
	    "MX queries handed to the resolver library.");
	fprintf(f, PFX "dns_queries_total %lu\n", s->dns_queries);
	metrics_head(f, "ses_requests_total", "counter",
	    "Requests to SES (retries included in one), by action and outcome.");
	for (i = 0; i < METRICS_NSES; i++)
		for (j = 2; j-- > 0;)
			fprintf(f,
			    PFX "ses_requests_total{action=\"%s\","
				"outcome=\"%s\"} %lu\n",
			    metrics_ses_actions[i], j ? "ok" : "error",
			    s->ses[i][j]);
	metrics_head(f, "sync_passes_total", "counter",
	    "Synchroniser passes, by result.");
	fprintf(f, PFX "sync_passes_total{result=\"ok\"} %lu\n", s->passes[1]);
	fprintf(
	    f, PFX "sync_passes_total{result=\"error\"} %lu\n", s->passes[0]);
	if (s->last_good_pass != 0) {
		metrics_head(f, "sync_last_success_timestamp_seconds", "gauge",
		    "When the last synchroniser pass that succeeded ended.");
		fprintf(f, PFX "sync_last_success_timestamp_seconds %lld\n",
		    (long long)s->last_good_pass);
	}
	if (s->identities_known) {
		metrics_head(f, "identities", "gauge",
		    "Configured identities by SES MailFromDomainStatus, as the "
		    "last pass read it.");
		for (i = 0; i < METRICS_NSTATUSES; i++)
			fprintf(f, PFX "identities{status=\"%s\"} %lu\n",
			    metrics_statuses[i], s->identities[i]);
	}
	metrics_head(f, "log_lines_dropped_total", "counter",
	    "Log lines dropped: the log queue was full or syslog had no room.");
	fprintf(f, PFX "log_lines_dropped_total %lu\n", s->log_dropped);
	metrics_head(f, "start_time_seconds", "gauge",
	    "When the daemon started, in seconds since the epoch.");
	fprintf(f, PFX "start_time_seconds %lld\n", (long long)s->started);
	metrics_head(f, "build_info", "gauge", "The daemon's version.");
	fprintf(f, PFX "build_info{version=\"%s\"} 1\n", s->version);
}

/* The writer thread's state, under metrics_mtx. */
static pthread_mutex_t metrics_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t metrics_cv = PTHREAD_COND_INITIALIZER;
static char *metrics_path;
static unsigned metrics_interval = 15;
static bool metrics_quit, metrics_running;
static pthread_t metrics_thread;

/*
 * Writes PATH.tmp and renames it over PATH; false (errno) on failure.
 * Whatever is left at PATH.tmp (a crash's leftover, a FIFO, a symlink) is
 * unlinked, never opened, and the file is created new (O_EXCL: never
 * through a link) and without blocking: a FIFO put there must not stop
 * the thread, and with it metrics_stop() and the daemon's exit.
 */
static bool
metrics_write(const char *path)
{
	struct metrics_snap s;
	char tmp[4096];
	FILE *f;
	int fd, ok;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return false;
	}
	if (unlink(tmp) != 0 && errno != ENOENT)
		return false;
	fd = open(tmp,
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
	    0644);
	if (fd < 0)
		return false;
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(tmp);
		return false;
	}
	metrics_snapshot(&s);
	metrics_format(f, &s);
	ok = fflush(f) == 0 && !ferror(f);
	if (fclose(f) != 0)
		ok = 0;
	if (!ok || rename(tmp, path) != 0) {
		int saved = errno;

		unlink(tmp);
		errno = saved;
		return false;
	}
	return true;
}

/* Logs a failure once, not every interval, and the recovery. */
static void
metrics_write_logged(const char *path, bool *failing)
{
	if (!metrics_write(path)) {
		if (!*failing)
			log_warn("metrics_file %s: cannot write", path);
		*failing = true;
	} else if (*failing) {
		log_info("metrics_file %s: written again", path);
		*failing = false;
	}
}

static void *
metrics_main(void *arg)
{
	struct timespec at;
	bool failing = false, quit;
	char *path;

	(void)arg;
	pthread_mutex_lock(&metrics_mtx);
	for (;;) {
		quit = metrics_quit;
		path = metrics_path != NULL && *metrics_path != '\0'
		    ? strdup(metrics_path)
		    : NULL;
		pthread_mutex_unlock(&metrics_mtx);
		if (path != NULL)
			metrics_write_logged(path, &failing);
		free(path);
		if (quit)
			return NULL;
		pthread_mutex_lock(&metrics_mtx);
		clock_gettime(CLOCK_REALTIME, &at);
		at.tv_sec += metrics_interval;
		while (!metrics_quit &&
		    pthread_cond_timedwait(&metrics_cv, &metrics_mtx, &at) !=
			ETIMEDOUT)
			;
	}
}

void
metrics_configure(const char *path, unsigned interval)
{
	char *copy = strdup(path);

	if (copy == NULL) {
		log_warnx(
		    "metrics_file %s: out of memory; keeping the last", path);
		return;
	}
	pthread_mutex_lock(&metrics_mtx);
	free(metrics_path);
	metrics_path = copy;
	metrics_interval = interval;
	pthread_mutex_unlock(&metrics_mtx);
}

bool
metrics_start(const char *path, unsigned interval)
{
	m_started = time(NULL);
	metrics_configure(path, interval);
	if ((errno = pthread_create(
		 &metrics_thread, NULL, metrics_main, NULL)) != 0) {
		log_warn("cannot start the metrics thread");
		return false;
	}
	metrics_running = true;
	return true;
}

void
metrics_stop(void)
{
	if (!metrics_running)
		return;
	pthread_mutex_lock(&metrics_mtx);
	metrics_quit = true;
	pthread_cond_signal(&metrics_cv);
	pthread_mutex_unlock(&metrics_mtx);
	pthread_join(metrics_thread, NULL);
	metrics_running = false;
	free(metrics_path);
	metrics_path = NULL;
}
