/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for milter/dns/mx: DNS answers assembled byte by byte with a tiny
 * packet builder (so every field, count and compression pointer is under
 * the test's control), parsed into a summary and judged.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "milter/dns/mx.h"

#define SES_MX "feedback-smtp.us-east-1.amazonses.com"

enum {
	T_A = 1,
	T_NS = 2,
	T_CNAME = 5,
	T_SOA = 6,
	T_MX = 15,
	T_TXT = 16
};
enum {
	SEC_AN = 6,
	SEC_NS = 8,
	SEC_AR = 10
}; /* count offsets in the header */
enum {
	R_NOERROR = 0,
	R_FORMERR = 1,
	R_SERVFAIL = 2,
	R_NXDOMAIN = 3,
	R_NOTIMP = 4,
	R_REFUSED = 5
};

struct pkt {
	unsigned char b[1024];
	size_t len;
};

static void
put8(struct pkt *p, unsigned v)
{
	assert_true(p->len < sizeof(p->b));
	p->b[p->len++] = (unsigned char)v;
}

static void
put16(struct pkt *p, unsigned v)
{
	put8(p, v >> 8);
	put8(p, v & 0xff);
}

static void
put32(struct pkt *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p, v & 0xffff);
}

/* Uncompressed; "" or "." is the root. */
static void
put_name(struct pkt *p, const char *name)
{
	while (*name != '\0' && strcmp(name, ".") != 0) {
		const char *dot = strchr(name, '.');
		size_t n = dot ? (size_t)(dot - name) : strlen(name);

		put8(p, (unsigned)n);
		for (size_t i = 0; i < n; i++)
			put8(p, (unsigned char)name[i]);
		name += n + (dot != NULL);
	}
	put8(p, 0);
}

static void
bump(struct pkt *p, size_t off)
{
	unsigned v = (unsigned)(p->b[off] << 8 | p->b[off + 1]) + 1;

	p->b[off] = (unsigned char)(v >> 8);
	p->b[off + 1] = (unsigned char)v;
}

/* Header (QR RD RA, id 0x1234) and the question "qname IN qtype". */
static void
pkt_start(struct pkt *p, unsigned rcode, const char *qname, unsigned qtype)
{
	memset(p, 0, sizeof(*p));
	put16(p, 0x1234);
	put16(p, 0x8180 | rcode);
	put16(p, 1);
	put16(p, 0);
	put16(p, 0);
	put16(p, 0);
	put_name(p, qname);
	put16(p, qtype);
	put16(p, 1);
}

/* Opens a record; returns where its RDLENGTH goes, for rr_end(). */
static size_t
rr_begin(struct pkt *p, int sec, const char *owner, unsigned type, uint32_t ttl)
{
	size_t at;

	bump(p, (size_t)sec);
	put_name(p, owner);
	put16(p, type);
	put16(p, 1);
	put32(p, ttl);
	at = p->len;
	put16(p, 0);
	return at;
}

static void
rr_end(struct pkt *p, size_t at)
{
	size_t n = p->len - at - 2;

	p->b[at] = (unsigned char)(n >> 8);
	p->b[at + 1] = (unsigned char)n;
}

static void
add_mx(struct pkt *p, const char *owner, uint32_t ttl, unsigned pref,
    const char *host)
{
	size_t at = rr_begin(p, SEC_AN, owner, T_MX, ttl);

	put16(p, pref);
	put_name(p, host);
	rr_end(p, at);
}

static void
add_cname(struct pkt *p, const char *owner, uint32_t ttl, const char *target)
{
	size_t at = rr_begin(p, SEC_AN, owner, T_CNAME, ttl);

	put_name(p, target);
	rr_end(p, at);
}

static void
add_soa(struct pkt *p, const char *zone, uint32_t ttl, uint32_t minimum)
{
	size_t at = rr_begin(p, SEC_NS, zone, T_SOA, ttl);

	put_name(p, "ns1.example.test");
	put_name(p, "hostmaster.example.test");
	put32(p, 2024010101);
	put32(p, 3600);
	put32(p, 600);
	put32(p, 86400);
	put32(p, minimum);
	rr_end(p, at);
}

