/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests for milter/addr: one table of literal MAIL FROM arguments,
 * then cases whose input is built at run time (lengths at and past the
 * RFC 5321 limits, 100 KB of hostile input, buffers without a NUL).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "milter/addr.h"

#define Q 1u  /* quoted */
#define IP 2u /* ip_literal */
#define U8 4u /* utf8 */

struct addr_case {
	const char *name;
	const char *in;
	size_t len; /* 0: strlen(in) */
	enum addr_status want;
	const char *local;
	const char *domain;
	unsigned flags;
};

#define OK(n, in, l, d, f) \
	{ \
		n, in, 0, ADDR_OK, l, d, f \
	}
#define BAD(n, in, st) \
	{ \
		n, in, 0, st, "", "", 0 \
	}
#define BADN(n, in, st) \
	{ \
		n, in, sizeof(in) - 1, st, "", "", 0 \
	}

static const struct addr_case cases[] = {
	OK("plain", "<user@example.com>", "user", "example.com", 0),
	OK("no angle brackets", "user@example.com", "user", "example.com", 0),
	OK("domain lower-cased, local kept", "<John.Doe@Example.COM>",
	    "John.Doe", "example.com", 0),
	OK("esmtp params after path", "<a@b.com> SIZE=100 SMTPUTF8", "a",
	    "b.com", 0),
	OK("esmtp params without brackets", "a@b.com SIZE=100 BODY=8BITMIME",
	    "a", "b.com", 0),
	OK("spaces around", "  <a@b.com>  ", "a", "b.com", 0),
	OK("quoted with escapes", "<\"john \\\"x\\\" doe\"@example.com>",
	    "\"john \\\"x\\\" doe\"", "example.com", Q),
	OK("quoted with space, no brackets, params",
	    "\"john doe\"@example.com SIZE=1", "\"john doe\"", "example.com",
	    Q),
	OK("quoted holding @ and brackets", "<\"a@<b>\"@example.com>",
	    "\"a@<b>\"", "example.com", Q),
	OK("empty quoted string", "<\"\"@example.com>", "\"\"", "example.com",
	    Q),
	/* canonical local parts: the same mailbox as RFC 5321 4.1.2 says */
	OK("quoted without need", "<\"alice\"@example.com>", "alice",
	    "example.com", 0),
	OK("quoted dot-string", "<\"a.b+c\"@example.com>", "a.b+c",
	    "example.com", 0),
	OK("quoted pairs reduced", "<\"\\a\\l\\ice\"@example.com>", "alice",
	    "example.com", 0),
	OK("quoted pair of a space stays quoted", "<\"a\\ b\"@example.com>",
	    "\"a b\"", "example.com", Q),
	OK("needless escape inside a needed quote", "<\"a\\b c\"@x.com>",
	    "\"ab c\"", "x.com", Q),
	OK("escaped backslash kept escaped", "<\"a\\\\b\"@x.com>", "\"a\\\\b\"",
	    "x.com", Q),
	OK("quoted leading dot stays quoted", "<\".a\"@x.com>", "\".a\"",
	    "x.com", Q),
	OK("quoted double dot stays quoted", "<\"a..b\"@x.com>", "\"a..b\"",
	    "x.com", Q),
	OK("quoted utf8 dot-string unquoted", "<\"\xc3\xa9t\xc3\xa9\"@x.com>",
	    "\xc3\xa9t\xc3\xa9", "x.com", U8),
	OK("case of a quoted local part kept", "<\"Alice\"@x.com>", "Alice",
	    "x.com", 0),
	OK("source route dropped", "<@a.com,@b.com:user@c.com>", "user",
	    "c.com", 0),
	OK("source route without brackets", "@a.com:user@c.com", "user",
	    "c.com", 0),
	OK("ipv4 literal", "<user@[192.0.2.1]>", "user", "[192.0.2.1]", IP),
	OK("ipv4 literal leading zeros", "user@[010.000.002.001]", "user",
	    "[010.000.002.001]", IP),
	OK("ipv6 literal", "<user@[IPv6:2001:DB8::1]>", "user",
	    "[ipv6:2001:db8::1]", IP),
	OK("ipv6 literal with ipv4 tail", "<user@[IPv6:::ffff:192.0.2.1]>",
	    "user", "[ipv6:::ffff:192.0.2.1]", IP),
	OK("trailing root dot", "<user@Example.com.>", "user", "example.com",
	    0),
	OK("single label", "<user@localhost>", "user", "localhost", 0),
	OK("numeric labels", "<user@1.2.3.4>", "user", "1.2.3.4", 0),
	OK("percent hack is a character", "<user%other.net@example.com>",
	    "user%other.net", "example.com", 0),
	OK("bang path is a character", "<host!user@example.com>", "host!user",
	    "example.com", 0),
	OK("all atext specials", "<!#$%&'*+-/=?^_`{|}~@example.com>",
	    "!#$%&'*+-/=?^_`{|}~", "example.com", 0),
	OK("hyphens inside labels", "<a-b@x--y.ex-ample>", "a-b",
	    "x--y.ex-ample", 0),
	OK("utf8 greek",
	    "<\xce\xb4\xce\xbf\xce\xba@\xcf\x80\xce\xb1\xcf\x81.GR>",
	    "\xce\xb4\xce\xbf\xce\xba", "\xcf\x80\xce\xb1\xcf\x81.gr", U8),
	OK("utf8 cjk and 4-byte emoji",
	    "<\xe7\x94\xa8\xf0\x9f\x98\x80@\xe4\xbe\x8b.com>",
	    "\xe7\x94\xa8\xf0\x9f\x98\x80", "\xe4\xbe\x8b.com", U8),
	OK("utf8 in quoted string", "<\"\xc3\xa9 t\xc3\xa9\"@example.com>",
	    "\"\xc3\xa9 t\xc3\xa9\"", "example.com", Q | U8),
	OK("utf8 params only", "<a@b.com> X=\xc3\xa9", "a", "b.com", 0),
	{ "length stops before junk", "a@b.comXYZ", 7, ADDR_OK, "a", "b.com",
	    0 },

	{ "null sender", "<>", 0, ADDR_NULL, "", "", 0 },
	{ "null sender with params", "<> SIZE=100 BODY=8BITMIME", 0, ADDR_NULL,
	    "", "", 0 },

	BAD("empty", "", ADDR_E_EMPTY),
	BAD("only spaces", "   ", ADDR_E_EMPTY),
	BAD("missing closing bracket", "<a@b.com", ADDR_E_BRACKET),
	BAD("missing opening bracket", "a@b.com>", ADDR_E_BRACKET),
	BAD("doubled brackets", "<<a@b.com>>", ADDR_E_BRACKET),
	BAD("extra closing bracket", "<a@b.com>>", ADDR_E_BRACKET),
	BAD("params inside brackets", "<a@b.com SIZE=1>", ADDR_E_BRACKET),
	BAD("null sender extra bracket", "<>>", ADDR_E_BRACKET),
	BADN("NUL inside", "<a@b.c\0om>", ADDR_E_CTRL),
	BADN("NUL after path", "<a@b.com>\0", ADDR_E_CTRL),
	BAD("CRLF injection", "<a@b.com>\r\nRCPT TO:<victim@example.net>",
	    ADDR_E_CTRL),
	BAD("LF in domain", "<a@b.com\n>", ADDR_E_CTRL),
	BAD("tab", "<a\tb@c.com>", ADDR_E_CTRL),
	BAD("DEL", "<a\x7f@c.com>", ADDR_E_CTRL),
	BAD("C1 control (NEL)", "<a\xc2\x85@c.com>", ADDR_E_CTRL),
	BAD("lone @", "@", ADDR_E_LOCAL_EMPTY),
	BAD("@domain", "@example.com", ADDR_E_LOCAL_EMPTY),
	BAD("<@domain>", "<@example.com>", ADDR_E_LOCAL_EMPTY),
	BAD("local@", "local@", ADDR_E_DOMAIN_EMPTY),
	BAD("<local@>", "<local@>", ADDR_E_DOMAIN_EMPTY),
	BAD("double @@", "a@@b.com", ADDR_E_DOMAIN_SYNTAX),
	BAD("two @", "a@b@c.com", ADDR_E_DOMAIN_SYNTAX),
	BAD("no @", "postmaster", ADDR_E_NO_AT),
	BAD("no @ in brackets", "<postmaster>", ADDR_E_NO_AT),
	BAD("bang path without @", "host!user", ADDR_E_NO_AT),
	BAD("leading dot in local", "<.a@b.com>", ADDR_E_LOCAL_SYNTAX),
	BAD("trailing dot in local", "<a.@b.com>", ADDR_E_LOCAL_SYNTAX),
	BAD("double dot in local", "<a..b@c.com>", ADDR_E_LOCAL_SYNTAX),
	BAD("space in local", "<a b@c.com>", ADDR_E_LOCAL_SYNTAX),
	BAD("comment in local", "<(x)a@c.com>", ADDR_E_LOCAL_SYNTAX),
	BAD("mixed quoted and atom", "<\"a\".b@c.com>", ADDR_E_LOCAL_SYNTAX),
	BAD("unterminated quote", "<\"abc@d.com>", ADDR_E_QUOTE),
	BAD("escape at end", "\"abc\\", ADDR_E_QUOTE),
	BAD("escaped non-ASCII", "<\"a\\\xc3\xa9\"@b.com>", ADDR_E_QUOTE),
	BAD("leading hyphen label", "<a@-b.com>", ADDR_E_DOMAIN_SYNTAX),
	BAD("trailing hyphen label", "<a@b-.com>", ADDR_E_DOMAIN_SYNTAX),
	BAD("empty label", "<a@b..com>", ADDR_E_DOMAIN_SYNTAX),
	BAD("leading dot domain", "<a@.b.com>", ADDR_E_DOMAIN_SYNTAX),
	BAD("two trailing dots", "<a@b.com..>", ADDR_E_DOMAIN_SYNTAX),
	BAD("domain only a dot", "<a@.>", ADDR_E_DOMAIN_SYNTAX),
	BAD("underscore in domain", "<a@b_c.com>", ADDR_E_DOMAIN_SYNTAX),
	BAD("dot after literal", "<a@[192.0.2.1].>", ADDR_E_DOMAIN_SYNTAX),
	BAD("invalid continuation byte", "<a\xc3\x28@b.com>", ADDR_E_UTF8),
	BAD("overlong 2-byte slash", "<a\xc0\xaf@b.com>", ADDR_E_UTF8),
	BAD("overlong 3-byte", "<a\xe0\x80\xaf@b.com>", ADDR_E_UTF8),
	BAD("overlong 4-byte", "<a\xf0\x80\x80\xaf@b.com>", ADDR_E_UTF8),
	BAD("surrogate", "<a\xed\xa0\x80@b.com>", ADDR_E_UTF8),
	BAD("beyond U+10FFFF", "<a\xf4\x90\x80\x80@b.com>", ADDR_E_UTF8),
	BAD("truncated sequence at end", "a@b.com \xe2\x82", ADDR_E_UTF8),
	BAD("lone continuation", "<a@b\x80.com>", ADDR_E_UTF8),
	BAD("byte 0xff", "<a@b.com> X=\xff", ADDR_E_UTF8),
	BAD("ipv4 octet 256", "<a@[192.0.2.256]>", ADDR_E_IP_LITERAL),
	BAD("ipv4 three parts", "<a@[192.0.2]>", ADDR_E_IP_LITERAL),
	BAD("ipv4 five parts", "<a@[192.0.2.1.5]>", ADDR_E_IP_LITERAL),
	BAD("ipv4 four digits", "<a@[1922.0.2.1]>", ADDR_E_IP_LITERAL),
	BAD("ipv6 bad hex", "<a@[IPv6:2001:db8::g]>", ADDR_E_IP_LITERAL),
	BAD("ipv6 two ::", "<a@[IPv6:1::2::3]>", ADDR_E_IP_LITERAL),
	BAD("ipv6 without tag", "<a@[2001:db8::1]>", ADDR_E_IP_LITERAL),
	BAD("ipv6 zone id", "<a@[IPv6:fe80::1%eth0]>", ADDR_E_IP_LITERAL),
	BAD("general literal", "<a@[x-tag:abc]>", ADDR_E_IP_LITERAL),
	BAD("empty literal", "<a@[]>", ADDR_E_IP_LITERAL),
	BAD("unterminated literal", "<a@[192.0.2.1>", ADDR_E_IP_LITERAL),
	BAD("route without @", "<@a.com,b.com:u@c.com>", ADDR_E_ROUTE),
	BAD("route empty domain", "<@:u@c.com>", ADDR_E_ROUTE),
	BAD("route bad domain", "<@a..com:u@c.com>", ADDR_E_ROUTE),
	BAD("route trailing comma", "<@a.com,:u@c.com>", ADDR_E_ROUTE),
	BAD("route with literal", "<@[192.0.2.1]:u@c.com>", ADDR_E_ROUTE),
	BAD("route then no mailbox", "<@a.com:>", ADDR_E_NO_AT),
	BAD("text glued to path", "<a@b.com>SIZE=1", ADDR_E_TRAILING),
	BAD("text glued to null sender", "<>x", ADDR_E_TRAILING),
};

