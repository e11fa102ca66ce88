/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The SES client: one signed POST per attempt, the standard retry loop
 * around it, and the process-wide rate limiter every attempt goes through.
 * Answers are read the way botocore's query parser reads them, so that the
 * errors (codes, messages, what is retried) are the AWS CLI's.
 */
#include <sys/random.h>

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ses/awsenv.h"
#include "ses/client.h"
#include "ses/clock.h"
#include "ses/form.h"
#include "ses/formpost.h"
#include "ses/strbuf.h"
#include "ses/retry.h"
#include "ses/errbuf.h"

#define SIGNING_NAME "ses"
#define GET_BATCH 100 /* SES's limit of identities per Get */

/* Slots 5% wider than 1/rate: see ses_ratelimit_set() in client.h. */
#define RATE_SPACING 1.05
#define RATE_MAX_GAP_NS (3600 * CLOCK_NSEC)
#define DEBUG_LINE 512

struct ses_client {
	struct http_client *http;
	struct creds_provider *creds;
	struct awsenv_endpoint ep;
	char *region;
	int max_attempts;
	long retry_base_ms;
	const struct ses_cancel *cancel; /* borrowed from the options */
	void (*debug)(void *, const char *);
	void *debug_arg;
};

/*
 * The limiter is a single "next free slot" on the monotonic clock: a
 * caller takes the slot under the lock, moves it one gap on, and sleeps
 * until its slot with the lock released.
 */
static struct {
	pthread_mutex_t lock;
	int64_t gap_ns; /* 0: no limit */
	int64_t next_ns;
} limiter = { PTHREAD_MUTEX_INITIALIZER, (int64_t)(RATE_SPACING *CLOCK_NSEC),
	0 };

const char *
ses_error_kind_name(enum ses_error_kind k)
{
	switch (k) {
	case SES_OK:
		return "none";
	case SES_ESERVICE:
		return "service";
	case SES_ETRANSPORT:
		return "transport";
	case SES_EPARSE:
		return "parse";
	case SES_ECREDS:
		return "credentials";
	case SES_EINTERNAL:
		return "internal";
	}
	return "?";
}

void
ses_ratelimit_set(double per_second)
{
	double gap =
	    per_second > 0 ? RATE_SPACING * CLOCK_NSEC / per_second : 0;

	pthread_mutex_lock(&limiter.lock);
	limiter.gap_ns = gap > RATE_MAX_GAP_NS ? RATE_MAX_GAP_NS : (int64_t)gap;
	pthread_mutex_unlock(&limiter.lock);
}

/*
 * Waits for the next slot (or until CANCEL fires); returns how long, in
 * nanoseconds.
 */
static int64_t
ratelimit_wait(const struct ses_cancel *cancel)
{
	int64_t now, slot;

	pthread_mutex_lock(&limiter.lock);
	if (limiter.gap_ns == 0) {
		pthread_mutex_unlock(&limiter.lock);
		return 0;
	}
	now = clock_now_ns();
	slot = limiter.next_ns > now ? limiter.next_ns : now;
	limiter.next_ns = slot + limiter.gap_ns;
	pthread_mutex_unlock(&limiter.lock);
	if (slot > now)
		(void)ses_cancel_sleep_until(cancel, slot);
	return slot - now;
}

/* Uniform in [0, 1) from the kernel's generator. */
static double
random_unit(void)
{
	uint64_t x;

	if (getrandom(&x, sizeof(x), GRND_NONBLOCK) != (ssize_t)sizeof(x))
		/* Only before the pool is ready: a jitter needs no secrecy. */
		x = (uint64_t)clock_now_ns() * 0x9e3779b97f4a7c15ULL ^
		    (uint64_t)getpid();
	return (double)(x >> 11) * 0x1.0p-53;
}