static void
add_a(struct pkt *p, int sec, const char *owner, uint32_t ttl)
{
	size_t at = rr_begin(p, sec, owner, T_A, ttl);

	put32(p, 0xc0000201);
	rr_end(p, at);
}

static struct mx_summary
parse(const struct pkt *p)
{
	struct mx_summary s;

	mx_parse(p->b, p->len, &s);
	return s;
}

static void
assert_error(const unsigned char *b, size_t len)
{
	struct mx_summary s;

	mx_parse(b, len, &s);
	assert_int_equal(s.kind, MX_KIND_ERROR);
	assert_int_equal(s.nmx, 0);
	assert_int_equal(s.ttl, 0);
	assert_string_equal(s.host, "");
	assert_int_equal(mx_judge(&s, SES_MX), MX_SERVFAIL);
}

static void
test_one_mx_right_host(void **state)
{
	struct pkt p;
	struct mx_summary s;

	(void)state;
	pkt_start(&p, R_NOERROR, "bounce.example.com", T_MX);
	add_mx(&p, "bounce.example.com", 300, 10, SES_MX);
	s = parse(&p);
	assert_int_equal(s.kind, MX_KIND_ANSWER);
	assert_int_equal(s.nmx, 1);
	assert_false(s.null_mx);
	assert_int_equal(s.ttl, 300);
	assert_string_equal(s.host, SES_MX);
	assert_int_equal(mx_judge(&s, SES_MX), MX_OK);
	assert_int_equal(mx_judge(&s, "any"), MX_OK);
	assert_int_equal(mx_judge(&s, "feedback-smtp.eu-west-1.amazonses.com"),
	    MX_WRONG_HOST);
}

static void
test_one_mx_wrong_host(void **state)
{
	struct pkt p;
	struct mx_summary s;

	(void)state;
	pkt_start(&p, R_NOERROR, "bounce.example.com", T_MX);
	add_mx(&p, "bounce.example.com", 60, 10, "mail.example.com");
	s = parse(&p);
	assert_int_equal(s.kind, MX_KIND_ANSWER);
	assert_string_equal(s.host, "mail.example.com");
	assert_int_equal(mx_judge(&s, SES_MX), MX_WRONG_HOST);
	assert_int_equal(mx_judge(&s, "any"), MX_OK);
	assert_int_equal(mx_judge(&s, "ANY"), MX_OK);
	/* A suffix or prefix of the expected host is another host. */
	assert_int_equal(mx_judge(&s, "example.com"), MX_WRONG_HOST);
	assert_int_equal(mx_judge(&s, "xmail.example.com"), MX_WRONG_HOST);
	assert_int_equal(mx_judge(&s, "mail.example.co"), MX_WRONG_HOST);
	assert_int_equal(mx_judge(&s, ""), MX_WRONG_HOST);
	assert_int_equal(mx_judge(&s, "."), MX_WRONG_HOST);
}

static void
test_trailing_dot_and_case(void **state)
{
	struct pkt p;
	struct mx_summary s;

	(void)state;
	pkt_start(&p, R_NOERROR, "Bounce.Example.COM", T_MX);
	add_mx(&p, "bounce.example.com", 60, 10,
	    "Feedback-SMTP.US-EAST-1.AmazonSES.com");
	s = parse(&p);
	assert_int_equal(s.kind, MX_KIND_ANSWER);
	assert_string_equal(s.host, SES_MX);
	assert_int_equal(mx_judge(&s, SES_MX), MX_OK);
	assert_int_equal(mx_judge(&s, SES_MX "."), MX_OK);
	assert_int_equal(
	    mx_judge(&s, "FEEDBACK-SMTP.us-east-1.AMAZONSES.COM."), MX_OK);
	assert_int_equal(mx_judge(&s, SES_MX ".."), MX_WRONG_HOST);
}