static void
expect_zero(const struct addr *a)
{
	static const struct addr zero;

	assert_memory_equal(a, &zero, sizeof(zero));
}

static void
check_case(void **state)
{
	const struct addr_case *c = *state;
	struct addr a;
	enum addr_status st;

	memset(&a, 0x5a, sizeof(a));
	st = addr_parse(c->in, c->len ? c->len : strlen(c->in), &a);
	if (st != c->want)
		fail_msg("%s: got %d (%s), want %d (%s)", c->name, st,
		    addr_strerror(st), c->want, addr_strerror(c->want));
	if (st != ADDR_OK) {
		expect_zero(&a);
		return;
	}
	assert_string_equal(a.local, c->local);
	assert_string_equal(a.domain, c->domain);
	assert_int_equal(a.quoted, (c->flags & Q) != 0);
	assert_int_equal(a.ip_literal, (c->flags & IP) != 0);
	assert_int_equal(a.utf8, (c->flags & U8) != 0);
}

/* Parses buf[0..len) and checks the status, and that failure clears *a. */
static void
parse_expect(const char *buf, size_t len, enum addr_status want, struct addr *a)
{
	enum addr_status st;

	memset(a, 0x5a, sizeof(*a));
	st = addr_parse(buf, len, a);
	if (st != want)
		fail_msg("got %d (%s), want %d (%s)", st, addr_strerror(st),
		    want, addr_strerror(want));
	if (st != ADDR_OK)
		expect_zero(a);
}

