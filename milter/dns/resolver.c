/* SPDX-License-Identifier: BSD-2-Clause */
#include "milter/dns/resolver.h"

#include <arpa/nameser.h>
#include <ares.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "milter/metrics.h"

/*
 * SERVFAIL versus a dead server, with c-ares 1.18.
 *
 * When a server answers SERVFAIL, REFUSED or NOTIMP, c-ares moves on to
 * the next server, as glibc does, and once all are used up it reports
 * ARES_ECONNREFUSED without the answer: exactly what it reports when every
 * server's port is closed. ARES_FLAG_NOCHECKRESP would hand over the
 * answer instead, but then a REFUSED from the first of two resolvers (an
 * ACL mistake) would fail every lookup although the second one works.
 * So the channel keeps c-ares' failover, and the resolver's socket
 * functions (ares_set_socket_functions) look at the header of every UDP
 * datagram it reads: an error rcode is noted on the pending entry of the
 * name in its question. The mapping is then:
 *   c-ares hands over an answer (any rcode)   -> mx_parse() of it
 *   ECONNREFUSED or ETIMEOUT, rcode noted     -> kind servfail (refused for
 *                                                REFUSED, error for NOTIMP):
 *                                                verdict MX_SERVFAIL
 *   ECONNREFUSED, nothing noted               -> kind timeout: the ports are
 *                                                closed, verdict MX_TIMEOUT
 *   ETIMEOUT, nothing noted                   -> kind timeout, MX_TIMEOUT
 * Both verdicts are transient, so mail is only ever tempfailed; they differ
 * in the audit, where "servfail" points at the domain (or the resolver's
 * view of it) and "timeout" at reaching the resolver. c-ares goes over TCP
 * only for truncated answers; an error rcode over TCP is not seen and
 * reads as "timeout".
 */

struct rentry {
	struct rentry *hnext;         /* hash chain */
	struct rentry *lprev, *lnext; /* LRU list, most recent first */
	struct rentry *qnext;         /* queue to the resolver thread */
	struct resolver *r;
	pthread_cond_t done;   /* broadcast when gen changes */
	struct mx_summary sum; /* valid when has_result */
	uint64_t expires;      /* ms, monotonic */
	uint64_t deadline;     /* ms: when the current waiters give up */
	unsigned long gen;     /* bumped by each verdict, answer or timeout */
	unsigned waiters;
	int server_rcode; /* error rcode seen on the wire, 0: none */
	bool has_result;  /* sum holds this round's verdict */
	bool inflight;    /* a query is out; the entry must stay */
	uint32_t hash;
	char name[]; /* mx_canon_name() form */
};

struct resolver {
	pthread_mutex_t lock; /* the fields up to `stopping' and all entries */
	pthread_condattr_t
	    condattr; /* CLOCK_MONOTONIC for every entry's cond */
	struct rentry **buckets;
	size_t mask; /* buckets - 1, a power of two minus one */
	struct rentry *lru_head, *lru_tail;
	size_t count;
	struct rentry *queue; /* misses for the resolver thread */
	bool stopping;
	bool no_waiting; /* resolver_stop_waiting(): answer at once */

	/* Immutable after start. */
	struct resolver_opts
	    opts; /* but servers, which was only for starting */
	unsigned wait_ms;
	int wakefd;
	pthread_t thread;

	ares_channel channel; /* the resolver thread's only */
	atomic_uint refs;
};