static void
test_two_mx(void **state)
{
	struct pkt p;
	struct mx_summary s;

	(void)state;
	pkt_start(&p, R_NOERROR, "bounce.example.com", T_MX);
	add_mx(&p, "bounce.example.com", 600, 10, SES_MX);
	add_mx(&p, "bounce.example.com", 120, 20, "backup.example.com");
	s = parse(&p);
	assert_int_equal(s.kind, MX_KIND_ANSWER);
	assert_int_equal(s.nmx, 2);
	assert_string_equal(s.host, "");
	assert_int_equal(s.ttl, 120);
	assert_int_equal(mx_judge(&s, SES_MX), MX_MULTIPLE);
	assert_int_equal(mx_judge(&s, "any"), MX_MULTIPLE);

	/* The same host twice is still two records. */
	pkt_start(&p, R_NOERROR, "bounce.example.com", T_MX);
	add_mx(&p, "bounce.example.com", 600, 10, SES_MX);
	add_mx(&p, "bounce.example.com", 600, 20, SES_MX);
	s = parse(&p);
	assert_int_equal(mx_judge(&s, SES_MX), MX_MULTIPLE);
}

static void
test_null_mx(void **state)
{
	struct pkt p;
	struct mx_summary s;

	(void)state;
	pkt_start(&p, R_NOERROR, "bounce.example.com", T_MX);
	add_mx(&p, "bounce.example.com", 3600, 0, ".");
	s = parse(&p);
	assert_int_equal(s.kind, MX_KIND_ANSWER);
	assert_int_equal(s.nmx, 1);
	assert_true(s.null_mx);
	assert_string_equal(s.host, "");
	assert_int_equal(s.ttl, 3600);
	assert_int_equal(mx_judge(&s, SES_MX), MX_NULL_MX);
	assert_int_equal(mx_judge(&s, "any"), MX_NULL_MX);

	/* Next to a real MX it is just one of several. */
	add_mx(&p, "bounce.example.com", 3600, 10, SES_MX);
	s = parse(&p);
	assert_false(s.null_mx);
	assert_int_equal(mx_judge(&s, SES_MX), MX_MULTIPLE);
}

static void
test_nxdomain_negative_ttl(void **state)
{
	struct pkt p;
	struct mx_summary s;

	(void)state;
	/* MINIMUM below the SOA's TTL. */
	pkt_start(&p, R_NXDOMAIN, "nope.example.com", T_MX);
	add_soa(&p, "example.com", 3600, 300);
	s = parse(&p);
	assert_int_equal(s.kind, MX_KIND_NXDOMAIN);
	assert_int_equal(s.ttl, 300);
	assert_int_equal(s.nmx, 0);
	assert_int_equal(mx_judge(&s, SES_MX), MX_NXDOMAIN);
	assert_int_equal(mx_judge(&s, "any"), MX_NXDOMAIN);

	/* The SOA's TTL below MINIMUM. */
	pkt_start(&p, R_NXDOMAIN, "nope.example.com", T_MX);
	add_soa(&p, "example.com", 45, 900);
	s = parse(&p);
	assert_int_equal(s.ttl, 45);

	/* No SOA at all: the short default. */
	pkt_start(&p, R_NXDOMAIN, "nope.example.com", T_MX);
	s = parse(&p);
	assert_int_equal(s.kind, MX_KIND_NXDOMAIN);
	assert_int_equal(s.ttl, MX_NEG_TTL_DEFAULT);

	/* Other authority records before the SOA are skipped. */
	pkt_start(&p, R_NXDOMAIN, "nope.example.com", T_MX);
	add_a(&p, SEC_NS, "example.com", 5);
	add_soa(&p, "example.com", 100, 200);
	add_a(&p, SEC_AR, "ns1.example.com", 5);
	s = parse(&p);
	assert_int_equal(s.ttl, 100);
}