/* "<" + local of nl 'l' + "@" + labels of 'd' summing to nd octets + ">" */
static size_t
build_path(char *buf, size_t size, size_t nl, size_t nd)
{
	size_t i = 0, k;

	assert_true(nl + nd + 3 < size);
	buf[i++] = '<';
	memset(buf + i, 'l', nl);
	i += nl;
	buf[i++] = '@';
	for (k = 0; k < nd; k++)
		buf[i++] = (k % 50 == 49 && k + 1 < nd) ? '.' : 'd';
	buf[i++] = '>';
	buf[i] = '\0';
	return i;
}

static void
test_local_64_ok_65_long(void **state)
{
	char buf[512];
	struct addr a;
	size_t n;

	(void)state;
	n = build_path(buf, sizeof(buf), 64, 10);
	parse_expect(buf, n, ADDR_OK, &a);
	assert_int_equal(strlen(a.local), 64);
	n = build_path(buf, sizeof(buf), 65, 10);
	parse_expect(buf, n, ADDR_E_LOCAL_LONG, &a);
}

static void
test_quoted_local_long(void **state)
{
	char buf[128];
	struct addr a;

	(void)state;
	/* 63 characters between the quotes make 65 octets as written. */
	snprintf(buf, sizeof(buf), "<\"%.63s\"@b.com>",
	    "x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x");
	parse_expect(buf, strlen(buf), ADDR_E_LOCAL_LONG, &a);
	snprintf(buf, sizeof(buf), "<\"%.62s\"@b.com>",
	    "x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x");
	parse_expect(buf, strlen(buf), ADDR_OK, &a);
	assert_int_equal(strlen(a.local), 64);
}

