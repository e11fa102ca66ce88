/* SPDX-License-Identifier: BSD-2-Clause */
#include "milter/addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#define ADDR_LABEL_MAX 63
/*
 * A U-label goes over DNS as "xn--" plus at least one character per code
 * point, so more code points than this can never make a valid A-label.
 * The exact limit needs the Punycode encoding, which is not worth doing
 * here: the resolver refuses what slips through.
 */
#define ADDR_ULABEL_MAX (ADDR_LABEL_MAX - 4)

static const char *const addr_errors[] = {
	[ADDR_OK] = "ok",
	[ADDR_NULL] = "null sender",
	[ADDR_E_EMPTY] = "empty address",
	[ADDR_E_CTRL] = "control character in address",
	[ADDR_E_UTF8] = "invalid UTF-8 in address",
	[ADDR_E_BRACKET] = "unbalanced angle brackets",
	[ADDR_E_ROUTE] = "malformed source route",
	[ADDR_E_NO_AT] = "no @ in address",
	[ADDR_E_LOCAL_EMPTY] = "empty local part",
	[ADDR_E_LOCAL_SYNTAX] = "invalid local part",
	[ADDR_E_QUOTE] = "invalid quoted local part",
	[ADDR_E_LOCAL_LONG] = "local part longer than 64 octets",
	[ADDR_E_DOMAIN_EMPTY] = "empty domain",
	[ADDR_E_DOMAIN_SYNTAX] = "invalid domain",
	[ADDR_E_LABEL_LONG] = "domain label longer than 63 octets",
	[ADDR_E_DOMAIN_LONG] = "domain longer than 255 octets",
	[ADDR_E_IP_LITERAL] = "invalid address literal",
	[ADDR_E_PATH_LONG] = "path longer than 256 octets",
	[ADDR_E_TRAILING] = "unexpected text after the address",
};

const char *
addr_strerror(enum addr_status st)
{
	if ((size_t)st >= sizeof(addr_errors) / sizeof(addr_errors[0]))
		return "unknown address error";
	return addr_errors[st];
}

