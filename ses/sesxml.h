/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sesxml: reads the XML answers of the SES query API with expat: the error
 * document, the GetIdentityMailFromDomainAttributes and
 * GetIdentityVerificationAttributes results, and the RequestId of any call;
 * and the same protocol's answers of STS (AssumeRole,
 * AssumeRoleWithWebIdentity), whose credentials are wiped when the
 * document is freed, as is every text buffer the parser used. No I/O:
 * bytes in, a struct sesxml_doc out.
 *
 * As botocore does, elements are matched by local name whatever their
 * namespace, and <Error> or <Errors><Error> is read under any root: the root
 * only sets doc->kind, and the caller decides from the HTTP status which
 * part it wants. Strings are UTF-8 with entities decoded; NULL means the
 * element was absent, "" that it was empty. A member given twice keeps its
 * first value; an identity listed twice keeps its first place and takes the
 * later entry's members (a Python dict).
 *
 * A hostile server cannot make this hold much: documents over
 * SESXML_MAX_DOC bytes, a string over SESXML_MAX_TEXT, more than
 * SESXML_MAX_ENTRIES entries or elements nested deeper than SESXML_MAX_DEPTH
 * are refused, and so is any DTD (no entity expansion at all).
 *
 * The caller owns the parser (sesxml_parser_free()) and the document it
 * gets (sesxml_doc_free(), which frees every string in it).
 */
#ifndef SES_SESXML_H
#define SES_SESXML_H

#include <stddef.h>

#define SESXML_MAX_DOC (4u << 20)
#define SESXML_MAX_TEXT (16u << 10)
#define SESXML_MAX_ENTRIES 1000
#define SESXML_MAX_DEPTH 256

enum sesxml_status {
	SESXML_OK = 0,
	SESXML_EXML,   /* not well-formed (garbage, truncated) or has a DTD:
			   the CLI's "invalid XML received" */
	SESXML_ELIMIT, /* over one of the bounds above */
	SESXML_ESHAPE, /* well-formed, but an <entry> without its <key> */
	SESXML_ENOMEM,
};

enum sesxml_kind {
	SESXML_OTHER,          /* another root element */
	SESXML_ERROR_RESPONSE, /* <ErrorResponse> */
	SESXML_GET_RESPONSE, /* <GetIdentityMailFromDomainAttributesResponse> */
	SESXML_SET_RESPONSE, /* <SetIdentityMailFromDomainResponse> */
	SESXML_VERIFICATION_RESPONSE, /* <GetIdentityVerificationAttributesResponse> */
	SESXML_STS_RESPONSE, /* <AssumeRole[WithWebIdentity]Response> */
};

/* <Result><Credentials> of an STS answer; NULL where absent. */
struct sesxml_sts_credentials {
	char *access_key_id;
	char *secret_access_key;
	char *session_token;
	char *expiration; /* ISO 8601 */
};

/*
 * One <entry> of an attributes map: MailFromDomainAttributes fills the
 * first three members, VerificationAttributes the last two (each map's
 * <value> is read with its own members only, as botocore reads it with
 * the operation's shape).
 */
struct sesxml_mail_from {
	char *identity;            /* the entry's <key> */
	char *mail_from_domain;    /* MailFromDomain */
	char *status;              /* MailFromDomainStatus */
	char *behavior;            /* BehaviorOnMXFailure */
	char *verification_status; /* VerificationStatus */
	char *verification_token;  /* VerificationToken (domains only) */
};

struct sesxml_doc {
	enum sesxml_kind kind;
	char *request_id;
	char *error_type; /* Sender | Receiver */
	char *error_code;
	char *error_message;
	struct sesxml_mail_from *entries; /* in the server's order */
	size_t nentries;
	struct sesxml_sts_credentials sts;
};

/*
 * The whole document at once. On failure *out is NULL and ERR (when not
 * NULL) gets a one-line reason without the document, worded as Python's
 * for malformed XML ("mismatched tag: line 1, column 5") so that the
 * CLI's "Unable to parse response (%s), invalid XML received" can be
 * repeated.
 */
int sesxml_parse(const void *data, size_t len, struct sesxml_doc **out,
    char *err, size_t errsize);

/* The same in pieces, e.g. as the body arrives. NULL: out of memory. */
struct sesxml_parser *sesxml_parser_new(void);
int sesxml_parser_feed(struct sesxml_parser *, const void *data, size_t len);
/* Ends the document and hands it over; *out is NULL on failure. */
int sesxml_parser_finish(struct sesxml_parser *, struct sesxml_doc **out);
/* The reason of the first failure ("" if none); owned by the parser. */
const char *sesxml_parser_error(const struct sesxml_parser *);
void sesxml_parser_free(struct sesxml_parser *);

void sesxml_doc_free(struct sesxml_doc *);
/* Frees the strings of one entry and zeroes it. */
void sesxml_mail_from_clear(struct sesxml_mail_from *);

#endif