static void
test_nodata(void **state)
{
	struct pkt p;
	struct mx_summary s;

	(void)state;
	pkt_start(&p, R_NOERROR, "www.example.com", T_MX);
	add_soa(&p, "example.com", 3600, 60);
	s = parse(&p);
	assert_int_equal(s.kind, MX_KIND_NODATA);
	assert_int_equal(s.ttl, 60);
	assert_int_equal(mx_judge(&s, SES_MX), MX_NODATA);
	assert_int_equal(mx_judge(&s, "any"), MX_NODATA);

	/* Records of other types or other owners do not make an MX answer. */
	pkt_start(&p, R_NOERROR, "www.example.com", T_MX);
	add_a(&p, SEC_AN, "www.example.com", 60);
	add_mx(&p, "other.example.com", 60, 10, SES_MX);
	s = parse(&p);
	assert_int_equal(s.kind, MX_KIND_NODATA);
	assert_int_equal(s.ttl, MX_NEG_TTL_DEFAULT);
}

static void
test_cname_chain(void **state)
{
	struct pkt p;
	struct mx_summary s;

	(void)state;
	/* The CNAME's TTL is the smallest. */
	pkt_start(&p, R_NOERROR, "alias.example.com", T_MX);
	add_cname(&p, "alias.example.com", 30, "bounce.example.net");
	add_mx(&p, "bounce.example.net", 600, 10, SES_MX);
	s = parse(&p);
	assert_int_equal(s.kind, MX_KIND_ANSWER);
	assert_int_equal(s.nmx, 1);
	assert_int_equal(s.ttl, 30);
	assert_string_equal(s.host, SES_MX);
	assert_int_equal(mx_judge(&s, SES_MX), MX_OK);

	/* Two hops, out of order, case differing, the MX's TTL smallest. */
	pkt_start(&p, R_NOERROR, "alias.example.com", T_MX);
	add_mx(&p, "FINAL.example.org", 20, 10, SES_MX);
	add_cname(&p, "middle.example.net", 500, "final.example.org");
	add_cname(&p, "Alias.Example.com", 400, "middle.example.net");
	s = parse(&p);
	assert_int_equal(s.kind, MX_KIND_ANSWER);
	assert_int_equal(s.ttl, 20);
	assert_int_equal(mx_judge(&s, SES_MX), MX_OK);

	/* An MX of the alias itself does not count: the target's does. */
	pkt_start(&p, R_NOERROR, "alias.example.com", T_MX);
	add_cname(&p, "alias.example.com", 300, "bounce.example.net");
	add_mx(&p, "alias.example.com", 300, 10, "stale.example.com");
	add_mx(&p, "bounce.example.net", 300, 10, SES_MX);
	s = parse(&p);
	assert_int_equal(s.nmx, 1);
	assert_string_equal(s.host, SES_MX);

	/* A CNAME to a name without MX: NODATA, TTL over SOA and chain. */
	pkt_start(&p, R_NOERROR, "alias.example.com", T_MX);
	add_cname(&p, "alias.example.com", 40, "www.example.net");
	add_soa(&p, "example.net", 3600, 300);
	s = parse(&p);
	assert_int_equal(s.kind, MX_KIND_NODATA);
	assert_int_equal(s.ttl, 40);

	/* ... and to a name that does not exist. */
	pkt_start(&p, R_NXDOMAIN, "alias.example.com", T_MX);
	add_cname(&p, "alias.example.com", 400, "gone.example.net");
	add_soa(&p, "example.net", 3600, 300);
	s = parse(&p);
	assert_int_equal(s.kind, MX_KIND_NXDOMAIN);
	assert_int_equal(s.ttl, 300);
}

static void
test_cname_loop_and_limit(void **state)
{
	struct pkt p;
	struct mx_summary s;
	char owner[32], target[32];

	(void)state;
	pkt_start(&p, R_NOERROR, "a.example.com", T_MX);
	add_cname(&p, "a.example.com", 60, "b.example.com");
	add_cname(&p, "b.example.com", 60, "a.example.com");
	add_mx(&p, "a.example.com", 60, 10, SES_MX);
	s = parse(&p);
	/* The walk stops once both CNAMEs are used, back at a.example.com. */
	assert_int_equal(s.kind, MX_KIND_ANSWER);

	/* 16 CNAMEs are followed; a 17th makes the answer untrustworthy. */
	pkt_start(&p, R_NOERROR, "c0.example.com", T_MX);
	for (int i = 0; i < 16; i++) {
		snprintf(owner, sizeof(owner), "c%d.example.com", i);
		snprintf(target, sizeof(target), "c%d.example.com", i + 1);
		add_cname(&p, owner, 60, target);
	}
	add_mx(&p, "c16.example.com", 60, 10, SES_MX);
	s = parse(&p);
	assert_int_equal(s.kind, MX_KIND_ANSWER);
	assert_int_equal(mx_judge(&s, SES_MX), MX_OK);
	add_cname(&p, "x.example.com", 60, "y.example.com");
	s = parse(&p);
	assert_int_equal(s.kind, MX_KIND_ERROR);
}