static uint64_t
resolver_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* FNV-1a: the names come from the configuration, not from senders. */
static uint32_t
resolver_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static struct rentry *
resolver_find(struct resolver *r, const char *name, uint32_t hash)
{
	struct rentry *e;

	for (e = r->buckets[hash & r->mask]; e != NULL; e = e->hnext)
		if (e->hash == hash && strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

static void
resolver_lru_unlink(struct resolver *r, struct rentry *e)
{
	if (e->lprev != NULL)
		e->lprev->lnext = e->lnext;
	else
		r->lru_head = e->lnext;
	if (e->lnext != NULL)
		e->lnext->lprev = e->lprev;
	else
		r->lru_tail = e->lprev;
	e->lprev = e->lnext = NULL;
}

static void
resolver_lru_push(struct resolver *r, struct rentry *e)
{
	e->lprev = NULL;
	e->lnext = r->lru_head;
	if (r->lru_head != NULL)
		r->lru_head->lprev = e;
	else
		r->lru_tail = e;
	r->lru_head = e;
}

static void
resolver_entry_free(struct rentry *e)
{
	pthread_cond_destroy(&e->done);
	free(e);
}

/* Frees a chain of evicted entries (linked through hnext). */
static void
resolver_free_chain(struct rentry *e)
{
	struct rentry *next;

	for (; e != NULL; e = next) {
		next = e->hnext;
		resolver_entry_free(e);
	}
}

/*
 * Makes room for one entry: unlinks least recently used idle entries
 * (nobody waiting, no query out) and chains them on *evicted, through
 * hnext, for freeing once the lock is dropped. Only the oldest few are
 * looked at: if those are all busy, the cache stays over its bound until
 * a later insertion rather than making one lookup walk the whole list.
 */
static void
resolver_evict(struct resolver *r, struct rentry **evicted)
{
	struct rentry *e, *prev, **pp;
	int looked = 0;

	for (e = r->lru_tail;
	     e != NULL && r->count >= r->opts.cache_max && looked < 32;
	     e = prev, looked++) {
		prev = e->lprev;
		if (e->inflight || e->waiters > 0)
			continue;
		for (pp = &r->buckets[e->hash & r->mask]; *pp != e;
		     pp = &(*pp)->hnext)
			continue;
		*pp = e->hnext;
		resolver_lru_unlink(r, e);
		r->count--;
		e->hnext = *evicted;
		*evicted = e;
	}
}

static struct rentry *
resolver_insert(struct resolver *r, const char *name, size_t len, uint32_t hash,
    struct rentry **evicted)
{
	struct rentry *e;

	if ((e = calloc(1, sizeof(*e) + len + 1)) == NULL)
		return NULL;
	if (pthread_cond_init(&e->done, &r->condattr) != 0) {
		free(e);
		return NULL;
	}
	memcpy(e->name, name, len + 1);
	e->hash = hash;
	e->r = r;
	resolver_evict(r, evicted);
	e->hnext = r->buckets[hash & r->mask];
	r->buckets[hash & r->mask] = e;
	resolver_lru_push(r, e);
	r->count++;
	return e;
}

static unsigned
resolver_clamp(const struct resolver *r, const struct mx_summary *s)
{
	uint32_t ttl = s->ttl;

	switch (s->kind) {
	case MX_KIND_ANSWER:
	case MX_KIND_NXDOMAIN:
	case MX_KIND_NODATA:
		if (ttl < r->opts.min_ttl)
			ttl = r->opts.min_ttl;
		if (ttl > r->opts.max_ttl)
			ttl = r->opts.max_ttl;
		return ttl;
	default:
		return r->opts.transient_ttl;
	}
}

static unsigned
resolver_ttl_left(const struct rentry *e, uint64_t now)
{
	return e->expires > now ? (unsigned)((e->expires - now + 999) / 1000)
				: 0;
}

/* Lock held: records this round's verdict and wakes its waiters. */
static void
resolver_verdict(struct resolver *r, struct rentry *e,
    const struct mx_summary *s, uint64_t now)
{
	e->sum = *s;
	e->expires = now + (uint64_t)resolver_clamp(r, s) * 1000;
	e->has_result = true;
	e->gen++;
	pthread_cond_broadcast(&e->done);
}

/*
 * What a c-ares status without an answer says. Only an answer read by
 * mx_parse() may say that a domain fails for good: a status c-ares made
 * up on this side (no memory, a name it would not encode, NXDOMAIN or
 * NODATA without the answer that said so) is the filter's own fault,
 * MX_KIND_INTERNAL, which never refuses mail.
 */
static enum mx_kind
resolver_status_kind(int status)
{
	switch (status) {
	case ARES_ECONNREFUSED:
	case ARES_ETIMEOUT:
	case ARES_EDESTRUCTION:
	case ARES_ECANCELLED:
		return MX_KIND_TIMEOUT;
	case ARES_ESERVFAIL:
	case ARES_EREFUSED:
	case ARES_EFORMERR:
	case ARES_ENOTIMP:
	case ARES_EBADRESP:
	case ARES_EOF:
		return MX_KIND_ERROR;
	default:
		return MX_KIND_INTERNAL;
	}
}

/* The resolver thread's c-ares callback for one entry's query. */
static void
resolver_answer(
    void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct rentry *e = arg;
	struct resolver *r = e->r;
	struct mx_summary s;

	(void)timeouts;
	memset(&s, 0, sizeof(s));
	if (abuf != NULL && alen > 0)
		mx_parse(abuf, (size_t)alen, &s);
	else
		s.kind = resolver_status_kind(status);

	pthread_mutex_lock(&r->lock);
	if (abuf == NULL &&
	    (status == ARES_ECONNREFUSED || status == ARES_ETIMEOUT)) {
		if (e->server_rcode == ns_r_servfail)
			s.kind = MX_KIND_SERVFAIL;
		else if (e->server_rcode == ns_r_refused)
			s.kind = MX_KIND_REFUSED;
		else if (e->server_rcode != 0)
			s.kind = MX_KIND_ERROR;
	}
	e->inflight = false;
	resolver_verdict(r, e, &s, resolver_now());
	pthread_mutex_unlock(&r->lock);
}

/*
 * Called for every datagram c-ares reads: notes an error rcode on the
 * pending entry of the question's name (see the comment at the top).
 */
static void
resolver_note_rcode(
    struct resolver *r, ares_socket_t fd, const unsigned char *p, size_t len)
{
	char name[MX_NAME_MAX + 1];
	int rcode, type;
	socklen_t tlen = sizeof(type);
	struct rentry *e;
	ns_msg msg;
	ns_rr rr;

	if (len < NS_HFIXEDSZ || !(p[2] & 0x80))
		return;
	rcode = p[3] & 0x0f;
	if (rcode != ns_r_servfail && rcode != ns_r_refused &&
	    rcode != ns_r_notimpl)
		return;
	/* TCP reads are pieces of a stream, not whole messages. */
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) < 0 ||
	    type != SOCK_DGRAM)
		return;
	if (ns_initparse(p, (int)len, &msg) < 0 ||
	    ns_msg_count(msg, ns_s_qd) != 1 ||
	    ns_parserr(&msg, ns_s_qd, 0, &rr) < 0 ||
	    ns_rr_type(rr) != ns_t_mx ||
	    !mx_canon_name(ns_rr_name(rr), name, sizeof(name)))
		return;
	pthread_mutex_lock(&r->lock);
	if ((e = resolver_find(r, name, resolver_hash(name))) != NULL &&
	    e->inflight)
		e->server_rcode = rcode;
	pthread_mutex_unlock(&r->lock);
}

