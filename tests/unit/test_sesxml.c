/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sesxml: SES answers as SES and moto send them, entities, absent and empty
 * members, chunked input, garbage, truncation, and the bounds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ses/sesxml.h"

/* As SES sends it: indented, members in SES's order. */
static const char get_ses[] =
    "<GetIdentityMailFromDomainAttributesResponse "
    "xmlns=\"http://ses.amazonaws.com/doc/2010-12-01/\">\n"
    "  <GetIdentityMailFromDomainAttributesResult>\n"
    "    <MailFromDomainAttributes>\n"
    "      <entry>\n"
    "        <key>user@example.com</key>\n"
    "        <value>\n"
    "          <BehaviorOnMXFailure>UseDefaultValue</BehaviorOnMXFailure>\n"
    "          <MailFromDomain>mail.example.com</MailFromDomain>\n"
    "          <MailFromDomainStatus>Pending</MailFromDomainStatus>\n"
    "        </value>\n"
    "      </entry>\n"
    "      <entry>\n"
    "        <key>example.com</key>\n"
    "        <value>\n"
    "          <BehaviorOnMXFailure>RejectMessage</BehaviorOnMXFailure>\n"
    "          <MailFromDomain>bounce.example.com</MailFromDomain>\n"
    "          <MailFromDomainStatus>Success</MailFromDomainStatus>\n"
    "        </value>\n"
    "      </entry>\n"
    "    </MailFromDomainAttributes>\n"
    "  </GetIdentityMailFromDomainAttributesResult>\n"
    "  <ResponseMetadata>\n"
    "    <RequestId>c5b4e1b1-7a4c-4b2e-9d3c-2f0f7e1a0b11</RequestId>\n"
    "  </ResponseMetadata>\n"
    "</GetIdentityMailFromDomainAttributesResponse>";

/* As moto 5.2.1 sends it: one line, an escaped key, members left out. */
static const char get_moto[] =
    "<GetIdentityMailFromDomainAttributesResponse xmlns=\"http://ses.amazon"
    "aws.com/doc/2010-12-01/\"><GetIdentityMailFromDomainAttributesResult>"
    "<MailFromDomainAttributes><entry><key>example.com</key><value>"
    "<MailFromDomain>bounce.example.com</MailFromDomain><MailFromDomainStatus>"
    "Success</MailFromDomainStatus><BehaviorOnMXFailure>RejectMessage"
    "</BehaviorOnMXFailure></value></entry><entry><key>a&amp;b@example.org"
    "</key><value><BehaviorOnMXFailure>UseDefaultValue</BehaviorOnMXFailure>"
    "</value></entry></MailFromDomainAttributes>"
    "</GetIdentityMailFromDomainAttributesResult><ResponseMetadata>"
    "<RequestId>OUiXDxY3XX8KF4DKVHaViVU1FfYXv16WcrbQL1SRAjC3pFLXwQsP"
    "</RequestId></ResponseMetadata>"
    "</GetIdentityMailFromDomainAttributesResponse>";

static const char set_ses[] =
    "<SetIdentityMailFromDomainResponse "
    "xmlns=\"http://ses.amazonaws.com/doc/2010-12-01/\">\n"
    "  <SetIdentityMailFromDomainResult/>\n"
    "  <ResponseMetadata>\n"
    "    <RequestId>9b0e8d5a-3c1f-4a77-8e2b-6f5d4c3b2a19</RequestId>\n"
    "  </ResponseMetadata>\n"
    "</SetIdentityMailFromDomainResponse>\n";

static const char error_ses[] =
    "<ErrorResponse xmlns=\"http://ses.amazonaws.com/doc/2010-12-01/\">\n"
    "  <Error>\n"
    "    <Type>Sender</Type>\n"
    "    <Code>InvalidParameterValue</Code>\n"
    "    <Message>Provided MAIL-FROM domain &apos;bounce.other.com&apos; is "
    "not subdomain of the domain of the identity &apos;example.com&apos;."
    "</Message>\n"
    "  </Error>\n"
    "  <RequestId>2d3e4f50-aaaa-bbbb-cccc-1234567890ab</RequestId>\n"
    "</ErrorResponse>\n";

