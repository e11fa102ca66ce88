/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mx: what a DNS answer says about a MAIL FROM domain's MX, and whether
 * that satisfies SES.
 *
 * mx_parse() reads the raw answer to an MX query (the abuf c-ares hands an
 * ares_query callback) into a small struct mx_summary, which the resolver
 * caches. mx_judge() classifies a summary against the expected MX host
 * with SES's rule: exactly one MX, equal to the expected host. The summary
 * never holds the expected host, so a reload that changes expected_mx keeps
 * the cache.
 *
 * Pure code: no I/O, no allocation, no global state; the caller owns every
 * buffer and struct mx_summary is self-contained.
 */
#ifndef MX_H
#define MX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MX_NAME_MAX 253       /* a host name in text, without the root dot */
#define MX_NEG_TTL_DEFAULT 30 /* NXDOMAIN / NODATA without an SOA */

/* What the server said, before any judgement. */
enum mx_kind {
	MX_KIND_ANSWER, /* NOERROR with at least one MX for the name */
	MX_KIND_NXDOMAIN,
	MX_KIND_NODATA, /* NOERROR, the name exists, no MX */
	MX_KIND_SERVFAIL,
	MX_KIND_REFUSED,
	MX_KIND_TIMEOUT, /* no server answered (set by the resolver) */
	MX_KIND_ERROR,   /* malformed or unexpected answer, other rcodes */
	/*
	 * Set by the resolver, never by mx_parse(): the check failed on this
	 * side (no memory, a name it cannot query, a c-ares error that is not
	 * the server's). There is no answer, so nothing about the domain may
	 * be concluded from it.
	 */
	MX_KIND_INTERNAL,
};

struct mx_summary {
	enum mx_kind kind;
	unsigned nmx; /* MX records of the name (after CNAMEs) */
	bool null_mx; /* the one MX is "0 ." (RFC 7505) */
	uint32_t ttl; /* seconds; see mx_parse() */
	/*
	 * The exchange when nmx == 1 and it is not a null MX: lower-case, no
	 * root dot. Empty otherwise, and also when the name cannot be a host
	 * name of at most MX_NAME_MAX octets (it then matches no expected
	 * host, but still counts as one MX for "any").
	 */
	char host[MX_NAME_MAX + 1];
};

enum mx_result {
	MX_OK,
	MX_NXDOMAIN,
	MX_NODATA,
	MX_NULL_MX,
	MX_WRONG_HOST,
	MX_MULTIPLE,
	MX_SERVFAIL, /* SERVFAIL, REFUSED, other server errors, bad answers */
	MX_TIMEOUT,  /* no answer from any server */
	MX_INTERNAL, /* MX_KIND_INTERNAL: the filter's own fault, not the DNS's */
};
#define MX_NRESULTS (MX_INTERNAL + 1)

/*
 * Reads abuf[0..len) into *out; never fails: what cannot be understood
 * (garbage, truncation, a question other than one IN MX, TC set, an rcode
 * other than NOERROR/NXDOMAIN/SERVFAIL/REFUSED) is MX_KIND_ERROR. ttl:
 * for an answer the smallest TTL of the MX RRset and of the CNAMEs that
 * led to it; for NXDOMAIN/NODATA the RFC 2308 negative TTL, the smaller of
 * the authority SOA's TTL and its MINIMUM (and of the CNAMEs), or
 * MX_NEG_TTL_DEFAULT without an SOA; 0 for errors. TTLs with the top bit
 * set count as 0 (RFC 2181 section 8).
 */
void mx_parse(const unsigned char *abuf, size_t len, struct mx_summary *out);

/*
 * SES's verdict on a summary. expected_mx is a host name (case and a root
 * dot do not matter) or the literal "any", which accepts any single MX
 * that is not a null MX. Several MX records fail even if one is right.
 */
enum mx_result mx_judge(const struct mx_summary *, const char *expected_mx);

/*
 * SERVFAIL, TIMEOUT and INTERNAL: worth retrying later; everything else is
 * definitive. INTERNAL counts as transient so that a caller that only
 * asks this can never treat a fault of its own as the domain's failure;
 * the milter tells it apart (on_internal_error).
 */
bool mx_result_transient(enum mx_result);

/*
 * "ok", "nxdomain", "nodata", "null-mx", "wrong-host", "multiple",
 * "servfail", "timeout", "internal".
 */
const char *mx_result_name(enum mx_result);

/*
 * "answer", "nxdomain", "nodata", "servfail", "refused", "timeout",
 * "error", "internal".
 */
const char *mx_kind_name(enum mx_kind);

/*
 * The form a domain is cached and queried under: ASCII lower-case, one
 * root dot removed. Only letters, digits, '-' and '_' in labels of 1 to 63
 * octets, at most MX_NAME_MAX octets in all; false (out emptied when size
 * allows) for anything else or when it does not fit in size.
 */
bool mx_canon_name(const char *name, char *out, size_t size);

#endif
