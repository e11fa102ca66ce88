/* SPDX-License-Identifier: BSD-2-Clause */
#include "milter/dns/mx.h"

#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>
#include <string.h>

#define MX_LABEL_MAX 63
/*
 * A resolver's answer holds the whole chain it followed; more CNAMEs than
 * this are not an answer worth trusting, and the bound keeps the chain
 * walk cheap on hostile input.
 */
#define MX_CNAME_MAX 16

static const char *const mx_result_names[] = {
	[MX_OK] = "ok",
	[MX_NXDOMAIN] = "nxdomain",
	[MX_NODATA] = "nodata",
	[MX_NULL_MX] = "null-mx",
	[MX_WRONG_HOST] = "wrong-host",
	[MX_MULTIPLE] = "multiple",
	[MX_SERVFAIL] = "servfail",
	[MX_TIMEOUT] = "timeout",
	[MX_INTERNAL] = "internal",
};

static const char *const mx_kind_names[] = {
	[MX_KIND_ANSWER] = "answer",
	[MX_KIND_NXDOMAIN] = "nxdomain",
	[MX_KIND_NODATA] = "nodata",
	[MX_KIND_SERVFAIL] = "servfail",
	[MX_KIND_REFUSED] = "refused",
	[MX_KIND_TIMEOUT] = "timeout",
	[MX_KIND_ERROR] = "error",
	[MX_KIND_INTERNAL] = "internal",
};

const char *
mx_result_name(enum mx_result r)
{
	if ((size_t)r >= sizeof(mx_result_names) / sizeof(mx_result_names[0]))
		return "unknown";
	return mx_result_names[r];
}

const char *
mx_kind_name(enum mx_kind k)
{
	if ((size_t)k >= sizeof(mx_kind_names) / sizeof(mx_kind_names[0]))
		return "unknown";
	return mx_kind_names[k];
}

bool
mx_result_transient(enum mx_result r)
{
	return r == MX_SERVFAIL || r == MX_TIMEOUT || r == MX_INTERNAL;
}

/* The locale must not change how names compare, hence no ctype.h. */
static char
mx_lower(unsigned char c)
{
	return (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
}

static bool
mx_same_text(const char *a, const char *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (mx_lower((unsigned char)a[i]) !=
		    mx_lower((unsigned char)b[i]))
			return false;
	return true;
}

/*
 * Owner names as ns_parserr() and ns_name_uncompress() write them: both
 * sides come from the same expansion, so escapes match byte for byte and
 * only ASCII case may differ (RFC 4343).
 */
static bool
mx_same_name(const char *a, const char *b)
{
	size_t la = strlen(a);

	return la == strlen(b) && mx_same_text(a, b, la);
}

bool
mx_canon_name(const char *name, char *out, size_t size)
{
	size_t len = strnlen(name, MX_NAME_MAX + 2), i, label = 0;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > MX_NAME_MAX || len >= size)
		goto bad;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '.') {
			if (label == 0)
				goto bad;
			label = 0;
			out[i] = '.';
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '-' || c == '_'))
			goto bad;
		if (++label > MX_LABEL_MAX)
			goto bad;
		out[i] = mx_lower(c);
	}
	if (label == 0)
		goto bad;
	out[len] = '\0';
	return true;
bad:
	if (size > 0)
		out[0] = '\0';
	return false;
}

static uint32_t
mx_ttl(uint32_t ttl)
{
	return (ttl & 0x80000000u) ? 0 : ttl;
}