/* moto's error shape: <Errors><Error>, as botocore also accepts. */
static const char error_moto[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<ErrorResponse><Errors><Error><Code>Throttling</Code>"
    "<Message>Rate exceeded</Message><Type>Sender</Type></Error></Errors>"
    "<RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId>"
    "</ErrorResponse>";

static struct sesxml_doc *
parse_ok(const char *xml)
{
	struct sesxml_doc *d;
	char err[200] = "untouched";

	assert_int_equal(
	    sesxml_parse(xml, strlen(xml), &d, err, sizeof(err)), SESXML_OK);
	assert_non_null(d);
	assert_string_equal(err, "");
	return d;
}

static void
parse_fails(const char *xml, size_t len, int status, const char *why)
{
	struct sesxml_doc *d = (struct sesxml_doc *)1;
	char err[200];

	assert_int_equal(sesxml_parse(xml, len, &d, err, sizeof(err)), status);
	assert_null(d);
	if (why != NULL)
		assert_string_equal(err, why);
}

static void
refused(const char *xml, int status, const char *why)
{
	parse_fails(xml, strlen(xml), status, why);
}

static void
assert_entry(const struct sesxml_mail_from *m, const char *identity,
    const char *domain, const char *status, const char *behavior)
{
	assert_string_equal(m->identity, identity);
	if (domain == NULL)
		assert_null(m->mail_from_domain);
	else
		assert_string_equal(m->mail_from_domain, domain);
	if (status == NULL)
		assert_null(m->status);
	else
		assert_string_equal(m->status, status);
	if (behavior == NULL)
		assert_null(m->behavior);
	else
		assert_string_equal(m->behavior, behavior);
}

static void
assert_get_ses(const struct sesxml_doc *d)
{
	assert_int_equal(d->kind, SESXML_GET_RESPONSE);
	assert_string_equal(
	    d->request_id, "c5b4e1b1-7a4c-4b2e-9d3c-2f0f7e1a0b11");
	assert_null(d->error_code);
	assert_int_equal(d->nentries, 2);
	assert_entry(&d->entries[0], "user@example.com", "mail.example.com",
	    "Pending", "UseDefaultValue");
	assert_entry(&d->entries[1], "example.com", "bounce.example.com",
	    "Success", "RejectMessage");
}

static void
test_get(void **state)
{
	struct sesxml_doc *d;

	(void)state;
	d = parse_ok(get_ses);
	assert_get_ses(d);
	sesxml_doc_free(d);
}

static void
test_get_moto(void **state)
{
	struct sesxml_doc *d;

	(void)state;
	d = parse_ok(get_moto);
	assert_int_equal(d->kind, SESXML_GET_RESPONSE);
	assert_string_equal(d->request_id,
	    "OUiXDxY3XX8KF4DKVHaViVU1FfYXv16WcrbQL1SRAjC3pFLXwQsP");
	assert_int_equal(d->nentries, 2);
	assert_entry(&d->entries[0], "example.com", "bounce.example.com",
	    "Success", "RejectMessage");
	assert_entry(
	    &d->entries[1], "a&b@example.org", NULL, NULL, "UseDefaultValue");
	sesxml_doc_free(d);
}

static void
test_get_empty_map(void **state)
{
	struct sesxml_doc *d;

	(void)state;
	d = parse_ok(
	    "<GetIdentityMailFromDomainAttributesResponse xmlns=\"ht"
	    "tp://ses.amazonaws.com/doc/2010-12-01/\"><GetIdentityMailFromDomain"
	    "AttributesResult><MailFromDomainAttributes/></GetIdentityMailFrom"
	    "DomainAttributesResult><ResponseMetadata><RequestId>gpTs</RequestI"
	    "d></ResponseMetadata></GetIdentityMailFromDomainAttributesResponse>");
	assert_int_equal(d->kind, SESXML_GET_RESPONSE);
	assert_int_equal(d->nentries, 0);
	assert_null(d->entries);
	assert_string_equal(d->request_id, "gpTs");
	sesxml_doc_free(d);
}

/* Absent is NULL, empty is "", an empty <value/> leaves all three NULL. */
static void
test_get_missing_members(void **state)
{
	struct sesxml_doc *d;

	(void)state;
	d = parse_ok(
	    "<GetIdentityMailFromDomainAttributesResponse>"
	    "<GetIdentityMailFromDomainAttributesResult>"
	    "<MailFromDomainAttributes>"
	    "<entry><key>a.com</key><value/></entry>"
	    "<entry><key>b.com</key></entry>"
	    "<entry><key></key><value><MailFromDomain></MailFromDomain>"
	    "<MailFromDomainStatus/></value></entry>"
	    "</MailFromDomainAttributes>"
	    "</GetIdentityMailFromDomainAttributesResult>"
	    "</GetIdentityMailFromDomainAttributesResponse>");
	assert_null(d->request_id);
	assert_int_equal(d->nentries, 3);
	assert_entry(&d->entries[0], "a.com", NULL, NULL, NULL);
	assert_entry(&d->entries[1], "b.com", NULL, NULL, NULL);
	assert_entry(&d->entries[2], "", "", "", NULL);
	sesxml_doc_free(d);
}

/* A dict: the later entry's members at the first entry's place. */
static void
test_get_duplicate_identity(void **state)
{
	struct sesxml_doc *d;

	(void)state;
	d = parse_ok("<R><GetIdentityMailFromDomainAttributesResult>"
		     "<MailFromDomainAttributes>"
		     "<entry><key>a.com</key><value><MailFromDomain>x.a.com"
		     "</MailFromDomain><MailFromDomainStatus>Failed"
		     "</MailFromDomainStatus></value></entry>"
		     "<entry><key>b.com</key><value/></entry>"
		     "<entry><key>a.com</key><value><MailFromDomain>y.a.com"
		     "</MailFromDomain><BehaviorOnMXFailure>RejectMessage"
		     "</BehaviorOnMXFailure></value></entry>"
		     "</MailFromDomainAttributes>"
		     "</GetIdentityMailFromDomainAttributesResult></R>");
	assert_int_equal(d->kind, SESXML_OTHER);
	assert_int_equal(d->nentries, 2);
	assert_entry(&d->entries[0], "a.com", "y.a.com", NULL, "RejectMessage");
	assert_entry(&d->entries[1], "b.com", NULL, NULL, NULL);
	sesxml_doc_free(d);
}

/* A member given twice keeps its first value; unknown ones are skipped. */
static void
test_get_repeats_and_unknowns(void **state)
{
	struct sesxml_doc *d;

	(void)state;
	d = parse_ok(
	    "<GetIdentityMailFromDomainAttributesResponse>"
	    "<Unknown><entry><key>no</key></entry></Unknown>"
	    "<GetIdentityMailFromDomainAttributesResult>"
	    "<MailFromDomainAttributes>"
	    "<entry><key>a.com</key><key>b.com</key><value>"
	    "<MailFromDomain>one<!-- c --><b>nested</b>.a.com</MailFromDomain>"
	    "<MailFromDomain>two.a.com</MailFromDomain><Extra>1</Extra>"
	    "</value><extra/></entry>"
	    "</MailFromDomainAttributes>"
	    "</GetIdentityMailFromDomainAttributesResult>"
	    "<ResponseMetadata><RequestId>first</RequestId></ResponseMetadata>"
	    "<RequestId>second</RequestId>"
	    "</GetIdentityMailFromDomainAttributesResponse>");
	assert_int_equal(d->nentries, 1);
	assert_entry(&d->entries[0], "a.com", "one.a.com", NULL, NULL);
	assert_string_equal(d->request_id, "first");
	sesxml_doc_free(d);
}

static void
test_set(void **state)
{
	struct sesxml_doc *d;

	(void)state;
	d = parse_ok(set_ses);
	assert_int_equal(d->kind, SESXML_SET_RESPONSE);
	assert_string_equal(
	    d->request_id, "9b0e8d5a-3c1f-4a77-8e2b-6f5d4c3b2a19");
	assert_int_equal(d->nentries, 0);
	assert_null(d->error_code);
	assert_null(d->error_message);
	sesxml_doc_free(d);
}

static void
test_error(void **state)
{
	struct sesxml_doc *d;

	(void)state;
	d = parse_ok(error_ses);
	assert_int_equal(d->kind, SESXML_ERROR_RESPONSE);
	assert_string_equal(d->error_type, "Sender");
	assert_string_equal(d->error_code, "InvalidParameterValue");
	assert_string_equal(d->error_message,
	    "Provided MAIL-FROM domain "
	    "'bounce.other.com' is not subdomain of the domain of the identity "
	    "'example.com'.");
	assert_string_equal(
	    d->request_id, "2d3e4f50-aaaa-bbbb-cccc-1234567890ab");
	sesxml_doc_free(d);
}

static void
test_error_moto(void **state)
{
	struct sesxml_doc *d;

	(void)state;
	d = parse_ok(error_moto);
	assert_int_equal(d->kind, SESXML_ERROR_RESPONSE);
	assert_string_equal(d->error_type, "Sender");
	assert_string_equal(d->error_code, "Throttling");
	assert_string_equal(d->error_message, "Rate exceeded");
	assert_string_equal(
	    d->request_id, "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE");
	sesxml_doc_free(d);
}

/* Entities and character references decoded; CDATA kept as text. */
static void
test_error_entities(void **state)
{
	struct sesxml_doc *d;

	(void)state;
	d = parse_ok(
	    "<ErrorResponse><Error><Type>Receiver</Type>"
	    "<Code>InternalFailure</Code><Message>a &amp; b &lt;c&gt; "
	    "&quot;d&quot; caf&#233; &#x41;&#x1F600;<![CDATA[ <raw> & ]]>"
	    "\n line2</Message></Error><RequestId>r</RequestId>"
	    "</ErrorResponse>");
	assert_string_equal(d->error_type, "Receiver");
	assert_string_equal(d->error_message,
	    "a & b <c> \"d\" caf\xc3\xa9 "
	    "A\xf0\x9f\x98\x80 <raw> & \n line2");
	sesxml_doc_free(d);
}

/* "400 without <Message>": absent stays NULL for the caller to word. */
static void
test_error_missing_members(void **state)
{
	struct sesxml_doc *d;

	(void)state;
	d = parse_ok("<ErrorResponse><Error><Code>Throttling</Code></Error>"
		     "</ErrorResponse>");
	assert_string_equal(d->error_code, "Throttling");
	assert_null(d->error_message);
	assert_null(d->error_type);
	assert_null(d->request_id);
	sesxml_doc_free(d);

	d = parse_ok("<ErrorResponse><Error><Code/><Message></Message>"
		     "</Error></ErrorResponse>");
	assert_string_equal(d->error_code, "");
	assert_string_equal(d->error_message, "");
	sesxml_doc_free(d);

	d = parse_ok("<ErrorResponse/>");
	assert_int_equal(d->kind, SESXML_ERROR_RESPONSE);
	assert_null(d->error_code);
	sesxml_doc_free(d);
}

/* Local names count, whatever the namespace or prefix. */
static void
test_namespaces(void **state)
{
	struct sesxml_doc *d;

	(void)state;
	d = parse_ok(
	    "<s:ErrorResponse xmlns:s=\"http://ses.amazonaws.com/doc/"
	    "2010-12-01/\" xmlns:o=\"urn:other\"><o:Error><s:Code>C</s:Code>"
	    "<Message xmlns=\"urn:x&#10;y\">M</Message></o:Error>"
	    "<RequestId>R</RequestId></s:ErrorResponse>");
	assert_int_equal(d->kind, SESXML_ERROR_RESPONSE);
	assert_string_equal(d->error_code, "C");
	assert_string_equal(d->error_message, "M");
	assert_string_equal(d->request_id, "R");
	sesxml_doc_free(d);

	d = parse_ok(
	    "<GetIdentityMailFromDomainAttributesResponse xmlns=\"urn:"
	    "v2\"><GetIdentityMailFromDomainAttributesResult><MailFromDomainAttr"
	    "ibutes><entry><key>k</key></entry></MailFromDomainAttributes></Get"
	    "IdentityMailFromDomainAttributesResult>"
	    "</GetIdentityMailFromDomainAttributesResponse>");
	assert_int_equal(d->kind, SESXML_GET_RESPONSE);
	assert_int_equal(d->nentries, 1);
	sesxml_doc_free(d);

	/* ElementTree refuses a URI holding its separator; so do we. */
	refused("<a xmlns=\"urn:x}y\"/>", SESXML_EXML,
	    "syntax error: line 1, column 0");
}

/* A BOM, and UTF-8 whatever the declaration claims (as botocore). */
static void
test_encoding(void **state)
{
	struct sesxml_doc *d;

	(void)state;
	d = parse_ok(
	    "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"ISO-8859-1\""
	    "?><ErrorResponse><Error><Message>caf\xc3\xa9</Message></Error>"
	    "</ErrorResponse>");
	assert_string_equal(d->error_message, "caf\xc3\xa9");
	sesxml_doc_free(d);
	refused("<a>\xff</a>", SESXML_EXML,
	    "not well-formed (invalid token): line 1, column 3");
}

static void
feed_in_pieces(const char *xml, size_t piece)
{
	struct sesxml_parser *p;
	struct sesxml_doc *d;
	size_t off, n, len = strlen(xml);

	assert_non_null(p = sesxml_parser_new());
	for (off = 0; off < len; off += n) {
		n = len - off < piece ? len - off : piece;
		assert_int_equal(
		    sesxml_parser_feed(p, xml + off, n), SESXML_OK);
	}
	assert_int_equal(sesxml_parser_finish(p, &d), SESXML_OK);
	assert_string_equal(sesxml_parser_error(p), "");
	sesxml_parser_free(p);
	assert_get_ses(d);
	sesxml_doc_free(d);
}

/* Text cut anywhere (inside names, entities, UTF-8) reads the same. */
static void
test_chunked(void **state)
{
	static const size_t pieces[] = { 1, 2, 3, 7, 64, 1000 };
	struct sesxml_parser *p;
	struct sesxml_doc *d;
	const char *xml = "<ErrorResponse><Error><Message>x &amp; "
			  "caf\xc3\xa9 &#233;</Message></Error>"
			  "</ErrorResponse>";
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++)
		feed_in_pieces(get_ses, pieces[i]);

	assert_non_null(p = sesxml_parser_new());
	for (i = 0; xml[i] != '\0'; i++)
		assert_int_equal(sesxml_parser_feed(p, xml + i, 1), SESXML_OK);
	assert_int_equal(sesxml_parser_finish(p, &d), SESXML_OK);
	assert_string_equal(d->error_message, "x & caf\xc3\xa9 \xc3\xa9");
	sesxml_doc_free(d);
	/* Finished: more input is an error, not a crash. */
	assert_int_equal(sesxml_parser_feed(p, "<a/>", 4), SESXML_EXML);
	assert_int_equal(sesxml_parser_finish(p, &d), SESXML_EXML);
	assert_null(d);
	sesxml_parser_free(p);
}

