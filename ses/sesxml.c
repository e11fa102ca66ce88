/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "ses/sesxml.h"

/*
 * Expat reports a namespaced name as "URI<sep>local" and refuses a URI that
 * holds the separator; '}' is the one botocore's ElementTree uses, so the
 * same documents pass. No local name holds it.
 */
#define NS_SEP '}'

/* Where an open element sits in the shape of an SES response. */
enum node {
	N_IGNORE,
	N_ROOT,
	N_ERRORS,
	N_ERROR,
	N_META,
	N_RESULT,
	N_ATTRS,
	N_ENTRY,
	N_VALUE,
	N_VRESULT,
	N_VATTRS,
	N_VENTRY,
	N_VVALUE,
	N_STS_RESULT,
	N_STS_CREDS,
	/* leaves, whose text is kept */
	N_TYPE,
	N_CODE,
	N_MESSAGE,
	N_REQUEST_ID,
	N_KEY,
	N_DOMAIN,
	N_STATUS,
	N_BEHAVIOR,
	N_VSTATUS,
	N_VTOKEN,
	N_AKID,
	N_SECRET,
	N_SESSION_TOKEN,
	N_EXPIRATION,
};

static const struct edge {
	enum node parent;
	const char *name;
	enum node child;
} edges[] = {
	{ N_ROOT, "Error", N_ERROR },
	{ N_ROOT, "Errors", N_ERRORS },
	{ N_ERRORS, "Error", N_ERROR },
	{ N_ERROR, "Type", N_TYPE },
	{ N_ERROR, "Code", N_CODE },
	{ N_ERROR, "Message", N_MESSAGE },
	{ N_ROOT, "RequestId", N_REQUEST_ID },
	{ N_ROOT, "ResponseMetadata", N_META },
	{ N_META, "RequestId", N_REQUEST_ID },
	{ N_ROOT, "GetIdentityMailFromDomainAttributesResult", N_RESULT },
	{ N_RESULT, "MailFromDomainAttributes", N_ATTRS },
	{ N_ATTRS, "entry", N_ENTRY },
	{ N_ENTRY, "key", N_KEY },
	{ N_ENTRY, "value", N_VALUE },
	{ N_VALUE, "MailFromDomain", N_DOMAIN },
	{ N_VALUE, "MailFromDomainStatus", N_STATUS },
	{ N_VALUE, "BehaviorOnMXFailure", N_BEHAVIOR },
	{ N_ROOT, "GetIdentityVerificationAttributesResult", N_VRESULT },
	{ N_VRESULT, "VerificationAttributes", N_VATTRS },
	{ N_VATTRS, "entry", N_VENTRY },
	{ N_VENTRY, "key", N_KEY },
	{ N_VENTRY, "value", N_VVALUE },
	{ N_VVALUE, "VerificationStatus", N_VSTATUS },
	{ N_VVALUE, "VerificationToken", N_VTOKEN },
	{ N_ROOT, "AssumeRoleResult", N_STS_RESULT },
	{ N_ROOT, "AssumeRoleWithWebIdentityResult", N_STS_RESULT },
	{ N_STS_RESULT, "Credentials", N_STS_CREDS },
	{ N_STS_CREDS, "AccessKeyId", N_AKID },
	{ N_STS_CREDS, "SecretAccessKey", N_SECRET },
	{ N_STS_CREDS, "SessionToken", N_SESSION_TOKEN },
	{ N_STS_CREDS, "Expiration", N_EXPIRATION },
};

static const struct root {
	const char *name;
	enum sesxml_kind kind;
} roots[] = {
	{ "ErrorResponse", SESXML_ERROR_RESPONSE },
	{ "GetIdentityMailFromDomainAttributesResponse", SESXML_GET_RESPONSE },
	{ "SetIdentityMailFromDomainResponse", SESXML_SET_RESPONSE },
	{ "GetIdentityVerificationAttributesResponse",
	    SESXML_VERIFICATION_RESPONSE },
	{ "AssumeRoleResponse", SESXML_STS_RESPONSE },
	{ "AssumeRoleWithWebIdentityResponse", SESXML_STS_RESPONSE },
};

