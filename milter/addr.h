/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * addr: parser for the envelope sender the milter sees at MAIL FROM.
 *
 * Input is libmilter's argv[0] for xxfi_envfrom, taken as (pointer, length)
 * and never read past the length: "<user@example.com>", possibly without the
 * angle brackets, possibly followed by ESMTP parameters after a space.
 * The grammar is RFC 5321's reverse-path with RFC 6531's UTF-8 extensions.
 * A source route ("<@a,@b:user@c>") is checked for syntax and dropped, as
 * RFC 5321 4.1.1.3 asks.  Parameters are ignored except that, like the rest
 * of the input, they must hold no control characters and only valid UTF-8.
 *
 * Pure code: no allocation, no I/O, no global state, linear in the length.
 * The caller owns every buffer; struct addr is self-contained.
 */
#ifndef ADDR_H
#define ADDR_H

#include <stdbool.h>
#include <stddef.h>

#define ADDR_LOCAL_MAX 64   /* RFC 5321 4.5.3.1.1 */
#define ADDR_DOMAIN_MAX 255 /* RFC 5321 4.5.3.1.2 */
#define ADDR_PATH_MAX 256   /* RFC 5321 4.5.3.1.3, angle brackets included */

enum addr_status {
	ADDR_OK = 0,
	ADDR_NULL,           /* "<>": the null sender (bounces) */
	ADDR_E_EMPTY,        /* nothing but spaces */
	ADDR_E_CTRL,         /* NUL, CR, LF, other C0/C1 control, DEL */
	ADDR_E_UTF8,         /* bytes that are not well-formed UTF-8 */
	ADDR_E_BRACKET,      /* angle brackets unbalanced or misplaced */
	ADDR_E_ROUTE,        /* malformed source route */
	ADDR_E_NO_AT,        /* no "@" before the end of the path */
	ADDR_E_LOCAL_EMPTY,  /* nothing before the "@" */
	ADDR_E_LOCAL_SYNTAX, /* bad character or dot in an unquoted local part */
	ADDR_E_QUOTE,        /* unterminated quoted string or bad escape */
	ADDR_E_LOCAL_LONG,   /* local part over ADDR_LOCAL_MAX octets */
	ADDR_E_DOMAIN_EMPTY, /* nothing after the "@" */
	ADDR_E_DOMAIN_SYNTAX, /* bad character, empty label, hyphen at a label's end */
	ADDR_E_LABEL_LONG,  /* domain label over 63 octets */
	ADDR_E_DOMAIN_LONG, /* domain over ADDR_DOMAIN_MAX octets */
	ADDR_E_IP_LITERAL, /* address literal that is not a valid IPv4/IPv6 one */
	ADDR_E_PATH_LONG, /* path over ADDR_PATH_MAX octets */
	ADDR_E_TRAILING, /* text right after the path with no space before it */
};

struct addr {
	/*
	 * Canonical: a quoted local part whose content is a valid Dot-string
	 * loses its quotes ("alice" is alice), quoted pairs are reduced (\x
	 * is x) and only '"' and '\' stay escaped in what must stay quoted.
	 * Case is kept: RFC 5321 leaves it to the receiving domain.
	 */
	char local[ADDR_LOCAL_MAX + 1];
	char domain[ADDR_DOMAIN_MAX + 1]; /* ASCII lower-cased, no root dot */
	bool quoted;     /* the canonical local part is a quoted-string */
	bool ip_literal; /* domain is "[192.0.2.1]" or "[ipv6:...]" */
	bool utf8;       /* local part or domain holds non-ASCII */
};

/*
 * Parses s[0..len).  ADDR_OK fills *out; any other status, ADDR_NULL
 * included, leaves it all zero, so a failed parse can never be mistaken
 * for an address.  The joined form local@domain of a parsed address
 * always fits in a path: at most ADDR_PATH_MAX - 2 octets.
 */
enum addr_status addr_parse(const char *s, size_t len, struct addr *out);

/*
 * Parses s[0..len) as a bare domain or address literal (configuration:
 * identities, host names), by the same rules as the domain of a path.
 * Sets out->domain, ip_literal and utf8, and leaves local empty; on
 * failure *out is all zero, as with addr_parse().
 */
enum addr_status addr_parse_domain(const char *s, size_t len, struct addr *out);

/* Static English text for logs; never NULL. */
const char *addr_strerror(enum addr_status st);

/*
 * Writes "local@domain" and a NUL into buf.  False, with buf emptied when
 * size allows, if that does not fit in size or would make a path longer
 * than ADDR_PATH_MAX once bracketed: the result is meant for rewriting
 * the envelope.
 */
bool addr_join(const char *local, const char *domain, char *buf, size_t size);

#endif