/* The reasons are Python's, for the CLI's "Unable to parse response". */
static void
test_garbage(void **state)
{
	(void)state;
	refused("", SESXML_EXML, "no element found: line 1, column 0");
	parse_fails(NULL, 0, SESXML_EXML, "no element found: line 1, column 0");
	refused("not xml", SESXML_EXML, "syntax error: line 1, column 0");
	refused("<html", SESXML_EXML, "unclosed token: line 1, column 0");
	refused("<a></b>", SESXML_EXML, "mismatched tag: line 1, column 5");
	refused(
	    "<a>&nbsp;</a>", SESXML_EXML, "undefined entity: line 1, column 3");
	refused("<a:b/>", SESXML_EXML, "unbound prefix: line 1, column 0");
	refused("<a/><b/>", SESXML_EXML,
	    "junk after document element: line 1, column 4");
	parse_fails("<a>\0</a>", 8, SESXML_EXML, NULL);
	refused("<a>&#0;</a>", SESXML_EXML, NULL);
	refused("{\"message\": \"Internal Server Error\"}", SESXML_EXML, NULL);
	refused("<!doctype html>\n<html lang=en>\n<title>500 Internal "
		"Server Error</title>\n",
	    SESXML_EXML, "syntax error: line 1, column 0");
	refused("<!DOCTYPE html>\n<html><title>500</title></html>", SESXML_EXML,
	    "document type declaration refused: line 1, column 14");
}