static void
test_path_256_ok_257_long(void **state)
{
	char buf[512];
	struct addr a;
	size_t n;

	(void)state;
	n = build_path(buf, sizeof(buf), 64, 189);
	assert_int_equal(n, 256);
	parse_expect(buf, n, ADDR_OK, &a);
	n = build_path(buf, sizeof(buf), 64, 190);
	assert_int_equal(n, 257);
	parse_expect(buf, n, ADDR_E_PATH_LONG, &a);
	/* Without brackets the limit is the same: they are counted anyway. */
	parse_expect(buf + 1, n - 2, ADDR_E_PATH_LONG, &a);
	parse_expect(buf + 1, n - 3, ADDR_OK, &a);
}

static void
test_route_counts_toward_path(void **state)
{
	char buf[512];
	struct addr a;
	size_t n;

	(void)state;
	/* A path of 251 octets fits, but not behind a route of 10. */
	n = build_path(buf + 10, sizeof(buf) - 10, 20, 228);
	parse_expect(buf + 10, n, ADDR_OK, &a);
	memcpy(buf, "<@rt.local:", 11);
	parse_expect(buf, n + 10, ADDR_E_PATH_LONG, &a);
	n = build_path(buf + 10, sizeof(buf) - 10, 20, 218);
	memcpy(buf, "<@rt.local:", 11);
	parse_expect(buf, n + 10, ADDR_OK, &a);
	assert_int_equal(strlen(a.local), 20);
}