static void __attribute__((format(printf, 2, 3)))
debugf(const struct ses_client *c, const char *fmt, ...)
{
	char line[DEBUG_LINE];
	va_list ap;

	if (c->debug == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	c->debug(c->debug_arg, line);
}

static void
result_reset(struct ses_result *res)
{
	int attempts = res->attempts;

	ses_result_free(res);
	res->attempts = attempts;
}

static int
internal(struct ses_result *res, const char *why)
{
	result_reset(res);
	res->kind = SES_EINTERNAL;
	res->message = strdup(why);
	return -1;
}

static int
nomem(struct ses_result *res)
{
	return internal(res, strerror(ENOMEM));
}

struct ses_client *
ses_client_new(const struct ses_client_options *o, char *err, size_t errlen)
{
	struct ses_client *c;
	const char *v, *why = NULL;
	char *end;
	long base;

	if (o == NULL || o->region == NULL || o->region[0] == '\0')
		why = "no region";
	else if (o->endpoint_url == NULL)
		why = "no endpoint";
	else if (o->creds == NULL)
		why = "no credentials provider";
	else if (o->max_attempts < 0)
		why = "max_attempts must not be negative";
	if (why != NULL) {
		errbuf_set(err, errlen, "%s", why);
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		errbuf_set(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	c->creds = o->creds;
	c->cancel = o->http.cancel;
	c->debug = o->debug;
	c->debug_arg = o->debug_arg;
	c->max_attempts = o->max_attempts;
	if (c->max_attempts == 0 &&
	    retry_max_attempts(getenv("AWS_MAX_ATTEMPTS"), &c->max_attempts,
		err, errlen) == -1)
		goto fail;
	c->retry_base_ms = 1000;
	if ((v = getenv("SES_RETRY_BASE_MS")) != NULL && *v != '\0') {
		errno = 0;
		base = strtol(v, &end, 10);
		if (errno == 0 && *end == '\0' && base >= 0 && base <= 1000)
			c->retry_base_ms = base;
	}
	if (awsenv_endpoint_parse(o->endpoint_url, &c->ep) == -1) {
		if (errno == ENOMEM)
			errbuf_set(err, errlen, "%s", strerror(ENOMEM));
		else
			errbuf_set(err, errlen, "Invalid endpoint: %.300s",
			    o->endpoint_url);
		goto fail;
	}
	if ((c->region = strdup(o->region)) == NULL) {
		errbuf_set(err, errlen, "%s", strerror(ENOMEM));
		goto fail;
	}
	if ((c->http = http_client_new(&o->http, err, errlen)) == NULL)
		goto fail;
	return c;

fail:
	ses_client_free(c);
	return NULL;
}

void
ses_client_free(struct ses_client *c)
{
	if (c == NULL)
		return;
	http_client_free(c->http);
	awsenv_endpoint_free(&c->ep);
	free(c->region);
	free(c);
}

void
ses_result_free(struct ses_result *res)
{
	if (res == NULL)
		return;
	free(res->message);
	free(res->code);
	free(res->body);
	sesxml_doc_free(res->doc);
	memset(res, 0, sizeof(*res));
}

/* Python's repr() of bytes, which the CLI prints after "may succeed:". */
static char *
bytes_repr(const char *b, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char *out, *o, q = '\'';
	size_t i;

	if (n > (SIZE_MAX - 4) / 4)
		return NULL;
	if (memchr(b, '\'', n) != NULL && memchr(b, '"', n) == NULL)
		q = '"';
	if ((o = out = malloc(4 * n + 4)) == NULL)
		return NULL;
	*o++ = 'b';
	*o++ = q;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)b[i];

		if (c == '\\' || c == (unsigned char)q) {
			*o++ = '\\';
			*o++ = (char)c;
		} else if (c == '\t' || c == '\n' || c == '\r') {
			*o++ = '\\';
			*o++ = c == '\t' ? 't' : c == '\n' ? 'n' : 'r';
		} else if (c < 0x20 || c >= 0x7f) {
			*o++ = '\\';
			*o++ = 'x';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 0xf];
		} else
			*o++ = (char)c;
	}
	*o++ = q;
	*o = '\0';
	return out;
}

/* http.client.responses, for botocore's generic 5xx error. */
static const char *
reason_phrase(long status)
{
	switch (status) {
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	case 505:
		return "HTTP Version Not Supported";
	case 506:
		return "Variant Also Negotiates";
	case 507:
		return "Insufficient Storage";
	case 508:
		return "Loop Detected";
	case 510:
		return "Not Extended";
	case 511:
		return "Network Authentication Required";
	default:
		return "";
	}
}

/*
 * botocore's _is_generic_error_response(): a 5xx whose body, stripped of
 * ASCII blanks, is empty or starts with "<html>" is not parsed at all.
 */
static int
generic_error(long status, const char *body, size_t len)
{
	static const char blanks[] = " \t\n\r\v\f";
	size_t i = 0;

	if (status < 500)
		return 0;
	while (i < len && memchr(blanks, body[i], sizeof(blanks) - 1))
		i++;
	return i == len || (len - i >= 6 && memcmp(body + i, "<html>", 6) == 0);
}