/* Every proper prefix of a response is refused. */
static void
test_truncated(void **state)
{
	const char *docs[] = { get_ses, get_moto, error_ses, set_ses };
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		len = strlen(docs[i]);
		while (len > 0 && docs[i][len - 1] == '\n')
			len--;
		while (len-- > 0)
			parse_fails(docs[i], len, SESXML_EXML, NULL);
	}
	parse_fails(
	    get_ses, 250, SESXML_EXML, "unclosed token: line 7, column 10");
}

static void
test_entry_without_key(void **state)
{
	(void)state;
	refused("<R><GetIdentityMailFromDomainAttributesResult>"
		"<MailFromDomainAttributes><entry><value/></entry>"
		"</MailFromDomainAttributes>"
		"</GetIdentityMailFromDomainAttributesResult></R>",
	    SESXML_ESHAPE, "entry without key: line 1, column 87");
}

/* Entity expansion never starts: any DTD is refused. */
static void
test_dtd_refused(void **state)
{
	const char *lol = "<?xml version=\"1.0\"?>\n"
			  "<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
			  "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;\">]>\n"
			  "<ErrorResponse><Error><Message>&lol2;</Message>"
			  "</Error></ErrorResponse>";
	const char *ext = "<!DOCTYPE a SYSTEM \"file:///etc/passwd\"><a/>";

	(void)state;
	refused(lol, SESXML_EXML,
	    "document type declaration refused: line 2, column 15");
	refused(ext, SESXML_EXML, NULL);
}