static bool
addr_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool
addr_is_alnum(unsigned char c)
{
	return addr_is_digit(c) || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

/* The locale must not change what an address is, hence no ctype.h. */
static char
addr_lower(unsigned char c)
{
	return (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
}

/*
 * RFC 5321 atext; RFC 6531 adds UTF-8, and any byte >= 0x80 seen here is
 * part of a sequence addr_check_bytes() has already found well-formed.
 */
static bool
addr_is_atext(unsigned char c)
{
	if (c >= 0x80 || addr_is_alnum(c))
		return true;
	switch (c) {
	case '!':
	case '#':
	case '$':
	case '%':
	case '&':
	case '\'':
	case '*':
	case '+':
	case '-':
	case '/':
	case '=':
	case '?':
	case '^':
	case '_':
	case '`':
	case '{':
	case '|':
	case '}':
	case '~':
		return true;
	}
	return false;
}

/* Let-dig / Ldh-str characters, plus UTF-8 for U-labels. */
static bool
addr_is_ldh(unsigned char c)
{
	return c >= 0x80 || addr_is_alnum(c) || c == '-';
}

/* RFC 5321 dcontent: printable ASCII except "[", "\" and "]". */
static bool
addr_is_dcontent(unsigned char c)
{
	return (c >= 33 && c <= 90) || (c >= 94 && c <= 126);
}

static bool
addr_has_8bit(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return true;
	return false;
}

/*
 * One pass over the whole input, parameters included, so that the parser
 * proper only ever meets printable ASCII and complete UTF-8 sequences.
 * C1 controls are refused with C0: the sender ends up in syslog lines and
 * a terminal may act on them.
 */
static enum addr_status
addr_check_bytes(const unsigned char *s, size_t len)
{
	size_t i = 0, k, n;
	unsigned char c, lo, hi;

	while (i < len) {
		c = s[i];
		if (c < 0x20 || c == 0x7f)
			return ADDR_E_CTRL;
		if (c < 0x80) {
			i++;
			continue;
		}
		/* Second-byte ranges exclude overlongs, surrogates, > U+10FFFF. */
		lo = 0x80;
		hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			if (c == 0xe0)
				lo = 0xa0;
			else if (c == 0xed)
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;
		} else
			return ADDR_E_UTF8;
		if (len - i - 1 < n || s[i + 1] < lo || s[i + 1] > hi)
			return ADDR_E_UTF8;
		for (k = 2; k <= n; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return ADDR_E_UTF8;
		if (c == 0xc2 && s[i + 1] <= 0x9f)
			return ADDR_E_CTRL;
		i += n + 1;
	}
	return ADDR_OK;
}

/*
 * Checks the labels of the host name d[0..n), root dot already removed,
 * and stores it lower-cased in out unless out is NULL.
 */
static enum addr_status
addr_check_name(const unsigned char *d, size_t n, char *out)
{
	size_t i = 0, start, cps;
	bool ascii;

	if (n > ADDR_DOMAIN_MAX)
		return ADDR_E_DOMAIN_LONG;
	for (;;) {
		start = i;
		cps = 0;
		ascii = true;
		for (; i < n && d[i] != '.'; i++) {
			if (!addr_is_ldh(d[i]))
				return ADDR_E_DOMAIN_SYNTAX;
			if (d[i] >= 0x80)
				ascii = false;
			if ((d[i] & 0xc0) != 0x80)
				cps++;
		}
		if (i == start || d[start] == '-' || d[i - 1] == '-')
			return ADDR_E_DOMAIN_SYNTAX;
		if (ascii ? i - start > ADDR_LABEL_MAX : cps > ADDR_ULABEL_MAX)
			return ADDR_E_LABEL_LONG;
		if (i == n)
			break;
		i++;
	}
	if (out != NULL) {
		for (i = 0; i < n; i++)
			out[i] = addr_lower(d[i]);
		out[n] = '\0';
	}
	return ADDR_OK;
}

/* RFC 5321 IPv4-address-literal: four Snum, each 1-3 digits up to 255. */
static bool
addr_ipv4_ok(const unsigned char *s, size_t n)
{
	size_t i = 0, digits;
	unsigned v;
	int part;

	for (part = 0; part < 4; part++) {
		if (part > 0) {
			if (i == n || s[i] != '.')
				return false;
			i++;
		}
		v = 0;
		for (digits = 0; digits < 3 && i < n && addr_is_digit(s[i]);
		     digits++)
			v = v * 10 + (unsigned)(s[i++] - '0');
		if (digits == 0 || v > 255)
			return false;
	}
	return i == n;
}

/*
 * d[0..n) is "[...]".  Only IPv4 and IPv6 literals mean anything to this
 * milter; a General-address-literal ("[tag:...]") is refused.
 */
static enum addr_status
addr_check_literal(const unsigned char *d, size_t n, char *out)
{
	static const char tag[] = "ipv6:";
	const size_t taglen = sizeof(tag) - 1;
	const unsigned char *in = d + 1;
	size_t m = n - 2, i;
	char buf[INET6_ADDRSTRLEN];
	struct in6_addr a6;
	bool v6 = m > taglen;

	if (n > ADDR_DOMAIN_MAX)
		return ADDR_E_IP_LITERAL;
	for (i = 0; v6 && i < taglen; i++)
		v6 = addr_lower(in[i]) == tag[i];
	if (v6) {
		m -= taglen;
		if (m >= sizeof(buf))
			return ADDR_E_IP_LITERAL;
		memcpy(buf, in + taglen, m);
		buf[m] = '\0';
		if (inet_pton(AF_INET6, buf, &a6) != 1)
			return ADDR_E_IP_LITERAL;
	} else if (!addr_ipv4_ok(in, m))
		return ADDR_E_IP_LITERAL;
	for (i = 0; i < n; i++)
		out[i] = addr_lower(d[i]);
	out[n] = '\0';
	return ADDR_OK;
}

/*
 * Moves *pp over what can belong to a domain: a bracketed literal, or
 * letters, digits, hyphens, dots and UTF-8.  Validation comes after, once
 * the caller knows the domain ended where it should.
 */
static enum addr_status
addr_domain_span(const unsigned char **pp, const unsigned char *end)
{
	const unsigned char *p = *pp;

	if (p < end && *p == '[') {
		for (p++; p < end && addr_is_dcontent(*p); p++)
			;
		if (p == end || *p != ']')
			return ADDR_E_IP_LITERAL;
		p++;
	} else
		while (p < end && (addr_is_ldh(*p) || *p == '.'))
			p++;
	*pp = p;
	return ADDR_OK;
}

/* Validates the nonempty domain d[0..n) and stores it in a. */
static enum addr_status
addr_domain_store(const unsigned char *d, size_t n, struct addr *a)
{
	if (d[0] == '[') {
		a->ip_literal = true;
		return addr_check_literal(d, n, a->domain);
	}
	if (d[n - 1] == '.')
		n--;
	if (n == 0)
		return ADDR_E_DOMAIN_SYNTAX;
	return addr_check_name(d, n, a->domain);
}

/*
 * RFC 5321 A-d-l ("@a.com,@b.com:"), which the server is to ignore.  A
 * leading "@" with no ":" after it is a mailbox missing its local part.
 */
static enum addr_status
addr_skip_route(const unsigned char **pp, const unsigned char *end,
    const unsigned char *path)
{
	const unsigned char *p = *pp, *colon, *d;
	size_t n;

	if (p == end || *p != '@')
		return ADDR_OK;
	for (colon = p;
	     colon < end && *colon != ':' && *colon != '>' && *colon != ' ';
	     colon++)
		;
	if (colon == end || *colon != ':')
		return ADDR_E_LOCAL_EMPTY;
	if ((size_t)(colon - path) >= ADDR_PATH_MAX)
		return ADDR_E_PATH_LONG;
	for (;;) {
		if (p == colon || *p != '@')
			return ADDR_E_ROUTE;
		d = ++p;
		while (p < colon && *p != ',')
			p++;
		n = (size_t)(p - d);
		if (n > 0 && d[n - 1] == '.')
			n--;
		if (n == 0 || addr_check_name(d, n, NULL) != ADDR_OK)
			return ADDR_E_ROUTE;
		if (p == colon)
			break;
		p++;
	}
	*pp = colon + 1;
	return ADDR_OK;
}

/* RFC 5321 Dot-string: atoms of atext joined by single dots. */
static bool
addr_is_dot_atom(const unsigned char *s, size_t n)
{
	size_t i;

	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == '.' ? s[i + 1] == '.' : !addr_is_atext(s[i]))
			return false;
	}
	return true;
}

