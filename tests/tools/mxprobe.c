/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mxprobe: drives milter/dns/resolver for the integration tests.
 *
 *   mxprobe [-s SERVERS] [-t TIMEOUT_MS] [-r TRIES] [-m MIN_TTL] [-M MAX_TTL]
 *           [-T TRANSIENT_TTL] [-c CACHE_MAX] [-e EXPECTED_MX] [-j THREADS]
 *           [-b LOOKUPS [-R RELOADS]] [NAME...]
 *
 * Resolves each NAME (or, without any, each line of stdin, answering line
 * by line so a test can interleave lookups with changes to the DNS) with
 * one resolver whose cache lives as long as the process. With -j N, N
 * threads look the name up at the same moment. Each lookup prints
 *   name=N result=R ttl=T ms=E kind=K nmx=X host=H
 * (ttl: seconds the verdict stays cached; ms: the lookup's wall time).
 *
 * With -b N (names from the command line only), after those lookups every
 * thread makes N more, going round all the names from a different start,
 * and one line gives the average wall time of a lookup in a thread:
 *   bench names=K threads=J lookups=L reloads=R ns_per_lookup=C
 * One name that is cached measures a cache hit; many names with a small
 * -c make hits, misses and evictions race (the ThreadSanitizer stress).
 * With -R N, the main thread meanwhile replaces the resolver N times the
 * way a reload of the daemon does (start a new one, publish it, unref the
 * old one) while each lookup holds a reference of its own.
 *
 * Exit status: 0, or 1 if a resolver does not start, 2 on bad usage.
 */
#include <ares.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "milter/dns/resolver.h"

#define PROBE_THREADS_MAX 1000

struct probe {
	struct resolver_opts opts;
	pthread_mutex_t lock; /* res, when reloads > 0 */
	struct resolver *res;
	const char *expected;
	const char *name; /* the first phase's */
	char **names;     /* the bench's */
	int nnames;
	long bench;
	long reloads;
	int nthreads;
	pthread_barrier_t start;
};

struct probe_worker {
	struct probe *p;
	pthread_t tid;
	int index;
	double ms; /* the bench's, this thread's */
};

static struct probe_worker probe_workers[PROBE_THREADS_MAX];

static double
probe_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static struct resolver *
probe_start(const struct resolver_opts *o)
{
	struct resolver *r;
	char err[256];

	if ((r = resolver_start(o, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mxprobe: %s\n", err);
		exit(1);
	}
	return r;
}

static void *
probe_lookup(void *arg)
{
	struct probe_worker *w = arg;
	struct probe *p = w->p;
	struct mx_summary found;
	unsigned ttl;
	enum mx_result res;
	double t0, ms;

	pthread_barrier_wait(&p->start);
	t0 = probe_now_ms();
	res = resolver_mx(p->res, p->name, p->expected, &found, &ttl);
	ms = probe_now_ms() - t0;
	printf("name=%s result=%s ttl=%u ms=%.1f kind=%s nmx=%u host=%s\n",
	    p->name, mx_result_name(res), ttl, ms, mx_kind_name(found.kind),
	    found.nmx, found.null_mx ? "." : found.host);
	return NULL;
}

static void *
probe_bench(void *arg)
{
	struct probe_worker *w = arg;
	struct probe *p = w->p;
	struct resolver *r;
	double t0;

	pthread_barrier_wait(&p->start);
	t0 = probe_now_ms();
	for (long i = 0; i < p->bench; i++) {
		const char *name = p->names[(w->index + i) % p->nnames];

		if (p->reloads == 0) {
			resolver_mx(p->res, name, p->expected, NULL, NULL);
			continue;
		}
		pthread_mutex_lock(&p->lock);
		r = resolver_ref(p->res);
		pthread_mutex_unlock(&p->lock);
		resolver_mx(r, name, p->expected, NULL, NULL);
		resolver_unref(r);
	}
	w->ms = probe_now_ms() - t0;
	return NULL;
}

static void
probe_reload(struct probe *p)
{
	struct resolver *fresh = probe_start(&p->opts), *old;

	pthread_mutex_lock(&p->lock);
	old = p->res;
	p->res = fresh;
	pthread_mutex_unlock(&p->lock);
	resolver_unref(old);
}

/* Runs fn in p->nthreads threads released together, reloading meanwhile. */
static void
probe_threads(struct probe *p, void *(*fn)(void *), long reloads)
{
	struct probe_worker *w = probe_workers;
	int i;

	pthread_barrier_init(&p->start, NULL, (unsigned)p->nthreads + 1);
	for (i = 0; i < p->nthreads; i++) {
		w[i].p = p;
		w[i].index = i;
		if (pthread_create(&w[i].tid, NULL, fn, &w[i]) != 0) {
			fprintf(stderr, "mxprobe: cannot start %d threads\n",
			    p->nthreads);
			exit(1);
		}
	}
	pthread_barrier_wait(&p->start);
	for (long k = 0; k < reloads; k++) {
		probe_reload(p);
		usleep(1000);
	}
	for (i = 0; i < p->nthreads; i++)
		pthread_join(w[i].tid, NULL);
	fflush(stdout);
	pthread_barrier_destroy(&p->start);
}

static void
probe_usage(void)
{
	fprintf(stderr,
	    "usage: mxprobe [-s SERVERS] [-t TIMEOUT_MS] [-r TRIES] [-m MIN_TTL] "
	    "[-M MAX_TTL]\n               [-T TRANSIENT_TTL] [-c CACHE_MAX] [-e EXPECTED_MX] "
	    "[-j THREADS]\n               [-b LOOKUPS [-R RELOADS]] [NAME...]\n");
	exit(2);
}

static long
probe_number(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		probe_usage();
	return v;
}

int
main(int argc, char **argv)
{
	struct probe p;
	char line[1024];
	int c;

	memset(&p, 0, sizeof(p));
	p.opts.servers = "";
	p.opts.timeout_ms = 2000;
	p.opts.tries = 2;
	p.opts.max_ttl = 3600;
	p.expected = "feedback-smtp.us-east-1.amazonses.com";
	p.nthreads = 1;
	pthread_mutex_init(&p.lock, NULL);
	while ((c = getopt(argc, argv, "s:t:r:m:M:T:c:e:j:b:R:")) != -1) {
		switch (c) {
		case 's':
			p.opts.servers = optarg;
			break;
		case 't':
			p.opts.timeout_ms = (int)probe_number(optarg, 1, 60000);
			break;
		case 'r':
			p.opts.tries = (int)probe_number(optarg, 1, 10);
			break;
		case 'm':
			p.opts.min_ttl =
			    (unsigned)probe_number(optarg, 0, 86400 * 7);
			break;
		case 'M':
			p.opts.max_ttl =
			    (unsigned)probe_number(optarg, 0, 86400 * 7);
			break;
		case 'T':
			p.opts.transient_ttl =
			    (unsigned)probe_number(optarg, 0, 3600);
			break;
		case 'c':
			p.opts.cache_max =
			    (size_t)probe_number(optarg, 0, 1000000);
			break;
		case 'e':
			p.expected = optarg;
			break;
		case 'j':
			p.nthreads =
			    (int)probe_number(optarg, 1, PROBE_THREADS_MAX);
			break;
		case 'b':
			p.bench = probe_number(optarg, 0, 100000000);
			break;
		case 'R':
			p.reloads = probe_number(optarg, 0, 100000);
			break;
		default:
			probe_usage();
		}
	}
	if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) {
		fprintf(stderr, "mxprobe: ares_library_init failed\n");
		return 1;
	}
	p.res = probe_start(&p.opts);
	if (optind < argc) {
		for (int i = optind; i < argc; i++) {
			p.name = argv[i];
			probe_threads(&p, probe_lookup, 0);
		}
		p.names = argv + optind;
		p.nnames = argc - optind;
		if (p.bench > 0) {
			double ms = 0;

			probe_threads(&p, probe_bench, p.reloads);
			for (int i = 0; i < p.nthreads; i++)
				ms += probe_workers[i].ms;
			printf(
			    "bench names=%d threads=%d lookups=%ld reloads=%ld ns_per_lookup=%.1f\n",
			    p.nnames, p.nthreads, p.bench * p.nthreads,
			    p.reloads,
			    ms * 1e6 / ((double)p.bench * p.nthreads));
		}
	} else {
		while (fgets(line, sizeof(line), stdin) != NULL) {
			line[strcspn(line, " \t\r\n")] = '\0';
			p.name = line;
			if (line[0] != '\0')
				probe_threads(&p, probe_lookup, 0);
		}
	}
	resolver_unref(p.res);
	pthread_mutex_destroy(&p.lock);
	ares_library_cleanup();
	return 0;
}