static void
test_limit_document(void **state)
{
	struct sesxml_parser *p;
	struct sesxml_doc *d;
	char *blank;
	size_t i, chunk = 1u << 16;

	(void)state;
	assert_non_null(blank = malloc(chunk));
	memset(blank, ' ', chunk);
	assert_non_null(p = sesxml_parser_new());
	assert_int_equal(sesxml_parser_feed(p, "<a>", 3), SESXML_OK);
	for (i = 0; i < SESXML_MAX_DOC / chunk - 1; i++)
		assert_int_equal(
		    sesxml_parser_feed(p, blank, chunk), SESXML_OK);
	assert_int_equal(sesxml_parser_feed(p, blank, chunk), SESXML_ELIMIT);
	assert_string_equal(
	    sesxml_parser_error(p), "a document over 4194304 bytes");
	assert_int_equal(sesxml_parser_feed(p, "</a>", 4), SESXML_ELIMIT);
	assert_int_equal(sesxml_parser_finish(p, &d), SESXML_ELIMIT);
	assert_null(d);
	sesxml_parser_free(p);
	free(blank);
}

static char *
repeat(const char *head, const char *unit, size_t n, const char *tail)
{
	size_t ul = strlen(unit), hl = strlen(head), tl = strlen(tail), i;
	char *s;

	assert_non_null(s = malloc(hl + n * ul + tl + 1));
	memcpy(s, head, hl);
	for (i = 0; i < n; i++)
		memcpy(s + hl + i * ul, unit, ul);
	memcpy(s + hl + n * ul, tail, tl + 1);
	return s;
}