static void
test_compressed_names(void **state)
{
	struct pkt p;
	struct mx_summary s;
	size_t at;

	(void)state;
	/* Owner = pointer to the question name; exchange = "mx" + pointer. */
	pkt_start(&p, R_NOERROR, "bounce.example.com", T_MX);
	bump(&p, SEC_AN);
	put16(&p, 0xc00c);
	put16(&p, T_MX);
	put16(&p, 1);
	put32(&p, 77);
	at = p.len;
	put16(&p, 0);
	put16(&p, 10);
	put8(&p, 2);
	put8(&p, 'm');
	put8(&p, 'x');
	put16(&p, 0xc000 | (12 + 7)); /* "example.com" inside the question */
	rr_end(&p, at);
	s = parse(&p);
	assert_int_equal(s.kind, MX_KIND_ANSWER);
	assert_int_equal(s.ttl, 77);
	assert_string_equal(s.host, "mx.example.com");

	/* A pointer loop in the exchange is a corrupt record. */
	p.b[p.len - 2] = (unsigned char)(0xc0 | ((p.len - 5) >> 8));
	p.b[p.len - 1] = (unsigned char)(p.len - 5);
	assert_error(p.b, p.len);
}

static void
test_server_errors(void **state)
{
	static const struct {
		unsigned rcode;
		enum mx_kind kind;
	} t[] = {
		{ R_SERVFAIL, MX_KIND_SERVFAIL },
		{ R_REFUSED, MX_KIND_REFUSED },
		{ R_FORMERR, MX_KIND_ERROR },
		{ R_NOTIMP, MX_KIND_ERROR },
		{ 9, MX_KIND_ERROR },
	};
	struct pkt p;
	struct mx_summary s;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		pkt_start(&p, t[i].rcode, "bounce.example.com", T_MX);
		add_mx(&p, "bounce.example.com", 60, 10, SES_MX);
		s = parse(&p);
		assert_int_equal(s.kind, t[i].kind);
		assert_int_equal(s.nmx, 0);
		assert_int_equal(s.ttl, 0);
		assert_int_equal(mx_judge(&s, SES_MX), MX_SERVFAIL);
		assert_true(mx_result_transient(mx_judge(&s, SES_MX)));
	}
	memset(&s, 0, sizeof(s));
	s.kind = MX_KIND_TIMEOUT;
	assert_int_equal(mx_judge(&s, "any"), MX_TIMEOUT);
}