/* botocore's error.get('Code', 'Unknown') of a text that may be empty. */
static char *
botocore_text(const char *s)
{
	return strdup(s == NULL ? "Unknown" : s[0] == '\0' ? "None" : s);
}

static int
parse_failure(
    struct ses_result *res, const char *body, size_t len, const char *reason)
{
	char *shown;

	res->kind = SES_EPARSE;
	if ((res->body = malloc(len + 1)) == NULL ||
	    (shown = bytes_repr(body, len)) == NULL)
		return nomem(res);
	memcpy(res->body, body, len);
	res->body[len] = '\0';
	if (asprintf(&res->message,
		"Unable to parse response (%s), invalid "
		"XML received. Further retries may succeed:\n%s",
		reason, shown) == -1)
		res->message = NULL;
	free(shown);
	return res->message == NULL ? nomem(res) : -1;
}

/*
 * Reads one response into RES: 0 on success, -1 with RES filled for an
 * error. *RETRYABLE says whether another attempt may help.
 */
static int
read_answer(
    const struct http_response *r, struct ses_result *res, int *retryable)
{
	struct sesxml_doc *doc;
	const char *body = r->body != NULL ? r->body : "";
	size_t len = r->body != NULL ? r->len : 0;
	char reason[200];

	*retryable = 0;
	res->http_status = r->status;
	if (generic_error(r->status, body, len)) {
		res->kind = SES_ESERVICE;
		if ((res->message = strdup(reason_phrase(r->status))) == NULL ||
		    asprintf(&res->code, "%ld", r->status) == -1) {
			res->code = NULL;
			return nomem(res);
		}
		*retryable = retry_service_error(NULL, r->status);
		return -1;
	}
	switch (sesxml_parse(body, len, &doc, reason, sizeof(reason))) {
	case SESXML_OK:
		break;
	case SESXML_ENOMEM:
		return nomem(res);
	default:
		return parse_failure(res, body, len, reason);
	}
	/* botocore reads an answer from 301 up as an error. */
	if (r->status < 301) {
		res->doc = doc;
		return 0;
	}
	res->kind = SES_ESERVICE;
	*retryable = retry_service_error(doc->error_code, r->status);
	res->code = botocore_text(doc->error_code);
	res->message = botocore_text(doc->error_message);
	sesxml_doc_free(doc);
	if (res->code == NULL || res->message == NULL)
		return nomem(res);
	return -1;
}

/*
 * Signs BODY with CR at the current time and sends it: 0 when a response
 * came, 1 when none did (RESP says why), -1 when it could not be signed.
 */
static int
send_signed(struct ses_client *c, const struct strbuf *body,
    const struct creds *cr, struct http_response *resp)
{
	return formpost_send(
	    c->http, &c->ep, c->region, SIGNING_NAME, body, cr, resp);
}

/* The part of an attempt's debug line that says how it ended. */
static void
outcome_text(const struct ses_result *res, char *out, size_t outlen)
{
	char code[80];

	switch (res->kind) {
	case SES_OK:
		snprintf(out, outlen, "HTTP %ld", res->http_status);
		break;
	case SES_ESERVICE:
		errbuf_printable(res->code, code, sizeof(code));
		snprintf(out, outlen, "HTTP %ld %s", res->http_status, code);
		break;
	case SES_EPARSE:
		snprintf(
		    out, outlen, "HTTP %ld, unparsable body", res->http_status);
		break;
	case SES_ETRANSPORT:
		snprintf(out, outlen, "transport error %s",
		    http_error_name(res->http_error));
		break;
	default:
		snprintf(out, outlen, "failed");
		break;
	}
}

/*
 * No secret of CR leaves the client in what the server said: SES's
 * SigV4 errors may quote the canonical request, session token included,
 * and a server that is not SES may echo anything. Only redacted here: the
 * text is otherwise the CLI's (the daemon cuts it before it logs it).
 */
static int
scrub_result(struct ses_result *res, const struct creds *cr)
{
	const char *secrets[] = { cr->secret_access_key, cr->session_token };
	char **fields[] = { &res->message, &res->code, &res->body };
	char *clean;
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (*fields[i] == NULL)
			continue;
		clean = errbuf_scrub(*fields[i], secrets,
		    sizeof(secrets) / sizeof(secrets[0]), false);
		if (clean == NULL)
			return nomem(res);
		explicit_bzero(*fields[i], strlen(*fields[i]));
		free(*fields[i]);
		*fields[i] = clean;
	}
	return 0;
}