static void
test_limit_text(void **state)
{
	struct sesxml_doc *d;
	char *s;

	(void)state;
	s = repeat("<ErrorResponse><Error><Message>", "x", SESXML_MAX_TEXT,
	    "</Message></Error></ErrorResponse>");
	d = parse_ok(s);
	assert_int_equal(strlen(d->error_message), SESXML_MAX_TEXT);
	sesxml_doc_free(d);
	free(s);
	s = repeat("<ErrorResponse><Error><Message>", "&#233;",
	    SESXML_MAX_TEXT / 2 + 1, "</Message></Error></ErrorResponse>");
	refused(s, SESXML_ELIMIT, "a string over 16384 bytes");
	free(s);
	/* Text of ignored elements is not kept, so not bounded either. */
	s = repeat("<ErrorResponse><Other>", "x", 2 * SESXML_MAX_TEXT,
	    "</Other></ErrorResponse>");
	d = parse_ok(s);
	sesxml_doc_free(d);
	free(s);
}

static void
test_limit_entries(void **state)
{
	struct sesxml_doc *d;
	char *s;
	size_t i, n = SESXML_MAX_ENTRIES + 1, off;

	(void)state;
	assert_non_null(s = malloc(n * 48 + 256));
	off = (size_t)sprintf(s,
	    "<R><GetIdentityMailFromDomainAttributesResult>"
	    "<MailFromDomainAttributes>");
	for (i = 0; i < n; i++)
		off += (size_t)sprintf(
		    s + off, "<entry><key>%zu.example</key></entry>", i);
	strcpy(s + off,
	    "</MailFromDomainAttributes>"
	    "</GetIdentityMailFromDomainAttributesResult></R>");
	refused(s, SESXML_ELIMIT, "more than 1000 entries");
	/* Exactly the bound is fine: drop the last entry. */
	off = (size_t)(strstr(s, "<entry><key>1000.example") - s);
	strcpy(s + off,
	    "</MailFromDomainAttributes>"
	    "</GetIdentityMailFromDomainAttributesResult></R>");
	d = parse_ok(s);
	assert_int_equal(d->nentries, SESXML_MAX_ENTRIES);
	assert_string_equal(d->entries[999].identity, "999.example");
	sesxml_doc_free(d);
	free(s);
}