static void
test_domain_256_long(void **state)
{
	char buf[512];
	struct addr a;
	size_t n;

	(void)state;
	n = build_path(buf, sizeof(buf), 1, 256);
	parse_expect(buf, n, ADDR_E_DOMAIN_LONG, &a);
}

static void
test_label_63_ok_64_long(void **state)
{
	char buf[128];
	struct addr a;

	(void)state;
	snprintf(buf, sizeof(buf), "<a@%.63s.com>",
	    "labellabellabellabellabellabellabellabellabellabellabellabellabel");
	parse_expect(buf, strlen(buf), ADDR_OK, &a);
	snprintf(buf, sizeof(buf), "<a@%.64s.com>",
	    "labellabellabellabellabellabellabellabellabellabellabellabellabel");
	parse_expect(buf, strlen(buf), ADDR_E_LABEL_LONG, &a);
}

static void
test_ulabel_code_points(void **state)
{
	char buf[256];
	struct addr a;
	size_t i, n;

	(void)state;
	/* 59 two-octet code points (118 octets) can still make an A-label. */
	memcpy(buf, "<a@", 3);
	n = 3;
	for (i = 0; i < 59; i++) {
		buf[n++] = '\xc3';
		buf[n++] = '\xa9';
	}
	memcpy(buf + n, ".fr>", 4);
	parse_expect(buf, n + 4, ADDR_OK, &a);
	assert_true(a.utf8);
	buf[n++] = '\xc3';
	buf[n++] = '\xa9';
	memcpy(buf + n, ".fr>", 4);
	parse_expect(buf, n + 4, ADDR_E_LABEL_LONG, &a);
}