/*
 * The quoted local part q[0..n), quotes included and already checked, in
 * its canonical form (RFC 5321 4.1.2, RFC 5322 3.4.1: the same mailbox):
 * quoted pairs reduced to their character, and no quotes at all when the
 * content is a valid Dot-string; else quoted again, escaping only '"' and
 * '\'. Never longer than the input, as those two can only come escaped.
 */
static void
addr_canonical_quoted(const unsigned char *q, size_t n, struct addr *a)
{
	unsigned char content[ADDR_LOCAL_MAX] = { 0 };
	size_t i, m = 0, o = 0;

	for (i = 1; i + 1 < n; i++) {
		if (q[i] == '\\')
			i++;
		content[m++] = q[i];
	}
	if (addr_is_dot_atom(content, m)) {
		memcpy(a->local, content, m);
		a->local[m] = '\0';
		a->quoted = false;
		return;
	}
	a->local[o++] = '"';
	for (i = 0; i < m; i++) {
		if (content[i] == '"' || content[i] == '\\')
			a->local[o++] = '\\';
		a->local[o++] = (char)content[i];
	}
	a->local[o++] = '"';
	a->local[o] = '\0';
}

/* Why a local part ended at *p, not at an "@". */
static enum addr_status
addr_local_stop(const unsigned char *p, const unsigned char *end, bool angle)
{
	if (p == end)
		return angle ? ADDR_E_BRACKET : ADDR_E_NO_AT;
	if (*p == '<')
		return ADDR_E_BRACKET;
	if (*p == '>')
		return angle ? ADDR_E_NO_AT : ADDR_E_BRACKET;
	if (*p == ' ' && !angle)
		return ADDR_E_NO_AT;
	return ADDR_E_LOCAL_SYNTAX;
}

/* Local part up to the "@", which is left under *pp. */
static enum addr_status
addr_local(const unsigned char **pp, const unsigned char *end, bool angle,
    struct addr *a)
{
	const unsigned char *p = *pp, *start = p;
	size_t n;

	if (p < end && *p == '"') {
		for (p++; p < end && *p != '"'; p++) {
			if (*p != '\\')
				continue;
			/* RFC 6531 leaves quoted-pairSMTP ASCII-only. */
			if (++p == end || *p > 0x7e)
				return ADDR_E_QUOTE;
		}
		if (p == end)
			return ADDR_E_QUOTE;
		p++;
		a->quoted = true;
	} else {
		while (p < end && (addr_is_atext(*p) || *p == '.'))
			p++;
	}
	n = (size_t)(p - start);
	if (p == end || *p != '@')
		return addr_local_stop(p, end, angle);
	if (n == 0)
		return ADDR_E_LOCAL_EMPTY;
	if (n > ADDR_LOCAL_MAX)
		return ADDR_E_LOCAL_LONG;
	if (!a->quoted) {
		if (!addr_is_dot_atom(start, n))
			return ADDR_E_LOCAL_SYNTAX;
		memcpy(a->local, start, n);
		a->local[n] = '\0';
	} else
		addr_canonical_quoted(start, n, a);
	*pp = p;
	return ADDR_OK;
}

