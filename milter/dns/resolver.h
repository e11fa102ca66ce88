/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * resolver: cached MX checks of MAIL FROM domains for the milter threads.
 *
 * One thread of the resolver's own owns a c-ares channel (which is not
 * thread-safe); the milter threads only ever touch the cache, under one
 * short lock, and hand cache misses to that thread through a queue and an
 * eventfd. A cache hit costs a hash, one lock and no allocation. Lookups
 * of one name that is not cached share one query: the first caller
 * queues it, the others wait for the same answer until the same deadline.
 *
 * Cache lifetimes: an answer or a negative answer (NXDOMAIN, NODATA, with
 * the RFC 2308 SOA rule) lives for its TTL clamped to [min_ttl, max_ttl];
 * a transient failure (SERVFAIL, REFUSED, a bad answer, no answer) lives
 * transient_ttl seconds, so a dead DNS server costs one timeout every few
 * seconds instead of one per message. Expired entries are queried again
 * (never served stale); cache_max bounds the entries, the least recently
 * used idle one going first.
 *
 * Call ares_library_init() once before resolver_start() (it is not
 * thread-safe): the daemon's main() does, before smfi_main().
 *
 * Ownership: resolver_start() returns the caller's reference. Every thread
 * that may still use the resolver after its owner lets go holds its own
 * (resolver_ref), as with struct conf; the last resolver_unref() stops the
 * thread and frees everything. A reload that changes [dns] starts a new
 * resolver, publishes it and unrefs the old one: lookups in flight on the
 * old one finish normally.
 */
#ifndef RESOLVER_H
#define RESOLVER_H

#include <stdbool.h>
#include <stddef.h>

#include "milter/dns/mx.h"

#define RESOLVER_CACHE_DEFAULT 10000
#define RESOLVER_TRANSIENT_TTL 5 /* seconds */
#define RESOLVER_SERVERS_MAX 8
/* Added to timeout_ms x tries for a caller's longest wait. */
#define RESOLVER_WAIT_MARGIN_MS 250

struct resolver_opts {
	const char *
	    servers; /* NULL or "": /etc/resolv.conf; else "ip[:port],[v6]:port,..." */
	int timeout_ms; /* per try (c-ares doubles it on each round over the servers) */
	int tries;
	unsigned min_ttl; /* seconds */
	unsigned max_ttl;
	unsigned transient_ttl; /* 0: RESOLVER_TRANSIENT_TTL */
	size_t cache_max;       /* 0: RESOLVER_CACHE_DEFAULT */
};

/*
 * Starts the resolver thread. NULL on failure with a message in err
 * (bad server list, more than RESOLVER_SERVERS_MAX servers, no memory).
 */
struct resolver *resolver_start(
    const struct resolver_opts *, char *err, size_t errlen);

struct resolver *resolver_ref(struct resolver *);

/* NULL is fine. The last reference stops the thread and frees all. */
void resolver_unref(struct resolver *);

/*
 * SES's verdict on domain's MX (see mx_judge()). A cache hit returns at
 * once; otherwise the call blocks until the answer, at most timeout_ms x
 * tries + RESOLVER_WAIT_MARGIN_MS, and then says MX_TIMEOUT (the query
 * goes on, and its answer, should it come, is cached). A fault on this
 * side is MX_INTERNAL, never a verdict on the domain: a name that
 * mx_canon_name() refuses (the configuration never holds one), no memory
 * for a cache entry, a c-ares error that is not the server's. If found is not NULL it receives what the DNS said; if ttl_left
 * is not NULL, the seconds the verdict stays cached.
 */
enum mx_result resolver_mx(struct resolver *, const char *domain,
    const char *expected_mx, struct mx_summary *found, unsigned *ttl_left);

/*
 * At shutdown: every resolver_mx() waiting for an answer, and every later
 * one the cache cannot answer, returns MX_TIMEOUT at once (nothing is
 * cached for it), so no thread holds the stop up for a DNS server's
 * timeout.
 */
void resolver_stop_waiting(struct resolver *);

#endif