static void
test_hostile_100k(void **state)
{
	static char buf[100 * 1024];
	struct addr a;
	size_t n = sizeof(buf), i;

	(void)state;
	memset(buf, 'a', n);
	parse_expect(buf, n, ADDR_E_NO_AT, &a);
	buf[n - 2] = '@';
	parse_expect(buf, n, ADDR_E_LOCAL_LONG, &a);

	memset(buf, 'a', n);
	memcpy(buf, "<a@", 3);
	buf[n - 1] = '>';
	parse_expect(buf, n, ADDR_E_DOMAIN_LONG, &a);

	memset(buf, '<', n);
	parse_expect(buf, n, ADDR_E_BRACKET, &a);
	memset(buf, '@', n);
	parse_expect(buf, n, ADDR_E_LOCAL_EMPTY, &a);
	memset(buf, '"', n);
	parse_expect(buf, n, ADDR_E_LOCAL_SYNTAX, &a);
	memset(buf, ' ', n);
	parse_expect(buf, n, ADDR_E_EMPTY, &a);

	for (i = 0; i + 3 <= n; i += 3)
		memcpy(buf + i, "@a,", 3);
	buf[i - 1] = ':';
	parse_expect(buf, n, ADDR_E_PATH_LONG, &a);

	/* A valid path followed by 100 KB of parameters is fine. */
	memset(buf, 'X', n);
	memcpy(buf, "<u@example.com> ", 16);
	parse_expect(buf, n, ADDR_OK, &a);
	assert_string_equal(a.domain, "example.com");
	buf[n - 1] = '\n';
	parse_expect(buf, n, ADDR_E_CTRL, &a);
}

static void
test_no_nul_terminator(void **state)
{
	/* Exactly the input, no NUL: ASan flags any read past it. */
	const char exact[] = { '<', 'a', '@', 'b', '.', 'c', 'o', 'm', '>' };
	const char open[] = { '<', 'a', '@', 'b', '.', 'c', 'o', 'm' };
	const char quote[] = { '"', 'a', '\\' };
	const char lit[] = { 'a', '@', '[', '1', '.', '2' };
	const char route[] = { '@', 'a', '.', 'b' };
	const char utf8[] = { 'a', '@', 'b', '\xe2', '\x82' };
	struct addr a;

	(void)state;
	parse_expect(exact, sizeof(exact), ADDR_OK, &a);
	assert_string_equal(a.domain, "b.com");
	parse_expect(open, sizeof(open), ADDR_E_BRACKET, &a);
	parse_expect(quote, sizeof(quote), ADDR_E_QUOTE, &a);
	parse_expect(lit, sizeof(lit), ADDR_E_IP_LITERAL, &a);
	parse_expect(route, sizeof(route), ADDR_E_LOCAL_EMPTY, &a);
	parse_expect(utf8, sizeof(utf8), ADDR_E_UTF8, &a);
	parse_expect(NULL, 0, ADDR_E_EMPTY, &a);
}

static enum addr_status
parse_domain_str(const char *s, struct addr *a)
{
	return addr_parse_domain(s, strlen(s), a);
}

static void
test_parse_domain(void **state)
{
	char buf[300];
	struct addr a;
	size_t i;

	(void)state;
	assert_int_equal(parse_domain_str("Bounce.Example.COM.", &a), ADDR_OK);
	assert_string_equal(a.domain, "bounce.example.com");
	assert_string_equal(a.local, "");
	assert_int_equal(parse_domain_str("[IPv6:2001:db8::1]", &a), ADDR_OK);
	assert_true(a.ip_literal);
	assert_int_equal(parse_domain_str("b\xc3\xbc"
					  "cher.de",
			     &a),
	    ADDR_OK);
	assert_true(a.utf8);
	assert_int_equal(parse_domain_str("", &a), ADDR_E_DOMAIN_EMPTY);
	assert_int_equal(parse_domain_str("a b", &a), ADDR_E_DOMAIN_SYNTAX);
	assert_int_equal(parse_domain_str("a@b", &a), ADDR_E_DOMAIN_SYNTAX);
	assert_int_equal(parse_domain_str("a.com\n", &a), ADDR_E_CTRL);
	expect_zero(&a);

	/* Four labels of 63 and three dots: 255, the most a domain may be. */
	for (i = 0; i < 255; i++)
		buf[i] = i % 64 == 63 ? '.' : 'x';
	assert_int_equal(addr_parse_domain(buf, 255, &a), ADDR_OK);
	assert_int_equal(strlen(a.domain), 255);
	buf[255] = '.';
	assert_int_equal(addr_parse_domain(buf, 256, &a), ADDR_OK);
	buf[255] = 'x';
	assert_int_equal(addr_parse_domain(buf, 256, &a), ADDR_E_DOMAIN_LONG);
}