struct sesxml_parser {
	XML_Parser xp;
	struct sesxml_doc *doc;
	struct sesxml_mail_from entry; /* the <entry> being read */
	int status;                    /* first failure, sticky */
	size_t fed;
	unsigned depth;                            /* open elements */
	unsigned char nodes[SESXML_MAX_DEPTH + 1]; /* by depth */
	char **field; /* receives the open leaf's text */
	unsigned field_depth;
	char *text;
	size_t textlen;
	size_t textcap;
	char error[160];
};

static void fail(struct sesxml_parser *p, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fail(struct sesxml_parser *p, int status, const char *fmt, ...)
{
	va_list ap;

	if (p->status != SESXML_OK)
		return;
	p->status = status;
	va_start(ap, fmt);
	(void)vsnprintf(p->error, sizeof(p->error), fmt, ap);
	va_end(ap);
	(void)XML_StopParser(p->xp, XML_FALSE);
}

/* Fails with a reason naming where in the document, as Python does. */
static void
fail_at(struct sesxml_parser *p, int status, const char *what)
{
	fail(p, status, "%s: line %lu, column %lu", what,
	    (unsigned long)XML_GetCurrentLineNumber(p->xp),
	    (unsigned long)XML_GetCurrentColumnNumber(p->xp));
}

static const char *
local_name(const char *name)
{
	const char *sep = strrchr(name, NS_SEP);

	return sep != NULL ? sep + 1 : name;
}

static enum node
child_node(enum node parent, const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		if (edges[i].parent == parent &&
		    strcmp(edges[i].name, name) == 0)
			return edges[i].child;
	return N_IGNORE;
}

static enum sesxml_kind
root_kind(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		if (strcmp(roots[i].name, name) == 0)
			return roots[i].kind;
	return SESXML_OTHER;
}

static char **
leaf_field(struct sesxml_parser *p, enum node n)
{
	switch (n) {
	case N_TYPE:
		return &p->doc->error_type;
	case N_CODE:
		return &p->doc->error_code;
	case N_MESSAGE:
		return &p->doc->error_message;
	case N_REQUEST_ID:
		return &p->doc->request_id;
	case N_KEY:
		return &p->entry.identity;
	case N_DOMAIN:
		return &p->entry.mail_from_domain;
	case N_STATUS:
		return &p->entry.status;
	case N_BEHAVIOR:
		return &p->entry.behavior;
	case N_VSTATUS:
		return &p->entry.verification_status;
	case N_VTOKEN:
		return &p->entry.verification_token;
	case N_AKID:
		return &p->doc->sts.access_key_id;
	case N_SECRET:
		return &p->doc->sts.secret_access_key;
	case N_SESSION_TOKEN:
		return &p->doc->sts.session_token;
	case N_EXPIRATION:
		return &p->doc->sts.expiration;
	default:
		return NULL;
	}
}

/* Every byte the parser held may have been a secret of an STS answer. */
static void
wipe_free(char *s, size_t n)
{
	if (s != NULL)
		explicit_bzero(s, n);
	free(s);
}

static void
free_secret(char *s)
{
	if (s != NULL)
		wipe_free(s, strlen(s));
}

void
sesxml_mail_from_clear(struct sesxml_mail_from *m)
{
	free(m->identity);
	free(m->mail_from_domain);
	free(m->status);
	free(m->behavior);
	free(m->verification_status);
	free(m->verification_token);
	memset(m, 0, sizeof(*m));
}

/* The entry just read joins the list, or replaces its identity's values. */
static void
end_entry(struct sesxml_parser *p)
{
	struct sesxml_doc *d = p->doc;
	struct sesxml_mail_from *grown, *m;
	size_t i;

	if (p->entry.identity == NULL) {
		fail_at(p, SESXML_ESHAPE, "entry without key");
		return;
	}
	for (i = 0; i < d->nentries; i++) {
		m = &d->entries[i];
		if (strcmp(m->identity, p->entry.identity) != 0)
			continue;
		/* Same place, the later members: a Python dict. */
		free(p->entry.identity);
		p->entry.identity = m->identity;
		m->identity = NULL;
		sesxml_mail_from_clear(m);
		*m = p->entry;
		memset(&p->entry, 0, sizeof(p->entry));
		return;
	}
	if (d->nentries == SESXML_MAX_ENTRIES) {
		fail(p, SESXML_ELIMIT, "more than %d entries",
		    SESXML_MAX_ENTRIES);
		return;
	}
	grown = reallocarray(d->entries, d->nentries + 1, sizeof(*grown));
	if (grown == NULL) {
		fail(p, SESXML_ENOMEM, "out of memory");
		return;
	}
	d->entries = grown;
	d->entries[d->nentries++] = p->entry;
	memset(&p->entry, 0, sizeof(p->entry));
}

static void XMLCALL
on_start(void *data, const XML_Char *name, const XML_Char **attrs)
{
	struct sesxml_parser *p = data;
	enum node n;
	char **f;

	(void)attrs;
	if (p->status != SESXML_OK)
		return;
	if (p->depth == SESXML_MAX_DEPTH) {
		fail(p, SESXML_ELIMIT, "elements nested deeper than %d",
		    SESXML_MAX_DEPTH);
		return;
	}
	name = local_name(name);
	if (p->depth == 0) {
		n = N_ROOT;
		p->doc->kind = root_kind(name);
	} else
		n = child_node(p->nodes[p->depth], name);
	p->nodes[++p->depth] = (unsigned char)n;
	if ((f = leaf_field(p, n)) != NULL && *f == NULL) {
		p->field = f;
		p->field_depth = p->depth;
		p->textlen = 0;
	}
}

static void XMLCALL
on_end(void *data, const XML_Char *name)
{
	struct sesxml_parser *p = data;
	char *s;

	(void)name;
	if (p->status != SESXML_OK)
		return;
	if (p->field != NULL && p->depth == p->field_depth) {
		if ((s = malloc(p->textlen + 1)) == NULL) {
			fail(p, SESXML_ENOMEM, "out of memory");
			return;
		}
		if (p->textlen > 0)
			memcpy(s, p->text, p->textlen);
		s[p->textlen] = '\0';
		*p->field = s;
		p->field = NULL;
	}
	if (p->nodes[p->depth] == N_ENTRY || p->nodes[p->depth] == N_VENTRY)
		end_entry(p);
	p->depth--;
}

/* Expat may hand one element's text over in several pieces. */
static void XMLCALL
on_text(void *data, const XML_Char *s, int len)
{
	struct sesxml_parser *p = data;
	size_t need, cap;
	char *grown;

	if (p->status != SESXML_OK || p->field == NULL ||
	    p->depth != p->field_depth || len <= 0)
		return;
	if ((size_t)len > SESXML_MAX_TEXT - p->textlen) {
		fail(p, SESXML_ELIMIT, "a string over %u bytes",
		    SESXML_MAX_TEXT);
		return;
	}
	need = p->textlen + (size_t)len;
	if (need > p->textcap) {
		cap = p->textcap ? p->textcap : 64;
		while (cap < need)
			cap *= 2;
		/* Not realloc(): the old bytes may be a secret to wipe. */
		if ((grown = malloc(cap)) == NULL) {
			fail(p, SESXML_ENOMEM, "out of memory");
			return;
		}
		if (p->textlen > 0)
			memcpy(grown, p->text, p->textlen);
		wipe_free(p->text, p->textcap);
		p->text = grown;
		p->textcap = cap;
	}
	memcpy(p->text + p->textlen, s, (size_t)len);
	p->textlen = need;
}

/* SES never sends a DTD; refusing it leaves nothing to expand. */
static void XMLCALL
on_doctype(void *data, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int has_internal_subset)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	fail_at(data, SESXML_EXML, "document type declaration refused");
}