/* The result of a call the canceller ended before or between attempts. */
static int
cancelled(const struct ses_client *c, struct ses_result *res)
{
	result_reset(res);
	res->kind = SES_ETRANSPORT;
	res->http_error = HTTP_ECANCELLED;
	if (asprintf(&res->message,
		"Request to endpoint URL \"%s\" was cancelled: the program "
		"is stopping",
		c->ep.url) == -1) {
		res->message = NULL;
		return nomem(res);
	}
	return -1;
}

/*
 * Attempts BODY until success, a final error, the last attempt or the
 * canceller.
 */
static int
call_form(struct ses_client *c, const char *action, const struct strbuf *body,
    struct ses_result *res)
{
	struct http_response resp;
	struct creds cr;
	enum creds_status st;
	char err[512], what[160];
	int64_t waited;
	long delay;
	int attempt, retryable, rc, sent;

	for (attempt = 1;; attempt++) {
		if (ses_cancel_fired(c->cancel))
			return cancelled(c, res);
		result_reset(res);
		if ((st = creds_provider_get(
			 c->creds, &cr, err, sizeof(err))) != CREDS_OK) {
			if (st == CREDS_ENOMEM)
				return nomem(res);
			res->kind = SES_ECREDS;
			res->creds_status = st;
			if ((res->message = strdup(err)) == NULL)
				return nomem(res);
			return -1;
		}
		waited = ratelimit_wait(c->cancel);
		if (ses_cancel_fired(c->cancel)) {
			creds_clear(&cr);
			return cancelled(c, res);
		}
		sent = send_signed(c, body, &cr, &resp);
		if (sent == -1) {
			creds_clear(&cr);
			return internal(res,
			    "cannot sign the request: invalid "
			    "credentials, region or endpoint");
		}
		res->attempts++;
		if (sent == 1) {
			res->kind = SES_ETRANSPORT;
			res->http_error = resp.error;
			res->message = resp.message;
			resp.message = NULL;
			retryable = retry_transport_error(resp.error);
			rc = res->message == NULL ? nomem(res) : -1;
		} else
			rc = read_answer(&resp, res, &retryable);
		http_response_free(&resp);
		if (res->kind != SES_EINTERNAL && scrub_result(res, &cr) == -1)
			rc = -1;
		creds_clear(&cr);
		if (res->kind == SES_EINTERNAL)
			return -1;
		outcome_text(res, what, sizeof(what));
		if (rc == 0 || !retryable || attempt >= c->max_attempts) {
			res->retries_exhausted = rc == -1 &&
			    attempt >= c->max_attempts &&
			    (retryable || res->kind == SES_ESERVICE);
			debugf(c,
			    "%s attempt %d/%d to %s: %s, waited %.3f s "
			    "for a rate slot%s",
			    action, attempt, c->max_attempts, c->ep.url, what,
			    (double)waited / CLOCK_NSEC,
			    rc == 0         ? ""
				: retryable ? "; no attempts left"
					    : "; not retried");
			return rc;
		}
		delay =
		    retry_delay_ms(attempt, random_unit(), c->retry_base_ms);
		debugf(c,
		    "%s attempt %d/%d to %s: %s, waited %.3f s for a "
		    "rate slot; retrying in %.3f s",
		    action, attempt, c->max_attempts, c->ep.url, what,
		    (double)waited / CLOCK_NSEC, delay / 1000.0);
		if (ses_cancel_sleep_until(c->cancel,
			clock_now_ns() + (int64_t)delay * 1000000) == -1)
			return cancelled(c, res);
	}
}

/* Every public call starts here: RES is valid to free whatever happens. */
static int
begin(struct ses_client *c, const char *action, struct strbuf *f,
    struct ses_result *res)
{
	strbuf_init(f);
	memset(res, 0, sizeof(*res));
	if (c == NULL || action == NULL)
		return internal(res, "invalid arguments");
	if (form_begin(f, action) == -1)
		return errno == ENOMEM ? nomem(res)
				       : internal(res, "request too large");
	return 0;
}

static int
form_failed(struct strbuf *f, struct ses_result *res)
{
	int e = errno;

	strbuf_free(f);
	return e == ENOMEM ? nomem(res)
	    : e == EINVAL  ? internal(res, "invalid arguments")
			   : internal(res, "request too large");
}

