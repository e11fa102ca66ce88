/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The synchroniser's thread in the daemon: runs passes (syncpass.h) on a
 * schedule, after reloads, and backs off after a failed one.
 */
#include "milter/sync/syncer.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "milter/log.h"
#include "milter/sync/snapshot.h"
#include "milter/sync/syncplan.h"
#include "ses/cancel.h"
#include "ses/clock.h"
#include "ses/creds.h"

/*
 * How long syncer_stop() waits for the thread. SES and the credential
 * sources are cancelled at once, and main() ends the resolver's waits
 * first (resolver_stop_waiting()); this bounds whatever else might hold
 * the thread (a state file on a hung file system), the daemon having to
 * stop within 2 s.
 */
#define SYNCER_STOP_WAIT_MS 800

/* ---- the daemon's thread ---- */

struct syncer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;  /* on CLOCK_MONOTONIC */
	struct conf *pending; /* a reload not yet taken; lock */
	atomic_bool stopping;
	/* ends SES requests, back-offs, rate-limit waits, credential fetches */
	struct ses_cancel *cancel;
	/*
	 * Set by syncer_stop() when it gives up waiting for the thread and
	 * by the thread when it ends: whichever comes second frees.
	 */
	atomic_bool left;
	struct syncpass_hooks hooks;
	/* the thread's own */
	struct conf *conf;
	struct state *state; /* NULL: out of memory, none */
	struct syncpass_link link;
};

static bool
syncer_is_stopping(void *arg)
{
	struct syncer *s = arg;

	return atomic_load(&s->stopping);
}

static void
syncer_debug(void *arg, const char *msg)
{
	(void)arg;
	log_debug("SES: %s", msg);
}

/*
 * Whether the configuration asks for something the recorded SES state
 * lacks (an identity added or changed while the daemon was down): then a
 * restart reads SES at once instead of waiting for the interval.
 */
static bool
syncer_state_behind(const struct conf *c, const struct state *st)
{
	const struct state_identity *prev;
	size_t i;

	for (i = 0; i < c->nidentities; i++) {
		if ((prev = state_find(st, c->identities[i].name)) == NULL)
			return true;
		if (prev->known &&
		    syncplan_compare(&c->identities[i], &prev->ses, NULL) !=
			SYNCPLAN_IN_STEP)
			return true;
	}
	return false;
}

/* Seconds until the first pass. */
static time_t
syncer_first_delay(const struct conf *c, const struct state *st)
{
	time_t now = time(NULL), elapsed;

	if (st == NULL || st->last_success == 0 || syncer_state_behind(c, st))
		return 0;
	/* a clock set back: the last pass is recent, but not in the future */
	elapsed = now > st->last_success ? now - st->last_success : 0;
	return elapsed >= (time_t)c->sync_interval
	    ? 0
	    : (time_t)c->sync_interval - elapsed;
}

/* The milter threads' view of what the state now says of SES. */
static void
syncer_publish(struct syncer *s)
{
	struct sesstatus *snap;

	if (s->hooks.publish == NULL)
		return;
	/* sync = no by a reload: the MX check alone decides again */
	if (s->conf->sync == CONF_SYNC_NO) {
		s->hooks.publish(s->hooks.arg, NULL);
		return;
	}
	if ((snap = snapshot_make(s->conf, s->state)) == NULL) {
		log_warnx("SES: out of memory for the status snapshot");
		return;
	}
	s->hooks.publish(s->hooks.arg, snap);
}

static int
syncer_pass_once(struct syncer *s)
{
	struct syncpass_client_opts o;
	struct syncpass_report rep;
	struct syncpass p;
	char err[512];
	int rc;

	if (s->link.client == NULL) {
		memset(&o, 0, sizeof(o));
		o.debug = syncer_debug;
		o.http.cancel = s->cancel;
		if (syncpass_link_open(
			s->conf, &o, &s->link, err, sizeof(err)) == -1) {
			log_warnx("SES: cannot make an SES client: %s", err);
			return -1;
		}
	}
	memset(&p, 0, sizeof(p));
	p.client = s->link.client;
	p.conf = s->conf;
	p.mode = s->conf->sync == CONF_SYNC_DRY_RUN ? SYNCPASS_DRY_RUN
						    : SYNCPASS_APPLY;
	p.state = s->state;
	p.hooks = &s->hooks;
	p.cancelled = syncer_is_stopping;
	p.cancel_arg = s;
	rc = syncpass_run(&p, &rep);
	/* a stopped pass tells the milter threads and systemd nothing new */
	if (!atomic_load(&s->stopping)) {
		if (s->hooks.pass_done != NULL)
			s->hooks.pass_done(s->hooks.arg, rc, &rep);
		syncer_publish(s);
	}
	syncpass_report_free(&rep);
	if (s->state != NULL &&
	    state_save(s->conf->state_file, s->state, err, sizeof(err)) == -1)
		log_warnx("SES: cannot save the state: %s", err);
	return rc;
}

static void
syncer_take_reload(struct syncer *s, struct conf *c)
{
	if (strcmp(s->conf->region, c->region) != 0 ||
	    strcmp(s->conf->endpoint, c->endpoint) != 0 ||
	    strcmp(s->conf->profile, c->profile) != 0)
		syncpass_link_close(&s->link);
	if (strcmp(s->conf->state_file, c->state_file) != 0) {
		state_free(s->state);
		s->state = state_load(c->state_file);
	}
	conf_unref(s->conf);
	s->conf = c;
	ses_ratelimit_set(c->rate);
	/* the milter threads match statuses to identities of this one now */
	syncer_publish(s);
}