static void
test_limit_depth(void **state)
{
	struct sesxml_doc *d;
	char *open, *s;
	size_t n = SESXML_MAX_DEPTH;

	(void)state;
	open = repeat("", "<a>", n, "");
	s = repeat(open, "</a>", n, "");
	d = parse_ok(s);
	assert_int_equal(d->kind, SESXML_OTHER);
	sesxml_doc_free(d);
	free(s);
	free(open);
	open = repeat("", "<a>", n + 1, "");
	s = repeat(open, "</a>", n + 1, "");
	refused(s, SESXML_ELIMIT, "elements nested deeper than 256");
	free(s);
	free(open);
}

/* GetIdentityVerificationAttributes as SES answers it (AWS's example). */
static const char verification_ses[] =
    "<GetIdentityVerificationAttributesResponse "
    "xmlns=\"http://ses.amazonaws.com/doc/2010-12-01/\">\n"
    "  <GetIdentityVerificationAttributesResult>\n"
    "    <VerificationAttributes>\n"
    "      <entry>\n"
    "        <key>example.com</key>\n"
    "        <value>\n"
    "          <VerificationStatus>Pending</VerificationStatus>\n"
    "          <VerificationToken>QTKknzFg2J4ygwa+XvHAxUl1hyHoY0gVfZdfjIedHZ0="
    "</VerificationToken>\n"
    "        </value>\n"
    "      </entry>\n"
    "      <entry>\n"
    "        <key>user@example.com</key>\n"
    "        <value>\n"
    "          <VerificationStatus>Success</VerificationStatus>\n"
    "        </value>\n"
    "      </entry>\n"
    "    </VerificationAttributes>\n"
    "  </GetIdentityVerificationAttributesResult>\n"
    "  <ResponseMetadata>\n"
    "    <RequestId>1d0c29f1-2beb-11e2-8d39-5f18a7b0ba1b</RequestId>\n"
    "  </ResponseMetadata>\n"
    "</GetIdentityVerificationAttributesResponse>\n";