/*
 * c-ares leaves sockets it did not create alone, so these must be
 * non-blocking themselves; close-on-exec keeps them out of anything the
 * daemon runs.
 */
static ares_socket_t
resolver_socket(int domain, int type, int protocol, void *arg)
{
	(void)arg;
	return socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
}

static int
resolver_close(ares_socket_t fd, void *arg)
{
	(void)arg;
	return close(fd);
}

static int
resolver_connect(
    ares_socket_t fd, const struct sockaddr *sa, ares_socklen_t len, void *arg)
{
	(void)arg;
	return connect(fd, sa, len);
}

static ares_ssize_t
resolver_recvfrom(ares_socket_t fd, void *buf, size_t len, int flags,
    struct sockaddr *from, ares_socklen_t *fromlen, void *arg)
{
	ssize_t n = recvfrom(fd, buf, len, flags, from, fromlen);

	if (n > 0)
		resolver_note_rcode(arg, fd, buf, (size_t)n);
	return n;
}

static ares_ssize_t
resolver_sendv(ares_socket_t fd, const struct iovec *iov, int iovcnt, void *arg)
{
	(void)arg;
	return writev(fd, iov, iovcnt);
}

static const struct ares_socket_functions resolver_sockfuncs = {
	resolver_socket,
	resolver_close,
	resolver_connect,
	resolver_recvfrom,
	resolver_sendv,
};