static void
test_join(void **state)
{
	char buf[ADDR_PATH_MAX + 1], local[ADDR_LOCAL_MAX + 1],
	    domain[ADDR_DOMAIN_MAX + 1];
	struct addr a;

	(void)state;
	assert_true(addr_join("user", "bounce.example.com", buf, sizeof(buf)));
	assert_string_equal(buf, "user@bounce.example.com");
	/* "a@b.c" needs 6 octets with its NUL. */
	assert_true(addr_join("a", "b.c", buf, 6));
	assert_string_equal(buf, "a@b.c");
	memset(buf, 'z', sizeof(buf));
	assert_false(addr_join("a", "b.c", buf, 5));
	assert_string_equal(buf, "");
	assert_false(addr_join("a", "b.c", buf, 0));
	assert_int_equal(buf[0], '\0');

	/* A rewrite that would make an over-long path is refused. */
	memset(local, 'l', 64);
	local[64] = '\0';
	memset(domain, 'd', 189);
	domain[189] = '\0';
	assert_true(addr_join(local, domain, buf, sizeof(buf)));
	assert_int_equal(strlen(buf), ADDR_PATH_MAX - 2);
	domain[189] = 'd';
	domain[190] = '\0';
	assert_false(addr_join(local, domain, buf, sizeof(buf)));

	/* Parsing then joining gives back what parses the same. */
	snprintf(buf, sizeof(buf), "%s", "<@r.net:\"x y\"@[IPv6:DB8::1]>");
	assert_int_equal(addr_parse(buf, strlen(buf), &a), ADDR_OK);
	assert_true(addr_join(a.local, a.domain, buf, sizeof(buf)));
	assert_string_equal(buf, "\"x y\"@[ipv6:db8::1]");
	assert_int_equal(addr_parse(buf, strlen(buf), &a), ADDR_OK);
	assert_string_equal(a.local, "\"x y\"");
}

static void
test_strerror(void **state)
{
	int i, j;

	(void)state;
	for (i = ADDR_OK; i <= ADDR_E_TRAILING; i++) {
		assert_non_null(addr_strerror((enum addr_status)i));
		for (j = ADDR_OK; j < i; j++)
			assert_string_not_equal(
			    addr_strerror((enum addr_status)i),
			    addr_strerror((enum addr_status)j));
	}
	assert_string_equal(
	    addr_strerror((enum addr_status)999), "unknown address error");
}

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static const struct CMUnitTest other_tests[] = {
	cmocka_unit_test(test_local_64_ok_65_long),
	cmocka_unit_test(test_quoted_local_long),
	cmocka_unit_test(test_path_256_ok_257_long),
	cmocka_unit_test(test_route_counts_toward_path),
	cmocka_unit_test(test_domain_256_long),
	cmocka_unit_test(test_label_63_ok_64_long),
	cmocka_unit_test(test_ulabel_code_points),
	cmocka_unit_test(test_hostile_100k),
	cmocka_unit_test(test_no_nul_terminator),
	cmocka_unit_test(test_parse_domain),
	cmocka_unit_test(test_join),
	cmocka_unit_test(test_strerror),
};

#define NOTHER (sizeof(other_tests) / sizeof(other_tests[0]))

int
main(void)
{
	struct CMUnitTest tests[NCASES + NOTHER];
	size_t i;

	for (i = 0; i < NCASES; i++) {
		memset(&tests[i], 0, sizeof(tests[i]));
		tests[i].name = cases[i].name;
		tests[i].test_func = check_case;
		tests[i].initial_state = (void *)&cases[i];
	}
	for (i = 0; i < NOTHER; i++)
		tests[NCASES + i] = other_tests[i];
	return cmocka_run_group_tests_name("addr", tests, NULL, NULL);
}