static void
test_verification(void **state)
{
	struct sesxml_doc *d;

	(void)state;
	d = parse_ok(verification_ses);
	assert_int_equal(d->kind, SESXML_VERIFICATION_RESPONSE);
	assert_string_equal(
	    d->request_id, "1d0c29f1-2beb-11e2-8d39-5f18a7b0ba1b");
	assert_int_equal(d->nentries, 2);
	assert_entry(&d->entries[0], "example.com", NULL, NULL, NULL);
	assert_string_equal(d->entries[0].verification_status, "Pending");
	assert_string_equal(d->entries[0].verification_token,
	    "QTKknzFg2J4ygwa+XvHAxUl1hyHoY0gVfZdfjIedHZ0=");
	assert_entry(&d->entries[1], "user@example.com", NULL, NULL, NULL);
	assert_string_equal(d->entries[1].verification_status, "Success");
	assert_null(d->entries[1].verification_token);
	sesxml_doc_free(d);
}

/*
 * Each map's members only, as botocore reads them with the operation's
 * shape; a repeated identity takes the later entry's members whole.
 */
static void
test_verification_members(void **state)
{
	struct sesxml_doc *d;

	(void)state;
	d = parse_ok("<GetIdentityVerificationAttributesResponse><GetIdentityV"
		     "erificationAttributesResult><VerificationAttributes><en"
		     "try><key>a.com</key><value><VerificationStatus>Failed</"
		     "VerificationStatus><MailFromDomain>x.a.com</MailFromDom"
		     "ain><VerificationToken>t</VerificationToken></value></e"
		     "ntry><entry><key>b.com</key><value><VerificationStatus/"
		     "></value></entry><entry><key>a.com</key><value><Verific"
		     "ationStatus>NotStarted</VerificationStatus></value></en"
		     "try></VerificationAttributes></GetIdentityVerificationA"
		     "ttributesResult></GetIdentityVerificationAttributesResp"
		     "onse>");
	assert_int_equal(d->nentries, 2);
	assert_entry(&d->entries[0], "a.com", NULL, NULL, NULL);
	assert_string_equal(d->entries[0].verification_status, "NotStarted");
	assert_null(d->entries[0].verification_token);
	assert_string_equal(d->entries[1].verification_status, "");
	assert_null(d->request_id);
	sesxml_doc_free(d);
	/* and VerificationStatus in a MAIL FROM map is nobody's */
	d = parse_ok("<GetIdentityMailFromDomainAttributesResponse><GetIdenti"
		     "tyMailFromDomainAttributesResult><MailFromDomainAttribu"
		     "tes><entry><key>a.com</key><value><VerificationStatus>S"
		     "uccess</VerificationStatus><MailFromDomainStatus>Failed"
		     "</MailFromDomainStatus></value></entry></MailFromDomain"
		     "Attributes></GetIdentityMailFromDomainAttributesResult>"
		     "</GetIdentityMailFromDomainAttributesResponse>");
	assert_int_equal(d->nentries, 1);
	assert_entry(&d->entries[0], "a.com", NULL, "Failed", NULL);
	assert_null(d->entries[0].verification_status);
	sesxml_doc_free(d);
	refused("<GetIdentityVerificationAttributesResponse><GetIdentityVerif"
		"icationAttributesResult><VerificationAttributes><entry><valu"
		"e><VerificationStatus>Success</VerificationStatus></value></"
		"entry></VerificationAttributes></GetIdentityVerificationAttr"
		"ibutesResult></GetIdentityVerificationAttributesResponse>",
	    SESXML_ESHAPE, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_get_moto),
		cmocka_unit_test(test_get_empty_map),
		cmocka_unit_test(test_verification),
		cmocka_unit_test(test_verification_members),
		cmocka_unit_test(test_get_missing_members),
		cmocka_unit_test(test_get_duplicate_identity),
		cmocka_unit_test(test_get_repeats_and_unknowns),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_error),
		cmocka_unit_test(test_error_moto),
		cmocka_unit_test(test_error_entities),
		cmocka_unit_test(test_error_missing_members),
		cmocka_unit_test(test_namespaces),
		cmocka_unit_test(test_encoding),
		cmocka_unit_test(test_chunked),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_entry_without_key),
		cmocka_unit_test(test_dtd_refused),
		cmocka_unit_test(test_limit_document),
		cmocka_unit_test(test_limit_text),
		cmocka_unit_test(test_limit_entries),
		cmocka_unit_test(test_limit_depth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