/* After XML_Parse() failed: expat's reason unless a handler gave one. */
static void
parse_failed(struct sesxml_parser *p)
{
	enum XML_Error e = XML_GetErrorCode(p->xp);

	if (e == XML_ERROR_NO_MEMORY)
		fail(p, SESXML_ENOMEM, "out of memory");
	else
		fail(p, SESXML_EXML, "%s: line %lu, column %lu",
		    XML_ErrorString(e),
		    (unsigned long)XML_GetErrorLineNumber(p->xp),
		    (unsigned long)XML_GetErrorColumnNumber(p->xp));
}

struct sesxml_parser *
sesxml_parser_new(void)
{
	struct sesxml_parser *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	/* UTF-8 whatever the declaration says, as botocore's parser. */
	if ((p->doc = calloc(1, sizeof(*p->doc))) == NULL ||
	    (p->xp = XML_ParserCreateNS("UTF-8", NS_SEP)) == NULL) {
		free(p->doc);
		free(p);
		return NULL;
	}
	XML_SetUserData(p->xp, p);
	XML_SetElementHandler(p->xp, on_start, on_end);
	XML_SetCharacterDataHandler(p->xp, on_text);
	XML_SetStartDoctypeDeclHandler(p->xp, on_doctype);
	return p;
}

int
sesxml_parser_feed(struct sesxml_parser *p, const void *data, size_t len)
{
	if (p->status != SESXML_OK)
		return p->status;
	if (len > SESXML_MAX_DOC - p->fed) {
		fail(p, SESXML_ELIMIT, "a document over %u bytes",
		    SESXML_MAX_DOC);
		return p->status;
	}
	p->fed += len;
	if (XML_Parse(p->xp, data, (int)len, XML_FALSE) == XML_STATUS_ERROR)
		parse_failed(p);
	return p->status;
}