static void
syncer_free(struct syncer *s)
{
	conf_unref(s->pending);
	conf_unref(s->conf);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	ses_cancel_free(s->cancel);
	free(s);
}

static void *
syncer_main(void *arg)
{
	struct syncer *s = arg;
	struct conf *reloaded;
	struct timespec ts;
	int64_t next, backoff = 0;
	time_t delay;

	s->state = state_load(s->conf->state_file);
	/* what the last run learnt counts until it is too old */
	syncer_publish(s);
	delay = syncer_first_delay(s->conf, s->state);
	log_info("SES: synchroniser started (%s, %zu identities, every %u s); "
		 "first pass in %lld s",
	    s->conf->sync == CONF_SYNC_DRY_RUN ? "dry-run" : "apply",
	    s->conf->nidentities, s->conf->sync_interval, (long long)delay);
	next = clock_now_ns() + (int64_t)delay * CLOCK_NSEC;
	for (;;) {
		pthread_mutex_lock(&s->lock);
		while (!atomic_load(&s->stopping) && s->pending == NULL &&
		    (next < 0 || clock_now_ns() < next)) {
			if (next < 0) {
				pthread_cond_wait(&s->cond, &s->lock);
				continue;
			}
			ts.tv_sec = next / CLOCK_NSEC;
			ts.tv_nsec = next % CLOCK_NSEC;
			pthread_cond_timedwait(&s->cond, &s->lock, &ts);
		}
		reloaded = s->pending;
		s->pending = NULL;
		pthread_mutex_unlock(&s->lock);
		if (atomic_load(&s->stopping)) {
			conf_unref(reloaded);
			break;
		}
		if (reloaded != NULL) {
			syncer_take_reload(s, reloaded);
			backoff = 0;
			next = s->conf->sync == CONF_SYNC_NO ? -1 : 0;
			continue;
		}
		if (syncer_pass_once(s) == 0) {
			backoff = 0;
			next = clock_now_ns() +
			    (int64_t)s->conf->sync_interval * CLOCK_NSEC;
			continue;
		}
		if (atomic_load(&s->stopping))
			break;
		backoff = backoff == 0 ? SYNCER_BACKOFF_FIRST : backoff * 2;
		if (backoff > (int64_t)s->conf->sync_interval)
			backoff = s->conf->sync_interval;
		/* the pass's own line already warned */
		log_info("SES: next pass in %lld s", (long long)backoff);
		next = clock_now_ns() + backoff * CLOCK_NSEC;
	}
	syncpass_link_close(&s->link);
	state_free(s->state);
	s->state = NULL;
	log_info("SES: synchroniser stopped");
	if (atomic_exchange(&s->left, true))
		syncer_free(s); /* syncer_stop() did not wait for this end */
	return NULL;
}

struct syncer *
syncer_start(struct conf *conf, const struct syncpass_hooks *hooks, char *err,
    size_t errlen)
{
	pthread_condattr_t ca;
	sigset_t all, old;
	struct syncer *s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	if ((s->cancel = ses_cancel_new()) == NULL) {
		snprintf(err, errlen, "cannot start the SES thread: %s",
		    strerror(errno));
		free(s);
		return NULL;
	}
	if (hooks != NULL)
		s->hooks = *hooks;
	atomic_init(&s->stopping, false);
	atomic_init(&s->left, false);
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	s->conf = conf_ref(conf);
	ses_ratelimit_set(conf->rate);
	/* signals are the daemon's main threads' business, never this one's */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	errno = pthread_create(&s->thread, NULL, syncer_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (errno != 0) {
		snprintf(err, errlen, "cannot start the SES thread: %s",
		    strerror(errno));
		syncer_free(s);
		return NULL;
	}
	return s;
}

void
syncer_reload(struct syncer *s, struct conf *conf)
{
	struct conf *old;

	pthread_mutex_lock(&s->lock);
	old = s->pending;
	s->pending = conf_ref(conf);
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	conf_unref(old);
}

void
syncer_stop(struct syncer *s)
{
	if (s == NULL)
		return;
	struct timespec ts;
	int64_t ns;

	atomic_store(&s->stopping, true);
	ses_cancel_fire(s->cancel);
	pthread_mutex_lock(&s->lock);
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	/* pthread_timedjoin_np() takes a CLOCK_REALTIME deadline */
	clock_gettime(CLOCK_REALTIME, &ts);
	ns = ts.tv_nsec + (int64_t)SYNCER_STOP_WAIT_MS * 1000000;
	ts.tv_sec += ns / CLOCK_NSEC;
	ts.tv_nsec = ns % CLOCK_NSEC;
	if (pthread_timedjoin_np(s->thread, NULL, &ts) != 0) {
		log_warnx("SES: the synchroniser has not ended within "
			  "%d ms; stopping without it",
		    SYNCER_STOP_WAIT_MS);
		pthread_detach(s->thread);
		if (!atomic_exchange(&s->left, true))
			return; /* the thread frees it when it ends */
	}
	syncer_free(s);
}

int
syncer_check_profile(const struct conf *c, char *err, size_t errlen)
{
	return creds_profile_needs_mfa(
	    c->profile[0] != '\0' ? c->profile : NULL, err, errlen);
}