int
ses_call(struct ses_client *c, const char *action,
    const struct ses_param *params, size_t nparams, struct ses_result *res)
{
	struct strbuf f;
	size_t i;
	int rc;

	if (res == NULL)
		return -1;
	if (begin(c, action, &f, res) == -1)
		return -1;
	if (nparams > 0 && params == NULL) {
		strbuf_free(&f);
		return internal(res, "invalid arguments");
	}
	for (i = 0; i < nparams; i++)
		if (form_add(&f, params[i].key, params[i].value) == -1)
			return form_failed(&f, res);
	rc = call_form(c, action, &f, res);
	strbuf_free(&f);
	return rc;
}

int
ses_set_mail_from(struct ses_client *c, const char *identity,
    const char *mail_from_domain, const char *behavior, struct ses_result *res)
{
	struct ses_param p[3];
	size_t n = 0;

	p[n++] = (struct ses_param){ "Identity", identity };
	if (mail_from_domain != NULL)
		p[n++] =
		    (struct ses_param){ "MailFromDomain", mail_from_domain };
	if (behavior != NULL)
		p[n++] = (struct ses_param){ "BehaviorOnMXFailure", behavior };
	return ses_call(c, "SetIdentityMailFromDomain", p, n, res);
}

/* Moves the entries of FROM into INTO with a Python dict's update(). */
static int
merge(struct sesxml_doc *into, struct sesxml_doc *from)
{
	struct sesxml_mail_from *grown, *m, *e;
	size_t i, j, fresh = 0;

	for (i = 0; i < from->nentries; i++) {
		e = &from->entries[i];
		for (j = 0; j < into->nentries; j++)
			if (strcmp(into->entries[j].identity, e->identity) == 0)
				break;
		if (j == into->nentries) {
			fresh++;
			continue;
		}
		m = &into->entries[j];
		free(e->identity);
		e->identity = m->identity;
		m->identity = NULL;
		sesxml_mail_from_clear(m);
		*m = *e;
		memset(e, 0, sizeof(*e));
	}
	if (fresh == 0)
		return 0;
	grown =
	    reallocarray(into->entries, into->nentries + fresh, sizeof(*grown));
	if (grown == NULL)
		return -1;
	into->entries = grown;
	for (i = 0; i < from->nentries; i++) {
		if (from->entries[i].identity == NULL)
			continue;
		into->entries[into->nentries++] = from->entries[i];
		memset(&from->entries[i], 0, sizeof(from->entries[i]));
	}
	return 0;
}

/* A Get*Attributes call for any number of identities: see client.h. */
static int
get_batched(struct ses_client *c, const char *action,
    const char *const *identities, size_t n, struct ses_result *res)
{
	struct ses_result part;
	struct sesxml_doc *doc = NULL;
	struct strbuf f;
	size_t off = 0, k;
	int attempts = 0;

	if (res == NULL)
		return -1;
	if (n > 0 && identities == NULL) {
		memset(res, 0, sizeof(*res));
		return internal(res, "invalid arguments");
	}
	do {
		k = n - off < GET_BATCH ? n - off : GET_BATCH;
		if (begin(c, action, &f, &part) == -1)
			goto fail;
		if (form_add_list(&f, "Identities",
			k > 0 ? identities + off : NULL, k) == -1) {
			form_failed(&f, &part);
			goto fail;
		}
		if (call_form(c, action, &f, &part) == -1) {
			strbuf_free(&f);
			goto fail;
		}
		strbuf_free(&f);
		off += k;
		if (doc == NULL) {
			doc = part.doc;
			part.doc = NULL;
		} else if (merge(doc, part.doc) == -1) {
			nomem(&part);
			goto fail;
		}
		attempts += part.attempts;
		if (off < n)
			ses_result_free(&part);
	} while (off < n);
	sesxml_doc_free(part.doc);
	part.doc = doc;
	part.attempts = attempts;
	*res = part;
	return 0;

fail:
	sesxml_doc_free(doc);
	part.attempts += attempts;
	*res = part;
	return -1;
}

int
ses_get_mail_from(struct ses_client *c, const char *const *identities, size_t n,
    struct ses_result *res)
{
	return get_batched(
	    c, "GetIdentityMailFromDomainAttributes", identities, n, res);
}

int
ses_get_verification(struct ses_client *c, const char *const *identities,
    size_t n, struct ses_result *res)
{
	return get_batched(
	    c, "GetIdentityVerificationAttributes", identities, n, res);
}
