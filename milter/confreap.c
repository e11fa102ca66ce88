/* SPDX-License-Identifier: BSD-2-Clause */
#include "milter/confreap.h"

#include <errno.h>
#include <pthread.h>
#include <stddef.h>

#include "milter/conf.h"
#include "milter/log.h"

static pthread_mutex_t reap_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t reap_cv = PTHREAD_COND_INITIALIZER;
static struct conf *reap_list;
static bool reap_quit, reap_running;
static pthread_t reap_thread;

/* conf_unref()'s release function: on the caller's thread, O(1). */
static void
confreap_release(struct conf *c)
{
	pthread_mutex_lock(&reap_mtx);
	c->reap_next = reap_list;
	reap_list = c;
	pthread_cond_signal(&reap_cv);
	pthread_mutex_unlock(&reap_mtx);
}

static void
confreap_drain(void)
{
	struct conf *c, *next;

	pthread_mutex_lock(&reap_mtx);
	c = reap_list;
	reap_list = NULL;
	pthread_mutex_unlock(&reap_mtx);
	for (; c != NULL; c = next) {
		next = c->reap_next;
		conf_free(c);
	}
}

static void *
confreap_main(void *arg)
{
	bool quit;

	(void)arg;
	do {
		pthread_mutex_lock(&reap_mtx);
		while (reap_list == NULL && !reap_quit)
			pthread_cond_wait(&reap_cv, &reap_mtx);
		quit = reap_quit;
		pthread_mutex_unlock(&reap_mtx);
		confreap_drain();
	} while (!quit);
	return NULL;
}

bool
confreap_start(void)
{
	if ((errno = pthread_create(&reap_thread, NULL, confreap_main, NULL)) !=
	    0) {
		log_warn(
		    "cannot start the thread that frees old configurations");
		return false;
	}
	reap_running = true;
	conf_set_release(confreap_release);
	return true;
}

void
confreap_stop(void)
{
	if (!reap_running)
		return;
	conf_set_release(NULL);
	pthread_mutex_lock(&reap_mtx);
	reap_quit = true;
	pthread_cond_signal(&reap_cv);
	pthread_mutex_unlock(&reap_mtx);
	pthread_join(reap_thread, NULL);
	reap_running = false;
	/* released between the thread's last turn and the hook's removal */
	confreap_drain();
}