static void
test_malformed(void **state)
{
	static const unsigned char junk[] =
	    "\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00"
	    "\x00\x00\xff\xff\xff\xff";
	struct pkt p;
	size_t n, at;

	(void)state;
	assert_error(NULL, 0);
	assert_error(junk, 0);
	assert_error(junk, sizeof(junk) - 1);

	/* Every strict prefix of a good answer. */
	pkt_start(&p, R_NOERROR, "bounce.example.com", T_MX);
	add_mx(&p, "bounce.example.com", 60, 10, SES_MX);
	add_soa(&p, "example.com", 60, 60);
	for (n = 0; n < p.len; n++)
		assert_error(p.b, n);

	/* A query, not a response. */
	pkt_start(&p, R_NOERROR, "bounce.example.com", T_MX);
	add_mx(&p, "bounce.example.com", 60, 10, SES_MX);
	p.b[2] &= 0x7f;
	assert_error(p.b, p.len);
	/* Truncated (TC). */
	p.b[2] |= 0x80 | 0x02;
	assert_error(p.b, p.len);
	/* Another opcode (NOTIFY). */
	p.b[2] = 0x80 | (4 << 3);
	assert_error(p.b, p.len);

	/* The question is not IN MX. */
	pkt_start(&p, R_NOERROR, "bounce.example.com", T_TXT);
	add_mx(&p, "bounce.example.com", 60, 10, SES_MX);
	assert_error(p.b, p.len);

	/* No question. */
	pkt_start(&p, R_NOERROR, "bounce.example.com", T_MX);
	p.b[5] = 0;
	p.len = 12;
	assert_error(p.b, p.len);

	/* MX RDATA with a byte after the exchange, and one too short. */
	pkt_start(&p, R_NOERROR, "bounce.example.com", T_MX);
	at = rr_begin(&p, SEC_AN, "bounce.example.com", T_MX, 60);
	put16(&p, 10);
	put_name(&p, SES_MX);
	put8(&p, 0);
	rr_end(&p, at);
	assert_error(p.b, p.len);
	pkt_start(&p, R_NOERROR, "bounce.example.com", T_MX);
	at = rr_begin(&p, SEC_AN, "bounce.example.com", T_MX, 60);
	put16(&p, 10);
	rr_end(&p, at);
	assert_error(p.b, p.len);

	/* An SOA without its five numbers. */
	pkt_start(&p, R_NXDOMAIN, "nope.example.com", T_MX);
	at = rr_begin(&p, SEC_NS, "example.com", T_SOA, 60);
	put_name(&p, "ns1.example.com");
	put_name(&p, "hostmaster.example.com");
	put32(&p, 1);
	rr_end(&p, at);
	assert_error(p.b, p.len);

	/*
	 * A CNAME target without its root label, which the next record's
	 * owner (the root) would supply: the name runs past its RDATA.
	 */
	pkt_start(&p, R_NOERROR, "alias.example.com", T_MX);
	at = rr_begin(&p, SEC_AN, "alias.example.com", T_CNAME, 60);
	put8(&p, 1);
	put8(&p, 'a');
	rr_end(&p, at);
	add_a(&p, SEC_AN, "", 60);
	assert_error(p.b, p.len);
}

static void
test_ttl_top_bit(void **state)
{
	struct pkt p;
	struct mx_summary s;

	(void)state;
	pkt_start(&p, R_NOERROR, "bounce.example.com", T_MX);
	add_mx(&p, "bounce.example.com", 0x80000001u, 10, SES_MX);
	s = parse(&p);
	assert_int_equal(s.kind, MX_KIND_ANSWER);
	assert_int_equal(s.ttl, 0);

	pkt_start(&p, R_NOERROR, "bounce.example.com", T_MX);
	add_mx(&p, "bounce.example.com", 0x7fffffffu, 10, SES_MX);
	s = parse(&p);
	assert_int_equal(s.ttl, 0x7fffffffu);

	pkt_start(&p, R_NXDOMAIN, "nope.example.com", T_MX);
	add_soa(&p, "example.com", 600, 0xffffffffu);
	s = parse(&p);
	assert_int_equal(s.ttl, 0);
}

static void
test_odd_exchange(void **state)
{
	struct pkt p;
	struct mx_summary s;
	size_t at;

	(void)state;
	/* A label holding a dot and a space: one MX, but no host name. */
	pkt_start(&p, R_NOERROR, "bounce.example.com", T_MX);
	at = rr_begin(&p, SEC_AN, "bounce.example.com", T_MX, 60);
	put16(&p, 10);
	put8(&p, 4);
	put8(&p, 'a');
	put8(&p, '.');
	put8(&p, ' ');
	put8(&p, 'b');
	put8(&p, 0);
	rr_end(&p, at);
	s = parse(&p);
	assert_int_equal(s.kind, MX_KIND_ANSWER);
	assert_int_equal(s.nmx, 1);
	assert_false(s.null_mx);
	assert_string_equal(s.host, "");
	assert_int_equal(mx_judge(&s, SES_MX), MX_WRONG_HOST);
	assert_int_equal(mx_judge(&s, "any"), MX_OK);
}