/* Sends the queued misses; false once the resolver is stopping. */
static bool
resolver_dispatch(struct resolver *r)
{
	struct rentry *e, *next;
	uint64_t v;
	bool stopping;

	while (read(r->wakefd, &v, sizeof(v)) > 0)
		continue;
	pthread_mutex_lock(&r->lock);
	e = r->queue;
	r->queue = NULL;
	stopping = r->stopping;
	pthread_mutex_unlock(&r->lock);
	if (stopping)
		return false;
	/* Newest first, which does not matter: they are all sent now. */
	for (; e != NULL; e = next) {
		next = e->qnext;
		ares_query(
		    r->channel, e->name, ns_c_in, ns_t_mx, resolver_answer, e);
		metrics_dns(METRICS_DNS_QUERY);
	}
	return true;
}

static void *
resolver_main(void *arg)
{
	struct resolver *r = arg;
	struct pollfd pfd[1 + ARES_GETSOCK_MAXNUM];
	ares_socket_t socks[ARES_GETSOCK_MAXNUM];

	for (;;) {
		struct timeval tv, *tvp;
		unsigned bits;
		int i, ms;
		nfds_t n = 1;

		pfd[0].fd = r->wakefd;
		pfd[0].events = POLLIN;
		/*
		 * Bit i: socks[i] readable, bit 16 + i: writable. Tested here
		 * as unsigned: ARES_GETSOCK_WRITABLE() shifts a signed 1 into
		 * the sign bit for the 16th socket.
		 */
		bits = (unsigned)ares_getsock(
		    r->channel, socks, ARES_GETSOCK_MAXNUM);
		for (i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
			short ev = (short)((bits & (1u << i) ? POLLIN : 0) |
			    (bits & (1u << (i + ARES_GETSOCK_MAXNUM)) ? POLLOUT
								      : 0));

			if (ev == 0)
				continue;
			pfd[n].fd = socks[i];
			pfd[n].events = ev;
			n++;
		}
		tvp = ares_timeout(r->channel, NULL, &tv);
		ms = tvp == NULL
		    ? -1
		    : (int)(tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000);
		if (poll(pfd, n, ms) < 0)
			for (nfds_t k = 0; k < n; k++)
				pfd[k].revents = 0;
		if ((pfd[0].revents & POLLIN) && !resolver_dispatch(r))
			break;
		for (nfds_t k = 1; k < n; k++) {
			short re = pfd[k].revents;

			if (re == 0)
				continue;
			ares_process_fd(r->channel,
			    (re & (POLLIN | POLLERR | POLLHUP))
				? pfd[k].fd
				: ARES_SOCKET_BAD,
			    (re & (POLLOUT | POLLERR | POLLHUP))
				? pfd[k].fd
				: ARES_SOCKET_BAD);
		}
		/* Timeouts and retries. */
		ares_process_fd(r->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	}
	/* Queries still out end here, through resolver_answer(). */
	ares_destroy(r->channel);
	return NULL;
}

static void
resolver_free(struct resolver *r)
{
	struct rentry *e, *next;

	for (e = r->lru_head; e != NULL; e = next) {
		next = e->lnext;
		resolver_entry_free(e);
	}
	free(r->buckets);
	if (r->wakefd >= 0)
		close(r->wakefd);
	pthread_condattr_destroy(&r->condattr);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

static bool
resolver_channel(
    struct resolver *r, const char *servers, char *err, size_t errlen)
{
	struct ares_options ao;
	struct ares_addr_port_node *list, *s;
	size_t nservers = 0;
	int rc;

	memset(&ao, 0, sizeof(ao));
	ao.flags = ARES_FLAG_NOSEARCH;
	ao.timeout = r->opts.timeout_ms;
	ao.tries = r->opts.tries;
	rc = ares_init_options(&r->channel, &ao,
	    ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
	if (rc != ARES_SUCCESS) {
		snprintf(err, errlen, "DNS: %s", ares_strerror(rc));
		return false;
	}
	if (servers != NULL && servers[0] != '\0' &&
	    (rc = ares_set_servers_ports_csv(r->channel, servers)) !=
		ARES_SUCCESS) {
		snprintf(err, errlen, "DNS servers '%s': %s", servers,
		    ares_strerror(rc));
		goto fail;
	}
	if ((rc = ares_get_servers_ports(r->channel, &list)) != ARES_SUCCESS) {
		snprintf(err, errlen, "DNS servers: %s", ares_strerror(rc));
		goto fail;
	}
	for (s = list; s != NULL; s = s->next)
		nservers++;
	ares_free_data(list);
	/* Each server may hold a UDP and a TCP socket; ares_getsock() reports 16. */
	if (nservers == 0 || nservers > RESOLVER_SERVERS_MAX) {
		snprintf(err, errlen,
		    "DNS servers: %zu configured, expected 1 to %d", nservers,
		    RESOLVER_SERVERS_MAX);
		goto fail;
	}
	ares_set_socket_functions(r->channel, &resolver_sockfuncs, r);
	return true;
fail:
	ares_destroy(r->channel);
	return false;
}

struct resolver *
resolver_start(const struct resolver_opts *o, char *err, size_t errlen)
{
	struct resolver *r;
	sigset_t all, old;
	size_t nb;
	int rc;

	if (o->timeout_ms <= 0 || o->tries <= 0 ||
	    o->timeout_ms > INT32_MAX / o->tries) {
		snprintf(err, errlen,
		    "DNS timeout_ms %d x tries %d: out of range", o->timeout_ms,
		    o->tries);
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		goto nomem;
	r->wakefd = -1;
	pthread_mutex_init(&r->lock, NULL);
	pthread_condattr_init(&r->condattr);
	pthread_condattr_setclock(&r->condattr, CLOCK_MONOTONIC);
	r->opts = *o;
	if (r->opts.cache_max == 0)
		r->opts.cache_max = RESOLVER_CACHE_DEFAULT;
	if (r->opts.transient_ttl == 0)
		r->opts.transient_ttl = RESOLVER_TRANSIENT_TTL;
	r->opts.servers = NULL;
	r->wait_ms =
	    (unsigned)(o->timeout_ms * o->tries) + RESOLVER_WAIT_MARGIN_MS;
	for (nb = 16; nb < r->opts.cache_max && nb < ((size_t)1 << 24);
	     nb <<= 1)
		continue;
	if ((r->buckets = calloc(nb, sizeof(*r->buckets))) == NULL)
		goto nomem_free;
	r->mask = nb - 1;
	if ((r->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		goto fail;
	}
	if (!resolver_channel(r, o->servers, err, errlen))
		goto fail;
	atomic_init(&r->refs, 1);

	/* Signals are for libmilter's own thread, not this one. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&r->thread, NULL, resolver_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "resolver thread: %s", strerror(rc));
		ares_destroy(r->channel);
		goto fail;
	}
	return r;

nomem_free:
	resolver_free(r);
nomem:
	snprintf(err, errlen, "out of memory");
	return NULL;
fail:
	resolver_free(r);
	return NULL;
}

struct resolver *
resolver_ref(struct resolver *r)
{
	atomic_fetch_add(&r->refs, 1);
	return r;
}

void
resolver_unref(struct resolver *r)
{
	uint64_t one = 1;

	if (r == NULL || atomic_fetch_sub(&r->refs, 1) != 1)
		return;
	pthread_mutex_lock(&r->lock);
	r->stopping = true;
	pthread_mutex_unlock(&r->lock);
	while (write(r->wakefd, &one, sizeof(one)) < 0 && errno == EINTR)
		continue;
	pthread_join(r->thread, NULL);
	resolver_free(r);
}

static void
resolver_abstime(uint64_t ms, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ms / 1000);
	ts->tv_nsec = (long)(ms % 1000) * 1000000;
}

/*
 * Lock held, e kept alive by this caller (waiters > 0): waits for a
 * verdict newer than gen, or gives the round MX_KIND_TIMEOUT at its
 * deadline, which every waiter of the round shares. False, with no
 * verdict, once resolver_stop_waiting() was called.
 */
static bool
resolver_wait(struct resolver *r, struct rentry *e, unsigned long gen)
{
	uint64_t deadline = e->deadline, now;
	struct mx_summary s;
	struct timespec ts;

	resolver_abstime(deadline, &ts);
	while (e->gen == gen) {
		if (r->no_waiting)
			return false;
		if ((now = resolver_now()) >= deadline) {
			memset(&s, 0, sizeof(s));
			s.kind = MX_KIND_TIMEOUT;
			resolver_verdict(r, e, &s, now);
			return true;
		}
		pthread_cond_timedwait(&e->done, &r->lock, &ts);
	}
	return true;
}

void
resolver_stop_waiting(struct resolver *r)
{
	struct rentry *e;

	pthread_mutex_lock(&r->lock);
	r->no_waiting = true;
	for (e = r->lru_head; e != NULL; e = e->lnext)
		if (e->waiters > 0)
			pthread_cond_broadcast(&e->done);
	pthread_mutex_unlock(&r->lock);
}

/* A verdict reached without the cache: never cached, nothing to wait for. */
static enum mx_result
resolver_uncached(
    enum mx_kind kind, struct mx_summary *found, unsigned *ttl_left)
{
	struct mx_summary s;

	memset(&s, 0, sizeof(s));
	s.kind = kind;
	if (found != NULL)
		*found = s;
	if (ttl_left != NULL)
		*ttl_left = 0;
	return mx_judge(&s, "any");
}

enum mx_result
resolver_mx(struct resolver *r, const char *domain, const char *expected_mx,
    struct mx_summary *found, unsigned *ttl_left)
{
	char name[MX_NAME_MAX + 1];
	struct rentry *e, *evicted = NULL;
	struct mx_summary sum;
	unsigned long gen;
	uint64_t now;
	uint32_t hash;
	bool wake = false;
	unsigned left;

	/*
	 * The configuration only holds names that canonicalise: one that
	 * does not is a fault here, not an answer about the domain.
	 */
	if (!mx_canon_name(domain, name, sizeof(name)))
		return resolver_uncached(MX_KIND_INTERNAL, found, ttl_left);
	hash = resolver_hash(name);
	now = resolver_now();

	pthread_mutex_lock(&r->lock);
	e = resolver_find(r, name, hash);
	if (e != NULL && e->has_result && now < e->expires) {
		resolver_lru_unlink(r, e);
		resolver_lru_push(r, e);
		metrics_dns(METRICS_DNS_HIT);
		goto verdict;
	}
	metrics_dns(METRICS_DNS_MISS);
	if (e == NULL &&
	    (e = resolver_insert(r, name, strlen(name), hash, &evicted)) ==
		NULL) {
		pthread_mutex_unlock(&r->lock);
		return resolver_uncached(MX_KIND_INTERNAL, found, ttl_left);
	}
	if (!e->inflight) {
		e->inflight = true;
		e->server_rcode = 0;
		e->qnext = r->queue;
		r->queue = e;
		wake = true;
	}
	/* A new round, unless one is under way with its deadline ahead. */
	if (wake || e->has_result || now >= e->deadline) {
		e->has_result = false;
		e->deadline = now + r->wait_ms;
	}
	e->waiters++;
	gen = e->gen;
	if (wake) {
		uint64_t one = 1;

		pthread_mutex_unlock(&r->lock);
		resolver_free_chain(evicted);
		evicted = NULL;
		while (
		    write(r->wakefd, &one, sizeof(one)) < 0 && errno == EINTR)
			continue;
		pthread_mutex_lock(&r->lock);
	}
	if (!resolver_wait(r, e, gen)) {
		e->waiters--;
		pthread_mutex_unlock(&r->lock);
		resolver_free_chain(evicted);
		return resolver_uncached(MX_KIND_TIMEOUT, found, ttl_left);
	}
	e->waiters--;
	now = resolver_now();
verdict:
	/* A copy, to judge it with the lock dropped. */
	sum = e->sum;
	left = resolver_ttl_left(e, now);
	pthread_mutex_unlock(&r->lock);
	resolver_free_chain(evicted);
	if (found != NULL)
		*found = sum;
	if (ttl_left != NULL)
		*ttl_left = left;
	return mx_judge(&sum, expected_mx);
}