/*
 * Domain of the mailbox, then the end of the path: ">" inside angle
 * brackets, else the end of input or the space before the parameters.
 */
static enum addr_status
addr_domain(const unsigned char **pp, const unsigned char *end, bool angle,
    struct addr *a)
{
	const unsigned char *p = *pp, *d = p;
	enum addr_status st;

	if ((st = addr_domain_span(&p, end)) != ADDR_OK)
		return st;
	if (p < end && *p != ' ' && *p != '<' && *p != '>')
		return ADDR_E_DOMAIN_SYNTAX;
	if (p == d)
		return ADDR_E_DOMAIN_EMPTY;
	if ((st = addr_domain_store(d, (size_t)(p - d), a)) != ADDR_OK)
		return st;
	if (angle) {
		if (p == end || *p != '>')
			return ADDR_E_BRACKET;
		p++;
	} else if (p < end && *p != ' ')
		return ADDR_E_BRACKET;
	*pp = p;
	return ADDR_OK;
}

/* After the path: nothing, or a space and the ESMTP parameters. */
static enum addr_status
addr_after_path(const unsigned char *p, const unsigned char *end)
{
	if (p == end || *p == ' ')
		return ADDR_OK;
	if (*p == '<' || *p == '>')
		return ADDR_E_BRACKET;
	return ADDR_E_TRAILING;
}

static enum addr_status
addr_parse_path(
    const unsigned char *p, const unsigned char *end, struct addr *a)
{
	const unsigned char *path;
	enum addr_status st;
	bool angle;

	if ((st = addr_check_bytes(p, (size_t)(end - p))) != ADDR_OK)
		return st;
	while (p < end && *p == ' ')
		p++;
	if (p == end)
		return ADDR_E_EMPTY;
	path = p;
	angle = *p == '<';
	if (angle) {
		p++;
		if (p < end && *p == '>') {
			st = addr_after_path(p + 1, end);
			return st == ADDR_OK ? ADDR_NULL : st;
		}
	}
	if ((st = addr_skip_route(&p, end, path)) != ADDR_OK ||
	    (st = addr_local(&p, end, angle, a)) != ADDR_OK)
		return st;
	p++;
	if ((st = addr_domain(&p, end, angle, a)) != ADDR_OK)
		return st;
	/* Without brackets, count them as the path on the wire has them. */
	if ((size_t)(p - path) + (angle ? 0 : 2) > ADDR_PATH_MAX)
		return ADDR_E_PATH_LONG;
	if ((st = addr_after_path(p, end)) != ADDR_OK)
		return st;
	a->utf8 = addr_has_8bit(a->local) || addr_has_8bit(a->domain);
	return ADDR_OK;
}

enum addr_status
addr_parse(const char *s, size_t len, struct addr *out)
{
	const unsigned char *p = (const unsigned char *)s;
	enum addr_status st;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return ADDR_E_EMPTY;
	if ((st = addr_parse_path(p, p + len, out)) != ADDR_OK)
		memset(out, 0, sizeof(*out));
	return st;
}

enum addr_status
addr_parse_domain(const char *s, size_t len, struct addr *out)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	enum addr_status st;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return ADDR_E_DOMAIN_EMPTY;
	if ((st = addr_check_bytes(p, len)) == ADDR_OK &&
	    (st = addr_domain_span(&p, end)) == ADDR_OK) {
		if (p != end)
			st = ADDR_E_DOMAIN_SYNTAX;
		else
			st = addr_domain_store(
			    (const unsigned char *)s, len, out);
	}
	if (st == ADDR_OK)
		out->utf8 = addr_has_8bit(out->domain);
	else
		memset(out, 0, sizeof(*out));
	return st;
}

bool
addr_join(const char *local, const char *domain, char *buf, size_t size)
{
	size_t ll = strnlen(local, ADDR_PATH_MAX),
	       dl = strnlen(domain, ADDR_PATH_MAX);
	size_t n = ll + 1 + dl;

	if (n + 2 > ADDR_PATH_MAX || n >= size) {
		if (size > 0)
			buf[0] = '\0';
		return false;
	}
	memcpy(buf, local, ll);
	buf[ll] = '@';
	memcpy(buf + ll + 1, domain, dl);
	buf[n] = '\0';
	return true;
}