static void
test_canon_name(void **state)
{
	char out[MX_NAME_MAX + 1], name[300];

	(void)state;
	assert_true(mx_canon_name("Bounce.Example.COM.", out, sizeof(out)));
	assert_string_equal(out, "bounce.example.com");
	assert_true(mx_canon_name("_dmarc.x-y.example", out, sizeof(out)));
	assert_string_equal(out, "_dmarc.x-y.example");
	assert_true(mx_canon_name("localhost", out, sizeof(out)));
	assert_string_equal(out, "localhost");

	const char *bad[] = { "", ".", "..", "a..b", ".a", "a b.com", "a\\.b",
		"a.b..", "\xc3\xa9.com", "a\tb", "[192.0.2.1]" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strcpy(out, "x");
		assert_false(mx_canon_name(bad[i], out, sizeof(out)));
		assert_string_equal(out, "");
	}

	/* A 63-octet label is fine, 64 is not. */
	memset(name, 'a', 64);
	name[64] = '\0';
	assert_false(mx_canon_name(name, out, sizeof(out)));
	name[63] = '\0';
	assert_true(mx_canon_name(name, out, sizeof(out)));

	/* 253 octets (plus a root dot) is the longest name. */
	memset(name, 'a', sizeof(name));
	for (size_t i = 63; i < 253; i += 64)
		name[i] = '.';
	name[253] = '\0';
	assert_true(mx_canon_name(name, out, sizeof(out)));
	assert_int_equal(strlen(out), 253);
	name[253] = '.';
	name[254] = '\0';
	assert_true(mx_canon_name(name, out, sizeof(out)));
	name[253] = 'a';
	assert_false(mx_canon_name(name, out, sizeof(out)));

	/* The output buffer is respected. */
	assert_false(mx_canon_name("example.com", out, 11));
	assert_string_equal(out, "");
	assert_true(mx_canon_name("example.com", out, 12));
	assert_false(mx_canon_name("example.com", out, 0));
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(mx_result_name(MX_OK), "ok");
	assert_string_equal(mx_result_name(MX_NXDOMAIN), "nxdomain");
	assert_string_equal(mx_result_name(MX_NODATA), "nodata");
	assert_string_equal(mx_result_name(MX_NULL_MX), "null-mx");
	assert_string_equal(mx_result_name(MX_WRONG_HOST), "wrong-host");
	assert_string_equal(mx_result_name(MX_MULTIPLE), "multiple");
	assert_string_equal(mx_result_name(MX_SERVFAIL), "servfail");
	assert_string_equal(mx_result_name(MX_TIMEOUT), "timeout");
	assert_string_equal(mx_result_name((enum mx_result)99), "unknown");
	assert_string_equal(mx_kind_name(MX_KIND_REFUSED), "refused");
	assert_string_equal(mx_kind_name(MX_KIND_ERROR), "error");
	assert_string_equal(mx_kind_name((enum mx_kind)99), "unknown");

	for (int r = MX_OK; r <= MX_TIMEOUT; r++)
		assert_int_equal(mx_result_transient((enum mx_result)r),
		    r == MX_SERVFAIL || r == MX_TIMEOUT);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_one_mx_right_host),
	cmocka_unit_test(test_one_mx_wrong_host),
	cmocka_unit_test(test_trailing_dot_and_case),
	cmocka_unit_test(test_two_mx),
	cmocka_unit_test(test_null_mx),
	cmocka_unit_test(test_nxdomain_negative_ttl),
	cmocka_unit_test(test_nodata),
	cmocka_unit_test(test_cname_chain),
	cmocka_unit_test(test_cname_loop_and_limit),
	cmocka_unit_test(test_compressed_names),
	cmocka_unit_test(test_server_errors),
	cmocka_unit_test(test_malformed),
	cmocka_unit_test(test_ttl_top_bit),
	cmocka_unit_test(test_odd_exchange),
	cmocka_unit_test(test_canon_name),
	cmocka_unit_test(test_names),
};

int
main(void)
{
	return cmocka_run_group_tests(tests, NULL, NULL);
}