static uint32_t
mx_min(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/*
 * Expands the domain name that fills rdata[off..rdlen) exactly; a name
 * running past its record or leaving bytes behind means a corrupt record.
 */
static bool
mx_rdata_name(
    const ns_msg *msg, const ns_rr *rr, size_t off, char *buf, size_t size)
{
	size_t rdlen = ns_rr_rdlen(*rr);
	int n;

	if (rdlen <= off)
		return false;
	n = ns_name_uncompress(ns_msg_base(*msg), ns_msg_end(*msg),
	    ns_rr_rdata(*rr) + off, buf, size);
	return n > 0 && (size_t)n == rdlen - off;
}

/*
 * Follows the answer's CNAME chain from name (rewritten in place to the
 * final target), lowering *ttl to each CNAME's TTL. False on a corrupt
 * record or an over-long chain.
 */
static bool
mx_follow_cnames(ns_msg *msg, char name[NS_MAXDNAME], uint32_t *ttl)
{
	int idx[MX_CNAME_MAX], n = 0, i, hop;
	bool used[MX_CNAME_MAX] = { false };
	int count = ns_msg_count(*msg, ns_s_an);
	ns_rr rr;

	for (i = 0; i < count; i++) {
		if (ns_parserr(msg, ns_s_an, i, &rr) < 0)
			return false;
		if (ns_rr_type(rr) != ns_t_cname || ns_rr_class(rr) != ns_c_in)
			continue;
		if (n == MX_CNAME_MAX)
			return false;
		idx[n++] = i;
	}
	/* Each hop uses up one CNAME, so a loop ends after n hops. */
	for (hop = 0; hop < n; hop++) {
		char target[NS_MAXDNAME];
		bool found = false;

		for (i = 0; i < n && !found; i++) {
			if (used[i])
				continue;
			if (ns_parserr(msg, ns_s_an, idx[i], &rr) < 0)
				return false;
			if (!mx_same_name(ns_rr_name(rr), name))
				continue;
			if (!mx_rdata_name(msg, &rr, 0, target, sizeof(target)))
				return false;
			*ttl = mx_min(*ttl, mx_ttl(ns_rr_ttl(rr)));
			memcpy(name, target, strlen(target) + 1);
			used[i] = found = true;
		}
		if (!found)
			break;
	}
	return true;
}

/* Counts the MX records of name into *out. False on a corrupt record. */
static bool
mx_collect(ns_msg *msg, const char *name, struct mx_summary *out)
{
	int count = ns_msg_count(*msg, ns_s_an), i;
	char host[NS_MAXDNAME];
	ns_rr rr;

	for (i = 0; i < count; i++) {
		if (ns_parserr(msg, ns_s_an, i, &rr) < 0)
			return false;
		if (ns_rr_type(rr) != ns_t_mx || ns_rr_class(rr) != ns_c_in ||
		    !mx_same_name(ns_rr_name(rr), name))
			continue;
		if (!mx_rdata_name(msg, &rr, NS_INT16SZ, host, sizeof(host)))
			return false;
		out->ttl = mx_min(out->ttl, mx_ttl(ns_rr_ttl(rr)));
		if (++out->nmx > 1)
			continue;
		/*
		 * The root as exchange is RFC 7505's null MX. Its preference
		 * should be 0, but with any preference the domain takes no
		 * mail, so the preference is not looked at.
		 */
		if (host[0] == '\0' || strcmp(host, ".") == 0)
			out->null_mx = true;
		else
			mx_canon_name(host, out->host, sizeof(out->host));
	}
	if (out->nmx != 1) {
		out->null_mx = false;
		out->host[0] = '\0';
	}
	return true;
}

/*
 * RFC 2308 section 5: a negative answer lives for the smaller of the
 * authority SOA's own TTL and its MINIMUM field. False on a corrupt SOA.
 */
static bool
mx_negative_ttl(ns_msg *msg, uint32_t *ttl)
{
	int count = ns_msg_count(*msg, ns_s_ns), i, n;
	ns_rr rr;

	*ttl = MX_NEG_TTL_DEFAULT;
	for (i = 0; i < count; i++) {
		const unsigned char *p, *end;

		if (ns_parserr(msg, ns_s_ns, i, &rr) < 0)
			return false;
		if (ns_rr_type(rr) != ns_t_soa || ns_rr_class(rr) != ns_c_in)
			continue;
		p = ns_rr_rdata(rr);
		end = p + ns_rr_rdlen(rr);
		if ((n = dn_skipname(p, end)) < 0) /* MNAME */
			return false;
		p += n;
		if ((n = dn_skipname(p, end)) < 0) /* RNAME */
			return false;
		p += n;
		/* SERIAL REFRESH RETRY EXPIRE MINIMUM */
		if (end - p != 5 * NS_INT32SZ)
			return false;
		*ttl = mx_min(mx_ttl(ns_rr_ttl(rr)),
		    mx_ttl(ns_get32(p + 4 * NS_INT32SZ)));
		return true;
	}
	return true;
}

void
mx_parse(const unsigned char *abuf, size_t len, struct mx_summary *out)
{
	char name[NS_MAXDNAME];
	uint32_t chain_ttl = UINT32_MAX, neg_ttl;
	enum mx_kind kind;
	ns_msg msg;
	ns_rr rr;
	int rcode;

	memset(out, 0, sizeof(*out));
	out->kind = MX_KIND_ERROR;
	if (abuf == NULL || len > NS_MAXMSG ||
	    ns_initparse(abuf, (int)len, &msg) < 0)
		return;
	/* A truncated answer may be missing MX records: counting them would lie. */
	if (!ns_msg_getflag(msg, ns_f_qr) || ns_msg_getflag(msg, ns_f_tc) ||
	    ns_msg_getflag(msg, ns_f_opcode) != ns_o_query)
		return;
	rcode = ns_msg_getflag(msg, ns_f_rcode);
	if (rcode == ns_r_servfail || rcode == ns_r_refused) {
		out->kind =
		    rcode == ns_r_servfail ? MX_KIND_SERVFAIL : MX_KIND_REFUSED;
		return;
	}
	if (rcode != ns_r_noerror && rcode != ns_r_nxdomain)
		return;
	if (ns_msg_count(msg, ns_s_qd) != 1 ||
	    ns_parserr(&msg, ns_s_qd, 0, &rr) < 0 ||
	    ns_rr_type(rr) != ns_t_mx || ns_rr_class(rr) != ns_c_in)
		return;
	memcpy(name, ns_rr_name(rr), strlen(ns_rr_name(rr)) + 1);
	if (!mx_follow_cnames(&msg, name, &chain_ttl))
		return;

	kind = MX_KIND_NXDOMAIN;
	if (rcode == ns_r_noerror) {
		out->ttl = UINT32_MAX;
		if (!mx_collect(&msg, name, out)) {
			memset(out, 0, sizeof(*out));
			out->kind = MX_KIND_ERROR;
			return;
		}
		if (out->nmx > 0) {
			out->ttl = mx_min(out->ttl, chain_ttl);
			out->kind = MX_KIND_ANSWER;
			return;
		}
		kind = MX_KIND_NODATA;
	}
	if (!mx_negative_ttl(&msg, &neg_ttl)) {
		out->ttl = 0;
		return;
	}
	out->kind = kind;
	out->ttl = mx_min(neg_ttl, chain_ttl);
}

/* host has no root dot (see struct mx_summary); expected may have one. */
static bool
mx_host_is(const char *host, const char *expected)
{
	size_t le = strlen(expected);

	if (le > 0 && expected[le - 1] == '.')
		le--;
	return host[0] != '\0' && strlen(host) == le &&
	    mx_same_text(host, expected, le);
}

enum mx_result
mx_judge(const struct mx_summary *s, const char *expected_mx)
{
	switch (s->kind) {
	case MX_KIND_ANSWER:
		if (s->nmx == 0)
			return MX_NODATA;
		if (s->nmx > 1)
			return MX_MULTIPLE;
		if (s->null_mx)
			return MX_NULL_MX;
		if (strlen(expected_mx) == 3 &&
		    mx_same_text(expected_mx, "any", 3))
			return MX_OK;
		return mx_host_is(s->host, expected_mx) ? MX_OK : MX_WRONG_HOST;
	case MX_KIND_NXDOMAIN:
		return MX_NXDOMAIN;
	case MX_KIND_NODATA:
		return MX_NODATA;
	case MX_KIND_TIMEOUT:
		return MX_TIMEOUT;
	case MX_KIND_INTERNAL:
		return MX_INTERNAL;
	case MX_KIND_SERVFAIL:
	case MX_KIND_REFUSED:
	case MX_KIND_ERROR:
		break;
	}
	return MX_SERVFAIL;
}