int
sesxml_parser_finish(struct sesxml_parser *p, struct sesxml_doc **out)
{
	*out = NULL;
	if (p->status == SESXML_OK &&
	    XML_Parse(p->xp, NULL, 0, XML_TRUE) == XML_STATUS_ERROR)
		parse_failed(p);
	if (p->status != SESXML_OK)
		return p->status;
	*out = p->doc;
	p->doc = NULL;
	return SESXML_OK;
}

const char *
sesxml_parser_error(const struct sesxml_parser *p)
{
	return p->error;
}

void
sesxml_parser_free(struct sesxml_parser *p)
{
	if (p == NULL)
		return;
	XML_ParserFree(p->xp);
	sesxml_doc_free(p->doc);
	sesxml_mail_from_clear(&p->entry);
	wipe_free(p->text, p->textcap);
	free(p);
}

void
sesxml_doc_free(struct sesxml_doc *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nentries; i++)
		sesxml_mail_from_clear(&d->entries[i]);
	free(d->entries);
	free(d->request_id);
	free(d->error_type);
	free(d->error_code);
	free(d->error_message);
	free(d->sts.access_key_id);
	free_secret(d->sts.secret_access_key);
	free_secret(d->sts.session_token);
	free(d->sts.expiration);
	free(d);
}

int
sesxml_parse(const void *data, size_t len, struct sesxml_doc **out, char *err,
    size_t errsize)
{
	struct sesxml_parser *p;
	int status;

	*out = NULL;
	if ((p = sesxml_parser_new()) == NULL) {
		if (err != NULL && errsize > 0)
			(void)snprintf(err, errsize, "out of memory");
		return SESXML_ENOMEM;
	}
	if ((status = sesxml_parser_feed(p, data, len)) == SESXML_OK)
		status = sesxml_parser_finish(p, out);
	if (err != NULL && errsize > 0)
		(void)snprintf(err, errsize, "%s", sesxml_parser_error(p));
	sesxml_parser_free(p);
	return status;
}
